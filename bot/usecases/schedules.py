"""A server's channel briefings: add, edit, list, remove, turn off, see the state, preview,
explain.

A server has any number of schedules, each with a name (see :mod:`bot.state.schedules`).
``/briefing setup|edit|list|remove|disable|status|preview|explain`` and the web panel's server
page call these functions and only render their results. Functions taking an optional schedule
``name`` use the server's only schedule when it is omitted, and ask which one when there are
several (:func:`pick`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.parsing import NAME_LIMIT
from bot.state import deliveries, posted, schedules
from bot.state.deliveries import Delivery, DeliveryKind
from bot.state.schedules import ChannelSchedule
from bot.state.tables import DEFAULT_POST_TIME
from bot.timing import latest_due
from bot.usecases import topics as topic_cases
from bot.usecases._schedule_input import (
    URL_LIMIT,
    ChannelCheck,
    ScheduleInput,
    apply_input,
)
from bot.usecases.errors import UseCaseError
from bot.usecases.requests import briefing_request
from bot.usecases.topics import known_topics
from briefings.briefing import Briefing
from briefings.excerpts import BriefingLength
from briefings.explain import Explanation

__all__ = [
    "ChannelCheck",
    "Preview",
    "ScheduleEntry",
    "ScheduleInput",
    "ScheduleStatus",
    "SetUp",
    "SourceHealth",
    "add",
    "disable",
    "edit",
    "explain",
    "list_schedules",
    "pick",
    "preview",
    "remove",
    "schedule_names",
    "set_up",
    "status",
]

if TYPE_CHECKING:
    from bot.services import Services


@dataclass(frozen=True, slots=True)
class SetUp:
    """What ``set_up`` stored and when the first post is planned."""

    schedule: ChannelSchedule
    next_post: datetime | None


@dataclass(frozen=True, slots=True)
class ScheduleEntry:
    """One schedule of ``/briefing list`` and its next post."""

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
    length: BriefingLength = BriefingLength.SHORT

    @property
    def heading(self) -> str:
        """The first message's content, as ``/briefing preview`` shows it."""
        return (
            f"**Preview** of the briefing as of {self.now.astimezone(self.zone):%H:%M} {self.zone}"
        )


async def set_up(
    services: Services,
    guild_id: int,
    *,
    channel_id: int,
    time: str,
    timezone: str,
    topics: str | None = None,
    min_quality: float | str | None = None,
    days: str | None = None,
    name: str | None = None,
    window: str | None = None,
    per_topic: int | str | None = None,
    length: str | None = None,
    configured_by: int | None = None,
    check_channel: ChannelCheck | None = None,
) -> SetUp:
    """Add a schedule to the server (``/briefing setup``) and plan its posts.

    ``name`` defaults to ``daily``; a name the server already uses is refused (``edit``
    changes a schedule). Every input is checked before anything changes; a problem raises
    :class:`UseCaseError` naming the field.
    """
    given = ScheduleInput(
        channel_id, time, timezone, topics, min_quality, days, name, window, per_topic, length
    )
    return await add(
        services, guild_id, given, configured_by=configured_by, check_channel=check_channel
    )


async def add(
    services: Services,
    guild_id: int,
    given: ScheduleInput,
    *,
    configured_by: int | None = None,
    check_channel: ChannelCheck | None = None,
) -> SetUp:
    """:func:`set_up` with the inputs in one value (the web panel's form)."""
    if given.channel_id is None:
        raise UseCaseError("Choose the channel to post in.", field="channel")
    new = ChannelSchedule(
        guild_id=guild_id,
        channel_id=given.channel_id,
        post_time=DEFAULT_POST_TIME,
        timezone="UTC",
        length=BriefingLength.SHORT,
        configured_by=configured_by,
    )
    return await _store(services, apply_input(new, given, known_topics(services)), check_channel)


async def edit(
    services: Services,
    guild_id: int,
    name: str,
    changes: ScheduleInput,
    *,
    configured_by: int | None = None,
    check_channel: ChannelCheck | None = None,
) -> SetUp:
    """Change the server's schedule ``name`` (``/briefing edit``): the given inputs replace its
    own (``changes.name`` renames it); it is enabled and unpaused again."""
    schedule = await pick(services, guild_id, name)
    assert schedule is not None
    changed = apply_input(schedule, changes, known_topics(services))
    if configured_by is not None:
        changed = replace(changed, configured_by=configured_by)
    return await _store(services, changed, check_channel)


async def _store(
    services: Services, schedule: ChannelSchedule, check_channel: ChannelCheck | None
) -> SetUp:
    if check_channel is not None:
        problem = check_channel(schedule.guild_id, schedule.channel_id)
        if problem is not None:
            raise UseCaseError(problem, field="channel")
    try:
        stored = await schedules.save_schedule(services.db, schedule, now=services.clock())
    except schedules.DuplicateNameError:
        raise UseCaseError(
            f"This server already has a schedule named “{schedule.name}”. Choose another "
            f"name, or change that one with `/briefing edit {schedule.name}`.",
            field="name",
        ) from None
    assert stored.id is not None
    services.scheduler.schedule_channel(stored)
    return SetUp(stored, services.scheduler.next_run(stored.id))


async def pick(services: Services, guild_id: int, name: str | None) -> ChannelSchedule | None:
    """The server's schedule called ``name``; without a name its only schedule (None when it
    has none). An unknown name, or no name when there are several, raises
    :class:`UseCaseError` listing the names."""
    if name is not None and name.strip():
        found = await schedules.get_schedule(services.db, guild_id, name[: NAME_LIMIT * 2])
        if found is not None:
            return found
        names = await schedule_names(services, guild_id)
        known = f" Its schedules: {', '.join(names)}." if names else ""
        raise UseCaseError(
            f"This server has no schedule named “{name.strip()[:NAME_LIMIT]}”.{known}",
            field="name",
        )
    every = await schedules.guild_schedules(services.db, guild_id)
    if len(every) > 1:
        raise UseCaseError(
            f"This server has {len(every)} schedules ({', '.join(s.name for s in every)}): "
            "say which one.",
            field="name",
        )
    return every[0] if every else None


async def schedule_names(services: Services, guild_id: int) -> list[str]:
    """The names of the server's schedules, oldest first (for autocomplete and errors)."""
    return [s.name for s in await schedules.guild_schedules(services.db, guild_id)]


async def list_schedules(services: Services, guild_id: int) -> list[ScheduleEntry]:
    """Every schedule of the server with its next post (``/briefing list``)."""
    return [
        ScheduleEntry(s, services.scheduler.next_run(s.id) if s.id is not None else None)
        for s in await schedules.guild_schedules(services.db, guild_id)
    ]


async def remove(services: Services, guild_id: int, name: str) -> ChannelSchedule:
    """Delete the server's schedule ``name`` (``/briefing remove``); returns what it was."""
    schedule = await pick(services, guild_id, name)
    assert schedule is not None and schedule.id is not None
    services.scheduler.remove_channel(schedule.id)
    await schedules.remove_schedule(services.db, schedule.id)
    return schedule


async def disable(
    services: Services, guild_id: int, name: str | None = None
) -> ChannelSchedule | None:
    """Turn a schedule off (kept for a later ``edit``); None when the server had none."""
    schedule = await pick(services, guild_id, name)
    if schedule is None or schedule.id is None:
        return None
    await schedules.disable_schedule(services.db, schedule.id, now=services.clock())
    services.scheduler.remove_channel(schedule.id)
    return schedule


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
    return Preview(briefing, ZoneInfo(zone), now, length)


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
    log_before = await posted.posted_log(services.db, schedule.id if schedule else None, at=at)
    request = briefing_request(schedule, at, per_topic=per_topic, posted=log_before)
    return services.library.explain(url, request)
