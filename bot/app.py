"""The composition root: builds settings' services and the client, and runs the bot.

Nothing else in the bot constructs services; tests build the same graph with a fake Discord
server, a temporary database and their own clock by calling :func:`build_bot`.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from bot.client import BriefingBot
from bot.endpoints import point_discord_at
from bot.library import ArticleLibrary
from bot.settings import Settings, token_of
from bot.state import Database
from bot.timing import Clock, system_clock

log = logging.getLogger(__name__)


async def build_bot(
    settings: Settings, *, clock: Clock = system_clock, **client_options: Any
) -> BriefingBot:
    """Connect the database and assemble the client (nothing is sent to Discord yet).

    ``client_options`` go to :class:`discord.Client` (tests shorten ``guild_ready_timeout``).
    """
    point_discord_at(settings.discord_api_base_url, settings.discord_gateway_url)
    db = await Database.connect(settings.database_url)
    log.info("database ready at %s", db.url_for_logs)
    library = ArticleLibrary(
        settings.article_store,
        catalog_dir=settings.topic_catalog,
        cache_path=settings.index_cache_path(),
        clock=clock,
    )
    return BriefingBot(settings, db, library, clock=clock, **client_options)


async def run_bot(settings: Settings) -> None:
    """Build the bot and run it until it is stopped."""
    bot = await build_bot(settings)
    async with bot:
        if settings.worker_only:
            await bot.login(token_of(settings))  # REST only: runs setup_hook, no gateway
            log.info("worker started: delivering DM digests, no gateway connection")
            await asyncio.Event().wait()  # until the process is stopped
        else:
            await bot.start(token_of(settings))
