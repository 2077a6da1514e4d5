"""Claiming a delivery in the delivery log, recording how it went, taking over orphans.

Before posting, a sender calls :func:`claim` for a delivery ``(kind, target_id, day)`` (see
:mod:`bot.state.deliveries`). Only a True answer allows sending; afterwards the sender
records :func:`mark_sent` or :func:`mark_failed`, and :func:`record_progress` along the way
for a briefing split over several messages. A restart, a reconnect or a second scheduler tick
therefore never posts the same briefing twice:

* no row yet → a ``"sending"`` row is inserted → True;
* ``"sent"`` → False;
* ``"failed"`` → claimed again (``attempts`` + 1) → True;
* ``"sending"`` held by an instance that is gone (:mod:`bot.state.instances`: it stopped, a
  restarted process of the same name replaced it, or its heartbeat is older than
  ``holder_timeout``) → taken over at once → True;
* ``"sending"`` claimed longer than ``lease`` ago (a backstop: claims made before instances
  were recorded, or a sender that is alive but stuck) → taken over → True;
* ``"sending"`` otherwise (someone is sending right now) → False.

Each claim records its ``holder``, the claiming instance's id. :func:`orphaned_claims` lists
the claims that may be taken over, so a running process can pick them up within seconds of
their sender's death instead of at its next catch-up pass; :func:`retire_orphan` marks one
that is no longer due failed, so it does not stay ``"sending"`` for ever.

Claims are race-safe across sessions and processes: an ``INSERT … ON CONFLICT DO NOTHING``
followed by an ``UPDATE`` whose WHERE re-checks status and claim time, deciding on the number
of rows each changed — the database, not a read-then-write in Python, picks the one winner.

The log's values (:class:`~bot.state.deliveries.Delivery`, its kinds and statuses) and its
reads are :mod:`bot.state.deliveries`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.state.database import Database, affected_rows, dialect_insert
from bot.state.deliveries import (
    FAILED,
    SENDING,
    SENT,
    DeliveryKind,
    DeliveryStatus,
    check_kind,
    key_of,
)
from bot.state.instances import holder_gone
from bot.state.tables import DeliveryRow, DigestUserRow, require_aware

DEFAULT_LEASE = timedelta(minutes=10)
DEFAULT_HOLDER_TIMEOUT = timedelta(seconds=15)


@dataclass(frozen=True, slots=True)
class Claimant:
    """Who claims: the instance id recorded as holder, and the takeover rules it applies."""

    holder: str | None = None
    lease: timedelta = DEFAULT_LEASE
    holder_timeout: timedelta = DEFAULT_HOLDER_TIMEOUT

    def __post_init__(self) -> None:
        if self.lease <= timedelta(0) or self.holder_timeout <= timedelta(0):
            raise ValueError(f"the lease and holder timeout must be positive, got {self}")


ANONYMOUS = Claimant()
"""A claimant recording no holder, with the default lease and holder timeout."""


@dataclass(frozen=True, slots=True)
class ClaimKey:
    """One delivery's key: ``(kind, target_id, day)``."""

    kind: DeliveryKind
    target_id: int
    day: date


def _first_row(
    db: Database,
    kind: DeliveryKind,
    target_id: int,
    day: date,
    status: DeliveryStatus,
    now: datetime,
    *,
    sent_at: datetime | None = None,
    error: str | None = None,
    message_ids: Sequence[int] = (),
    holder: str | None = None,
) -> sqlite.Insert | postgresql.Insert:
    """The INSERT of a delivery's first row (attempt 1, claimed ``now``), for an upsert."""
    return dialect_insert(db, DeliveryRow).values(
        **({} if holder is None else {"holder": holder}),
        kind=kind,
        target_id=target_id,
        day=day,
        status=status,
        attempts=1,
        claimed_at=now,
        sent_at=sent_at,
        error=error,
        message_ids=list(message_ids),
    )


_KEY_COLUMNS = [DeliveryRow.kind, DeliveryRow.target_id, DeliveryRow.day]


async def claim(
    db: Database,
    kind: DeliveryKind,
    target_id: int,
    day: date,
    *,
    now: datetime,
    claimant: Claimant = ANONYMOUS,
) -> bool:
    """True when the caller may send the ``(kind, target_id, day)`` briefing now.

    See the module docstring for the rules. Exactly one of any number of concurrent claims of
    the same key (from any session or process) gets True.
    """
    async with db.session() as session, session.begin():
        return await _claim(db, session, kind, target_id, day, now=now, claimant=claimant)


async def claim_digests(
    db: Database,
    targets: Sequence[tuple[int, date]],
    *,
    now: datetime,
    claimant: Claimant = ANONYMOUS,
) -> list[tuple[int, date]]:
    """Claim the digests of as many ``(user_id, day)`` targets as this process can get.

    In one transaction the subscribers' rows are locked with ``SELECT … FOR UPDATE SKIP
    LOCKED`` (on PostgreSQL; SQLite has one writer at a time anyway), so processes working
    through the same batch at once split it between them instead of queueing on each other;
    each locked target is then claimed as by :func:`claim`. Returns the targets won.
    """
    if not targets:
        return []
    ids = sorted({user_id for user_id, _ in targets})
    won: list[tuple[int, date]] = []
    async with db.session() as session, session.begin():
        locked = set(
            await session.scalars(
                select(DigestUserRow.user_id)
                .where(DigestUserRow.user_id.in_(ids))
                .order_by(DigestUserRow.user_id)
                .with_for_update(skip_locked=True)
            )
        )
        for user_id, day in targets:
            if user_id in locked and await _claim(
                db, session, DeliveryKind.DIGEST, user_id, day, now=now, claimant=claimant
            ):
                won.append((user_id, day))
    return won


async def _claim(
    db: Database,
    session: AsyncSession,
    kind: DeliveryKind,
    target_id: int,
    day: date,
    *,
    now: datetime,
    claimant: Claimant,
) -> bool:
    require_aware(now)
    check_kind(kind)
    first_claim = _first_row(
        db, kind, target_id, day, SENDING, now, holder=claimant.holder
    ).on_conflict_do_nothing(index_elements=_KEY_COLUMNS)
    reclaim = (
        update(DeliveryRow)
        .where(
            key_of(kind, target_id, day),
            or_(DeliveryRow.status == FAILED, _abandoned(now, claimant)),
        )
        .values(
            status=SENDING,
            attempts=DeliveryRow.attempts + 1,
            claimed_at=now,
            holder=claimant.holder,
        )
        .execution_options(synchronize_session=False)
    )
    if await affected_rows(session, first_claim) == 1:
        return True
    return await affected_rows(session, reclaim) == 1


def _abandoned(now: datetime, claimant: Claimant) -> ColumnElement[bool]:
    """SQL: a ``"sending"`` claim whose sender is gone or whose lease ran out."""
    return and_(
        DeliveryRow.status == SENDING,
        or_(
            holder_gone(now=now, timeout=claimant.holder_timeout, me=claimant.holder),
            DeliveryRow.claimed_at < now - claimant.lease,
        ),
    )


async def orphaned_claims(
    db: Database, *, now: datetime, claimant: Claimant = ANONYMOUS
) -> list[ClaimKey]:
    """The ``"sending"`` deliveries ``claimant`` could take over now (their sender is gone or
    their lease ran out), oldest claim first. Few rows: an index covers ``status``."""
    require_aware(now)
    query = (
        select(DeliveryRow.kind, DeliveryRow.target_id, DeliveryRow.day)
        .where(_abandoned(now, claimant))
        .order_by(DeliveryRow.claimed_at)
    )
    async with db.session() as session, session.begin():
        rows = (await session.execute(query)).all()
    return [ClaimKey(DeliveryKind(kind), target_id, day) for kind, target_id, day in rows]


async def retire_orphan(
    db: Database,
    key: ClaimKey,
    *,
    now: datetime,
    error: str,
    claimant: Claimant = ANONYMOUS,
) -> bool:
    """Mark an orphaned claim (see :func:`orphaned_claims`) failed with ``error``: for a
    delivery that is no longer due, so no one will ever finish it and it must not stay
    ``"sending"``. Only while it is still orphaned (the same WHERE as a take-over: a claim
    someone took over meanwhile is left alone); True when this call changed it."""
    require_aware(now)
    statement = (
        update(DeliveryRow)
        .where(key_of(key.kind, key.target_id, key.day), _abandoned(now, claimant))
        .values(status=FAILED, error=error)
        .execution_options(synchronize_session=False)
    )
    async with db.session() as session, session.begin():
        return await affected_rows(session, statement) == 1


async def mark_sent(
    db: Database,
    kind: DeliveryKind,
    target_id: int,
    day: date,
    *,
    now: datetime,
    message_ids: Sequence[int],
    notice: str | None = None,
) -> None:
    """Record the briefing as posted, as the messages ``message_ids``; it is never sent again.

    ``notice`` says what it could not do without failing (shown by ``/briefing status``).
    """
    require_aware(now)
    check_kind(kind)
    ids = [int(message_id) for message_id in message_ids]
    noted = {} if notice is None else {"notice": notice}  # (a log of before 0004 has none)
    insert = _first_row(db, kind, target_id, day, SENT, now, sent_at=now, message_ids=ids)
    upsert = insert.values(**noted).on_conflict_do_update(
        index_elements=_KEY_COLUMNS,
        set_={"status": SENT, "sent_at": now, "error": None, "message_ids": ids, **noted},
    )
    async with db.session() as session, session.begin():
        await session.execute(upsert)


async def mark_failed(
    db: Database,
    kind: DeliveryKind,
    target_id: int,
    day: date,
    *,
    now: datetime,
    error: str,
    holder: str | None = None,
) -> None:
    """Record a failed attempt; the next :func:`claim` may retry it.

    A briefing already marked sent stays sent (a late failure report must not cause a second
    post). Message ids recorded so far are kept. With ``holder`` (the reporting instance), a
    claim that another instance has taken over meanwhile stays as it is: that instance is
    still sending, and a "failed" status would let a third one claim it alongside.
    """
    require_aware(now)
    check_kind(kind)
    still_ours: ColumnElement[bool] = DeliveryRow.status != SENT
    if holder is not None:
        still_ours = and_(
            still_ours,
            or_(
                DeliveryRow.status != SENDING,
                DeliveryRow.holder.is_(None),
                DeliveryRow.holder == holder,
            ),
        )
    insert = _first_row(db, kind, target_id, day, FAILED, now, error=error, holder=holder)
    upsert = insert.on_conflict_do_update(
        index_elements=_KEY_COLUMNS, set_={"status": FAILED, "error": error}, where=still_ours
    )
    async with db.session() as session, session.begin():
        await session.execute(upsert)


async def record_progress(
    db: Database,
    kind: DeliveryKind,
    target_id: int,
    day: date,
    message_ids: Sequence[int],
    *,
    now: datetime | None = None,
    notice: str | None = None,
) -> None:
    """Store the ids of the messages posted so far (all of them, not just the new ones).

    With ``now``, a sender that is still at work also renews its claim (a heartbeat), so a
    long, rate-limited delivery is not taken over as if its sender had crashed. ``notice``
    (when given) is stored too: what the attempt decided that a resumed one must keep (a
    thread briefing posted in the channel). Does nothing when the briefing was never claimed.
    """
    values: dict[str, object] = {"message_ids": [int(message_id) for message_id in message_ids]}
    if now is not None:
        values["claimed_at"] = require_aware(now, "now")
    if notice is not None:
        values["notice"] = notice
    statement = (
        update(DeliveryRow)
        .where(key_of(kind, target_id, day))
        .values(values)
        .execution_options(synchronize_session=False)
    )
    async with db.session() as session, session.begin():
        await session.execute(statement)
