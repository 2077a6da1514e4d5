"""What the server page reads from the bot's Discord cache: channel and role names, where each
briefing goes and what the bot cannot do there, and whether it can mention each pinged role.

The same checks as ``/briefing setup`` and ``/briefing status`` (:class:`bot.channels.
ChannelChecker`, :class:`bot.roles.RoleChecker`), run when the page is drawn: a permission
changed in Discord since the briefing was saved shows at the next page view. The panel runs in
the bot process, so the cache is the gateway's, as for the commands.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import discord

from bot.channels import ChannelChecker
from bot.roles import RoleChecker
from bot.state.pings import RolePing
from bot.state.schedules import ChannelSchedule
from bot.targets import describe_kind


@dataclass(frozen=True, slots=True)
class Where:
    """Where a briefing goes: ``how`` (e.g. "forum: one post per briefing"; None when the
    bot cannot tell yet), why it cannot post there at all, and what it cannot do there."""

    how: str | None
    problem: str | None
    warnings: tuple[str, ...]

    @property
    def alerts(self) -> tuple[str, ...]:
        """The problem, then the warnings (Discord Markdown with channel mentions)."""
        return ((self.problem,) if self.problem else ()) + self.warnings


@dataclass(frozen=True, slots=True)
class PingView:
    """A role ping as the page shows it: why the bot cannot mention the role now, if so."""

    topic: str
    role_id: int
    problem: str | None


def mention_names(client: discord.Client, guild_id: int) -> dict[int, str]:
    """``#channel`` and ``@role`` by id, for mentions in the messages the page shows."""
    guild = client.get_guild(guild_id)
    if guild is None:
        return {}
    names = {channel.id: f"#{channel.name}" for channel in guild.channels}
    names.update({role.id: f"@{role.name}" for role in guild.roles})
    return names


def pingable_roles(client: discord.Client, guild_id: int) -> list[tuple[int, str]]:
    """The server's roles a ping may name, highest first: not ``@everyone``, not a role an
    integration manages (:class:`~bot.roles.RoleChecker` refuses those anyway)."""
    guild = client.get_guild(guild_id)
    if guild is None:
        return []
    roles = sorted(guild.roles, key=lambda r: (-r.position, r.id))
    return [(r.id, r.name) for r in roles if not r.is_default() and not r.managed]


def where(client: discord.Client, schedule: ChannelSchedule) -> Where:
    """Where ``schedule`` goes, checked now (see :class:`~bot.channels.ChannelChecker`)."""
    target = ChannelChecker(client)(schedule.guild_id, schedule.channel_id, schedule.thread)
    how = describe_kind(target.kind, thread=schedule.thread) if target.kind else None
    return Where(how, target.problem, target.warnings)


def ping_views(
    client: discord.Client, schedule: ChannelSchedule, pings: Sequence[RolePing]
) -> list[PingView]:
    """``schedule``'s pings, each with what :class:`~bot.roles.RoleChecker` says now."""
    check = RoleChecker(client)
    return [
        PingView(p.topic, p.role_id, check(schedule.guild_id, schedule.channel_id, p.role_id))
        for p in pings
    ]
