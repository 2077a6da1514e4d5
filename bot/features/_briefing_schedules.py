"""``/briefing setup|edit|list|remove``: a server's briefing schedules, one per name.

Registered on the ``/briefing`` group by :mod:`bot.features.briefing_admin`. Each command
parses, calls one use case of :mod:`bot.usecases.schedules` and renders the result; every
change also checks Manage Server on our side.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import discord
from discord import app_commands
from discord.app_commands import Choice

from bot.channels import POSTABLE, ChannelChecker
from bot.errors import UserError
from bot.features._briefing_pings import ping_lines
from bot.features._common import NO_MENTIONS, Completer, pages, timezone_autocomplete
from bot.parsing import format_days, format_time_of_day, format_window
from bot.state.schedules import ChannelSchedule
from bot.targets import TargetCheck, describe_kind
from bot.usecases import schedules as usecases
from bot.usecases.schedules import ScheduleInput

if TYPE_CHECKING:
    from bot.services import Services

TOPICS_SHOWN = 300
"""The most characters of a schedule's topics list a line shows (a setup reply stays short)."""
LENGTHS = [Choice(name=name, value=name) for name in ("headlines", "short", "full")]
DAYS_HELP = "every day (default), weekdays, weekends, mon,wed,fri, or weekly friday"
WINDOW_HELP = "How far back, e.g. 24h or 7d (default: since the previous post, at most 7 days)"
THREAD_HELP = "Open a thread for each briefing (text and announcement channels)"


def when(moment: datetime | None, zone: str) -> str:
    """A planned moment as Discord timestamps plus the local time in ``zone``."""
    if moment is None:
        return "not scheduled"
    stamp = int(moment.timestamp())
    return f"<t:{stamp}:F> (<t:{stamp}:R>), {moment.astimezone(ZoneInfo(zone)):%H:%M} {zone}"


def describe(schedule: ChannelSchedule) -> str:
    """One line about a schedule: name, channel, time, days, topics, knobs."""
    topics = ", ".join(schedule.topics) or "all topics"
    thread = ", a thread per briefing" if schedule.thread else ""
    if len(topics) > TOPICS_SHOWN:
        topics = topics[: TOPICS_SHOWN - 1].rsplit(",", 1)[0] + ", …"
    return (
        f"**{discord.utils.escape_markdown(schedule.name)}** — <#{schedule.channel_id}> at "
        f"{format_time_of_day(schedule.post_time)} {schedule.timezone}, "
        f"{format_days(schedule.days)} ({discord.utils.escape_markdown(topics)}; "
        f"{schedule.length}, window {format_window(schedule.window)}, "
        f"min quality {schedule.min_quality:g}{thread})"
    )


def target_lines(schedule: ChannelSchedule, target: TargetCheck) -> list[str]:
    """Where the briefing goes and what the bot cannot do there (set-up reply, status)."""
    lines = []
    if target.kind is not None:
        how = describe_kind(target.kind, thread=schedule.thread)
        lines.append(f"Posts to <#{schedule.channel_id}> ({how}).")
    problems = (target.problem,) if target.problem else ()
    return lines + [f"⚠️ {text}" for text in (*problems, *target.warnings)]


def state_of(schedule: ChannelSchedule) -> str:
    """``on``, ``off`` or ``paused``."""
    return "paused" if schedule.paused_reason else "on" if schedule.enabled else "off"


def name_autocomplete(services: Services) -> Completer:
    """An autocomplete callback offering the names of the server's schedules."""

    async def complete(interaction: discord.Interaction[Any], current: str) -> list[Choice[str]]:
        if interaction.guild_id is None:
            return []
        names = await usecases.schedule_names(services, interaction.guild_id)
        wanted = current.casefold().strip()
        return [Choice(name=n, value=n) for n in names if wanted in n.casefold()][:25]

    return complete


async def _saved(interaction: discord.Interaction, verb: str, done: usecases.SetUp) -> None:
    schedule = done.schedule
    lines = [
        f"{verb} {describe(schedule)}.",
        *target_lines(schedule, done.target),
        f"It will be posted next {when(done.next_post, schedule.timezone)}.",
    ]
    await interaction.followup.send(
        "\n".join(lines),
        ephemeral=True,
        allowed_mentions=NO_MENTIONS,
    )


def _channel_id(channel: app_commands.AppCommandChannel | None) -> int | None:
    if channel is None:
        return None
    if channel.type not in POSTABLE:
        raise UserError(f"{channel.mention} is not a text, announcement or forum channel.")
    return channel.id


def register(group: app_commands.Group, services: Services) -> None:
    """Add ``setup``, ``edit``, ``list`` and ``remove`` to the ``/briefing`` group."""
    manage_guild = app_commands.checks.has_permissions(manage_guild=True)
    names = name_autocomplete(services)

    @group.command(name="setup", description="Add a briefing: a channel, a local time, days")
    @app_commands.describe(
        channel="Where to post",
        time="Local time of day, HH:MM",
        timezone="IANA time zone, e.g. Europe/Paris",
        topics="Only these topics, comma-separated (default: all)",
        min_quality="Leave out articles below this quality (default 0)",
        days=DAYS_HELP,
        name="A name for this briefing (default: daily)",
        window=WINDOW_HELP,
        length="Headlines only, or one or two sentences of each story (default: short)",
        per_topic="Stories per topic (default: the bot's setting)",
        thread=THREAD_HELP + " (default: no)",
    )
    @app_commands.autocomplete(timezone=timezone_autocomplete)
    @app_commands.choices(length=LENGTHS)
    @manage_guild
    async def setup_(
        interaction: discord.Interaction,
        channel: app_commands.AppCommandChannel,
        time: str,
        timezone: str,
        topics: str | None = None,
        min_quality: app_commands.Range[float, 0, 10_000] = 0.0,
        days: str | None = None,
        name: str | None = None,
        window: str | None = None,
        length: str | None = None,
        per_topic: app_commands.Range[int, 1, 10] | None = None,
        thread: bool | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        channel_id = _channel_id(channel)
        assert channel_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        done = await usecases.set_up(
            services,
            interaction.guild_id,
            channel_id=channel_id,
            time=time,
            timezone=timezone,
            topics=topics,
            min_quality=min_quality,
            days=days,
            name=name,
            window=window,
            length=length,
            per_topic=per_topic,
            configured_by=interaction.user.id,
            check_channel=ChannelChecker(interaction.client),
            thread=thread,
        )
        await _saved(interaction, "Added", done)

    @group.command(name="edit", description="Change a briefing; it is turned on again")
    @app_commands.describe(
        name="The briefing to change",
        channel="Where to post",
        time="Local time of day, HH:MM",
        timezone="IANA time zone, e.g. Europe/Paris",
        topics="Only these topics, comma-separated (empty: all)",
        min_quality="Leave out articles below this quality",
        days=DAYS_HELP,
        window=WINDOW_HELP + "; `auto` for the default",
        length="Headlines only, or one or two sentences of each story",
        per_topic="Stories per topic",
        new_name="A new name for it",
        thread=THREAD_HELP,
    )
    @app_commands.autocomplete(name=names, timezone=timezone_autocomplete)
    @app_commands.choices(length=LENGTHS)
    @manage_guild
    async def edit(
        interaction: discord.Interaction,
        name: str,
        channel: app_commands.AppCommandChannel | None = None,
        time: str | None = None,
        timezone: str | None = None,
        topics: str | None = None,
        min_quality: app_commands.Range[float, 0, 10_000] | None = None,
        days: str | None = None,
        window: str | None = None,
        length: str | None = None,
        per_topic: app_commands.Range[int, 1, 10] | None = None,
        new_name: str | None = None,
        thread: bool | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        changes = ScheduleInput(
            channel_id=_channel_id(channel),
            time=time,
            timezone=timezone,
            topics=topics,
            min_quality=min_quality,
            days=days,
            name=new_name,
            window=window,
            per_topic=per_topic,
            length=length,
            thread=thread,
        )
        await interaction.response.defer(ephemeral=True, thinking=True)
        done = await usecases.edit(
            services,
            interaction.guild_id,
            name,
            changes,
            configured_by=interaction.user.id,
            check_channel=ChannelChecker(interaction.client),
        )
        await _saved(interaction, "Saved", done)

    @group.command(name="list", description="This server's briefings and their next posts")
    @manage_guild
    async def list_(interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        entries = await usecases.list_schedules(services, interaction.guild_id)
        lines = [
            f"{describe(e.schedule)}: **{state_of(e.schedule)}**. Next post: "
            f"{when(e.next_post, e.schedule.timezone) if e.schedule.active else 'none'}."
            + "".join(f"\n{line}" for line in ping_lines(e.schedule, e.pings))
            for e in entries
        ]
        if not lines:
            lines = ["No briefing is set up here. Use `/briefing setup`."]
        for text in pages(lines):
            await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @group.command(name="remove", description="Delete a briefing")
    @app_commands.describe(name="The briefing to delete")
    @app_commands.autocomplete(name=names)
    @manage_guild
    async def remove(interaction: discord.Interaction, name: str) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        gone = await usecases.remove(services, interaction.guild_id, name)
        await interaction.followup.send(
            f"Deleted the briefing **{discord.utils.escape_markdown(gone.name)}** "
            f"(<#{gone.channel_id}>).",
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )
