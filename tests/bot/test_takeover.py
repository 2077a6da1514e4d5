"""Crash takeover: ``kill -9`` a bot process in the middle of a 200-subscriber DM fan-out.

Real ``python -m bot`` processes against the fake Discord server:

* SQLite, one process: killed while Discord holds the answer to a digest it has already
  posted (the log never heard of it), restarted: within 30 s of the restart every subscriber
  has exactly one digest (the restarted process, named like the killed one, takes its claims
  over at once; Discord's nonces are forgotten, so only reading the DM history can tell).
* PostgreSQL, two sharded processes: one is killed while it holds unfinished claims (a chunk of
  the fan-out), then restarted: the same 30 s.
* PostgreSQL, two sharded processes: one is killed and *not* restarted: its peer sees its
  heartbeat stop and finishes the fan-out within 30 s.

Exactly once is checked after the delivery log shows nothing left in ``"sending"``: from then
on nothing can be sent again. It is checked twice over: each subscriber's DM holds exactly one
digest (one message), and the bot POSTed it under exactly one nonce, so the number of distinct
nonces is the number of subscribers (:func:`~tests.bot.scale_world.digests_not_single`). A
re-POST of the same nonce after the crash is legitimate — that is what ``enforce_nonce`` is
for — and only counted; a digest sent again under a second nonce (which Discord could never
merge), or sent without a nonce, fails the test.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, time
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.state.database import open_engine
from tests.bot.harness import TOKEN
from tests.bot.processes import start_bot
from tests.bot.scale_world import (
    DIGEST_HEADING,
    World,
    bot_environment,
    digests_not_single,
    not_exactly_once,
    seed,
)
from tests.fake_discord import FakeDiscord

SUBSCRIBERS = 200
RECOVERY = 30.0
"""Seconds from the restart (or the kill) by which every digest must have arrived."""
START = 120.0
"""Generous: seconds for processes to start and get under way on a loaded machine."""
MESSAGES = "/channels/{id}/messages"


def _everyone_has_a_digest(fake: FakeDiscord, world: World) -> bool:
    return all(fake.dms_to(user) for user in world.users)


def _digests_so_far(fake: FakeDiscord, world: World) -> int:
    return sum(1 for user in world.users if fake.dms_to(user))


async def _scalar(engine: AsyncEngine, sql: str, **params: object) -> int:
    async with engine.connect() as connection:
        return int((await connection.execute(text(sql), params)).scalar_one())


async def _unfinished(engine: AsyncEngine, holder_name: str | None = None) -> int:
    """Digests still ``"sending"`` (held by instances named ``holder_name``, if given)."""
    if holder_name is None:
        return await _scalar(
            engine, "SELECT count(*) FROM deliveries WHERE status = 'sending' AND kind = 'digest'"
        )
    return await _scalar(
        engine,
        "SELECT count(*) FROM deliveries d JOIN instances i ON d.holder = i.id "
        "WHERE d.status = 'sending' AND d.kind = 'digest' AND i.name = :name",
        name=holder_name,
    )


async def _wait_all_finished(
    fake: FakeDiscord, world: World, engine: AsyncEngine, *, since: float
) -> None:
    """Within :data:`RECOVERY` seconds of the loop time ``since``: every subscriber has a
    digest and the log has no digest left to send."""
    loop = asyncio.get_running_loop()
    await fake.wait_until(
        lambda: _everyone_has_a_digest(fake, world), timeout=since + RECOVERY - loop.time()
    )
    await _poll(lambda: _nothing_unfinished(engine), until=since + RECOVERY)


async def _nothing_unfinished(engine: AsyncEngine) -> bool:
    return not await _unfinished(engine)


async def _poll(check: Callable[[], Awaitable[object]], *, until: float) -> None:
    """Re-check ``check`` every 0.1 s until it is truthy; time out at the loop time ``until``."""
    async with asyncio.timeout_at(until):
        while True:
            if await check():
                return
            await asyncio.sleep(0.1)


async def _stop(*processes: asyncio.subprocess.Process) -> None:
    for process in processes:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
    for process in processes:
        try:
            await asyncio.wait_for(process.wait(), 30)
        except TimeoutError:
            process.kill()
            await process.wait()


async def _kill_while_holding_claims(
    process: asyncio.subprocess.Process, name: str, engine: AsyncEngine
) -> int:
    """``kill -9`` ``process`` at a moment it holds unfinished digest claims; how many.

    The process is frozen (SIGSTOP) first, so the claims it holds cannot change while they are
    counted; between two chunks of its fan-out it holds none, and is let go a little longer.
    """
    for _ in range(200):
        process.send_signal(signal.SIGSTOP)
        held = await _unfinished(engine, name)
        if held:
            process.send_signal(signal.SIGKILL)
            await process.wait()
            return held
        process.send_signal(signal.SIGCONT)
        await asyncio.sleep(0.01)
    raise AssertionError(f"{name} never held an unfinished claim")


@pytest.fixture
async def pg_url() -> str:
    url = os.environ.get("PG_TEST_URL")
    if not url:
        pytest.skip(
            "PG_TEST_URL is not set (make test sets it when PostgreSQL server binaries are installed)"
        )
    return url


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(token=TOKEN, shard_count=2) as server:
        yield server


async def _seed(fake: FakeDiscord, url: str, work: Path) -> World:
    return await seed(
        fake,
        url,
        guilds=4,
        subscribers=SUBSCRIBERS,
        topics=("Space", "Robotics", "Security", "Health Tech"),
        now=datetime.now(UTC),
        work=work,
    )


def _assert_every_digest_once(fake: FakeDiscord, world: World) -> None:
    """Every subscriber has one digest, POSTed under one nonce (see the module docstring)."""
    assert digests_not_single(fake, world) == []
    channels = [fake.dm_channel_id(user) for user in world.users]
    nonces = [n for c in channels if c is not None for n in fake.messages.nonces_in(c)]
    assert len(set(nonces)) == len(nonces) == SUBSCRIBERS


async def test_the_once_check_sees_a_digest_sent_under_a_second_nonce(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    """The check above, against the fake alone: a re-POST of a nonce passes, a second nonce
    for a subscriber fails it (with or without Discord's nonce memory)."""
    world = World(tmp_path, {}, [fake.add_user(f"reader{n}").id for n in range(2)], time(8))
    url = fake.api_base_url + "/channels/{}/messages"
    headers = {"Authorization": f"Bot {TOKEN}"}
    async with aiohttp.ClientSession(headers=headers) as http:

        async def post(user: int, nonce: str) -> None:
            body = {"content": DIGEST_HEADING, "nonce": nonce, "enforce_nonce": True}
            channel = fake.dm_channel(user).id
            async with http.post(url.format(channel), json=body) as response:
                assert response.status == 200, await response.text()

        await post(world.users[0], "1")
        await post(world.users[1], "2")
        await post(world.users[1], "2")  # the answer was lost: sent again, de-duplicated
        assert digests_not_single(fake, world) == [] and fake.messages.nonce_duplicates == 1
        await post(world.users[1], "3")  # the same digest under another key
        assert digests_not_single(fake, world) == [f"user {world.users[1]}: 2 messages, 2 nonces"]
        assert not_exactly_once(fake, world) == [f"user {world.users[1]}: 2 digests"]


async def test_sqlite_kill_9_mid_fan_out_then_restart_every_digest_once_within_30_s(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'state.sqlite3'}"
    world = await _seed(fake, url, tmp_path)
    env = bot_environment(fake, world, url, TOKEN)
    log = tmp_path / "bot.log"
    engine = open_engine(url)
    process = await start_bot(env, tmp_path, log=log)
    try:
        await fake.wait_until(lambda: _digests_so_far(fake, world) >= 50, timeout=START)
        # Discord posts the next digest but holds its answer: kill the bot right then
        since = len(fake.requests)
        fake.hold_next("POST", MESSAGES, seconds=60)
        held = await fake.wait_for(
            lambda r: r.forced and r.matches("POST", MESSAGES), timeout=30, since=since
        )
        process.send_signal(signal.SIGKILL)
        await process.wait()
        assert held.status == 200
        assert await _unfinished(engine) >= 1  # the held digest at least
        assert not _everyone_has_a_digest(fake, world)
        fake.messages.nonce_window = 0  # only the DM history can tell what was posted

        restart = asyncio.get_running_loop().time()
        restarted = await start_bot(env, tmp_path, log=log)
        try:
            await _wait_all_finished(fake, world, engine, since=restart)
        finally:
            await _stop(restarted)
    finally:
        await _stop(process)
        await engine.dispose()
    assert not_exactly_once(fake, world) == [], log.read_text()[-5000:]
    _assert_every_digest_once(fake, world)


@dataclass
class _ShardKilled:
    """Two shard processes on PostgreSQL, shard 1 killed mid fan-out while holding claims."""

    world: World
    engine: AsyncEngine
    shard_1_env: dict[str, str]
    killed_at: float
    """The loop time of the kill."""
    processes: list[asyncio.subprocess.Process]
    """Stopped at the end; a test adds any process it starts."""


@asynccontextmanager
async def _shard_1_killed_mid_fan_out(
    fake: FakeDiscord, url: str, work: Path
) -> AsyncIterator[_ShardKilled]:
    world = await _seed(fake, url, work)
    engine = open_engine(url)
    base = bot_environment(fake, world, url, TOKEN)
    envs = [{**base, "SHARD_IDS": str(n), "INSTANCE_NAME": f"shard-{n}"} for n in (0, 1)]
    # Until the kill Discord answers each message a second late: however far apart the two
    # processes get going, shard 0 cannot finish the fan-out before shard 1 holds a chunk.
    slow = fake.hold_next("POST", MESSAGES, seconds=1, times=None)
    processes = [
        await start_bot(env, work, log=work / f"shard-{n}.log") for n, env in enumerate(envs)
    ]
    try:
        until = asyncio.get_running_loop().time() + START
        await _poll(lambda: _unfinished(engine, "shard-1"), until=until)  # shard 1 is sending
        assert await _kill_while_holding_claims(processes[1], "shard-1", engine) >= 1
        killed_at = asyncio.get_running_loop().time()
        fake.faults.remove(slow)
        assert not _everyone_has_a_digest(fake, world)
        yield _ShardKilled(world, engine, envs[1], killed_at, processes)
    finally:
        await _stop(*processes)
        await engine.dispose()


@pytest.mark.postgres
async def test_postgres_two_shards_kill_9_one_then_restart_it_every_digest_once_within_30_s(
    fake: FakeDiscord, pg_url: str, tmp_path: Path
) -> None:
    async with _shard_1_killed_mid_fan_out(fake, pg_url, tmp_path) as run:
        restart = asyncio.get_running_loop().time()
        log = tmp_path / "shard-1.log"
        run.processes.append(await start_bot(run.shard_1_env, tmp_path, log=log))
        await _wait_all_finished(fake, run.world, run.engine, since=restart)
    assert not_exactly_once(fake, run.world) == []
    _assert_every_digest_once(fake, run.world)


@pytest.mark.postgres
async def test_postgres_two_shards_kill_9_one_its_peer_finishes_the_digests_within_30_s(
    fake: FakeDiscord, pg_url: str, tmp_path: Path
) -> None:
    async with _shard_1_killed_mid_fan_out(fake, pg_url, tmp_path) as run:
        await _wait_all_finished(fake, run.world, run.engine, since=run.killed_at)
        assert await _unfinished(run.engine, "shard-1") == 0
    # the dead shard's guilds wait for it; every digest arrived exactly once
    digests = not_exactly_once(fake, run.world)
    assert [wrong for wrong in digests if wrong.startswith("user")] == []
    _assert_every_digest_once(fake, run.world)
