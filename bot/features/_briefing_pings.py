"""``/briefing ping topic [role] [name]``: mention a role when a briefing has news of a topic.

Registered on the ``/briefing`` group by :mod:`bot.features.briefing_admin`, which also shows
a schedule's pings in ``status`` and ``list`` (:func:`ping_lines`) and, in ``preview``, which
roles the post would mention (:func:`preview_heading`; a preview pings nobody). Without
``role`` the topic's ping is cleared. The command checks Manage Server on our side too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.features._common import NO_MENTIONS, Completer, topic_autocomplete
from bot.pings import mention_line
from bot.roles import RoleChecker
from bot.state.pings import RolePing
from bot.state.schedules import ChannelSchedule
from bot.usecases import pings as usecases
from bot.usecases.pings import PingChange, RoleCheck

if TYPE_CHECKING:
    from bot.services import Services


def ping_lines(
    schedule: ChannelSchedule, pings: Sequence[RolePing], check: RoleCheck | None = None
) -> list[str]:
    """``Pings: Space → @Space news, …`` and a warning per role the bot cannot mention."""
    if not pings:
        return []
    shown = ", ".join(f"{discord.utils.escape_markdown(p.topic)} → <@&{p.role_id}>" for p in pings)
    lines = [f"Pings: {shown}."]
    for ping in pings:
        problem = check(schedule.guild_id, schedule.channel_id, ping.role_id) if check else None
        if problem:
            lines.append(
                f"⚠️ {discord.utils.escape_markdown(ping.topic)}: {problem} Until then it is "
                "not pinged; `/briefing ping` with this topic and no role clears it."
            )
    return lines


def preview_heading(heading: str, roles: Sequence[int]) -> str:
    """A preview's heading, with the roles the post would mention (shown, never pinged)."""
    if not roles:
        return heading
    return f"{heading}\nThe post would mention: {mention_line(roles)} (a preview pings nobody)."


def _reply(change: PingChange) -> str:
    briefing = discord.utils.escape_markdown(change.schedule.name)
    topic = discord.utils.escape_markdown(change.topic)
    if change.role_id is not None:
        changed = change.previous not in (None, change.role_id)
        replaced = f" instead of <@&{change.previous}>" if changed else ""
        return (
            f"The briefing **{briefing}** will mention <@&{change.role_id}>{replaced} when it "
            f"has news of **{topic}**, from its next post."
        )
    if change.previous is not None:
        gone = f"<@&{change.previous}>"
        return f"The briefing **{briefing}** no longer mentions {gone} for **{topic}**."
    return f"The briefing **{briefing}** pinged no role for **{topic}**; nothing changed."


def register(group: app_commands.Group, services: Services, names: Completer) -> None:
    """Add ``ping`` to the ``/briefing`` group (``names`` completes schedule names)."""

    @group.command(name="ping", description="Mention a role when a briefing has news of a topic")
    @app_commands.describe(
        topic="The topic",
        role="The role to mention (leave it out to stop pinging for this topic)",
        name="Which briefing (if there are several)",
    )
    @app_commands.autocomplete(topic=topic_autocomplete(services), name=names)
    @app_commands.checks.has_permissions(manage_guild=True)
    async def ping(
        interaction: discord.Interaction,
        topic: str,
        role: discord.Role | None = None,
        name: str | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        change = await usecases.set_ping(
            services,
            interaction.guild_id,
            topic,
            role.id if role is not None else None,
            name=name,
            configured_by=interaction.user.id,
            check_role=RoleChecker(interaction.client),
        )
        text = _reply(change)
        await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
