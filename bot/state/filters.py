"""Storing filters (issue 13, part 6): a schedule's, and those of a subscriber's digest.

Filters are validated :class:`~briefings.filters.Filters` values, stored as JSON lists
(:class:`bot.state.tables.FiltersJSON`) and read back with the schedule or the digest
settings. Changing them changes nothing else: a schedule's time, pause and "set up at" moment
stay as they were, so setting a filter never skips or re-sends a post.
"""

from __future__ import annotations

from sqlalchemy import update

from bot.state.database import Database, affected_rows
from bot.state.tables import ChannelScheduleRow, DigestUserRow
from briefings.filters import Filters


async def set_schedule_filters(db: Database, schedule_id: int, filters: Filters) -> bool:
    """Replace the filters of schedule ``schedule_id``; False when there is no such schedule."""
    statement = (
        update(ChannelScheduleRow)
        .where(ChannelScheduleRow.id == schedule_id)
        .values(filters=filters)
    )
    async with db.session() as session, session.begin():
        return await affected_rows(session, statement) > 0


async def set_digest_filters(db: Database, user_id: int, filters: Filters) -> bool:
    """Replace the filters of the user's digest; False when they follow nothing."""
    statement = (
        update(DigestUserRow).where(DigestUserRow.user_id == user_id).values(filters=filters)
    )
    async with db.session() as session, session.begin():
        return await affected_rows(session, statement) > 0
