"""The SQL schema of the bot's state (SQLAlchemy 2 declarative) and its column codecs.

Portable between SQLite and PostgreSQL. Moments are stored as UTC: ``timestamptz`` on
PostgreSQL, naive-UTC text on SQLite (which has no time zones), and always come back as aware
UTC datetimes. Daily post times are stored as ``"HH:MM"`` text and read back as
:class:`datetime.time`. Discord ids (users, guilds, channels, messages) are 64-bit integers.

These ORM classes stay inside :mod:`bot.state`; the rest of the bot sees frozen dataclasses.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from briefings.filters import Filters

DEFAULT_POST_TIME = time(8, 0)
DEFAULT_TIMEZONE = "UTC"


def require_aware(moment: datetime, name: str = "now") -> datetime:
    """``moment`` if it is timezone-aware; a naive datetime is a bug, so refuse it."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {moment!r}")
    return moment


def check_post_time(value: time) -> time:
    """``value`` if it is a wall-clock minute (no seconds, no tzinfo): what "HH:MM" can hold."""
    if value.tzinfo is not None:
        raise ValueError(f"a post time is a local wall-clock time without tzinfo, got {value!r}")
    if value.second or value.microsecond:
        raise ValueError(f"a post time is a whole minute (HH:MM), got {value.isoformat()}")
    return value


def check_timezone(name: str) -> str:
    """``name`` if it is an IANA time zone known to this system (``"Europe/Paris"``)."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown time zone {name!r}") from error
    return name


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime stored as UTC; naive values are refused, results are aware UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        utc = require_aware(value, "a stored moment").astimezone(UTC)
        # SQLite keeps no offset: store naive UTC so that text comparisons order correctly.
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class PostTime(TypeDecorator[time]):
    """A daily wall-clock time stored as ``"HH:MM"`` text."""

    impl = String(5)
    cache_ok = True

    def process_bind_param(self, value: time | None, dialect: Dialect) -> str | None:
        return None if value is None else check_post_time(value).strftime("%H:%M")

    def process_result_value(self, value: Any, dialect: Dialect) -> time | None:
        return None if value is None else time.fromisoformat(str(value))


class FiltersJSON(TypeDecorator[Filters]):
    """:class:`~briefings.filters.Filters` stored as JSON lists (revision 0006), ``NULL`` when
    empty: ``{"include": [...], "exclude": [...], "outlets": [...]}``.

    What is stored was validated when it was set, so it is read back as is (not parsed again:
    a later, stricter limit never makes a stored filter unreadable).
    """

    impl = JSON(none_as_null=True)
    cache_ok = True

    def process_bind_param(self, value: Filters | None, dialect: Dialect) -> Any:
        if not value:
            return None
        return {"include": value.include, "exclude": value.exclude, "outlets": value.outlets}

    def process_result_value(self, value: Any, dialect: Dialect) -> Filters:
        if not value:
            return Filters()
        return Filters(
            tuple(value.get("include") or ()),
            tuple(value.get("exclude") or ()),
            tuple(value.get("outlets") or ()),
        )


class Base(DeclarativeBase):
    """The declarative base of every table of the bot's state."""


class SchemaVersionRow(Base):
    """The one row saying which :data:`bot.state.database.SCHEMA_VERSION` built the schema."""

    __tablename__ = "schema_version"
    __table_args__ = (CheckConstraint("id = 1", name="schema_version_single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer)


class ChannelScheduleRow(Base):
    """One briefing schedule of a guild: where, when (local time in a zone, on which days), what.

    A guild has any number of them, each with a name unique in the guild (compared by
    ``name_key``, its case-folded form). The schedules of the single-schedule era (before
    revision 0003) kept their guild id as their ``id``, so their delivery log rows (kind
    ``channel``, ``target_id`` = schedule id) still match.
    """

    __tablename__ = "briefing_schedules"
    __table_args__ = (
        UniqueConstraint("guild_id", "name_key", name="briefing_schedules_guild_name"),
        # ids are never reused (revision 0008): a new schedule never meets a removed one's log
        {"sqlite_autoincrement": True},
    )

    # INTEGER PRIMARY KEY is SQLite's rowid alias; BIGINT would not autoincrement there.
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    guild_id: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(64))
    name_key: Mapped[str] = mapped_column(String(64))
    channel_id: Mapped[int] = mapped_column(BigInteger)
    post_time: Mapped[time] = mapped_column(PostTime)
    timezone: Mapped[str] = mapped_column(String(64))
    days: Mapped[str] = mapped_column(String(32))
    """The local weekdays it posts on, as ``"mon,tue,…"`` (APScheduler's ``day_of_week``)."""
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    per_topic: Mapped[int | None] = mapped_column(Integer, default=None)
    min_quality: Mapped[float] = mapped_column(Float, default=0.0)
    window_minutes: Mapped[int | None] = mapped_column(Integer, default=None)
    length: Mapped[str] = mapped_column(String(16))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    paused_reason: Mapped[str | None] = mapped_column(Text, default=None)
    configured_by: Mapped[int | None] = mapped_column(BigInteger, default=None)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # issue 13, part 4 (revision 0004): where it goes
    thread: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    """Open a thread for each briefing (text and announcement channels)."""
    # issue 13 part 6 (revision 0006)
    filters: Mapped[Filters] = mapped_column(FiltersJSON, nullable=True, default=None)
    """Words to include or exclude and outlets to leave out (``NULL``: none)."""


class PostedArticleRow(Base):
    """An article a schedule posted: the no-repeats log (see :mod:`briefings.repeats`)."""

    __tablename__ = "posted_articles"
    __table_args__ = (Index("posted_articles_schedule_time", "schedule_id", "posted_at"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    schedule_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("briefing_schedules.id", ondelete="CASCADE")
    )
    url: Mapped[str] = mapped_column(Text)
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    quality: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class DigestUserRow(Base):
    """A user receiving a DM digest: when, in which zone, and whether it is paused."""

    __tablename__ = "digest_users"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    post_time: Mapped[time] = mapped_column(PostTime, default=DEFAULT_POST_TIME)
    timezone: Mapped[str] = mapped_column(String(64), default=DEFAULT_TIMEZONE)
    paused_reason: Mapped[str | None] = mapped_column(Text, default=None)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # issue 13 part 6 (revision 0006)
    filters: Mapped[Filters] = mapped_column(FiltersJSON, nullable=True, default=None)
    """The filters of the user's whole digest (``NULL``: none)."""


class SubscriptionRow(Base):
    """One topic of a user's digest, keyed by :func:`briefings.model.topic_key`."""

    __tablename__ = "subscriptions"

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("digest_users.user_id", ondelete="CASCADE"), primary_key=True
    )
    topic_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    topic: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DeliveryRow(Base):
    """The idempotency log: one row per (kind, target, local day) briefing."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("kind", "target_id", "day", name="deliveries_kind_target_day"),
        CheckConstraint("kind IN ('channel', 'digest')", name="deliveries_kind"),
        CheckConstraint("status IN ('sending', 'sent', 'failed')", name="deliveries_status"),
        Index("deliveries_status_holder", "status", "holder"),
    )

    # INTEGER PRIMARY KEY is SQLite's rowid alias; BIGINT would not autoincrement there.
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int] = mapped_column(BigInteger)
    day: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    message_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    holder: Mapped[str | None] = mapped_column(String(32))
    """The :class:`InstanceRow` id of the process that claimed it last (None before 0002)."""
    # issue 13, part 4 (revision 0004)
    notice: Mapped[str | None] = mapped_column(Text, default=None)
    """What a sent briefing could not do (not published to followers, no thread), or None."""


class InstanceRow(Base):
    """One start of a bot process: its heartbeat tells the others whether it still runs."""

    __tablename__ = "instances"
    __table_args__ = (Index("instances_name", "name"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class RolePingRow(Base):
    """A role a schedule mentions when its briefing has a section of ``topic`` (revision 0005).

    One role per (schedule, topic), the topic keyed by :func:`briefings.model.topic_key`;
    deleted with its schedule.
    """

    __tablename__ = "briefing_pings"

    schedule_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("briefing_schedules.id", ondelete="CASCADE"), primary_key=True
    )
    topic_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    topic: Mapped[str] = mapped_column(String(200))
    role_id: Mapped[int] = mapped_column(BigInteger)
    configured_by: Mapped[int | None] = mapped_column(BigInteger, default=None)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


# --- issue 13 part 7: personal digests learn (revision 0007) ---------------------------------


class DigestSignalRow(Base):
    """One signal of a subscriber's digest: a topic or outlet weight, or a hidden outlet.

    ``key`` is a :func:`briefings.personal.signal_key` (at most 45 characters); ``weight`` is
    in [-3, 3] and never 0 for ``topic``/``outlet`` rows (a weight back at 0 is deleted), 1 for
    ``hidden``. Not tied to ``digest_users``: signals outlive an unsubscribe (a subscriber who
    comes back keeps them) and are deleted by a reset or by "forget me".
    """

    __tablename__ = "digest_signals"
    __table_args__ = (
        CheckConstraint("kind IN ('topic', 'outlet', 'hidden')", name="digest_signals_kind"),
        CheckConstraint("weight BETWEEN -3 AND 3", name="digest_signals_weight"),
    )

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    weight: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
