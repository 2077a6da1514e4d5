"""The discord.py client of briefing-bot: command tree, start-up and shutdown.

Built only by the composition root (:mod:`bot.app`), which hands it every service. Start-up
work happens in ``setup_hook`` — load the store, register this process's instance, register
the features' commands, start the scheduler, sync the global commands — because ``on_ready``
fires again on every reconnect; the first ``on_ready`` only triggers the start-up catch-up
(once, guarded). ``close()`` stops in order, each step bounded (see :meth:`BriefingBot.close`).
The client's default ``allowed_mentions`` is ``AllowedMentions.none()``: nothing it sends can
ping, even where a call forgets to say so.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import discord
from discord import app_commands

from bot.delivery import Deliverer, RetryPolicy
from bot.health import HealthServer
from bot.library import ArticleLibrary
from bot.liveness import Instance
from bot.metrics import Metrics, observe_command
from bot.scheduler import BriefingScheduler
from bot.settings import Settings
from bot.source_snapshot import SourceSnapshot, snapshot_path
from bot.sources import SourceLimits, SourcePoller
from bot.state import Database, deliveries
from bot.timing import Clock
from bot.tree import BriefingTree

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Services:
    """What the features need, handed to each feature's ``setup``."""

    settings: Settings
    db: Database
    library: ArticleLibrary
    deliverer: Deliverer
    scheduler: BriefingScheduler
    clock: Clock
    metrics: Metrics
    sources: SourcePoller
    instance: Instance


class BriefingBot(discord.AutoShardedClient):
    """The bot: a sharded client with an application-command tree (no prefix commands).

    ``SHARD_COUNT``/``SHARD_IDS`` choose the shards this process runs (default: all of them,
    as many as Discord recommends). A ``WORKER_ONLY`` process connects to no shard: it logs in
    over REST and only helps with DM digests.
    """

    def __init__(
        self,
        settings: Settings,
        db: Database,
        library: ArticleLibrary,
        *,
        clock: Clock,
        **client_options: Any,
    ) -> None:
        metrics = Metrics()
        options: dict[str, Any] = dict(client_options)
        if settings.shard_ids is not None:
            options["shard_ids"] = list(settings.shard_ids)
        super().__init__(
            intents=discord.Intents.default(),
            allowed_mentions=discord.AllowedMentions.none(),
            http_trace=metrics.http_trace(),
            shard_count=settings.shard_count,
            **options,
        )
        grace = timedelta(hours=settings.misfire_grace_hours)
        instance = Instance(db, settings.process_name(), clock=clock)
        deliverer = Deliverer(
            self,
            db,
            library,
            clock=clock,
            grace=grace,
            per_topic=settings.briefing_per_topic,
            retry=RetryPolicy(settings.send_retry_attempts, settings.send_retry_delay_seconds),
            metrics=metrics,
            owns_guild=settings.owns_guild,
            claimant=deliveries.Claimant(
                holder=instance.id,
                lease=timedelta(seconds=settings.claim_lease_seconds),
                holder_timeout=timedelta(seconds=settings.heartbeat_timeout_seconds),
            ),
        )
        sources = SourcePoller(
            settings.article_sources,
            clock=clock,
            limits=SourceLimits(
                timeout_seconds=settings.source_timeout_seconds,
                max_bytes=settings.source_max_bytes,
                max_pages=settings.source_max_pages,
            ),
            snapshot=_snapshot_of(settings),
        )
        scheduler = BriefingScheduler(
            db,
            deliverer,
            library,
            grace=grace,
            store_rescan=timedelta(seconds=settings.store_rescan_seconds),
            sources=sources,
            source_poll=timedelta(seconds=settings.source_poll_seconds),
            catch_up_every=timedelta(seconds=settings.catch_up_seconds),
            instance=instance,
            heartbeat_every=timedelta(seconds=settings.heartbeat_seconds),
        )
        self.services = Services(
            settings, db, library, deliverer, scheduler, clock, metrics, sources, instance
        )
        self._caught_up_at_start = False
        self.health = HealthServer.for_settings(self, settings)  # also the web panel's server
        self.tree = BriefingTree(
            self, rate=settings.command_rate, per=settings.command_per_seconds, clock=clock
        )
        self._stopping = False

    async def setup_hook(self) -> None:
        """Runs once per process, before the gateway connects."""
        from bot.features import setup_features  # the features import this module

        await self.services.scheduler.start_sources()  # first poll now, beside the store index
        await self.services.library.refresh(force=True)
        setup_features(self.tree, self.services)
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


def _snapshot_of(settings: Settings) -> SourceSnapshot | None:
    """Where the remote sources' last good polls are kept (beside the index cache)."""
    path = snapshot_path(settings.index_cache_path())
    return SourceSnapshot(path) if path is not None else None
