"""Small helpers shared by the features: autocomplete sources and ephemeral sends."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.app_commands import Choice

from bot.parsing import timezone_choices
from bot.rendering import OutgoingMessage
from bot.usecases import topics

if TYPE_CHECKING:
    from bot.services import Services

NO_MENTIONS = discord.AllowedMentions.none()


Completer = Callable[[discord.Interaction[Any], str], Coroutine[Any, Any, list[Choice[str]]]]
"""An autocomplete callback as ``app_commands.autocomplete`` takes it."""


def topic_autocomplete(services: Services) -> Completer:
    """An autocomplete callback offering the catalog's and the store's topics."""

    async def complete(interaction: discord.Interaction[Any], current: str) -> list[Choice[str]]:
        names = topics.suggest(services, current)
        return [app_commands.Choice(name=n[:100], value=n[:100]) for n in names]

    return complete


async def timezone_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """Autocomplete of IANA time zone names."""
    return [app_commands.Choice(name=zone, value=zone) for zone in timezone_choices(current)]


def pages(lines: Sequence[str], limit: int = 2000) -> list[str]:
    """``lines`` joined into as few messages of at most ``limit`` characters as fit."""
    texts: list[str] = []
    for line in lines:
        if texts and len(texts[-1]) + 1 + len(line) <= limit:
            texts[-1] += "\n" + line
        else:
            texts.append(line[:limit])
    return texts


async def send_messages(
    interaction: discord.Interaction, messages: Sequence[OutgoingMessage], *, empty: str
) -> None:
    """Send rendered messages as ephemeral follow-ups of a deferred interaction."""
    if not messages:
        await interaction.followup.send(empty, ephemeral=True, allowed_mentions=NO_MENTIONS)
        return
    for message in messages:
        await interaction.followup.send(
            content=message.content or discord.utils.MISSING,
            embeds=list(message.embeds),
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )
