"""The discord.py client of briefing-bot: command tree, start-up and shutdown.

Built only by the composition root (:mod:`bot.app`), which hands it every service, its command
tree (the features' commands already registered) and its health server. Start-up work happens
in ``setup_hook`` — load the store, register this process's instance, start the scheduler,
sync the global commands — because ``on_ready`` fires again on every reconnect; the first
``on_ready`` only triggers the start-up catch-up (once, guarded). ``close()`` stops in order,
each step bounded (see :meth:`BriefingBot.close`). The client's default ``allowed_mentions``
is ``AllowedMentions.none()``: nothing it sends can ping, even where a call forgets to say so.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import discord
from discord import app_commands

from bot.health import HealthServer
from bot.metrics import observe_command
from bot.services import Services
from bot.tree import BriefingTree

log = logging.getLogger(__name__)

TreeFactory = Callable[[discord.Client], BriefingTree]
"""Builds the command tree of a client (discord.py ties a tree to its client at creation)."""
HealthFactory = Callable[[discord.AutoShardedClient], HealthServer | None]
"""Builds the health server (and web panel) watching a client; None when neither is enabled."""


class BriefingBot(discord.AutoShardedClient):
    """The bot: a sharded client with an application-command tree (no prefix commands).

    It builds nothing: the composition root hands it the services, a factory of its command
    tree (features registered) and, when enabled, of its health server, as discord.py's
    ``commands.Bot`` takes a ``tree_cls``. ``client_options`` go to discord.py (shards, the
    HTTP trace counting rate limits, test timeouts). ``SHARD_COUNT``/``SHARD_IDS`` choose the
    shards this process runs; a ``WORKER_ONLY`` process connects to no shard: it logs in over
    REST and only helps with DM digests.
    """

    def __init__(
        self,
        services: Services,
        *,
        tree: TreeFactory,
        health: HealthFactory | None = None,
        **client_options: Any,
    ) -> None:
        super().__init__(
            intents=discord.Intents.default(),
            allowed_mentions=discord.AllowedMentions.none(),
            **client_options,
        )
        self.services = services
        self.tree = tree(self)
        self.health = health(self) if health is not None else None
        self._caught_up_at_start = False
        self._stopping = False

    async def setup_hook(self) -> None:
        """Runs once per process, before the gateway connects."""
        await self.services.scheduler.start_sources()  # first poll now, beside the store index
        await self.services.library.refresh(force=True)
        await self.services.instance.register()
        # a worker opens no gateway: it can deliver (over REST) as soon as it is logged in
        await self.services.scheduler.start(catch_up_now=self.services.settings.worker_only)
        if self.health is not None:
            await self.health.start()
        settings = self.services.settings
        if settings.worker_only or (settings.shard_ids is not None and 0 not in settings.shard_ids):
            return  # the process running shard 0 registers the global commands
        synced = await self.tree.sync()
        log.info("registered %d global commands", len(synced))

    async def on_app_command_completion(
        self,
        interaction: discord.Interaction,
        command: app_commands.Command[Any, ..., Any] | app_commands.ContextMenu,
    ) -> None:
        """Record the command's latency (errors are recorded by the error handler)."""
        observe_command(self.services.metrics, interaction, "ok")

    async def on_ready(self) -> None:
        """Logs; the first time only, runs the catch-up (this fires again on every reconnect)."""
        user = self.user
        log.info(
            "connected as %s (id=%s) to %d guilds", user, user.id if user else "?", len(self.guilds)
        )
        if not self._caught_up_at_start:
            self._caught_up_at_start = True
            self.services.scheduler.run_now("catch-up")

    async def close(self) -> None:
        """Shut down in order, each step bounded by ``SHUTDOWN_TIMEOUT_SECONDS`` in all.

        No new jobs and the running ones cancelled and awaited first (they use the gateway and
        the database), then this instance marked stopped (other processes take over its
        unfinished deliveries at once), then the health server, the sources' HTTP session, the
        gateway, the article index and last the database. A step that overruns is logged and
        skipped, so a stuck step never keeps the process from exiting. discord.py calls
        ``close`` itself too (and the ``async with`` block again at exit): only the first call
        does the work.
        """
        if self._stopping:
            await super().close()
            return
        self._stopping = True
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.services.settings.shutdown_timeout_seconds

        async def step(name: str, work: Awaitable[object]) -> None:
            # Every step gets what is left of the time, and at least one second, so that a step
            # that overran does not leave the database unclosed.
            try:
                await asyncio.wait_for(work, timeout=max(deadline - loop.time(), 1.0))
            except TimeoutError:
                log.error("shutdown: %s did not stop in time; going on without it", name)

        await step("the scheduler's running jobs", self.services.scheduler.stop())
        await step("marking this instance stopped", self._mark_stopped())
        if self.health is not None:
            await step("the health server", self.health.stop())
        await step("the sources' HTTP session", self.services.sources.close())
        await step("the Discord connection", super().close())
        await step("the article index", asyncio.to_thread(self.services.library.close))
        await step("the database", self.services.db.close())
        log.info("shut down")

    async def _mark_stopped(self) -> None:
        try:
            await self.services.instance.stop()
        except Exception:  # a database that is down must not stop the shutdown
            log.warning("could not mark this instance stopped", exc_info=True)
