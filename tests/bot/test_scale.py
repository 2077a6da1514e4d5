"""Scale-out: three bot processes (two shards and a digest worker) share one PostgreSQL.

50 guilds and 500 subscribers; the worker is killed with SIGKILL in the middle of the digests.
Every guild's briefing and every digest still arrives exactly once. Needs PostgreSQL
(``PG_TEST_URL``, set by ``make test``); skipped without it. The world is seeded by
:mod:`tests.bot.scale_world`, as in ``bench/scale.py``.
"""

from __future__ import annotations

import asyncio
import os
import signal
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.state.database import open_engine
from tests.bot.harness import TOKEN
from tests.bot.processes import start_bot
from tests.bot.scale_world import (
    bot_environment,
    digests_not_single,
    everything_arrived,
    not_exactly_once,
    seed,
)
from tests.fake_discord import FakeDiscord

pytestmark = pytest.mark.postgres

GUILDS = 50
SUBSCRIBERS = 500


async def _all_recorded_sent(url: str, deliveries: int) -> None:
    """Wait until the delivery log holds ``deliveries`` rows, all ``"sent"`` (a failed send
    is retried by the next catch-up, 2 s apart)."""
    engine = open_engine(url)
    query = text("SELECT count(*) FILTER (WHERE status = 'sent'), count(*) FROM deliveries")
    try:
        while True:
            async with engine.connect() as connection:
                sent, rows = (await connection.execute(query)).one()
            if sent == rows == deliveries:
                return
            await asyncio.sleep(0.2)
    finally:
        await engine.dispose()


async def test_three_processes_one_postgres_exactly_once(tmp_path: Path) -> None:
    url = os.environ.get("PG_TEST_URL")
    if not url:
        pytest.skip(
            "PG_TEST_URL is not set (make test sets it when PostgreSQL server binaries are installed)"
        )
    async with FakeDiscord(token=TOKEN, shard_count=2) as fake:
        world = await seed(
            fake,
            url,
            guilds=GUILDS,
            subscribers=SUBSCRIBERS,
            topics=("Space", "Robotics", "Security", "Health Tech", "Open Source"),
            now=datetime.now(UTC),
            work=tmp_path,
        )
        base = bot_environment(
            fake, world, url, TOKEN, CATCH_UP_SECONDS="2", CLAIM_LEASE_SECONDS="4"
        )
        roles = {
            "shard-0": {"SHARD_IDS": "0"},
            "shard-1": {"SHARD_IDS": "1"},
            "worker": {"WORKER_ONLY": "true"},
        }
        processes = {
            name: await start_bot({**base, **extra}, tmp_path) for name, extra in roles.items()
        }
        try:
            # kill the worker once the digests are well under way
            await fake.wait_until(
                lambda: sum(1 for u in world.users if fake.dms_to(u)) >= 60, timeout=300
            )
            processes["worker"].send_signal(signal.SIGKILL)
            await fake.wait_until(lambda: everything_arrived(fake, world), timeout=600)
            # Every delivery recorded as sent: no claim can be won any more, so nothing new
            # can be sent; a sender still at work (its lease taken over) finishes, or is
            # stopped, before the processes exit below, and anything it sent twice shows.
            async with asyncio.timeout(300):
                await _all_recorded_sent(url, GUILDS + SUBSCRIBERS)
        finally:
            for process in processes.values():
                if process.returncode is None:
                    process.send_signal(signal.SIGINT)
            for process in processes.values():
                try:
                    await asyncio.wait_for(process.wait(), 30)
                except TimeoutError:
                    process.kill()

        assert not_exactly_once(fake, world) == []
        assert digests_not_single(fake, world) == []
        for channel_id in world.channels.values():
            texts = [str(m.get("embeds")) for m in fake.messages_in(channel_id)]
            assert len(texts) == len(set(texts)), f"channel {channel_id} got a repeated page"
