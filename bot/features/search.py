"""``/search query [topic]``: full-text search with Previous/Next paging for the caller only."""

from __future__ import annotations

from datetime import UTC
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.features._common import NO_MENTIONS, topic_autocomplete
from bot.search_rendering import render_search_page
from bot.usecases import search as usecases
from bot.usecases.search import SearchPage

if TYPE_CHECKING:
    from bot.services import Services

PAGER_TIMEOUT = 600.0


class SearchPager(discord.ui.View):
    """Previous/Next buttons over one search; only the member who searched may use them."""

    def __init__(self, services: Services, owner_id: int, first: SearchPage) -> None:
        super().__init__(timeout=PAGER_TIMEOUT)
        self.services = services
        self.owner_id = owner_id
        self.query = first.query
        self.topic = first.topic
        self.page = first.page
        self.pages = first.pages
        self._sync_buttons()

    def _sync_buttons(self) -> None:
        self.previous.disabled = self.page <= 0
        self.next.disabled = self.page >= self.pages - 1

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id != self.owner_id:
            await interaction.response.send_message(
                "These buttons belong to someone else's search. Run `/search` for your own.",
                ephemeral=True,
                allowed_mentions=NO_MENTIONS,
            )
            return False
        return True

    async def _show(self, interaction: discord.Interaction, page: int) -> None:
        self.page = max(0, min(page, self.pages - 1))  # a double click cannot run off the end
        found = await usecases.search(self.services, self.query, topic=self.topic, page=self.page)
        self.pages = found.pages
        self._sync_buttons()
        await interaction.response.edit_message(embed=_render(found), view=self)

    @discord.ui.button(
        label="Previous", style=discord.ButtonStyle.secondary, custom_id="search:previous"
    )
    async def previous(
        self, interaction: discord.Interaction, button: discord.ui.Button[SearchPager]
    ) -> None:
        await self._show(interaction, self.page - 1)

    @discord.ui.button(label="Next", style=discord.ButtonStyle.primary, custom_id="search:next")
    async def next(
        self, interaction: discord.Interaction, button: discord.ui.Button[SearchPager]
    ) -> None:
        await self._show(interaction, self.page + 1)


def setup(tree: app_commands.CommandTree, services: Services) -> None:
    """Register ``/search``."""

    @tree.command(name="search", description="Search the article store")
    @app_commands.describe(
        query='Words to look for; "quoted phrases", OR and -word work', topic="Only this topic"
    )
    @app_commands.autocomplete(topic=topic_autocomplete(services))
    async def search(
        interaction: discord.Interaction, query: str, topic: str | None = None
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        found = await usecases.search(services, query, topic=topic)
        if found.pages > 1:
            view = SearchPager(services, interaction.user.id, found)
            await interaction.followup.send(
                embed=_render(found), view=view, ephemeral=True, allowed_mentions=NO_MENTIONS
            )
        else:
            await interaction.followup.send(
                embed=_render(found), ephemeral=True, allowed_mentions=NO_MENTIONS
            )


def _render(found: SearchPage) -> discord.Embed:
    return render_search_page(found.results, page=found.page, page_size=found.page_size, zone=UTC)
