"""The one mapping from a server's schedule to the briefing it asks for.

The daily post, ``/briefing preview`` and ``/briefing explain`` all build their
:class:`~briefings.briefing.BriefingRequest` here, so what a preview shows and why an article
is or is not in it always match what the channel gets: the schedule's topics, minimum
quality and stories per topic (default ``BRIEFING_PER_TOPIC``), its window, its filters
(words and outlets left out), what it posted before (no repeats), and 3 top stories.
Without a schedule: every topic, no minimum, no filters, the last 24 hours.

A schedule's default window is "since its previous post, at most 7 days": the time between the
post the request is for and the slot before it in the schedule's timetable. A daily schedule
covers a day (23 or 25 hours across a DST change), a weekly one its week, a weekdays one the
weekend on Monday. An explicit ``window`` replaces it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.state.schedules import ChannelSchedule
from bot.timing import latest_due, next_due, previous_due
from briefings.briefing import DEFAULT_TOP_STORIES, DEFAULT_WINDOW, BriefingRequest
from briefings.repeats import PostedLog

MAX_WINDOW = timedelta(days=7)


def schedule_window(schedule: ChannelSchedule, at: datetime) -> timedelta:
    """The window of ``schedule``'s post due at ``at`` (or, between posts, of its next one)."""
    if schedule.window is not None:
        return schedule.window
    when, zone, days = schedule.post_time, schedule.timezone, schedule.days
    due = latest_due(when, zone, at, days)
    post = due if due == at else next_due(when, zone, at, days)
    return min(post - previous_due(when, zone, post, days), MAX_WINDOW)


def briefing_request(
    schedule: ChannelSchedule | None,
    at: datetime,
    *,
    per_topic: int,
    topics: Sequence[str] | None = None,
    posted: PostedLog | None = None,
) -> BriefingRequest:
    """The briefing of the window ending at ``at`` that ``schedule`` asks for.

    ``topics``, when given, replaces the schedule's topics (a preview of one topic);
    ``posted`` is what the schedule posted before (its stories are not shown again unless
    updated). A channel briefing opens with the :data:`DEFAULT_TOP_STORIES` best stories.
    """
    chosen = tuple(topics) if topics is not None else schedule.topics if schedule else ()
    if schedule is None:
        return BriefingRequest(
            at,
            window=DEFAULT_WINDOW,
            topics=chosen,
            per_topic=per_topic,
            top_stories=DEFAULT_TOP_STORIES,
        )
    return BriefingRequest(
        at,
        window=schedule_window(schedule, at),
        topics=chosen,
        per_topic=schedule.per_topic or per_topic,
        min_quality=schedule.min_quality,
        top_stories=DEFAULT_TOP_STORIES,
        filters=schedule.filters,
        posted=posted or PostedLog(),
    )
