"""The composition root: builds every service and the client from the settings, and runs the bot.

As cosmicpython's ``bootstrap()``: :func:`build_bot` is the one place that constructs the
metrics, the database, the article library, the deliverer (and the sender it posts through),
the recovery of missed deliveries, the remote sources, the scheduler, the command tree with the
features' commands and the health server (which also serves the web panel), and hands them to
the client. Nothing else constructs services; tests build the same graph with a fake Discord
server, a temporary database, their own clock and, when they need one, their own client class
(``client_class``).

The one knot: the client needs the deliverer (through the scheduler), and the deliverer sends
through the client. It is untied by the deliverer's :class:`~bot.sending.Sender`, built first
and bound to the client as soon as the client exists.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from datetime import timedelta
from typing import Any

import discord

from bot.client import BriefingBot
from bot.delivery import Deliverer
from bot.endpoints import point_discord_at
from bot.features import setup_features
from bot.health import HealthServer
from bot.library import ArticleLibrary
from bot.liveness import Instance
from bot.metrics import Metrics
from bot.recovery import Recovery
from bot.scheduler import BriefingScheduler
from bot.sending import ClientSender, RetryPolicy
from bot.services import Services
from bot.settings import Settings, token_of
from bot.source_snapshot import SourceSnapshot, snapshot_path
from bot.sources import SourceLimits, SourcePoller
from bot.state import Database, claims
from bot.timing import Clock, system_clock
from bot.tree import BriefingTree

log = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


async def build_bot(
    settings: Settings,
    *,
    clock: Clock = system_clock,
    client_class: type[BriefingBot] = BriefingBot,
    **client_options: Any,
) -> BriefingBot:
    """Connect the database and assemble everything (nothing is sent to Discord yet).

    ``client_class`` is the client to build (tests pass a subclass); ``client_options`` go to
    :class:`discord.Client` (tests shorten ``guild_ready_timeout``).
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
    metrics = Metrics()
    sender = ClientSender()  # bound to the client below
    services = _services(settings, db, library, sender, metrics, clock)

    def tree(client: discord.Client) -> BriefingTree:
        built = BriefingTree(
            client,
            rate=settings.command_rate,
            per=settings.command_per_seconds,
            metrics=metrics,
            clock=clock,
        )
        setup_features(built, services)
        return built

    def health(client: discord.AutoShardedClient) -> HealthServer | None:
        return HealthServer.for_settings(client, services)  # also the web panel's server

    if settings.shard_ids is not None:
        client_options["shard_ids"] = list(settings.shard_ids)
    bot = client_class(
        services,
        tree=tree,
        health=health,
        http_trace=metrics.http_trace(),
        shard_count=settings.shard_count,
        **client_options,
    )
    sender.bind(bot)
    return bot


def _services(
    settings: Settings,
    db: Database,
    library: ArticleLibrary,
    sender: ClientSender,
    metrics: Metrics,
    clock: Clock,
) -> Services:
    grace = timedelta(hours=settings.misfire_grace_hours)
    instance = Instance(db, settings.process_name(), clock=clock)
    deliverer = Deliverer(
        sender,
        db,
        library,
        clock=clock,
        grace=grace,
        per_topic=settings.briefing_per_topic,
        retry=RetryPolicy(settings.send_retry_attempts, settings.send_retry_delay_seconds),
        metrics=metrics,
        owns_guild=settings.owns_guild,
        claimant=claims.Claimant(
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
    recovery = Recovery(deliverer)
    scheduler = BriefingScheduler(
        db,
        deliverer,
        library,
        recovery=recovery,
        grace=grace,
        store_rescan=timedelta(seconds=settings.store_rescan_seconds),
        sources=sources,
        source_poll=timedelta(seconds=settings.source_poll_seconds),
        catch_up_every=timedelta(seconds=settings.catch_up_seconds),
        instance=instance,
        heartbeat_every=timedelta(seconds=settings.heartbeat_seconds),
    )
    return Services(
        settings, db, library, deliverer, recovery, scheduler, clock, metrics, sources, instance
    )


def _snapshot_of(settings: Settings) -> SourceSnapshot | None:
    """Where the remote sources' last good polls are kept (beside the index cache)."""
    path = snapshot_path(settings.index_cache_path())
    return SourceSnapshot(path) if path is not None else None


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
