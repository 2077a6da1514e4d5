"""The no-repeats log: the articles each schedule posted, read back as a :class:`PostedLog`.

After a channel briefing is sent, :func:`record_posted` stores
:meth:`~briefings.briefing.Briefing.posted_articles`; the next request of that schedule gets
:func:`posted_log` (the last :data:`KEEP` of it), so a story is not posted again unless it was
updated since. Rows older than :data:`KEEP` are deleted when a schedule records a new post,
and a schedule's rows go with it.

A post is recorded once its delivery is marked sent, in a transaction of its own: if the
process dies between the two, that post's stories may be shown once more the next day (never
lost, never posted twice the same day).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, tzinfo

from sqlalchemy import delete, insert, select

from bot.state.database import Database
from bot.state.tables import ChannelScheduleRow, PostedArticleRow, require_aware
from briefings.repeats import PostedArticle, PostedLog

KEEP = timedelta(days=30)
"""How long a post is remembered: several of the longest (7-day) windows."""


async def record_posted(
    db: Database, schedule_id: int, articles: Sequence[PostedArticle], *, now: datetime
) -> None:
    """Remember that the schedule posted ``articles``; forget its posts older than KEEP.

    Nothing is recorded for a schedule removed meanwhile (a delivery still in flight when
    ``/briefing remove`` ran): its log went with it.
    """
    require_aware(now)
    async with db.session() as session, session.begin():
        exists = select(ChannelScheduleRow.id).where(ChannelScheduleRow.id == schedule_id)
        if (await session.execute(exists)).first() is None:
            return
        await session.execute(
            delete(PostedArticleRow).where(
                PostedArticleRow.schedule_id == schedule_id,
                PostedArticleRow.posted_at < now - KEEP,
            )
        )
        if articles:
            await session.execute(
                insert(PostedArticleRow),
                [
                    {
                        "schedule_id": schedule_id,
                        "url": posted.url,
                        "posted_at": posted.posted_at,
                        "quality": posted.quality,
                        "updated_at": posted.updated_at,
                    }
                    for posted in articles
                ],
            )


async def posted_log(
    db: Database, schedule_id: int | None, *, at: datetime, zone: tzinfo = UTC
) -> PostedLog:
    """What the schedule posted in the KEEP before ``at`` (empty for no schedule).

    The posting times are given in ``zone``: pass the schedule's, so that "already posted
    on DATE" (:func:`briefings.explain.explain`) names the day people saw the post.
    """
    require_aware(at, "at")
    if schedule_id is None:
        return PostedLog()
    query = (
        select(PostedArticleRow)
        .where(
            PostedArticleRow.schedule_id == schedule_id,
            PostedArticleRow.posted_at > at - KEEP,
            PostedArticleRow.posted_at < at,
        )
        .order_by(PostedArticleRow.posted_at, PostedArticleRow.id)
    )
    async with db.session() as session, session.begin():
        rows = (await session.scalars(query)).all()
    return PostedLog(
        tuple(
            PostedArticle(r.url, r.posted_at.astimezone(zone), r.quality, r.updated_at)
            for r in rows
        )
    )
