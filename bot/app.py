"""The composition root: builds settings' services and the client, and runs the bot.

Nothing else in the bot constructs services; tests build the same graph with a fake Discord
server, a temporary database and their own clock by calling :func:`build_bot`.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Any

from bot.client import BriefingBot
from bot.endpoints import point_discord_at
from bot.library import ArticleLibrary
from bot.settings import Settings, token_of
from bot.state import Database
from bot.timing import Clock, system_clock

log = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


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


def stop_on_signals(stop: asyncio.Event) -> None:
    """Set ``stop`` on SIGINT or SIGTERM (``docker stop``, systemd), whatever was inherited.

    A process started in the background by a shell without job control (``cmd &`` in a
    script, some process supervisors) inherits SIGINT as *ignored*, and Python then leaves it
    ignored, so ``asyncio.run``'s own Ctrl-C handling never fires; and SIGTERM would kill the
    process with no shutdown at all. Installing both handlers on the loop makes either signal
    stop the bot in order, wherever it was started.
    """
    loop = asyncio.get_running_loop()
    for number in STOP_SIGNALS:
        loop.add_signal_handler(number, stop.set)


async def _serve(bot: BriefingBot, settings: Settings) -> None:
    if settings.worker_only:
        await bot.login(token_of(settings))  # REST only: runs setup_hook, no gateway
        log.info("worker started: delivering DM digests, no gateway connection")
        await asyncio.Event().wait()  # until the process is stopped
    else:
        await bot.start(token_of(settings))


async def run_bot(settings: Settings) -> None:
    """Build the bot and run it until SIGINT or SIGTERM; then shut it down in order."""
    stop = asyncio.Event()
    stop_on_signals(stop)
    bot = await build_bot(settings)
    async with bot:
        serving = asyncio.create_task(_serve(bot, settings), name="serve")
        stopping = asyncio.create_task(stop.wait(), name="wait-for-stop-signal")
        try:
            await asyncio.wait({serving, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
            if not serving.done():
                log.info("stopping: received a stop signal")
                await bot.close()  # bounded by SHUTDOWN_TIMEOUT_SECONDS
                serving.cancel()
                await asyncio.gather(serving, return_exceptions=True)
        if not stop.is_set():
            serving.result()  # a login failure or a fatal gateway error ends the run with it
