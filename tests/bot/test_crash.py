"""Data safety: ``kill -9`` the bot in the middle of a delivery, restart, and nothing is lost
or posted twice.

The first bot runs as a real subprocess (``python -m bot``) on a SQLite file in WAL mode. The
fake Discord accepts the briefing's first message but holds its answer; the test kills the
process at that moment — after Discord posted, before the delivery log heard of it. A new bot
on the same database then completes the day exactly once.
"""

from __future__ import annotations

import signal
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.state import Database, schedules
from bot.state.deliveries import DeliveryKind, DeliveryStatus
from bot.state.schedules import ChannelSchedule
from scripts.sample_store import refresh
from tests.bot.harness import (
    TOKEN,
    BotHarness,
    SettableClock,
    schedule_id,
    text_of,
    wait_delivered,
)
from tests.bot.processes import clean_environment, start_bot
from tests.fake_discord import FakeDiscord


async def _prepare_state(
    db_path: Path, guild_id: int, channel_id: int, now: datetime, *, thread: bool = False
) -> None:
    due = now - timedelta(minutes=2)
    db = await Database.connect(f"sqlite+aiosqlite:///{db_path}")
    try:
        await schedules.save_schedule(
            db,
            ChannelSchedule(
                guild_id,
                channel_id,
                due.time().replace(second=0, microsecond=0),
                "UTC",
                thread=thread,
            ),
            now=now - timedelta(hours=1),
        )
    finally:
        await db.close()


async def _run_until_then_kill(
    fake: FakeDiscord, store: Path, db_path: Path, tmp_path: Path, seen: Callable[[], object]
) -> None:
    """Run ``python -m bot`` on ``db_path`` until ``seen()`` (Discord has what the test held
    the answer to), then ``kill -9`` it."""
    env = clean_environment(
        DISCORD_TOKEN=TOKEN,
        DISCORD_API_BASE_URL=fake.api_base_url,
        DISCORD_GATEWAY_URL=fake.gateway_url,
        ARTICLE_STORE=str(store),
        DATABASE_URL=f"sqlite+aiosqlite:///{db_path}",
    )
    process = await start_bot(env, tmp_path)
    try:
        await fake.wait_until(seen, timeout=60)
    finally:
        process.send_signal(signal.SIGKILL)
        await process.wait()
    assert process.returncode == -signal.SIGKILL


async def test_kill_9_mid_delivery_then_restart_completes_exactly_once(
    world: FakeDiscord, tmp_path: Path
) -> None:
    fake = world
    now = datetime.now(UTC)
    store = refresh(now, target=tmp_path / "store")
    guild = next(iter(fake.guilds.values()))
    news = next(c.id for c in fake.channels.values() if c.name == "news")
    db_path = tmp_path / "state.sqlite3"
    await _prepare_state(db_path, guild.id, news, now)

    fake.hold_next("POST", f"/channels/{news}/messages", seconds=5)
    await _run_until_then_kill(fake, store, db_path, tmp_path, lambda: fake.messages_in(news))
    assert len(fake.messages_in(news)) == 1  # Discord has it; the bot never heard back

    # The database survived the kill: intact, and the delivery is claimed but not finished.
    with sqlite3.connect(db_path) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rows = raw.execute("SELECT status, message_ids FROM deliveries").fetchall()
    assert len(rows) == 1 and rows[0][0] == "sending"

    # A new bot after the claim's lease ran out (by then Discord has forgotten the nonces, so
    # only reading the channel can tell): it takes over, sees its own first message in the
    # channel, and posts only the rest.
    fake.messages.nonce_window = 0
    harness = BotHarness(
        fake, tmp_path, store=store, clock=SettableClock(now + timedelta(minutes=11))
    )
    await harness.start()
    try:
        assert harness.bot is not None
        services = harness.bot.services
        # The start-up catch-up (run once the gateway is ready) takes the claim over by itself;
        # calling catch_up() here as well would race it and answer "already" (it is sending).
        last = await wait_delivered(harness, DeliveryKind.CHANNEL, await schedule_id(harness))
        assert last.status == DeliveryStatus.SENT, last
        posted = fake.messages_in(news)
        assert [int(m["id"]) for m in posted] == list(last.message_ids)
        texts = [text_of(m) for m in posted]
        assert len(texts) == len(set(texts)) >= 2
        assert sum(t.startswith("**Daily briefing**") for t in texts) == 1
        assert [o.status for o in await services.recovery.catch_up()] == [DeliveryStatus.ALREADY]
    finally:
        await harness.close()


@pytest.mark.parametrize("target", ["forum", "thread"])
async def test_kill_9_while_opening_a_forum_post_or_thread_then_restart_opens_one(
    world: FakeDiscord, tmp_path: Path, target: str
) -> None:
    """Killed after Discord created the forum post (or the thread from the first message) but
    before the bot heard of it: the restarted bot finds it and finishes the briefing inside
    it; there is one post (one thread), each part once."""
    fake = world
    now = datetime.now(UTC)
    store = refresh(now, target=tmp_path / "store")
    guild = next(iter(fake.guilds.values()))
    if target == "forum":
        channel = fake.add_forum_channel(guild.id, "briefings").id
        held = f"/channels/{channel}/threads"
    else:
        channel = next(c.id for c in fake.channels.values() if c.name == "news")
        held = f"/channels/{channel}/messages/{{id}}/threads"
    db_path = tmp_path / "state.sqlite3"
    await _prepare_state(db_path, guild.id, channel, now, thread=target == "thread")

    fake.hold_next("POST", held, seconds=5)
    await _run_until_then_kill(fake, store, db_path, tmp_path, lambda: fake.threads_in(channel))
    (thread,) = fake.threads_in(channel)  # Discord has it; the bot never heard back

    fake.messages.nonce_window = 0
    harness = BotHarness(
        fake, tmp_path, store=store, clock=SettableClock(now + timedelta(minutes=11))
    )
    await harness.start()
    try:
        last = await wait_delivered(harness, DeliveryKind.CHANNEL, await schedule_id(harness))
        assert last.status == DeliveryStatus.SENT, last
        assert [t.id for t in fake.threads_in(channel)] == [thread.id]
        inside = [int(m["id"]) for m in fake.messages_in(thread.id)]
        if target == "forum":
            assert list(last.message_ids) == inside and inside[0] == thread.id
        else:
            assert [int(m["id"]) for m in fake.messages_in(channel)] == [thread.id]
            assert list(last.message_ids) == [thread.id, *inside]
        texts = [text_of(fake.messages.messages[i]) for i in last.message_ids]
        assert len(texts) == len(set(texts)) >= 2
        assert sum(t.startswith("**Daily briefing**") for t in texts) == 1
    finally:
        await harness.close()
