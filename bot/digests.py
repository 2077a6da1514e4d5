"""Composing DM digests for many subscribers: each distinct digest is built once.

Subscribers who follow the same set of topics at the same moment get the same digest, so a
batch (one scheduler slot, or one catch-up pass) reads each due moment's window once, selects
each topic set's briefing once and renders it once per time zone. With 10,000 subscribers
spread over a few hundred topic sets that is a few hundred briefings, not 10,000.
Subscribers with filters (see :mod:`briefings.filters`) share a digest with those who have the
same topics and the same filters.

**Personal order.** A subscriber's digest is ranked by their own signals
(:func:`briefings.personal.personalize`): the briefing of a topic set (and filters) is selected
once without a cap per topic, then each distinct (signals, zone) gets its own order, cap and
explanations. Subscribers without signals share one digest per topic set, filters and zone,
exactly the channel ranking. Every digest message carries the feedback buttons
(:mod:`bot.digest_menus`) for the stories it shows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.headings import digest_heading
from bot.rendering import OutgoingMessage, render_briefing
from briefings.briefing import DEFAULT_PER_TOPIC, NO_FILTERS, Briefing, TopicBriefings
from briefings.filters import Filters
from briefings.model import topic_key
from briefings.personal import Signals, personalize

BriefingsAt = Callable[[datetime], TopicBriefings]
"""Reads the window ending at a moment once and returns its briefing for any topics and
filters (the library's ``briefings_by_topics`` in the bot), best selected without a cap per
topic (:data:`UNCAPPED`) so that a subscriber's signals can bring up a story the cap left out."""
UNCAPPED = 10_000
"""Stories per topic to select before a subscriber's order and cap are applied."""


class DigestComposer:
    """Composes one batch of digests; reuse it for the batch, not longer.

    Per due moment the window is read once; per (moment, topic set, filters) the briefing is
    selected once; per (moment, time zone, topic set, filters, signals) it is ordered and
    rendered once (times are shown in the subscriber's zone, so the zone is part of the
    rendered digest but not of the selection). ``per_topic`` caps each section after the
    personal order.
    """

    def __init__(self, briefings_at: BriefingsAt, *, per_topic: int = DEFAULT_PER_TOPIC) -> None:
        self._briefings_at = briefings_at
        self._per_topic = per_topic
        self._windows: dict[datetime, TopicBriefings] = {}
        self._briefings: dict[tuple[datetime, tuple[str, ...], Filters], Briefing] = {}
        self._rendered: dict[
            tuple[datetime, str, tuple[str, ...], Filters, Signals], list[OutgoingMessage]
        ] = {}

    def compose(
        self,
        topics: tuple[str, ...],
        due: datetime,
        timezone: str,
        filters: Filters = NO_FILTERS,
        signals: Signals = Signals(),  # noqa: B008 - a frozen, empty value
    ) -> list[OutgoingMessage]:
        """The messages of the digest of ``topics`` due at ``due`` with ``filters``, shown in
        ``timezone``, in the order ``signals`` give it."""
        ordered = tuple(sorted(topics, key=topic_key))
        keys = tuple(topic_key(name) for name in ordered)
        rendered = self._rendered.get((due, timezone, keys, filters, signals))
        if rendered is None:
            briefing = self._briefings.get((due, keys, filters))
            if briefing is None:
                window = self._windows.get(due)
                if window is None:
                    window = self._windows[due] = self._briefings_at(due)
                briefing = self._briefings[due, keys, filters] = window(ordered, filters)
            personal = personalize(briefing, signals, per_topic=self._per_topic)
            rendered = self._rendered[due, timezone, keys, filters, signals] = render_briefing(
                personal.briefing,
                heading=digest_heading(ordered),
                zone=ZoneInfo(timezone),
                notes=dict(personal.explanations),
                feedback=True,
            )
        return rendered

    @property
    def distinct(self) -> int:
        """How many different digests were rendered."""
        return len(self._rendered)

    @property
    def selected(self) -> int:
        """How many different briefings were selected (one per moment and topic set)."""
        return len(self._briefings)

    @property
    def windows(self) -> int:
        """How many windows were read (one per due moment)."""
        return len(self._windows)
