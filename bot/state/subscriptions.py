"""DM digest subscribers: their topics, delivery time and zone, pausing and forgetting them.

A user exists while they follow at least one topic: the first ``subscribe`` creates them
(08:00 UTC unless told otherwise) and the ``unsubscribe`` of their last topic deletes them.
Topics are compared with :func:`briefings.model.topic_key` (case- and spacing-insensitive) and
keep the display name they were first subscribed with. ``forget_user`` erases everything the
bot stores about a user, including their digest delivery records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time

from sqlalchemy import delete, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.state.database import Database, affected_rows, dialect_insert
from bot.state.deliveries import DeliveryKind
from bot.state.tables import (
    DEFAULT_POST_TIME,
    DEFAULT_TIMEZONE,
    ChannelScheduleRow,
    DeliveryRow,
    DigestSignalRow,
    DigestUserRow,
    SubscriptionRow,
    check_post_time,
    check_timezone,
    require_aware,
)
from briefings.filters import Filters
from briefings.model import topic_key


@dataclass(frozen=True, slots=True)
class DigestSettings:
    """A subscriber's digest: local ``post_time`` in ``timezone``, the topics followed, and the
    filters of the whole digest (set with :func:`bot.state.filters.set_digest_filters`)."""

    user_id: int
    post_time: time
    timezone: str
    topics: tuple[str, ...]
    paused_reason: str | None = None
    filters: Filters = field(default_factory=Filters)


async def _settings(session: AsyncSession, user_id: int) -> DigestSettings | None:
    user = await session.get(DigestUserRow, user_id)
    if user is None:
        return None
    topics = await session.scalars(
        select(SubscriptionRow.topic)
        .where(SubscriptionRow.user_id == user_id)
        .order_by(SubscriptionRow.created_at, SubscriptionRow.topic_key)
    )
    return DigestSettings(
        user_id=user.user_id,
        post_time=user.post_time,
        timezone=user.timezone,
        topics=tuple(topics.all()),
        paused_reason=user.paused_reason,
        filters=user.filters,
    )


async def subscribe(
    db: Database,
    user_id: int,
    topic: str,
    *,
    now: datetime,
    post_time: time | None = None,
    timezone: str | None = None,
    filters: Filters | None = None,
) -> DigestSettings:
    """Add ``topic`` to the user's digest (a no-op when already followed) and unpause it.

    Creates the user (08:00 UTC by default); ``post_time``, ``timezone`` and ``filters``, when
    given, replace the user's current ones. Raises ``ValueError`` for a blank topic, an unknown time
    zone or a post time that is not a whole minute.
    """
    require_aware(now)
    key = topic_key(topic)
    if not key:
        raise ValueError("a topic name must not be blank")
    if post_time is not None:
        check_post_time(post_time)
    if timezone is not None:
        check_timezone(timezone)

    changes: dict[str, object] = {"paused_reason": None, "updated_at": now}
    if post_time is not None:
        changes["post_time"] = post_time
    if timezone is not None:
        changes["timezone"] = timezone
    if filters is not None:
        changes["filters"] = filters
    add_user = (
        dialect_insert(db, DigestUserRow)
        .values(
            user_id=user_id,
            post_time=post_time or DEFAULT_POST_TIME,
            timezone=timezone or DEFAULT_TIMEZONE,
            paused_reason=None,
            updated_at=now,
            filters=filters,
        )
        .on_conflict_do_update(index_elements=[DigestUserRow.user_id], set_=changes)
    )
    add_topic = (
        dialect_insert(db, SubscriptionRow)
        .values(user_id=user_id, topic_key=key, topic=" ".join(topic.split()), created_at=now)
        .on_conflict_do_nothing(index_elements=[SubscriptionRow.user_id, SubscriptionRow.topic_key])
    )
    async with db.session() as session, session.begin():
        await session.execute(add_user)
        await session.execute(add_topic)
        settings = await _settings(session, user_id)
    assert settings is not None  # created above, in the same transaction
    return settings


async def unsubscribe(db: Database, user_id: int, topic: str) -> bool:
    """Drop ``topic`` from the user's digest; False when they did not follow it.

    A user left without topics is deleted (their delivery records stay until ``forget_user``).
    """
    drop_topic = delete(SubscriptionRow).where(
        SubscriptionRow.user_id == user_id, SubscriptionRow.topic_key == topic_key(topic)
    )
    drop_user_if_empty = delete(DigestUserRow).where(
        DigestUserRow.user_id == user_id,
        ~exists().where(SubscriptionRow.user_id == user_id),
    )
    async with db.session() as session, session.begin():
        if await affected_rows(session, drop_topic) == 0:
            return False
        await session.execute(drop_user_if_empty)
    return True


async def digest_settings(db: Database, user_id: int) -> DigestSettings | None:
    """The user's digest settings and topics, or None when they follow nothing."""
    async with db.session() as session, session.begin():
        return await _settings(session, user_id)


async def digest_users(db: Database) -> list[DigestSettings]:
    """Every unpaused user with at least one topic, ordered by user id."""
    query = (
        select(DigestUserRow, SubscriptionRow.topic)
        .join(SubscriptionRow, SubscriptionRow.user_id == DigestUserRow.user_id)
        .where(DigestUserRow.paused_reason.is_(None))
        .order_by(DigestUserRow.user_id, SubscriptionRow.created_at, SubscriptionRow.topic_key)
    )
    users: dict[int, DigestUserRow] = {}
    topics: dict[int, list[str]] = {}
    async with db.session() as session, session.begin():
        for user, name in await session.execute(query):
            users.setdefault(user.user_id, user)
            topics.setdefault(user.user_id, []).append(name)
    return [
        DigestSettings(
            user_id=user.user_id,
            post_time=user.post_time,
            timezone=user.timezone,
            topics=tuple(topics[user_id]),
            paused_reason=user.paused_reason,
            filters=user.filters,
        )
        for user_id, user in users.items()
    ]


async def pause_digest(db: Database, user_id: int, reason: str, *, now: datetime) -> None:
    """Stop the user's digest because of ``reason`` (DMs closed, ...) until they subscribe again.

    Does nothing for an unknown user. ``reason`` must not be blank.
    """
    require_aware(now)
    if not reason.strip():
        raise ValueError("a pause needs a reason")
    statement = (
        update(DigestUserRow)
        .where(DigestUserRow.user_id == user_id)
        .values(paused_reason=reason, updated_at=now)
    )
    async with db.session() as session, session.begin():
        await session.execute(statement)


async def forget_user(db: Database, user_id: int) -> bool:
    """Delete the user, their subscriptions, digest signals and digest delivery records, and
    their id from the channel schedules they set up (kept to tell them about a pause; the
    schedules stay, and a pause is then only shown in ``/briefing status``).

    True when anything was stored about them.
    """
    statements = (
        delete(DeliveryRow).where(
            DeliveryRow.kind == DeliveryKind.DIGEST, DeliveryRow.target_id == user_id
        ),
        delete(SubscriptionRow).where(SubscriptionRow.user_id == user_id),
        delete(DigestSignalRow).where(DigestSignalRow.user_id == user_id),
        delete(DigestUserRow).where(DigestUserRow.user_id == user_id),
        update(ChannelScheduleRow)
        .where(ChannelScheduleRow.configured_by == user_id)
        .values(configured_by=None)
        .execution_options(synchronize_session=False),
    )
    deleted = 0
    async with db.session() as session, session.begin():
        for statement in statements:
            deleted += await affected_rows(session, statement)
    return deleted > 0


async def set_digest_time(
    db: Database, user_id: int, post_time: time, timezone: str, *, now: datetime
) -> DigestSettings | None:
    """Change the time and zone of the user's digest (and unpause it); None when they follow
    nothing. Raises ``ValueError`` for an unknown zone or a time that is not a whole minute."""
    require_aware(now)
    check_post_time(post_time)
    check_timezone(timezone)
    statement = (
        update(DigestUserRow)
        .where(DigestUserRow.user_id == user_id)
        .values(post_time=post_time, timezone=timezone, paused_reason=None, updated_at=now)
    )
    async with db.session() as session, session.begin():
        if await affected_rows(session, statement) == 0:
            return None
        return await _settings(session, user_id)
