"""The discord.py client of briefing-bot: command tree, start-up and shutdown.

Built only by the composition root (:mod:`bot.app`), which hands it every service. Start-up
work happens in ``setup_hook`` — load the store, register the features' commands, start the
scheduler, sync the global commands — because ``on_ready`` fires again on every reconnect.
The client's default ``allowed_mentions`` is ``AllowedMentions.none()``: nothing it sends can
ping, even where a call forgets to say so.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import discord

from bot.delivery import Deliverer, RetryPolicy
from bot.library import ArticleLibrary
from bot.scheduler import BriefingScheduler
from bot.settings import Settings
from bot.state import Database
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


class BriefingBot(discord.Client):
    """The bot: a plain client with an application-command tree (no prefix commands)."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        library: ArticleLibrary,
        *,
        clock: Clock,
        **client_options: Any,
    ) -> None:
        super().__init__(
            intents=discord.Intents.default(),
            allowed_mentions=discord.AllowedMentions.none(),
            **client_options,
        )
        grace = timedelta(hours=settings.misfire_grace_hours)
        deliverer = Deliverer(
            self,
            db,
            library,
            clock=clock,
            grace=grace,
            per_topic=settings.briefing_per_topic,
            retry=RetryPolicy(settings.send_retry_attempts, settings.send_retry_delay_seconds),
        )
        scheduler = BriefingScheduler(
            db,
            deliverer,
            library,
            grace=grace,
            store_rescan=timedelta(seconds=settings.store_rescan_seconds),
        )
        self.services = Services(settings, db, library, deliverer, scheduler, clock)
        self.tree = BriefingTree(self, rate=settings.command_rate, per=settings.command_per_seconds)

    async def setup_hook(self) -> None:
        """Runs once per process, before the gateway connects."""
        from bot.features import setup_features  # the features import this module

        await self.services.library.refresh(force=True)
        setup_features(self.tree, self.services)
        await self.services.scheduler.start()
        synced = await self.tree.sync()
        log.info("registered %d global commands", len(synced))

    async def on_ready(self) -> None:
        """Only logs: this fires again after every reconnect."""
        user = self.user
        log.info(
            "connected as %s (id=%s) to %d guilds", user, user.id if user else "?", len(self.guilds)
        )

    async def close(self) -> None:
        """Stop the scheduler, disconnect, release the store and the database."""
        self.services.scheduler.shutdown()
        await super().close()
        self.services.library.close()
        await self.services.db.close()
