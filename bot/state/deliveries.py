"""The delivery log's values, and what one can ask it.

Every delivery is one ``(kind, target_id, day)``: ``kind`` a :class:`DeliveryKind`,
``CHANNEL`` (``target_id`` = schedule id; a schedule migrated from the one-per-guild era kept
its guild id as its id) or ``DIGEST`` (user id), and ``day`` the local date the briefing is
for. :class:`Delivery` is its row: claimed, sent or failed, with the ids of the messages posted
so far. How a sender claims a delivery so it is posted at most once, and records its progress
and result, is :mod:`bot.state.claims`; here are the reads (for ``/briefing status``, the web
panel and a sender resuming an earlier attempt) and the SQL key of one delivery both share.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, or_, select

from bot.state.database import Database
from bot.state.tables import DeliveryRow


class DeliveryKind(StrEnum):
    """What a delivery is: a server's daily channel post or a member's DM digest."""

    CHANNEL = "channel"
    DIGEST = "digest"


class DeliveryStatus(StrEnum):
    """Where a delivery stands.

    The log records ``SENDING`` (claimed), ``SENT`` and ``FAILED``. An attempt's outcome
    (:class:`bot.exactly_once.Outcome`) is ``SENT``, ``FAILED`` or one of the others: ``EMPTY``
    (nothing to post, recorded as sent), ``ALREADY`` (someone else sent or is sending it),
    ``NOT_DUE`` (not its time, or past the grace period) and ``PAUSED`` (the target cannot
    receive posts until a person fixes it).
    """

    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    EMPTY = "empty"
    ALREADY = "already"
    NOT_DUE = "not-due"
    PAUSED = "paused"


SENDING, SENT, FAILED = DeliveryStatus.SENDING, DeliveryStatus.SENT, DeliveryStatus.FAILED


@dataclass(frozen=True, slots=True)
class Delivery:
    """The state of one (kind, target, day) briefing. Moments are aware UTC datetimes."""

    kind: DeliveryKind
    target_id: int
    day: date
    status: DeliveryStatus
    attempts: int
    claimed_at: datetime
    sent_at: datetime | None
    error: str | None
    message_ids: tuple[int, ...]
    holder: str | None = None
    notice: str | None = None
    """What a sent briefing could not do without failing (say, publishing to followers)."""


def check_kind(kind: DeliveryKind) -> DeliveryKind:
    """``kind`` as a :class:`DeliveryKind` (a ValueError for anything else: a caller's bug)."""
    try:
        return DeliveryKind(kind)
    except ValueError:
        raise ValueError(
            f"unknown delivery kind {kind!r}: expected 'channel' or 'digest'"
        ) from None


def key_of(kind: DeliveryKind, target_id: int, day: date) -> ColumnElement[bool]:
    """SQL: the row of the delivery ``(kind, target_id, day)``."""
    return and_(
        DeliveryRow.kind == check_kind(kind),
        DeliveryRow.target_id == target_id,
        DeliveryRow.day == day,
    )


def _delivery(row: DeliveryRow) -> Delivery:
    return Delivery(
        kind=DeliveryKind(row.kind),
        target_id=row.target_id,
        day=row.day,
        status=DeliveryStatus(row.status),
        attempts=row.attempts,
        claimed_at=row.claimed_at,
        sent_at=row.sent_at,
        error=row.error,
        message_ids=tuple(int(message_id) for message_id in row.message_ids),
        holder=row.holder,
        notice=row.notice,
    )


async def last_delivery(db: Database, kind: DeliveryKind, target_id: int) -> Delivery | None:
    """The target's delivery for the most recent day, whatever its status, or None."""
    query = (
        select(DeliveryRow)
        .where(DeliveryRow.kind == check_kind(kind), DeliveryRow.target_id == target_id)
        .order_by(DeliveryRow.day.desc())
        .limit(1)
    )
    async with db.session() as session, session.begin():
        row = (await session.scalars(query)).first()
        return None if row is None else _delivery(row)


async def get_deliveries(
    db: Database, kind: DeliveryKind, keys: Sequence[tuple[int, date]]
) -> dict[tuple[int, date], Delivery]:
    """The deliveries of several ``(target_id, day)`` keys of one kind, in one query."""
    if not keys:
        return {}
    query = select(DeliveryRow).where(or_(*(key_of(kind, target, day) for target, day in keys)))
    async with db.session() as session, session.begin():
        rows = (await session.scalars(query)).all()
        return {(row.target_id, row.day): _delivery(row) for row in rows}


async def get_delivery(
    db: Database, kind: DeliveryKind, target_id: int, day: date
) -> Delivery | None:
    """The delivery of ``(kind, target_id, day)``, or None when it was never claimed."""
    query = select(DeliveryRow).where(key_of(kind, target_id, day))
    async with db.session() as session, session.begin():
        row = (await session.scalars(query)).first()
        return None if row is None else _delivery(row)


async def recent_deliveries(
    db: Database, kind: DeliveryKind, target_id: int, *, limit: int = 10
) -> list[Delivery]:
    """The target's last ``limit`` deliveries, the most recent day first (for the web panel)."""
    query = (
        select(DeliveryRow)
        .where(DeliveryRow.kind == check_kind(kind), DeliveryRow.target_id == target_id)
        .order_by(DeliveryRow.day.desc())
        .limit(limit)
    )
    async with db.session() as session, session.begin():
        return [_delivery(row) for row in (await session.scalars(query)).all()]
