"""Scale-out: three bot processes (two shards and a digest worker) share one PostgreSQL.

50 guilds and 500 subscribers; the worker is killed with SIGKILL in the middle of the digests.
Every guild's briefing and every digest still arrives exactly once. Needs PostgreSQL
(``PG_TEST_URL``, set by ``make test``); skipped without it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.state import Database, schedules, subscriptions
from bot.state.schedules import ChannelSchedule
from scripts.sample_store import refresh
from tests.bot.harness import TOKEN
from tests.fake_discord import FakeDiscord

pytestmark = pytest.mark.postgres

GUILDS = 50
SUBSCRIBERS = 500
TOPICS = ["Space", "Robotics", "Security", "Health Tech", "Open Source"]


async def _reset(url: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url)
    async with engine.begin() as connection:
        for table in (
            "subscriptions",
            "digest_users",
            "deliveries",
            "channel_schedules",
            "schema_version",
            "alembic_version",
        ):
            await connection.execute(text(f"DROP TABLE IF EXISTS {table} CASCADE"))
    await engine.dispose()


async def test_three_processes_one_postgres_exactly_once(tmp_path: Path) -> None:
    url = os.environ.get("PG_TEST_URL")
    if not url:
        pytest.skip(
            "PG_TEST_URL is not set (make test sets it when PostgreSQL server binaries are installed)"
        )
    await _reset(url)
    now = datetime.now(UTC)
    due = (now - timedelta(minutes=2)).time().replace(second=0, microsecond=0)
    store = refresh(now, target=tmp_path / "store")

    async with FakeDiscord(token=TOKEN, shard_count=2) as fake:
        owner = fake.add_user("owner")
        channels: dict[int, int] = {}
        for number in range(GUILDS):
            guild = fake.add_guild(f"Guild {number}", owner_id=owner.id)
            channels[guild.id] = fake.add_text_channel(guild.id, "news").id
        users = [fake.add_user(f"reader{n}") for n in range(SUBSCRIBERS)]

        db = await Database.connect(url)
        try:
            for guild_id, channel_id in channels.items():
                await schedules.save_schedule(
                    db,
                    ChannelSchedule(guild_id, channel_id, due, "UTC"),
                    now=now - timedelta(hours=1),
                )
            for number, user in enumerate(users):
                topic = TOPICS[number % len(TOPICS)]
                await subscriptions.subscribe(
                    db, user.id, topic, now=now - timedelta(hours=1), post_time=due, timezone="UTC"
                )
        finally:
            await db.close()

        base = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DISCORD_", "ARTICLE_", "DATABASE_", "SHARD_", "WORKER_"))
        }
        base.update(
            DISCORD_TOKEN=TOKEN,
            DISCORD_API_BASE_URL=fake.api_base_url,
            DISCORD_GATEWAY_URL=fake.gateway_url,
            ARTICLE_STORE=str(store),
            DATABASE_URL=url,
            SHARD_COUNT="2",
            CATCH_UP_SECONDS="2",
            CLAIM_LEASE_SECONDS="4",
            LOG_LEVEL="WARNING",
        )
        roles = {
            "shard-0": {"SHARD_IDS": "0"},
            "shard-1": {"SHARD_IDS": "1"},
            "worker": {"WORKER_ONLY": "true"},
        }
        processes = {}
        for name, extra in roles.items():
            processes[name] = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                cwd=tmp_path,
                env={**base, **extra},
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL,
            )
        try:
            # kill the worker once the digests are well under way
            await fake.wait_until(
                lambda: sum(1 for u in users if fake.dms_to(u.id)) >= 60, timeout=300
            )
            processes["worker"].send_signal(signal.SIGKILL)

            def done() -> bool:
                return all(fake.messages_in(c) for c in channels.values()) and all(
                    fake.dms_to(u.id) for u in users
                )

            await fake.wait_until(done, timeout=600)
            await asyncio.sleep(
                6
            )  # longer than a lease plus a catch-up: any duplicate would show now
        finally:
            for process in processes.values():
                if process.returncode is None:
                    process.send_signal(signal.SIGINT)
            for process in processes.values():
                try:
                    await asyncio.wait_for(process.wait(), 30)
                except TimeoutError:
                    process.kill()

        for channel_id in channels.values():
            headings = [
                m
                for m in fake.messages_in(channel_id)
                if (m.get("content") or "").startswith("**Daily briefing**")
            ]
            assert len(headings) == 1, f"channel {channel_id}: {len(headings)} briefings"
            texts = [str(m.get("embeds")) for m in fake.messages_in(channel_id)]
            assert len(texts) == len(set(texts))
        for user in users:
            digests = [
                m
                for m in fake.dms_to(user.id)
                if (m.get("content") or "").startswith("**Your daily digest**")
            ]
            assert len(digests) == 1, f"user {user.id}: {len(digests)} digests"
