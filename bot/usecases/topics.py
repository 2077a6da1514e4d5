"""The topics a member may name: listed by ``/topics``, offered by autocomplete, resolved.

The catalog's topics first (in catalog order), then topics only articles use, each with its
article counts (see :func:`briefings.topics.summarize_topics`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.parsing import resolve_topic, topic_choices
from bot.usecases.errors import parse_field
from briefings.topics import TopicSummary

if TYPE_CHECKING:
    from bot.services import Services


async def topics(services: Services) -> Sequence[TopicSummary]:
    """Every topic with its counts and description, in overview order."""
    return services.library.topics


def known_topics(services: Services) -> list[str]:
    """Every topic name a member may ask for."""
    return [summary.name for summary in services.library.topics]


def resolve(services: Services, text: str, *, field: str = "topic") -> str:
    """The known topic ``text`` names (case-insensitive), or a "did you mean" error."""
    known = known_topics(services)
    return parse_field(field, lambda name: resolve_topic(name, known), text)


def suggest(services: Services, current: str, limit: int = 25) -> list[str]:
    """Topic names for autocomplete: those matching what was typed so far."""
    return topic_choices(current, known_topics(services), limit)
