"""What a server's schedule looks like from outside: its status, a preview, an explanation.

Re-exported by :mod:`bot.usecases.schedules`; these read and never change anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.state import deliveries, posted
from bot.state import pings as role_pings
from bot.state.deliveries import Delivery, DeliveryKind
from bot.state.pings import RolePing
from bot.state.schedules import ChannelSchedule
from bot.timing import latest_due
from bot.usecases import topics as topic_cases
from bot.usecases._schedule_input import URL_LIMIT
from bot.usecases._schedule_lookup import pick
from bot.usecases.errors import UseCaseError
from bot.usecases.requests import briefing_request
from briefings.briefing import Briefing
from briefings.excerpts import BriefingLength
from briefings.explain import Explanation

if TYPE_CHECKING:
    from bot.services import Services


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
    pings: tuple[RolePing, ...] = ()
    """The schedule's role pings (``/briefing ping``), by topic."""

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
    length: BriefingLength = BriefingLength.SHORT
    ping_roles: tuple[int, ...] = ()
    """The roles the post would mention (a preview shows them and pings nobody)."""

    @property
    def heading(self) -> str:
        """The first message's content, as ``/briefing preview`` shows it."""
        return (
            f"**Preview** of the briefing as of {self.now.astimezone(self.zone):%H:%M} {self.zone}"
        )


async def status(
    services: Services, guild_id: int, name: str | None = None, *, history: int = 10
) -> ScheduleStatus:
    """A schedule, its next post, its last ``history`` deliveries, the store and the sources."""
    schedule = await pick(services, guild_id, name)
    recent = (
        await deliveries.recent_deliveries(
            services.db, DeliveryKind.CHANNEL, schedule.id, limit=history
        )
        if schedule is not None and schedule.id is not None
        else []
    )
    library = services.library
    return ScheduleStatus(
        schedule=schedule,
        next_post=services.scheduler.next_run(schedule.id)
        if schedule is not None and schedule.id is not None
        else None,
        deliveries=tuple(recent),
        articles=library.article_count,
        skipped_files=len(library.problems),
        sources=tuple(
            SourceHealth(
                url=source.shown_url,
                articles=len(source.articles),
                healthy=source.healthy,
                stale=source.stale,
                last_success=source.last_success,
                error=source.last_error,
            )
            for source in services.sources.sources
        ),
        pings=await role_pings.schedule_pings(services.db, schedule.id)
        if schedule is not None and schedule.id is not None
        else (),
    )


async def preview(
    services: Services, guild_id: int, *, topic: str | None = None, name: str | None = None
) -> Preview:
    """The briefing as it would be posted now: the schedule's topics, quality, window and zone.

    ``topic`` narrows it to one known topic.
    """
    schedule = await pick(services, guild_id, name)
    only = (topic_cases.resolve(services, topic),) if topic else None
    zone = schedule.timezone if schedule else "UTC"
    now = services.clock()
    per_topic = services.settings.briefing_per_topic
    log_before = await posted.posted_log(services.db, schedule.id if schedule else None, at=now)
    briefing = services.library.briefing(
        briefing_request(schedule, now, per_topic=per_topic, topics=only, posted=log_before)
    )
    length = schedule.length if schedule else BriefingLength.SHORT
    roles = await services.deliverer.ping_roles(schedule, briefing) if schedule else ()
    return Preview(briefing, ZoneInfo(zone), now, length, roles)


async def explain(
    services: Services, guild_id: int, url: str, *, name: str | None = None
) -> Explanation:
    """Why the article at ``url`` is or is not in the server's latest briefing, stage by stage."""
    url = url.strip()
    if len(url) > URL_LIMIT or not url.lower().startswith(("http://", "https://")):
        raise UseCaseError("Give the article's full link, starting with https://.", field="url")
    schedule = await pick(services, guild_id, name)
    now = services.clock()
    at = now
    if schedule is not None and schedule.active:
        at = latest_due(schedule.post_time, schedule.timezone, now, schedule.days)
    per_topic = services.settings.briefing_per_topic
    zone = ZoneInfo(schedule.timezone if schedule else "UTC")
    log_before = await posted.posted_log(
        services.db, schedule.id if schedule else None, at=at, zone=zone
    )
    request = briefing_request(schedule, at, per_topic=per_topic, posted=log_before)
    return services.library.explain(url, request)
