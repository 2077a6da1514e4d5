"""A member's daily DM digest: follow and drop topics, see them, change the time, forget me.

``/subscribe``, ``/unsubscribe``, ``/subscriptions`` (and its "Forget me" button) and the web
panel's personal page call these functions and only render their results.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.parsing import parse_time_of_day, parse_timezone
from bot.state import subscriptions as store
from bot.state.subscriptions import DigestSettings
from bot.usecases import topics as topic_cases
from bot.usecases.errors import UseCaseError, parse_field
from bot.usecases.filters import added_filters
from briefings.filters import Filters

if TYPE_CHECKING:
    from bot.services import Services

TOPIC_TEXT_LIMIT = 200


@dataclass(frozen=True, slots=True)
class Subscribed:
    """The topic followed (its catalog name) and the member's digest settings now."""

    topic: str
    settings: DigestSettings


async def subscribe(
    services: Services,
    user_id: int,
    topic: str,
    *,
    time: str | None = None,
    timezone: str | None = None,
    include: str | None = None,
    exclude: str | None = None,
    outlets: str | None = None,
) -> Subscribed:
    """Follow ``topic`` (a known one; "did you mean" otherwise) and unpause the digest.

    ``time``/``timezone``, when given, change the digest's for all topics; a new subscriber
    gets ``DEFAULT_DIGEST_TIME`` and ``DEFAULT_DIGEST_TIMEZONE`` otherwise. ``include``,
    ``exclude`` and ``outlets`` add to the filters of the whole digest (see
    :mod:`bot.usecases.filters`). Every input is checked before anything changes.
    """
    if len(topic) > TOPIC_TEXT_LIMIT:
        raise UseCaseError(f"A topic name is at most {TOPIC_TEXT_LIMIT} characters.", field="topic")
    name = topic_cases.resolve(services, topic)
    post_time = parse_field("time", parse_time_of_day, time) if time else None
    zone = parse_field("timezone", parse_timezone, timezone) if timezone else None
    current = await store.digest_settings(services.db, user_id)
    if current is None:
        post_time = post_time or services.settings.default_digest_time
        zone = zone or services.settings.default_digest_timezone
    filters = None
    if include or exclude or outlets:
        filters = added_filters(
            current.filters if current else Filters(),
            include=include,
            exclude=exclude,
            outlets=outlets,
        )
    settings = await store.subscribe(
        services.db,
        user_id,
        name,
        now=services.clock(),
        post_time=post_time,
        timezone=zone,
        filters=filters,
    )
    services.scheduler.ensure_digest_slot(settings.post_time, settings.timezone)
    return Subscribed(name, settings)


async def unsubscribe(services: Services, user_id: int, topic: str) -> None:
    """Stop following ``topic``; an error when the member did not follow it."""
    if not await store.unsubscribe(services.db, user_id, topic):
        raise UseCaseError(
            f"You are not subscribed to “{topic[:60]}”. `/subscriptions` shows your topics.",
            field="topic",
        )


async def subscriptions(services: Services, user_id: int) -> DigestSettings | None:
    """The member's topics and digest time and zone, or None when they follow nothing."""
    return await store.digest_settings(services.db, user_id)


async def change_digest_time(
    services: Services, user_id: int, *, time: str, timezone: str
) -> DigestSettings:
    """Move the member's digest to ``time`` in ``timezone`` (and resume it if paused)."""
    post_time = parse_field("time", parse_time_of_day, time)
    zone = parse_field("timezone", parse_timezone, timezone)
    settings = await store.set_digest_time(
        services.db, user_id, post_time, zone, now=services.clock()
    )
    if settings is None:
        raise UseCaseError(
            "You follow no topic yet, so there is no digest to move. Subscribe to a topic first."
        )
    services.scheduler.ensure_digest_slot(settings.post_time, settings.timezone)
    return settings


async def forget_me(services: Services, user_id: int) -> bool:
    """Delete everything stored about the member; False when nothing was stored."""
    return await store.forget_user(services.db, user_id)
