"""The guilds' channel briefing schedules: add, change, read, list, disable, pause, remove.

A guild has any number of schedules, each with a name unique in the guild (case-insensitive)
and its own id. Saving a schedule (``/briefing setup`` or ``edit``) re-enables it and clears any
pause. *Disabled* means the guild turned it off; *paused* means the bot stopped posting because
of a problem (a missing channel, lost permissions) recorded in ``paused_reason``. Only enabled,
unpaused schedules are active. The delivery log keys a schedule's posts by its id.

Removing a schedule deletes everything keyed by its id with it, in one transaction: its
delivery log, its "already posted" log and its role pings. Ids are never reused (SQLite's
``AUTOINCREMENT``, revision 0008; PostgreSQL's sequence), so a schedule set up later never
inherits a removed one's history — its first post is not skipped as "already sent", its
stories are not held back as already posted, and it does not show another's deliveries.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from bot.state.database import Database, affected_rows
from bot.state.deliveries import DeliveryKind
from bot.state.tables import (
    ChannelScheduleRow,
    DeliveryRow,
    PostedArticleRow,
    RolePingRow,
    check_post_time,
    check_timezone,
    require_aware,
)
from bot.timing import DAY_CODES, EVERY_DAY
from briefings.excerpts import BriefingLength
from briefings.filters import Filters
from briefings.model import topic_key

DEFAULT_NAME = "daily"


class DuplicateNameError(ValueError):
    """The guild already has a schedule of that name."""


@dataclass(frozen=True, slots=True)
class ChannelSchedule:
    """When and what one briefing posts: ``post_time`` is local to ``timezone``, on ``days``.

    ``id`` is None until the schedule is stored. ``days`` are local weekdays (Monday = 0);
    ``window`` None means "since the previous post of this schedule, at most 7 days";
    ``per_topic`` None means the bot's ``BRIEFING_PER_TOPIC``; ``filters`` leave out words and
    outlets (set with :func:`bot.state.filters.set_schedule_filters`, kept by saves).
    """

    guild_id: int
    channel_id: int
    post_time: time
    timezone: str
    topics: tuple[str, ...] = ()
    min_quality: float = 0
    enabled: bool = True
    paused_reason: str | None = None
    configured_by: int | None = None
    updated_at: datetime | None = field(default=None, compare=False)
    """When the schedule was last saved or changed (set by the database; ignored on save)."""
    name: str = DEFAULT_NAME
    days: tuple[int, ...] = EVERY_DAY
    window: timedelta | None = None
    per_topic: int | None = None
    length: BriefingLength = BriefingLength.HEADLINES
    id: int | None = None
    thread: bool = False
    """Open a thread for each briefing (a text or announcement channel; see bot.posting)."""
    filters: Filters = field(default_factory=Filters)

    @property
    def active(self) -> bool:
        """True when the schedule should post: enabled and not paused."""
        return self.enabled and self.paused_reason is None


def name_key(name: str) -> str:
    """A schedule name compared case- and space-insensitively."""
    return " ".join(name.split()).casefold()


def days_code(days: tuple[int, ...]) -> str:
    """``(0, 4)`` → ``"mon,fri"``."""
    return ",".join(DAY_CODES[day] for day in sorted(set(days)))


def _days(code: str) -> tuple[int, ...]:
    return tuple(DAY_CODES.index(part) for part in code.split(",") if part)


def _unique_topics(topics: tuple[str, ...]) -> tuple[str, ...]:
    """``topics`` without blanks and without repeats (compared by ``topic_key``), in order."""
    seen: set[str] = set()
    kept: list[str] = []
    for name in topics:
        key = topic_key(name)
        if key and key not in seen:
            seen.add(key)
            kept.append(" ".join(name.split()))
    return tuple(kept)


def _schedule(row: ChannelScheduleRow) -> ChannelSchedule:
    return ChannelSchedule(
        id=row.id,
        guild_id=row.guild_id,
        name=row.name,
        channel_id=row.channel_id,
        post_time=row.post_time,
        timezone=row.timezone,
        days=_days(row.days),
        topics=tuple(row.topics),
        per_topic=row.per_topic,
        min_quality=row.min_quality,
        window=None if row.window_minutes is None else timedelta(minutes=row.window_minutes),
        length=BriefingLength(row.length),
        enabled=row.enabled,
        paused_reason=row.paused_reason,
        configured_by=row.configured_by,
        updated_at=row.updated_at,
        thread=row.thread,
        filters=row.filters,
    )


async def save_schedule(
    db: Database, schedule: ChannelSchedule, *, now: datetime
) -> ChannelSchedule:
    """Store ``schedule``, enabled and unpaused; returns what was stored, with its id.

    Without an id it is a new schedule of its guild; with one it replaces that schedule.
    Topics are stored without blanks or repeats (compared case-insensitively). Raises
    :class:`DuplicateNameError` when another schedule of the guild has that name, and
    ``ValueError`` for an unknown time zone, a post time that is not a whole minute, no days,
    or an id of another guild.
    """
    require_aware(now)
    check_post_time(schedule.post_time)
    check_timezone(schedule.timezone)
    if not schedule.days or not set(schedule.days) <= set(EVERY_DAY):
        raise ValueError(f"a schedule posts on some weekdays 0-6, got {schedule.days!r}")
    if not name_key(schedule.name):
        raise ValueError("a schedule needs a name")
    stored = replace(
        schedule,
        name=" ".join(schedule.name.split()),
        topics=_unique_topics(schedule.topics),
        days=tuple(sorted(set(schedule.days))),
        min_quality=float(schedule.min_quality),
        length=BriefingLength(schedule.length),
        enabled=True,
        paused_reason=None,
        updated_at=now,
    )
    values = {
        "guild_id": stored.guild_id,
        "name": stored.name,
        "name_key": name_key(stored.name),
        "channel_id": stored.channel_id,
        "post_time": stored.post_time,
        "timezone": stored.timezone,
        "days": days_code(stored.days),
        "topics": list(stored.topics),
        "per_topic": stored.per_topic,
        "min_quality": stored.min_quality,
        "window_minutes": None
        if stored.window is None
        else int(stored.window.total_seconds() // 60),
        "length": str(stored.length),
        "enabled": True,
        "paused_reason": None,
        "configured_by": stored.configured_by,
        "updated_at": now,
        "thread": stored.thread,
        "filters": stored.filters,
    }
    try:
        async with db.session() as session, session.begin():
            if stored.id is None:
                row = ChannelScheduleRow(**values)
                session.add(row)
                await session.flush()
                return replace(stored, id=row.id)
            statement = (
                update(ChannelScheduleRow)
                .where(
                    ChannelScheduleRow.id == stored.id,
                    ChannelScheduleRow.guild_id == stored.guild_id,
                )
                .values(values)
            )
            if await affected_rows(session, statement) == 0:
                raise ValueError(f"no schedule {stored.id} in guild {stored.guild_id}")
            return stored
    except IntegrityError as error:
        raise DuplicateNameError(
            f"guild {stored.guild_id} already has a schedule named {stored.name!r}"
        ) from error


async def guild_schedules(db: Database, guild_id: int) -> list[ChannelSchedule]:
    """Every schedule of the guild (active or not), oldest first."""
    query = (
        select(ChannelScheduleRow)
        .where(ChannelScheduleRow.guild_id == guild_id)
        .order_by(ChannelScheduleRow.id)
    )
    async with db.session() as session, session.begin():
        return [_schedule(row) for row in (await session.scalars(query)).all()]


async def get_schedule(
    db: Database, guild_id: int, name: str | None = None
) -> ChannelSchedule | None:
    """The guild's schedule called ``name`` (without a name: its oldest), or None."""
    query = select(ChannelScheduleRow).where(ChannelScheduleRow.guild_id == guild_id)
    if name is not None:
        query = query.where(ChannelScheduleRow.name_key == name_key(name))
    async with db.session() as session, session.begin():
        row = (await session.scalars(query.order_by(ChannelScheduleRow.id).limit(1))).first()
        return None if row is None else _schedule(row)


async def schedule_by_id(db: Database, schedule_id: int) -> ChannelSchedule | None:
    """The schedule with that id, or None when there is none (any more)."""
    async with db.session() as session, session.begin():
        row = await session.get(ChannelScheduleRow, schedule_id)
        return None if row is None else _schedule(row)


async def active_schedules(db: Database) -> list[ChannelSchedule]:
    """Every enabled, unpaused schedule, ordered by guild id then id."""
    query = (
        select(ChannelScheduleRow)
        .where(ChannelScheduleRow.enabled.is_(True), ChannelScheduleRow.paused_reason.is_(None))
        .order_by(ChannelScheduleRow.guild_id, ChannelScheduleRow.id)
    )
    async with db.session() as session, session.begin():
        return [_schedule(row) for row in (await session.scalars(query)).all()]


async def disable_schedule(db: Database, schedule_id: int, *, now: datetime) -> bool:
    """Turn a schedule off (kept for a later re-enable); False when there is no such schedule."""
    require_aware(now)
    statement = (
        update(ChannelScheduleRow)
        .where(ChannelScheduleRow.id == schedule_id)
        .values(enabled=False, updated_at=now)
    )
    async with db.session() as session, session.begin():
        return await affected_rows(session, statement) > 0


async def remove_schedule(db: Database, schedule_id: int) -> bool:
    """Delete a schedule with its delivery log, its "already posted" log and its role pings
    (one transaction); False when there is no such schedule.

    The history goes with it (the posted log and pings would cascade anyway): it belongs to
    no schedule any more, and must not be mistaken for another's. A delivery of it still in
    flight may record its end afterwards: that delivery row is keyed by an id no schedule will
    have again (revision 0008), and its "already posted" list is not recorded
    (:func:`bot.state.posted.record_posted` checks that the schedule still exists).
    """
    statements = (
        delete(DeliveryRow).where(
            DeliveryRow.kind == DeliveryKind.CHANNEL, DeliveryRow.target_id == schedule_id
        ),
        delete(PostedArticleRow).where(PostedArticleRow.schedule_id == schedule_id),
        delete(RolePingRow).where(RolePingRow.schedule_id == schedule_id),
    )
    async with db.session() as session, session.begin():
        for statement in statements:
            await session.execute(statement)
        removed = delete(ChannelScheduleRow).where(ChannelScheduleRow.id == schedule_id)
        return await affected_rows(session, removed) > 0


async def pause_schedule(db: Database, schedule_id: int, reason: str, *, now: datetime) -> None:
    """Stop posting a schedule because of ``reason`` until it is saved again.

    Does nothing when there is no such schedule. ``reason`` must not be blank.
    """
    require_aware(now)
    if not reason.strip():
        raise ValueError("a pause needs a reason")
    statement = (
        update(ChannelScheduleRow)
        .where(ChannelScheduleRow.id == schedule_id)
        .values(paused_reason=reason, updated_at=now)
    )
    async with db.session() as session, session.begin():
        await session.execute(statement)
