"""Benchmark: delivering 500 channel briefings and 5,000 DM digests with 1 process vs 3.

Runs real ``python -m bot`` processes against the fake Discord server of ``tests/`` (in this
process, on 127.0.0.1) and one PostgreSQL (``PG_TEST_URL``, or a throwaway cluster started by
``scripts/pg_test_cluster.sh``). One process runs both shards; three processes are shard 0,
shard 1 and a digest worker. The time is from the processes' start until every briefing and
digest has arrived; the run also checks each arrived exactly once. Prints one table and writes
``bench-results/scale.json``. Usage: ``python bench/scale.py [--guilds N] [--subscribers N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402
from sqlalchemy.ext.asyncio import create_async_engine  # noqa: E402

from bot.state import Database, schedules, subscriptions  # noqa: E402
from bot.state.schedules import ChannelSchedule  # noqa: E402
from scripts.sample_store import refresh  # noqa: E402
from tests.fake_discord import FakeDiscord  # noqa: E402

TOKEN = "bench-token"  # noqa: S105 - the fake server's token, not a secret
TOPICS = ["Space", "Robotics", "Security", "Health Tech", "Open Source", "Climate & Energy"]
RESULTS = ROOT / "bench-results"


async def _reset(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        for table in ("subscriptions", "digest_users", "deliveries", "channel_schedules"):
            await connection.execute(text(f"DROP TABLE IF EXISTS {table} CASCADE"))
        for table in ("schema_version", "alembic_version"):
            await connection.execute(text(f"DROP TABLE IF EXISTS {table}"))
    await engine.dispose()


async def run(
    url: str, processes: int, guilds: int, subscribers: int, work: Path
) -> dict[str, float]:
    """Deliver everything with ``processes`` bot processes; return timings and counts."""
    await _reset(url)
    now = datetime.now(UTC)
    due = (now - timedelta(minutes=2)).time().replace(second=0, microsecond=0)
    store = refresh(now, target=work / "store")
    async with FakeDiscord(token=TOKEN, shard_count=2) as fake:
        owner = fake.add_user("owner")
        channels = {}
        for number in range(guilds):
            guild = fake.add_guild(f"Guild {number}", owner_id=owner.id)
            channels[guild.id] = fake.add_text_channel(guild.id, "news").id
        users = [fake.add_user(f"reader{n}") for n in range(subscribers)]
        db = await Database.connect(url)
        try:
            for guild_id, channel_id in channels.items():
                schedule = ChannelSchedule(guild_id, channel_id, due, "UTC")
                await schedules.save_schedule(db, schedule, now=now - timedelta(hours=1))
            for number, user in enumerate(users):
                await subscriptions.subscribe(
                    db,
                    user.id,
                    TOPICS[number % len(TOPICS)],
                    now=now - timedelta(hours=1),
                    post_time=due,
                    timezone="UTC",
                )
        finally:
            await db.close()

        keep = ("DISCORD_", "ARTICLE_", "DATABASE_", "SHARD_", "WORKER_")
        base = {k: v for k, v in os.environ.items() if not k.startswith(keep)}
        base.update(
            DISCORD_TOKEN=TOKEN,
            DISCORD_API_BASE_URL=fake.api_base_url,
            DISCORD_GATEWAY_URL=fake.gateway_url,
            ARTICLE_STORE=str(store),
            DATABASE_URL=url,
            SHARD_COUNT="2",
            LOG_LEVEL="WARNING",
        )
        roles = (
            [{"SHARD_IDS": "0,1"}]
            if processes == 1
            else [{"SHARD_IDS": "0"}, {"SHARD_IDS": "1"}, {"WORKER_ONLY": "true"}]
        )
        started = time.perf_counter()
        procs = [
            await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                cwd=work,
                env={**base, **role},
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL,
            )
            for role in roles
        ]

        def done() -> bool:
            return all(fake.messages_in(c) for c in channels.values()) and all(
                fake.dms_to(u.id) for u in users
            )

        try:
            await fake.wait_until(done, timeout=1800)
            elapsed = time.perf_counter() - started
            await asyncio.sleep(2)
        finally:
            for proc in procs:
                proc.send_signal(signal.SIGINT)
            for proc in procs:
                await asyncio.wait_for(proc.wait(), 60)
        twice = sum(
            1
            for c in channels.values()
            if sum(
                (m.get("content") or "").startswith("**Daily briefing**")
                for m in fake.messages_in(c)
            )
            != 1
        ) + sum(
            1
            for u in users
            if sum(
                (m.get("content") or "").startswith("**Your daily digest**")
                for m in fake.dms_to(u.id)
            )
            != 1
        )
        messages = sum(len(fake.messages_in(c)) for c in channels.values())
        messages += sum(len(fake.dms_to(u.id)) for u in users)
    return {"seconds": elapsed, "messages": messages, "not_exactly_once": twice}


def _cluster() -> tuple[str, str | None]:
    if os.environ.get("PG_TEST_URL"):
        return os.environ["PG_TEST_URL"], None
    out = subprocess.run(
        ["bash", str(ROOT / "scripts" / "pg_test_cluster.sh"), "start"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    exports = dict(
        line.removeprefix("export ").split("=", 1)
        for line in out.splitlines()
        if line.startswith("export ")
    )
    url = exports.get("PG_TEST_URL", "").strip("'")
    return url, exports.get("PG_TEST_CLUSTER", "").strip("'") or None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guilds", type=int, default=500)
    parser.add_argument("--subscribers", type=int, default=5000)
    args = parser.parse_args()
    url, cluster = _cluster()
    if not url:
        print("scale benchmark skipped: no PostgreSQL server binaries (set PG_TEST_URL)")
        return 0
    work = RESULTS / "scale"
    work.mkdir(parents=True, exist_ok=True)
    try:
        one = asyncio.run(run(url, 1, args.guilds, args.subscribers, work))
        three = asyncio.run(run(url, 3, args.guilds, args.subscribers, work))
    finally:
        if cluster:
            subprocess.run(
                ["bash", str(ROOT / "scripts" / "pg_test_cluster.sh"), "stop"],
                env={**os.environ, "PG_TEST_CLUSTER": cluster},
                capture_output=True,
                check=False,
            )
    speedup = one["seconds"] / three["seconds"]
    print(f"\nDelivery of {args.guilds} channel briefings and {args.subscribers} digests")
    print("(real bot processes, fake Discord on 127.0.0.1, one PostgreSQL)")
    print(f"{'processes':<12}{'seconds':>10}{'messages':>10}{'not once':>10}")
    for name, row in (("1", one), ("3", three)):
        print(
            f"{name:<12}{row['seconds']:>10.1f}{row['messages']:>10.0f}{row['not_exactly_once']:>10.0f}"
        )
    print(f"speed-up with 3 processes: {speedup:.2f}x")
    (RESULTS / "scale.json").write_text(
        json.dumps(
            {
                "guilds": args.guilds,
                "subscribers": args.subscribers,
                "one": one,
                "three": three,
                "speedup": speedup,
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    return 0 if one["not_exactly_once"] == three["not_exactly_once"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
