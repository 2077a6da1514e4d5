"""The one mapping from a server's schedule to the briefing it asks for.

The daily post, ``/briefing preview`` and ``/briefing explain`` all build their
:class:`~briefings.briefing.BriefingRequest` here, so what a preview shows and why an article
is or is not in it always match what the channel gets: the schedule's topics and minimum
quality, ``BRIEFING_PER_TOPIC`` stories a topic. Without a schedule: every topic, no minimum.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.state.schedules import ChannelSchedule
from briefings.briefing import BriefingRequest


def briefing_request(
    schedule: ChannelSchedule | None,
    at: datetime,
    *,
    per_topic: int,
    topics: Sequence[str] | None = None,
) -> BriefingRequest:
    """The briefing of the window ending at ``at`` that ``schedule`` asks for.

    ``topics``, when given, replaces the schedule's topics (a preview of one topic).
    """
    chosen = tuple(topics) if topics is not None else schedule.topics if schedule else ()
    return BriefingRequest(
        at,
        topics=chosen,
        per_topic=per_topic,
        min_quality=schedule.min_quality if schedule else 0,
    )
