"""A subscriber's digest signals (``digest_signals``): read them, record feedback, reset them.

The rules of what feedback does live in the core (:func:`briefings.personal.apply_feedback`);
this module reads the rows as :class:`~briefings.personal.Signals`, applies one click and
writes what changed, in one transaction. Feedback is only recorded for a current subscriber
(their ``digest_users`` row is locked while the click is applied, so two clicks at once both
count on PostgreSQL too; SQLite's write lock serialises them anyway). Signals outlive an
unsubscribe and are deleted by :func:`reset_signals` and by "forget me"
(:func:`bot.state.subscriptions.forget_user`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.state.database import Database, affected_rows, dialect_insert
from bot.state.tables import DigestSignalRow, DigestUserRow, require_aware
from briefings.personal import Change, Feedback, ItemRef, SignalKind, Signals, apply_feedback


def _signals(rows: Iterable[DigestSignalRow]) -> Signals:
    topics: list[tuple[str, int]] = []
    outlets: list[tuple[str, int]] = []
    hidden: list[str] = []
    for row in rows:
        if row.kind == SignalKind.TOPIC:
            topics.append((row.key, row.weight))
        elif row.kind == SignalKind.OUTLET:
            outlets.append((row.key, row.weight))
        else:
            hidden.append(row.key)
    return Signals.of(topics=topics, outlets=outlets, hidden=hidden)


async def _read(session: AsyncSession, user_id: int) -> Signals:
    rows = await session.scalars(select(DigestSignalRow).where(DigestSignalRow.user_id == user_id))
    return _signals(rows)


async def digest_signals(db: Database, user_id: int) -> Signals:
    """The user's signals (empty when they have none)."""
    async with db.session() as session, session.begin():
        return await _read(session, user_id)


async def signals_of(db: Database, user_ids: Iterable[int]) -> dict[int, Signals]:
    """The signals of each of ``user_ids`` that has any (one query)."""
    wanted = sorted(set(user_ids))
    if not wanted:
        return {}
    by_user: dict[int, list[DigestSignalRow]] = {}
    async with db.session() as session, session.begin():
        rows = await session.scalars(
            select(DigestSignalRow).where(DigestSignalRow.user_id.in_(wanted))
        )
        for row in rows:
            by_user.setdefault(row.user_id, []).append(row)
    return {user_id: _signals(rows) for user_id, rows in by_user.items()}


async def record_feedback(
    db: Database, user_id: int, feedback: Feedback, item: ItemRef, *, now: datetime
) -> tuple[Signals, tuple[Change, ...]] | None:
    """Apply ``feedback`` on ``item`` to the user's signals; the signals after it and what
    changed, or None (nothing stored) when the user has no digest."""
    require_aware(now)
    async with db.session() as session, session.begin():
        subscriber = await session.scalar(
            select(DigestUserRow.user_id).where(DigestUserRow.user_id == user_id).with_for_update()
        )
        if subscriber is None:
            return None
        after, changes = apply_feedback(await _read(session, user_id), feedback, item)
        for change in changes:
            if change.before == change.after:
                continue
            if change.after == 0:
                await session.execute(
                    delete(DigestSignalRow).where(
                        DigestSignalRow.user_id == user_id,
                        DigestSignalRow.kind == change.kind,
                        DigestSignalRow.key == change.key,
                    )
                )
                continue
            upsert = (
                dialect_insert(db, DigestSignalRow)
                .values(
                    user_id=user_id,
                    kind=change.kind,
                    key=change.key,
                    weight=change.after,
                    updated_at=now,
                )
                .on_conflict_do_update(
                    index_elements=[
                        DigestSignalRow.user_id,
                        DigestSignalRow.kind,
                        DigestSignalRow.key,
                    ],
                    set_={"weight": change.after, "updated_at": now},
                )
            )
            await session.execute(upsert)
    return after, changes


async def reset_signals(db: Database, user_id: int) -> int:
    """Delete every signal of the user; how many there were."""
    async with db.session() as session, session.begin():
        return await affected_rows(
            session, delete(DigestSignalRow).where(DigestSignalRow.user_id == user_id)
        )
