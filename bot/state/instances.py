"""Running bot processes and their heartbeats: who may still be sending a claimed delivery.

Each bot process registers an *instance* when it starts — a random id and a name (host and
role, see :meth:`bot.settings.Settings.instance_name`) — and refreshes the row's
``heartbeat_at`` every few seconds (:func:`beat`). Every delivery claim records the claiming
instance's id (``deliveries.holder``). An instance is *gone* when

* its row says it stopped (it shut down, or a newer instance with the same name started: a
  restarted process, whose predecessor was killed), or
* its last heartbeat is older than the timeout (it was killed, or lost the database), or
* its row is missing (cleaned up long ago),

and a claim held by a gone instance is taken over at once (:mod:`bot.state.deliveries`).
Moments come from the callers' clocks, so the machines' clocks must agree to well within the
timeout (NTP).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, exists, update

from bot.state.database import Database, affected_rows, dialect_insert
from bot.state.tables import DeliveryRow, InstanceRow, require_aware

FORGET_AFTER = timedelta(days=7)
"""Rows of instances silent this long are deleted when an instance registers."""


async def register(db: Database, instance_id: str, name: str, *, now: datetime) -> int:
    """Record a new instance; mark earlier running instances of the same ``name`` stopped.

    Returns how many earlier instances of that name were still marked running: a process
    restarted after a crash (their claims are now free to take over at once).
    """
    require_aware(now)
    async with db.session() as session, session.begin():
        superseded = await affected_rows(
            session,
            update(InstanceRow)
            .where(
                InstanceRow.name == name,
                InstanceRow.id != instance_id,
                InstanceRow.stopped_at.is_(None),
            )
            .values(stopped_at=now)
            .execution_options(synchronize_session=False),
        )
        await session.execute(
            delete(InstanceRow)
            .where(InstanceRow.heartbeat_at < now - FORGET_AFTER)
            .execution_options(synchronize_session=False)
        )
        await session.execute(
            dialect_insert(db, InstanceRow).values(
                id=instance_id, name=name, started_at=now, heartbeat_at=now, stopped_at=None
            )
        )
    return superseded


async def beat(db: Database, instance_id: str, name: str, *, now: datetime) -> bool:
    """Refresh the instance's heartbeat. False when its row had been marked stopped or
    deleted (another instance took its name, or it was silent too long); it is running again
    from now on either way."""
    require_aware(now)
    insert = dialect_insert(db, InstanceRow).values(
        id=instance_id, name=name, started_at=now, heartbeat_at=now, stopped_at=None
    )
    async with db.session() as session, session.begin():
        alive = await affected_rows(
            session,
            update(InstanceRow)
            .where(InstanceRow.id == instance_id, InstanceRow.stopped_at.is_(None))
            .values(heartbeat_at=now)
            .execution_options(synchronize_session=False),
        )
        if alive:
            return True
        await session.execute(
            insert.on_conflict_do_update(
                index_elements=[InstanceRow.id], set_={"heartbeat_at": now, "stopped_at": None}
            )
        )
    return False


async def stop(db: Database, instance_id: str, *, now: datetime) -> None:
    """Mark the instance stopped: the claims it still holds may be taken over at once."""
    require_aware(now)
    async with db.session() as session, session.begin():
        await session.execute(
            update(InstanceRow)
            .where(InstanceRow.id == instance_id)
            .values(stopped_at=now)
            .execution_options(synchronize_session=False)
        )


def holder_gone(*, now: datetime, timeout: timedelta, me: str | None) -> ColumnElement[bool]:
    """SQL: the delivery's holder is recorded, is not ``me`` (a process never declares itself
    gone: a late heartbeat of its own must not make it send its own claims twice) and is no
    running instance (see the module)."""
    running = exists().where(
        InstanceRow.id == DeliveryRow.holder,
        InstanceRow.stopped_at.is_(None),
        InstanceRow.heartbeat_at >= now - timeout,
    )
    recorded: ColumnElement[bool] = DeliveryRow.holder.is_not(None)
    if me is not None:
        recorded = and_(recorded, DeliveryRow.holder != me)
    return and_(recorded, ~running)
