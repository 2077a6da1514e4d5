"""``/briefing preview|setup|status|disable|explain``: a server's daily channel briefing.

The ``/briefing`` group is declared with the Manage Server default permission, so by default
only managers see it (a server can open ``preview`` to others in Server Settings →
Integrations). ``setup``, ``status`` and ``disable`` also check Manage Server on our side,
from the permissions Discord computed for the interaction, so overriding the default in the
client does not let anyone change the schedule.

Each command parses, calls one use case of :mod:`bot.usecases.schedules` (the web panel calls
the same ones) and renders the result.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import discord
from discord import app_commands

from bot.channels import POSTABLE, ChannelChecker
from bot.errors import UserError
from bot.features._common import (
    NO_MENTIONS,
    send_messages,
    timezone_autocomplete,
    topic_autocomplete,
)
from bot.parsing import format_time_of_day
from bot.rendering import render_briefing, render_explanation
from bot.usecases import schedules as usecases
from bot.usecases.schedules import ScheduleStatus

if TYPE_CHECKING:
    from bot.services import Services


def _when(moment: datetime | None, zone: str) -> str:
    if moment is None:
        return "not scheduled"
    stamp = int(moment.timestamp())
    return f"<t:{stamp}:F> (<t:{stamp}:R>), {moment.astimezone(ZoneInfo(zone)):%H:%M} {zone}"


def status_lines(status: ScheduleStatus) -> list[str]:
    """What ``/briefing status`` says: schedule, next post, last delivery, store and sources."""
    lines: list[str] = []
    schedule = status.schedule
    if schedule is None:
        lines.append("No daily briefing is set up here. Use `/briefing setup`.")
    else:
        state = "paused" if schedule.paused_reason else "on" if schedule.enabled else "off"
        topics = ", ".join(schedule.topics) or "all topics"
        lines += [
            f"Daily briefing: **{state}** — <#{schedule.channel_id}> at "
            f"{format_time_of_day(schedule.post_time)} {schedule.timezone}"
            f" ({topics}, min quality {schedule.min_quality:g}).",
            f"Next post: {_when(status.next_post, schedule.timezone)}.",
        ]
        if schedule.paused_reason:
            lines.append(
                f"⚠️ Paused: {schedule.paused_reason} Run `/briefing setup` again to resume."
            )
        last = status.last_delivery
        if last is None:
            lines.append("Last delivery: none yet.")
        else:
            when = int((last.sent_at or last.claimed_at).timestamp())
            lines.append(f"Last delivery: {last.day:%Y-%m-%d}, {last.status} at <t:{when}:f>.")
            if last.status == "failed" and last.error:
                lines.append(f"Problem: {last.error}")
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
        description="This server's daily briefing",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )
    manage_guild = app_commands.checks.has_permissions(manage_guild=True)

    @group.command(name="preview", description="Show today's briefing for this server, only to you")
    @app_commands.describe(topic="Only this topic")
    @app_commands.autocomplete(topic=topic_autocomplete(services))
    async def preview(interaction: discord.Interaction, topic: str | None = None) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await usecases.preview(services, interaction.guild_id, topic=topic)
        messages = render_briefing(result.briefing, heading=result.heading, zone=result.zone)
        await send_messages(
            interaction, messages, empty="Nothing was published in the last 24 hours."
        )

    @group.command(name="explain", description="Why an article is or is not in today's briefing")
    @app_commands.describe(url="The article's link")
    async def explain_(interaction: discord.Interaction, url: str) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await usecases.explain(services, interaction.guild_id, url)
        await interaction.followup.send(
            embed=render_explanation(result), ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    @group.command(name="setup", description="Post the daily briefing in a channel at a local time")
    @app_commands.describe(
        channel="Where to post",
        time="Local time of day, HH:MM",
        timezone="IANA time zone, e.g. Europe/Paris",
        topics="Only these topics, comma-separated (default: all)",
        min_quality="Leave out articles below this quality (default 0)",
    )
    @app_commands.autocomplete(timezone=timezone_autocomplete)
    @manage_guild
    async def setup_(
        interaction: discord.Interaction,
        channel: app_commands.AppCommandChannel,
        time: str,
        timezone: str,
        topics: str | None = None,
        min_quality: app_commands.Range[float, 0, 10_000] = 0.0,
    ) -> None:
        assert interaction.guild_id is not None
        if channel.type not in POSTABLE:
            raise UserError(f"{channel.mention} is not a text channel I can post in.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        done = await usecases.set_up(
            services,
            interaction.guild_id,
            channel_id=channel.id,
            time=time,
            timezone=timezone,
            topics=topics,
            min_quality=min_quality,
            configured_by=interaction.user.id,
            check_channel=ChannelChecker(interaction.client),
        )
        schedule = done.schedule
        scope = ", ".join(schedule.topics) if schedule.topics else "all topics"
        await interaction.followup.send(
            f"The daily briefing ({discord.utils.escape_markdown(scope)}) will be posted in "
            f"{channel.mention} at {format_time_of_day(schedule.post_time)} "
            f"{schedule.timezone}. Next post: {_when(done.next_post, schedule.timezone)}.",
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )

    @group.command(
        name="status", description="Show the schedule, the next post and the last delivery"
    )
    @manage_guild
    async def status(interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await usecases.status(services, interaction.guild_id, history=1)
        await interaction.followup.send(
            "\n".join(status_lines(result)), ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    @group.command(name="disable", description="Stop posting the daily briefing")
    @manage_guild
    async def disable(interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        disabled = await usecases.disable(services, interaction.guild_id)
        message = (
            "The daily briefing is off. `/briefing setup` turns it on again."
            if disabled
            else ("There was no daily briefing to disable.")
        )
        await interaction.followup.send(message, ephemeral=True, allowed_mentions=NO_MENTIONS)

    tree.add_command(group)
