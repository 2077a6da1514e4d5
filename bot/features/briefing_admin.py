"""``/briefing``: a server's channel briefings (``setup|edit|list|remove`` live in
:mod:`bot.features._briefing_schedules`, ``ping`` in :mod:`bot.features._briefing_pings`,
``filter`` in :mod:`bot.features._briefing_filters`;
``preview|explain|status|disable`` here).

``preview``, ``explain``, ``status`` and ``disable`` take an optional schedule ``name``
(autocompleted); without it they use the server's only schedule, and ask which one when there
are several.

The ``/briefing`` group is declared with the Manage Server default permission, so by default
only managers see it (a server can open ``preview`` to others in Server Settings →
Integrations). ``setup``, ``status`` and ``disable`` also check Manage Server on our side,
from the permissions Discord computed for the interaction, so overriding the default in the
client does not let anyone change the schedule.

Each command parses, calls one use case of :mod:`bot.usecases.schedules` (the web panel calls
the same ones) and renders the result.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.channels import ChannelChecker
from bot.features import _briefing_filters
from bot.features._briefing_pings import ping_lines, preview_heading
from bot.features._briefing_pings import register as register_pings
from bot.features._briefing_schedules import (
    describe,
    name_autocomplete,
    register,
    state_of,
    target_lines,
    when,
)
from bot.features._common import (
    NO_MENTIONS,
    pages,
    send_messages,
    topic_autocomplete,
)
from bot.filter_text import filter_lines
from bot.rendering import render_briefing, render_explanation
from bot.roles import RoleChecker
from bot.targets import TargetCheck
from bot.usecases import schedules as usecases
from bot.usecases.pings import RoleCheck
from bot.usecases.schedules import ScheduleStatus

if TYPE_CHECKING:
    from bot.services import Services


def status_lines(
    status: ScheduleStatus,
    target: TargetCheck | None = None,
    check_role: RoleCheck | None = None,
) -> list[str]:
    """What ``/briefing status`` says: schedule, where it goes and what the bot cannot do there
    (``target``, checked now), pings (with ``check_role``'s warnings), next post, last delivery,
    store and sources."""
    lines: list[str] = []
    schedule = status.schedule
    if schedule is None:
        lines.append("No briefing is set up here. Use `/briefing setup`.")
    else:
        lines += [
            f"Briefing {describe(schedule)}: **{state_of(schedule)}**.",
            *(target_lines(schedule, target) if target is not None else []),
            *ping_lines(schedule, status.pings, check_role),
            f"Next post: {when(status.next_post, schedule.timezone)}.",
        ]
        if schedule.filters:
            lines += filter_lines(schedule.filters)
        if schedule.paused_reason:
            lines.append(
                f"⚠️ Paused: {schedule.paused_reason} Run `/briefing edit {schedule.name}` "
                "to resume."
            )
        last = status.last_delivery
        if last is None:
            lines.append("Last delivery: none yet.")
        else:
            stamp = int((last.sent_at or last.claimed_at).timestamp())
            lines.append(f"Last delivery: {last.day:%Y-%m-%d}, {last.status} at <t:{stamp}:f>.")
            if last.status == "failed" and last.error:
                lines.append(f"Problem: {last.error}")
            if last.notice:
                lines.append(f"⚠️ {last.notice}")
    lines.append(
        f"Article store: {status.articles} articles, {status.skipped_files} files skipped."
    )
    for source in status.sources:
        good = f" of <t:{int(source.last_success.timestamp())}:f>" if source.last_success else ""
        if not source.healthy:
            state = f"failing ({source.error}); keeping its last good data{good}"
        elif source.stale:
            state = f"stale: serving its last good poll{good} until the next poll works"
        else:
            state = "ok"
        lines.append(f"Source {source.url}: {source.articles} articles, {state}.")
    return lines


def setup(tree: app_commands.CommandTree, services: Services) -> None:
    """Register the ``/briefing`` group."""
    group = app_commands.Group(
        name="briefing",
        description="This server's briefings",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )
    manage_guild = app_commands.checks.has_permissions(manage_guild=True)

    names = name_autocomplete(services)

    @group.command(name="preview", description="Show today's briefing for this server, only to you")
    @app_commands.describe(topic="Only this topic", name="Which briefing (if there are several)")
    @app_commands.autocomplete(topic=topic_autocomplete(services), name=names)
    async def preview(
        interaction: discord.Interaction, topic: str | None = None, name: str | None = None
    ) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await usecases.preview(services, interaction.guild_id, topic=topic, name=name)
        heading = preview_heading(result.heading, result.ping_roles)
        messages = render_briefing(
            result.briefing, heading=heading, zone=result.zone, length=result.length
        )
        await send_messages(
            interaction, messages, empty="Nothing was published in the last 24 hours."
        )

    @group.command(name="explain", description="Why an article is or is not in today's briefing")
    @app_commands.describe(url="The article's link", name="Which briefing (if there are several)")
    @app_commands.autocomplete(name=names)
    async def explain_(interaction: discord.Interaction, url: str, name: str | None = None) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await usecases.explain(services, interaction.guild_id, url, name=name)
        await interaction.followup.send(
            embed=render_explanation(result), ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    @group.command(
        name="status", description="Show the schedule, the next post and the last delivery"
    )
    @app_commands.describe(name="Which briefing (if there are several)")
    @app_commands.autocomplete(name=names)
    @manage_guild
    async def status(interaction: discord.Interaction, name: str | None = None) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await usecases.status(services, interaction.guild_id, name, history=1)
        target = None
        if result.schedule is not None:
            check = ChannelChecker(interaction.client)
            target = check(
                result.schedule.guild_id, result.schedule.channel_id, result.schedule.thread
            )
        for text in pages(status_lines(result, target, RoleChecker(interaction.client))):
            await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @group.command(name="disable", description="Stop posting a briefing (kept for later)")
    @app_commands.describe(name="Which briefing (if there are several)")
    @app_commands.autocomplete(name=names)
    @manage_guild
    async def disable(interaction: discord.Interaction, name: str | None = None) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        disabled = await usecases.disable(services, interaction.guild_id, name)
        message = (
            f"The briefing **{discord.utils.escape_markdown(disabled.name)}** is off. "
            f"`/briefing edit {disabled.name}` turns it on again."
            if disabled is not None
            else "There was no briefing to disable."
        )
        await interaction.followup.send(message, ephemeral=True, allowed_mentions=NO_MENTIONS)

    register(group, services)
    register_pings(group, services, names)
    _briefing_filters.register(group, services)
    tree.add_command(group)
