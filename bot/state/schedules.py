"""Each guild's channel briefing schedule: save, read, list the active ones, disable, pause.

A guild has at most one schedule. Saving it (``/briefing setup``) replaces the previous one,
re-enables it and clears any pause. *Disabled* means the guild turned it off; *paused* means
the bot stopped posting because of a problem (a missing channel, lost permissions) recorded in
``paused_reason``. Only enabled, unpaused schedules are active.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, time

from sqlalchemy import select, update

from bot.state.database import Database, affected_rows, dialect_insert
from bot.state.tables import (
    ChannelScheduleRow,
    check_post_time,
    check_timezone,
    require_aware,
)
from briefings.model import topic_key


@dataclass(frozen=True, slots=True)
class ChannelSchedule:
    """When and what a guild's daily briefing posts: ``post_time`` is local to ``timezone``."""

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

    @property
    def active(self) -> bool:
        """True when the schedule should post: enabled and not paused."""
        return self.enabled and self.paused_reason is None


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
        guild_id=row.guild_id,
        channel_id=row.channel_id,
        post_time=row.post_time,
        timezone=row.timezone,
        topics=tuple(row.topics),
        min_quality=row.min_quality,
        enabled=row.enabled,
        paused_reason=row.paused_reason,
        configured_by=row.configured_by,
        updated_at=row.updated_at,
    )


async def save_schedule(
    db: Database, schedule: ChannelSchedule, *, now: datetime
) -> ChannelSchedule:
    """Create or replace the guild's schedule, enabled and unpaused; returns what was stored.

    Topics are stored without blanks or repeats (compared case-insensitively). Raises
    ``ValueError`` for an unknown time zone or a post time that is not a whole minute.
    """
    require_aware(now)
    check_post_time(schedule.post_time)
    check_timezone(schedule.timezone)
    stored = replace(
        schedule,
        topics=_unique_topics(schedule.topics),
        min_quality=float(schedule.min_quality),
        enabled=True,
        paused_reason=None,
    )
    values = {
        "guild_id": stored.guild_id,
        "channel_id": stored.channel_id,
        "post_time": stored.post_time,
        "timezone": stored.timezone,
        "topics": list(stored.topics),
        "min_quality": stored.min_quality,
        "enabled": True,
        "paused_reason": None,
        "configured_by": stored.configured_by,
        "updated_at": now,
    }
    insert = dialect_insert(db, ChannelScheduleRow).values(values)
    upsert = insert.on_conflict_do_update(
        index_elements=[ChannelScheduleRow.guild_id],
        set_={name: insert.excluded[name] for name in values if name != "guild_id"},
    )
    async with db.session() as session, session.begin():
        await session.execute(upsert)
    return replace(stored, updated_at=now)


async def get_schedule(db: Database, guild_id: int) -> ChannelSchedule | None:
    """The guild's schedule (active or not), or None when it never saved one."""
    async with db.session() as session, session.begin():
        row = await session.get(ChannelScheduleRow, guild_id)
        return None if row is None else _schedule(row)


async def active_schedules(db: Database) -> list[ChannelSchedule]:
    """Every enabled, unpaused schedule, ordered by guild id."""
    query = (
        select(ChannelScheduleRow)
        .where(ChannelScheduleRow.enabled.is_(True), ChannelScheduleRow.paused_reason.is_(None))
        .order_by(ChannelScheduleRow.guild_id)
    )
    async with db.session() as session, session.begin():
        return [_schedule(row) for row in (await session.scalars(query)).all()]


async def disable_schedule(db: Database, guild_id: int, *, now: datetime) -> bool:
    """Turn the guild's schedule off (kept for a later re-enable); False when it has none."""
    require_aware(now)
    statement = (
        update(ChannelScheduleRow)
        .where(ChannelScheduleRow.guild_id == guild_id)
        .values(enabled=False, updated_at=now)
    )
    async with db.session() as session, session.begin():
        return await affected_rows(session, statement) > 0


async def pause_schedule(db: Database, guild_id: int, reason: str, *, now: datetime) -> None:
    """Stop posting for the guild because of ``reason`` until the schedule is saved again.

    Does nothing when the guild has no schedule. ``reason`` must not be blank.
    """
    require_aware(now)
    if not reason.strip():
        raise ValueError("a pause needs a reason")
    statement = (
        update(ChannelScheduleRow)
        .where(ChannelScheduleRow.guild_id == guild_id)
        .values(paused_reason=reason, updated_at=now)
    )
    async with db.session() as session, session.begin():
        await session.execute(statement)
