"""``/briefing filter``: show or change the words and outlets a briefing leaves out.

Registered on the ``/briefing`` group by :mod:`bot.features.briefing_admin`. Without options
it shows the schedule's filters; ``include``, ``exclude`` and ``outlets`` each replace their
list, ``clear`` first empties one list or all (see :mod:`bot.usecases.filters`). A change
checks Manage Server on our side too; bad input gets the reason and changes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.app_commands import Choice

from bot.features._briefing_schedules import name_autocomplete
from bot.features._common import NO_MENTIONS
from bot.filter_text import filter_lines
from bot.usecases import filters as usecases
from bot.usecases.filters import FilterPart, ScheduleFilters

if TYPE_CHECKING:
    from bot.services import Services

HOW = (
    "`/briefing filter` with `include`, `exclude` or `outlets` (comma-separated; quotes keep a "
    'phrase together: `"machine learning"`) replaces that list; `clear` empties one or all.'
)


def filter_reply(result: ScheduleFilters) -> str:
    """What ``/briefing filter`` answers: the schedule's filters now, and how to change them."""
    name = discord.utils.escape_markdown(result.schedule.name)
    state = "are now" if result.changed else "are"
    lines = [f"The filters of **{name}** {state}:", *filter_lines(result.filters)]
    if not result.changed:
        lines.append(HOW)
    return "\n".join(lines)


def register(group: app_commands.Group, services: Services) -> None:
    """Add ``filter`` to the ``/briefing`` group."""

    @group.command(name="filter", description="Show or change the words and outlets left out")
    @app_commands.describe(
        name="Which briefing (if there are several)",
        include="Only stories with one of these words or phrases (comma-separated)",
        exclude="Leave out stories with any of these words or phrases (comma-separated)",
        outlets="Leave out these outlets, e.g. example.com (comma-separated)",
        clear="Empty one list, or all, first",
    )
    @app_commands.autocomplete(name=name_autocomplete(services))
    @app_commands.choices(clear=[Choice(name=str(part), value=str(part)) for part in FilterPart])
    @app_commands.checks.has_permissions(manage_guild=True)
    async def filter_(
        interaction: discord.Interaction,
        name: str | None = None,
        include: str | None = None,
        exclude: str | None = None,
        outlets: str | None = None,
        clear: str | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await usecases.schedule_filters(
            services,
            interaction.guild_id,
            name,
            include=include,
            exclude=exclude,
            outlets=outlets,
            clear=clear,
        )
        await interaction.followup.send(
            filter_reply(result), ephemeral=True, allowed_mentions=NO_MENTIONS
        )
