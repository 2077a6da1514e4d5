"""``/topics``: every topic with a short description and how many articles it has."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.features._common import NO_MENTIONS, send_messages
from bot.rendering import pack_embeds
from bot.topic_rendering import render_topics
from bot.usecases import topics as usecases

if TYPE_CHECKING:
    from bot.services import Services


def setup(tree: app_commands.CommandTree, services: Services) -> None:
    """Register ``/topics``."""

    @tree.command(name="topics", description="List the topics you can search and subscribe to")
    async def topics(interaction: discord.Interaction) -> None:
        embeds = render_topics(await usecases.topics(services))
        if not embeds:
            await interaction.response.send_message(
                "The article store has no topics yet.", ephemeral=True, allowed_mentions=NO_MENTIONS
            )
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        await send_messages(
            interaction, pack_embeds(embeds), empty="The article store has no topics yet."
        )
