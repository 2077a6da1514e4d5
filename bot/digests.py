"""Composing DM digests for many subscribers: each distinct digest is built once.

Subscribers who follow the same set of topics at the same local time get the same digest, so
a batch (one scheduler slot, or one catch-up pass) groups them by (due moment, time zone,
topic set) and selects and renders each group's briefing once. With 10,000 subscribers
spread over a few dozen topic sets that is a few dozen briefings, not 10,000.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.rendering import OutgoingMessage, render_briefing
from briefings.briefing import Briefing
from briefings.model import topic_key

BriefingFor = Callable[[datetime, tuple[str, ...]], Briefing]
"""Selects the briefing ending at a moment for some topics (the library's, in the bot)."""


class DigestComposer:
    """Renders each distinct (moment, zone, topic set) digest once; reuse it for one batch."""

    def __init__(self, briefing_for: BriefingFor) -> None:
        self._briefing_for = briefing_for
        self._cache: dict[tuple[datetime, str, tuple[str, ...]], list[OutgoingMessage]] = {}

    def compose(
        self, topics: tuple[str, ...], due: datetime, timezone: str
    ) -> list[OutgoingMessage]:
        """The messages of the digest of ``topics`` due at ``due``, shown in ``timezone``."""
        ordered = tuple(sorted(topics, key=topic_key))
        key = (due, timezone, tuple(topic_key(name) for name in ordered))
        cached = self._cache.get(key)
        if cached is None:
            briefing = self._briefing_for(due, ordered)
            heading = f"**Your daily digest** · {', '.join(ordered)}"
            cached = self._cache[key] = render_briefing(
                briefing, heading=heading, zone=ZoneInfo(timezone)
            )
        return cached

    @property
    def distinct(self) -> int:
        """How many different digests were composed."""
        return len(self._cache)
