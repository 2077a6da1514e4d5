"""Role pings of a server's briefings (``/briefing ping topic [role] [name]``).

A schedule may mention one role per topic (see :mod:`bot.pings` for which post mentions
which). Setting a topic's role again replaces it; leaving the role out clears the topic's
ping. The role must be one the bot can mention in the schedule's channel (checked by the
front end's :data:`RoleCheck`): not ``@everyone``, not a role an integration manages, and
mentionable by anyone unless the bot has Mention Everyone there. A schedule pings at most
:data:`~bot.pings.MAX_PINGS` topics. Every problem raises
:class:`~bot.usecases.errors.UseCaseError` naming the field, and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.pings import MAX_PINGS
from bot.state import pings as state
from bot.state.pings import RolePing
from bot.state.schedules import ChannelSchedule
from bot.usecases import topics as topic_cases
from bot.usecases._schedule_lookup import pick
from bot.usecases.errors import UseCaseError
from briefings.briefing import topic_selection
from briefings.model import topic_key

if TYPE_CHECKING:
    from bot.services import Services

__all__ = ["PingChange", "RoleCheck", "RolePing", "set_ping"]

RoleCheck = Callable[[int, int, int], str | None]
"""``(guild_id, channel_id, role_id)`` → why the bot cannot mention that role in that channel,
or None when it can (or cannot tell)."""


@dataclass(frozen=True, slots=True)
class PingChange:
    """What ``set_ping`` did: the topic's role now (None: cleared) and before."""

    schedule: ChannelSchedule
    topic: str
    role_id: int | None
    previous: int | None


async def set_ping(
    services: Services,
    guild_id: int,
    topic: str,
    role_id: int | None,
    *,
    name: str | None = None,
    configured_by: int | None = None,
    check_role: RoleCheck | None = None,
) -> PingChange:
    """Mention ``role_id`` when the briefing ``name`` has news of ``topic``; with no role, stop.

    To set a ping, ``topic`` must be a known topic the briefing posts (one of its topics, an
    ancestor or a descendant of one; any topic when it posts all of them). A configured ping
    can always be cleared.
    """
    schedule = await pick(services, guild_id, name)
    if schedule is None or schedule.id is None:
        raise UseCaseError("No briefing is set up here. Use `/briefing setup`.", field="name")
    pings = await state.schedule_pings(services.db, schedule.id)
    configured = next((p for p in pings if topic_key(p.topic) == topic_key(topic)), None)
    previous = configured.role_id if configured is not None else None
    if role_id is None:  # a configured topic clears even if it left the catalog or schedule
        topic = configured.topic if configured is not None else topic_cases.resolve(services, topic)
        await state.clear_ping(services.db, schedule.id, topic)
        return PingChange(schedule, topic, None, previous)
    topic = topic_cases.resolve(services, topic)
    _check_posted(services, schedule, topic)
    problem = check_role(guild_id, schedule.channel_id, role_id) if check_role else None
    if problem is not None:
        raise UseCaseError(problem, field="role")
    if previous is None and len(pings) >= MAX_PINGS:
        raise UseCaseError(
            f"The briefing “{schedule.name}” already pings roles for {MAX_PINGS} topics, the "
            "most it can. Clear one first with `/briefing ping topic` (without a role).",
            field="topic",
        )
    await state.set_ping(
        services.db,
        schedule.id,
        topic,
        role_id,
        now=services.clock(),
        configured_by=configured_by,
    )
    return PingChange(schedule, topic, role_id, previous)


def _check_posted(services: Services, schedule: ChannelSchedule, topic: str) -> None:
    """Refuse a topic the schedule never posts (its ping could never fire)."""
    if not schedule.topics:
        return
    catalog = services.library.catalog
    posted = topic_selection(schedule.topics, catalog) or frozenset()
    covered = topic_selection([topic], catalog) or frozenset()
    if posted & covered:
        return
    raise UseCaseError(
        f"The briefing “{schedule.name}” does not post {topic}: its topics are "
        f"{', '.join(schedule.topics)[:300]}. Ping one of those, or add {topic} with "
        f"`/briefing edit {schedule.name} topics:…`.",
        field="topic",
    )
