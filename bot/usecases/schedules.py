"""A server's daily channel briefing: set it up, turn it off, see its state, preview, explain.

One schedule per server (see :mod:`bot.state.schedules`). ``/briefing setup|disable|status|
preview|explain`` and the web panel's server page call these functions and only render
their results.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.parsing import parse_time_of_day, parse_timezone, resolve_topic
from bot.state import deliveries, schedules
from bot.state.deliveries import Delivery, DeliveryKind
from bot.state.schedules import ChannelSchedule
from bot.timing import latest_due
from bot.usecases import topics as topic_cases
from bot.usecases.errors import UseCaseError, parse_field
from bot.usecases.requests import briefing_request
from bot.usecases.topics import known_topics
from briefings.briefing import Briefing
from briefings.explain import Explanation

if TYPE_CHECKING:
    from bot.services import Services

TOPICS_TEXT_LIMIT = 1000
"""The longest topics list accepted, in characters (a list of every topic fits easily)."""
URL_LIMIT = 2000
MAX_QUALITY = 10_000.0

ChannelCheck = Callable[[int, int], str | None]
"""``(guild_id, channel_id)`` → why the bot cannot post there, or None when it can (or when
it cannot tell yet: the first post then tells, and pauses the schedule with the reason)."""


@dataclass(frozen=True, slots=True)
class SetUp:
    """What ``set_up`` stored and when the first post is planned."""

    schedule: ChannelSchedule
    next_post: datetime | None


@dataclass(frozen=True, slots=True)
class SourceHealth:
    """One remote article source as the status shows it."""

    url: str
    articles: int
    healthy: bool
    stale: bool
    last_success: datetime | None
    error: str | None


@dataclass(frozen=True, slots=True)
class ScheduleStatus:
    """A server's schedule, its next post, its last deliveries, and the store and sources."""

    schedule: ChannelSchedule | None
    next_post: datetime | None
    deliveries: tuple[Delivery, ...]
    articles: int
    skipped_files: int
    sources: tuple[SourceHealth, ...]

    @property
    def last_delivery(self) -> Delivery | None:
        """The most recent delivery, whatever its status."""
        return self.deliveries[0] if self.deliveries else None


@dataclass(frozen=True, slots=True)
class Preview:
    """The briefing the server would get now, in the schedule's zone."""

    briefing: Briefing
    zone: ZoneInfo
    now: datetime

    @property
    def heading(self) -> str:
        """The first message's content, as ``/briefing preview`` shows it."""
        return (
            f"**Preview** of the briefing as of {self.now.astimezone(self.zone):%H:%M} {self.zone}"
        )


def parse_topics(text: str | None, known: list[str]) -> tuple[str, ...]:
    """A comma-separated topics list → the known names (empty: all topics)."""
    text = text or ""
    if len(text) > TOPICS_TEXT_LIMIT:
        raise UseCaseError(
            f"That topics list is {len(text):,} characters long; the limit is "
            f"{TOPICS_TEXT_LIMIT:,}. Leave it empty for all topics.",
            field="topics",
        )
    names = [part for part in text.split(",") if part.strip()]
    return tuple(parse_field("topics", lambda name: resolve_topic(name, known), n) for n in names)


def parse_min_quality(value: float | str | None) -> float:
    """A minimum quality between 0 and 10,000 (blank: 0)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0.0
    try:
        number = float(value)
    except ValueError:
        raise UseCaseError(
            f"“{str(value)[:40]}” is not a number. Use a quality like 0 or 2.5.",
            field="min_quality",
        ) from None
    if not math.isfinite(number) or not 0 <= number <= MAX_QUALITY:
        raise UseCaseError("The minimum quality goes from 0 to 10,000.", field="min_quality")
    return number


async def set_up(
    services: Services,
    guild_id: int,
    *,
    channel_id: int,
    time: str,
    timezone: str,
    topics: str | None = None,
    min_quality: float | str | None = None,
    configured_by: int | None = None,
    check_channel: ChannelCheck | None = None,
) -> SetUp:
    """Create or replace the server's schedule (enabled, unpaused) and plan its posts.

    Every input is checked before anything changes; a problem raises :class:`UseCaseError`
    naming the field.
    """
    post_time = parse_field("time", parse_time_of_day, time)
    zone = parse_field("timezone", parse_timezone, timezone)
    chosen = parse_topics(topics, known_topics(services))
    quality = parse_min_quality(min_quality)
    if check_channel is not None:
        problem = check_channel(guild_id, channel_id)
        if problem is not None:
            raise UseCaseError(problem, field="channel")
    schedule = await schedules.save_schedule(
        services.db,
        ChannelSchedule(
            guild_id=guild_id,
            channel_id=channel_id,
            post_time=post_time,
            timezone=zone,
            topics=chosen,
            min_quality=quality,
            configured_by=configured_by,
        ),
        now=services.clock(),
    )
    services.scheduler.schedule_channel(schedule)
    return SetUp(schedule, services.scheduler.next_run(guild_id))


async def disable(services: Services, guild_id: int) -> bool:
    """Turn the server's briefing off (kept for a later set-up); False when it had none."""
    disabled = await schedules.disable_schedule(services.db, guild_id, now=services.clock())
    services.scheduler.remove_channel(guild_id)
    return disabled


async def status(services: Services, guild_id: int, *, history: int = 10) -> ScheduleStatus:
    """The schedule, next post, the last ``history`` deliveries, the store and the sources."""
    schedule = await schedules.get_schedule(services.db, guild_id)
    recent = (
        await deliveries.recent_deliveries(
            services.db, DeliveryKind.CHANNEL, guild_id, limit=history
        )
        if schedule is not None
        else []
    )
    library = services.library
    return ScheduleStatus(
        schedule=schedule,
        next_post=services.scheduler.next_run(guild_id) if schedule is not None else None,
        deliveries=tuple(recent),
        articles=library.article_count,
        skipped_files=len(library.problems),
        sources=tuple(
            SourceHealth(
                url=source.url,
                articles=len(source.articles),
                healthy=source.healthy,
                stale=source.stale,
                last_success=source.last_success,
                error=source.last_error,
            )
            for source in services.sources.sources
        ),
    )


async def preview(services: Services, guild_id: int, *, topic: str | None = None) -> Preview:
    """The briefing as it would be posted now: the schedule's topics, quality and zone.

    ``topic`` narrows it to one known topic.
    """
    schedule = await schedules.get_schedule(services.db, guild_id)
    only = (topic_cases.resolve(services, topic),) if topic else None
    zone = schedule.timezone if schedule else "UTC"
    now = services.clock()
    per_topic = services.settings.briefing_per_topic
    briefing = services.library.briefing(
        briefing_request(schedule, now, per_topic=per_topic, topics=only)
    )
    return Preview(briefing, ZoneInfo(zone), now)


async def explain(services: Services, guild_id: int, url: str) -> Explanation:
    """Why the article at ``url`` is or is not in the server's latest briefing, stage by stage."""
    url = url.strip()
    if len(url) > URL_LIMIT or not url.lower().startswith(("http://", "https://")):
        raise UseCaseError("Give the article's full link, starting with https://.", field="url")
    schedule = await schedules.get_schedule(services.db, guild_id)
    now = services.clock()
    at = now
    if schedule is not None and schedule.active:
        at = latest_due(schedule.post_time, schedule.timezone, now)
    per_topic = services.settings.briefing_per_topic
    return services.library.explain(url, briefing_request(schedule, at, per_topic=per_topic))
