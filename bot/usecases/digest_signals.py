"""What a subscriber's digest learned: record a click, show the signals, reset them.

The digest's feedback buttons (:mod:`bot.features.digest_feedback`) and ``/subscriptions``
call these functions. Feedback is only recorded while the member has a digest; "forget me"
(:func:`bot.usecases.subscriptions.forget_me`) deletes the signals with everything else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.state import signals as store
from bot.state.subscriptions import digest_settings
from bot.usecases.errors import UseCaseError
from briefings.personal import Change, Feedback, ItemRef, Signals

if TYPE_CHECKING:
    from bot.services import Services

NOT_SUBSCRIBED = (
    "You have no digest at the moment, so there is nothing to tune. "
    "Use `/subscribe` to get one again."
)


@dataclass(frozen=True, slots=True)
class FeedbackGiven:
    """What one click did: the feedback, the signals now, and each signal it touched."""

    feedback: Feedback
    signals: Signals
    changes: tuple[Change, ...]


async def give_feedback(
    services: Services, user_id: int, feedback: Feedback, item: ItemRef
) -> FeedbackGiven:
    """Record ``feedback`` on ``item`` for the member; an error when they have no digest."""
    result = await store.record_feedback(services.db, user_id, feedback, item, now=services.clock())
    if result is None:
        raise UseCaseError(NOT_SUBSCRIBED)
    signals, changes = result
    return FeedbackGiven(feedback, signals, changes)


async def digest_signals(services: Services, user_id: int) -> Signals:
    """The member's signals (empty when there are none)."""
    return await store.digest_signals(services.db, user_id)


async def reset_signals(services: Services, user_id: int) -> int:
    """Forget what the member's digest learned; how many signals there were."""
    return await store.reset_signals(services.db, user_id)


def topic_name(services: Services, key: str) -> str:
    """The name to show for a topic key: the catalog's name when it has that topic."""
    topic = services.library.catalog.get(key)
    return topic.name if topic is not None else key


async def section_names(services: Services, user_id: int) -> tuple[str, ...]:
    """The names a section of the member's digest may have: the catalog's topics and theirs
    (to read a digest message's sections back, :func:`bot.digest_reading.read_stories`)."""
    settings = await digest_settings(services.db, user_id)
    theirs = settings.topics if settings is not None else ()
    return (*theirs, *(topic.name for topic in services.library.catalog.topics))
