"""``/search query [topic]``: full-text search with Previous/Next paging for the caller only."""

from __future__ import annotations

from datetime import UTC
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.errors import UserError
from bot.features._common import NO_MENTIONS, known_topics, topic_autocomplete
from bot.parsing import resolve_topic
from bot.rendering import page_count, render_search_page

if TYPE_CHECKING:
    from bot.services import Services

MAX_QUERY = 500
PAGER_TIMEOUT = 600.0


class SearchPager(discord.ui.View):
    """Previous/Next buttons over one search; only the member who searched may use them."""

    def __init__(
        self, services: Services, owner_id: int, query: str, topic: str | None, total: int
    ) -> None:
        super().__init__(timeout=PAGER_TIMEOUT)
        self.services = services
        self.owner_id = owner_id
        self.query = query
        self.topic = topic
        self.page = 0
        self.pages = page_count(total, services.settings.search_page_size)
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
        size = self.services.settings.search_page_size
        results = await self.services.library.search(
            self.query, topic=self.topic, limit=size, offset=self.page * size
        )
        self.pages = max(1, page_count(results.total, size))
        self._sync_buttons()
        embed = render_search_page(results, page=self.page, page_size=size, zone=UTC)
        await interaction.response.edit_message(embed=embed, view=self)

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
        if not query.strip():
            raise UserError("Type something to search for.")
        query = query[:MAX_QUERY]
        chosen = resolve_topic(topic, known_topics(services)) if topic else None
        await interaction.response.defer(ephemeral=True, thinking=True)
        size = services.settings.search_page_size
        results = await services.library.search(query, topic=chosen, limit=size)
        embed = render_search_page(results, page=0, page_size=size, zone=UTC)
        if results.total > size:
            view = SearchPager(services, interaction.user.id, query, chosen, results.total)
            await interaction.followup.send(
                embed=embed, view=view, ephemeral=True, allowed_mentions=NO_MENTIONS
            )
        else:
            await interaction.followup.send(
                embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS
            )
