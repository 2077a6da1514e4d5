"""Runs the real bot (composition root and all) against the fake Discord server.

``BotHarness`` owns one fake Discord world, one SQLite database file and a settable clock; it
can start, stop and restart the bot on the same database, as a process restart would.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from bot.app import build_bot
from bot.client import BriefingBot
from bot.endpoints import reset_discord_endpoints
from bot.settings import Settings, load_settings
from bot.state import deliveries, schedules
from bot.state.deliveries import Delivery, DeliveryKind, DeliveryStatus
from tests.conftest import SAMPLE_STORE
from tests.fake_discord import (
    FakeDiscord,
    FakeGuild,
    FakeUser,
    InjectedInteraction,
    InteractionResponseRecord,
)

TOKEN = "e2e-secret-token"
SAMPLE_MORNING = datetime(2026, 3, 10, 8, 30, tzinfo=UTC)
"""Half an hour after the sample store's busy day ends: a full briefing is due."""


@dataclass
class SettableClock:
    """The bot's clock in tests: returns ``now`` until a test moves it."""

    now: datetime = SAMPLE_MORNING

    def __call__(self) -> datetime:
        return self.now


class QuickBot(BriefingBot):
    """The production bot with discord.py's 5 s re-IDENTIFY pause skipped (the fake has no limit)."""

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        return None


@dataclass
class BotHarness:
    fake: FakeDiscord
    tmp_path: Path
    store: Path = SAMPLE_STORE
    clock: SettableClock = field(default_factory=SettableClock)
    bot: BriefingBot | None = None
    _runner: asyncio.Task[None] | None = None
    overrides: dict[str, Any] = field(default_factory=dict)

    @property
    def guild(self) -> FakeGuild:
        return next(iter(self.fake.guilds.values()))

    def channel_id(self, name: str = "news") -> int:
        return next(c.id for c in self.fake.channels.values() if c.name == name)

    def user(self, name: str) -> FakeUser:
        return next(u for u in self.fake.users.values() if u.username == name)

    def settings(self) -> Settings:
        values: dict[str, Any] = {
            "_env_file": None,
            "discord_token": TOKEN,
            "article_store": self.store,
            "database_url": f"sqlite+aiosqlite:///{self.tmp_path / 'state.sqlite3'}",
            "discord_api_base_url": self.fake.api_base_url,
            "discord_gateway_url": self.fake.gateway_url,
            "store_rescan_seconds": 3600,
            "index_cache": self.tmp_path / "index-cache.sqlite3",
            "command_rate": 100,
            "send_retry_delay_seconds": 0.05,
        }
        values.update(self.overrides)
        return load_settings(**values)

    async def start(self) -> BriefingBot:
        settings = self.settings()
        bot = await build_bot(
            settings, clock=self.clock, client_class=QuickBot, guild_ready_timeout=0.05
        )
        self.bot = bot
        self._runner = asyncio.create_task(bot.start(TOKEN))
        ready = asyncio.create_task(bot.wait_until_ready())
        done, _ = await asyncio.wait(
            {self._runner, ready}, timeout=10, return_when=asyncio.FIRST_COMPLETED
        )
        if self._runner in done:
            self._runner.result()
            raise AssertionError("the bot stopped before it became ready")
        if ready not in done:
            ready.cancel()
            raise AssertionError("the bot did not become ready")
        return bot

    async def stop(self) -> None:
        if self.bot is not None:
            await self.bot.close()
        if self._runner is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._runner, 5)
        self.bot = None
        self._runner = None

    async def restart(self) -> BriefingBot:
        await self.stop()
        return await self.start()

    async def close(self) -> None:
        await self.stop()
        reset_discord_endpoints()


async def reply_of(inter: InjectedInteraction) -> InteractionResponseRecord:
    """The bot's answer to an interaction: the callback, or the first follow-up after a defer."""
    callback = await inter.wait_response()
    if callback.callback_type == 5:  # deferred: the answer is the follow-up
        return await inter.wait_followup()
    return callback


async def briefing_command(harness: BotHarness, subcommand: str, **options: Any) -> str:
    """Run ``/briefing <subcommand>`` as the owner; the text of its (ephemeral) reply."""
    reply = await reply_of(
        await harness.fake.inject_slash_command(
            "briefing", options, subcommand=subcommand, user_id=harness.user("owner").id
        )
    )
    assert reply.ephemeral, reply.data
    return reply.content or ""


def text_of(record: InteractionResponseRecord | dict[str, Any]) -> str:
    """Everything a person reads in a message: content and all embed text, joined."""
    data = record.data if isinstance(record, InteractionResponseRecord) else record
    parts = [data.get("content") or ""]
    for embed in data.get("embeds") or []:
        parts += [embed.get("title") or "", embed.get("description") or ""]
        parts += [f"{f.get('name', '')} {f.get('value', '')}" for f in embed.get("fields") or []]
        parts.append((embed.get("footer") or {}).get("text") or "")
    return "\n".join(p for p in parts if p)


async def wait_delivered(
    harness: BotHarness, kind: DeliveryKind, target_id: int, day: date | None = None
) -> Delivery:
    """Wait until the delivery log records the last delivery to ``target_id`` (or the one of
    ``day``) as finished."""
    assert harness.bot is not None
    db = harness.bot.services.db
    async with asyncio.timeout(10):
        while True:
            if day is None:
                last = await deliveries.last_delivery(db, kind, target_id)
            else:
                last = await deliveries.get_delivery(db, kind, target_id, day)
            if last is not None and last.status != DeliveryStatus.SENDING:
                return last
            await asyncio.sleep(0.02)


async def schedule_id(harness: BotHarness, name: str | None = None) -> int:
    """The id of the harness guild's schedule ``name`` (without a name: its oldest)."""
    assert harness.bot is not None
    found = await schedules.get_schedule(harness.bot.services.db, harness.guild.id, name)
    assert found is not None and found.id is not None, f"no schedule {name!r}"
    return found.id
