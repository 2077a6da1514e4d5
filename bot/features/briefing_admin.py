"""``/briefing preview|setup|status|disable``: a server's daily channel briefing.

The ``/briefing`` group is declared with the Manage Server default permission, so by default
only managers see it (a server can open ``preview`` to others in Server Settings →
Integrations). ``setup``, ``status`` and ``disable`` also check Manage Server on our side,
from the permissions Discord computed for the interaction, so overriding the default in the
client does not let anyone change the schedule.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import discord
from discord import app_commands

from bot.errors import UserError
from bot.features._common import (
    NO_MENTIONS,
    send_messages,
    timezone_autocomplete,
    topic_autocomplete,
)
from bot.parsing import format_time_of_day, parse_time_of_day, parse_timezone
from bot.rendering import render_briefing, render_explanation
from bot.state import deliveries, schedules
from bot.state.deliveries import DeliveryKind, DeliveryStatus
from bot.state.schedules import ChannelSchedule
from bot.timing import latest_due
from bot.usecases import topics as topic_usecases
from bot.usecases.requests import briefing_request

if TYPE_CHECKING:
    from bot.services import Services

_NEEDED = discord.Permissions(view_channel=True, send_messages=True, embed_links=True)


def _when(moment: datetime | None, zone: str) -> str:
    if moment is None:
        return "not scheduled"
    stamp = int(moment.timestamp())
    return f"<t:{stamp}:F> (<t:{stamp}:R>), {moment.astimezone(ZoneInfo(zone)):%H:%M} {zone}"


def _check_bot_can_post(
    interaction: discord.Interaction, channel: app_commands.AppCommandChannel
) -> None:
    guild = interaction.guild
    target = guild.get_channel(channel.id) if guild else None
    me = guild.me if guild else None
    if target is None or me is None:
        return  # not cached: the first post will tell, and pause the schedule with the reason
    missing = [
        name for name, value in _NEEDED if value and not getattr(target.permissions_for(me), name)
    ]
    if missing:
        names = ", ".join(name.replace("_", " ").title() for name in missing)
        raise UserError(f"I can't post in {channel.mention}: I need {names} there.")


async def _status_lines(services: Services, guild_id: int) -> list[str]:
    """What ``/briefing status`` says: schedule, next post, last delivery, store and sources."""
    lines: list[str] = []
    schedule = await schedules.get_schedule(services.db, guild_id)
    if schedule is None:
        lines.append("No daily briefing is set up here. Use `/briefing setup`.")
    else:
        state = "paused" if schedule.paused_reason else "on" if schedule.enabled else "off"
        topics = ", ".join(schedule.topics) or "all topics"
        lines += [
            f"Daily briefing: **{state}** — <#{schedule.channel_id}> at "
            f"{format_time_of_day(schedule.post_time)} {schedule.timezone}"
            f" ({topics}, min quality {schedule.min_quality:g}).",
            f"Next post: {_when(services.scheduler.next_run(guild_id), schedule.timezone)}.",
        ]
        if schedule.paused_reason:
            lines.append(
                f"⚠️ Paused: {schedule.paused_reason} Run `/briefing setup` again to resume."
            )
        last = await deliveries.last_delivery(services.db, DeliveryKind.CHANNEL, guild_id)
        if last is None:
            lines.append("Last delivery: none yet.")
        else:
            when = int((last.sent_at or last.claimed_at).timestamp())
            lines.append(f"Last delivery: {last.day:%Y-%m-%d}, {last.status} at <t:{when}:f>.")
            if last.status is DeliveryStatus.FAILED and last.error:
                lines.append(f"Problem: {last.error}")
    library = services.library
    lines.append(
        f"Article store: {library.article_count} articles, {len(library.problems)} files skipped."
    )
    for source in services.sources.sources:
        good = f" of <t:{int(source.last_success.timestamp())}:f>" if source.last_success else ""
        if not source.healthy:
            state = f"failing ({source.last_error}); keeping its last good data{good}"
        elif source.stale:
            state = f"stale: serving its last good poll{good} until the next poll works"
        else:
            state = "ok"
        lines.append(f"Source {source.url}: {len(source.articles)} articles, {state}.")
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
        schedule = await schedules.get_schedule(services.db, interaction.guild_id)
        only = (topic_usecases.resolve(services, topic),) if topic else None
        zone = schedule.timezone if schedule else "UTC"
        await interaction.response.defer(ephemeral=True, thinking=True)
        now = services.clock()
        per_topic = services.settings.briefing_per_topic
        briefing = services.library.briefing(
            briefing_request(schedule, now, per_topic=per_topic, topics=only)
        )
        heading = f"**Preview** of the briefing as of {now.astimezone(ZoneInfo(zone)):%H:%M} {zone}"
        messages = render_briefing(briefing, heading=heading, zone=ZoneInfo(zone))
        await send_messages(
            interaction, messages, empty="Nothing was published in the last 24 hours."
        )

    @group.command(name="explain", description="Why an article is or is not in today's briefing")
    @app_commands.describe(url="The article's link")
    async def explain_(interaction: discord.Interaction, url: str) -> None:
        assert interaction.guild_id is not None
        if not url.strip().lower().startswith(("http://", "https://")):
            raise UserError("Give the article's full link, starting with https://.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        schedule = await schedules.get_schedule(services.db, interaction.guild_id)
        now = services.clock()
        at = now
        if schedule is not None and schedule.active:
            at = latest_due(schedule.post_time, schedule.timezone, now)
        per_topic = services.settings.briefing_per_topic
        result = services.library.explain(
            url.strip(), briefing_request(schedule, at, per_topic=per_topic)
        )
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
        if channel.type not in (discord.ChannelType.text, discord.ChannelType.news):
            raise UserError(f"{channel.mention} is not a text channel I can post in.")
        post_time = parse_time_of_day(time)
        zone = parse_timezone(timezone)
        chosen = tuple(
            topic_usecases.resolve(services, t) for t in (topics or "").split(",") if t.strip()
        )
        _check_bot_can_post(interaction, channel)
        await interaction.response.defer(ephemeral=True, thinking=True)
        schedule = await schedules.save_schedule(
            services.db,
            ChannelSchedule(
                guild_id=interaction.guild_id,
                channel_id=channel.id,
                post_time=post_time,
                timezone=zone,
                topics=chosen,
                min_quality=float(min_quality),
                configured_by=interaction.user.id,
            ),
            now=services.clock(),
        )
        services.scheduler.schedule_channel(schedule)
        scope = ", ".join(chosen) if chosen else "all topics"
        await interaction.followup.send(
            f"The daily briefing ({discord.utils.escape_markdown(scope)}) will be posted in "
            f"{channel.mention} at {format_time_of_day(post_time)} {zone}. Next post: "
            f"{_when(services.scheduler.next_run(interaction.guild_id), zone)}.",
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
        lines = await _status_lines(services, interaction.guild_id)
        await interaction.followup.send(
            "\n".join(lines), ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    @group.command(name="disable", description="Stop posting the daily briefing")
    @manage_guild
    async def disable(interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        disabled = await schedules.disable_schedule(
            services.db, interaction.guild_id, now=services.clock()
        )
        services.scheduler.remove_channel(interaction.guild_id)
        message = (
            "The daily briefing is off. `/briefing setup` turns it on again."
            if disabled
            else ("There was no daily briefing to disable.")
        )
        await interaction.followup.send(message, ephemeral=True, allowed_mentions=NO_MENTIONS)

    tree.add_command(group)
