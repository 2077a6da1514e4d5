"""A server's channel briefings: add, edit, list, remove, turn off, see the state, preview,
explain (the last three in :mod:`bot.usecases._schedule_reports`, re-exported here).

A server has any number of schedules, each with a name (see :mod:`bot.state.schedules`).
``/briefing setup|edit|list|remove|disable|status|preview|explain`` and the web panel's server
page call these functions and only render their results. Functions taking an optional schedule
``name`` use the server's only schedule when it is omitted, and ask which one when there are
several (:func:`pick`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from bot.state import pings as role_pings
from bot.state import schedules
from bot.state.pings import RolePing
from bot.state.schedules import ChannelSchedule
from bot.state.tables import DEFAULT_POST_TIME
from bot.targets import TargetCheck
from bot.usecases._schedule_input import (
    ChannelCheck,
    ScheduleInput,
    apply_input,
)
from bot.usecases._schedule_lookup import pick, schedule_names
from bot.usecases._schedule_reports import (
    Preview,
    ScheduleStatus,
    SourceHealth,
    explain,
    preview,
    status,
)
from bot.usecases.errors import UseCaseError
from bot.usecases.topics import known_topics
from briefings.excerpts import BriefingLength

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
    """What ``set_up`` stored and when the first post is planned; ``target`` is what the
    channel check found (its kind and the warnings to show, see :mod:`bot.targets`)."""

    schedule: ChannelSchedule
    next_post: datetime | None
    target: TargetCheck = field(default_factory=TargetCheck)


@dataclass(frozen=True, slots=True)
class ScheduleEntry:
    """One schedule of ``/briefing list``, its next post and its role pings."""

    schedule: ChannelSchedule
    next_post: datetime | None
    pings: tuple[RolePing, ...] = ()


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
    thread: bool | None = None,
) -> SetUp:
    """Add a schedule to the server (``/briefing setup``) and plan its posts.

    ``name`` defaults to ``daily``; a name the server already uses is refused (``edit``
    changes a schedule). Every input is checked before anything changes; a problem raises
    :class:`UseCaseError` naming the field.
    """
    given = ScheduleInput(
        channel_id,
        time,
        timezone,
        topics,
        min_quality,
        days,
        name,
        window,
        per_topic,
        length,
        thread=thread,
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
    schedule = await _named(services, guild_id, name)
    changed = apply_input(schedule, changes, known_topics(services))
    if configured_by is not None:
        changed = replace(changed, configured_by=configured_by)
    return await _store(services, changed, check_channel)


async def _named(services: Services, guild_id: int, name: str) -> ChannelSchedule:
    schedule = await pick(services, guild_id, name)
    if schedule is None:
        raise UseCaseError("No briefing is set up here. Use `/briefing setup`.", field="name")
    return schedule


async def _store(
    services: Services, schedule: ChannelSchedule, check_channel: ChannelCheck | None
) -> SetUp:
    target = TargetCheck()
    if check_channel is not None:
        target = check_channel(schedule.guild_id, schedule.channel_id, schedule.thread)
        if target.problem is not None:
            raise UseCaseError(target.problem, field="channel")
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
    return SetUp(stored, services.scheduler.next_run(stored.id), target)


async def list_schedules(services: Services, guild_id: int) -> list[ScheduleEntry]:
    """Every schedule of the server with its next post and pings (``/briefing list``)."""
    every = await schedules.guild_schedules(services.db, guild_id)
    pings = await role_pings.pings_of(services.db, [s.id for s in every if s.id is not None])
    return [
        ScheduleEntry(
            s,
            services.scheduler.next_run(s.id) if s.id is not None else None,
            pings.get(s.id, ()) if s.id is not None else (),
        )
        for s in every
    ]


async def remove(services: Services, guild_id: int, name: str) -> ChannelSchedule:
    """Delete the server's schedule ``name`` (``/briefing remove``); returns what it was."""
    schedule = await _named(services, guild_id, name)
    assert schedule.id is not None
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
