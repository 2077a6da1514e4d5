"""Role pings: the role a schedule mentions when its briefing has a section of a topic.

One role per (schedule, topic), the topic compared by :func:`briefings.model.topic_key`;
saving a topic's ping again replaces its role. A schedule's pings are deleted with it. Which
configured roles a post mentions is decided by :func:`bot.pings.roles_to_ping`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select

from bot.state.database import Database, affected_rows, dialect_insert
from bot.state.tables import RolePingRow, require_aware
from briefings.model import topic_key


@dataclass(frozen=True, slots=True)
class RolePing:
    """Schedule ``schedule_id`` mentions role ``role_id`` when it posts about ``topic``."""

    schedule_id: int
    topic: str
    role_id: int
    configured_by: int | None = None


def _ping(row: RolePingRow) -> RolePing:
    return RolePing(row.schedule_id, row.topic, row.role_id, row.configured_by)


async def set_ping(
    db: Database,
    schedule_id: int,
    topic: str,
    role_id: int,
    *,
    now: datetime,
    configured_by: int | None = None,
) -> RolePing:
    """Make ``role_id`` the ping of ``topic`` in the schedule (replacing its role, if any).

    Raises ``ValueError`` for a blank topic; the schedule must exist.
    """
    require_aware(now)
    key = topic_key(topic)
    if not key:
        raise ValueError("a topic name must not be blank")
    name = " ".join(topic.split())
    values = {"topic": name, "role_id": role_id, "configured_by": configured_by, "updated_at": now}
    statement = (
        dialect_insert(db, RolePingRow)
        .values(schedule_id=schedule_id, topic_key=key, **values)
        .on_conflict_do_update(
            index_elements=[RolePingRow.schedule_id, RolePingRow.topic_key], set_=values
        )
    )
    async with db.session() as session, session.begin():
        await session.execute(statement)
    return RolePing(schedule_id, name, role_id, configured_by)


async def clear_ping(db: Database, schedule_id: int, topic: str) -> bool:
    """Stop mentioning anyone for ``topic`` in the schedule; False when nothing was set."""
    statement = delete(RolePingRow).where(
        RolePingRow.schedule_id == schedule_id, RolePingRow.topic_key == topic_key(topic)
    )
    async with db.session() as session, session.begin():
        return await affected_rows(session, statement) > 0


async def schedule_pings(db: Database, schedule_id: int) -> tuple[RolePing, ...]:
    """The schedule's pings, by topic."""
    return (await pings_of(db, [schedule_id])).get(schedule_id, ())


async def pings_of(db: Database, schedule_ids: Iterable[int]) -> dict[int, tuple[RolePing, ...]]:
    """The pings of each of ``schedule_ids`` that has some, by topic."""
    ids = sorted(set(schedule_ids))
    if not ids:
        return {}
    query = (
        select(RolePingRow)
        .where(RolePingRow.schedule_id.in_(ids))
        .order_by(RolePingRow.schedule_id, RolePingRow.topic_key)
    )
    found: dict[int, list[RolePing]] = {}
    async with db.session() as session, session.begin():
        for row in (await session.scalars(query)).all():
            found.setdefault(row.schedule_id, []).append(_ping(row))
    return {schedule_id: tuple(pings) for schedule_id, pings in found.items()}
