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
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.bot.processes import start_bot  # noqa: E402
from tests.bot.scale_world import (  # noqa: E402
    TOPICS,
    bot_environment,
    everything_arrived,
    not_exactly_once,
    seed,
)
from tests.fake_discord import FakeDiscord  # noqa: E402

TOKEN = "bench-token"  # noqa: S105 - the fake server's token, not a secret
RESULTS = ROOT / "bench-results"


async def run(
    url: str, processes: int, guilds: int, subscribers: int, work: Path
) -> dict[str, float]:
    """Deliver everything with ``processes`` bot processes; return timings and counts."""
    async with FakeDiscord(token=TOKEN, shard_count=2) as fake:
        world = await seed(
            fake,
            url,
            guilds=guilds,
            subscribers=subscribers,
            topics=TOPICS,
            now=datetime.now(UTC),
            work=work,
        )
        base = bot_environment(fake, world, url, TOKEN)
        roles = (
            [{"SHARD_IDS": "0,1"}]
            if processes == 1
            else [{"SHARD_IDS": "0"}, {"SHARD_IDS": "1"}, {"WORKER_ONLY": "true"}]
        )
        started = time.perf_counter()
        procs = [await start_bot({**base, **role}, work) for role in roles]
        try:
            await fake.wait_until(lambda: everything_arrived(fake, world), timeout=1800)
            elapsed = time.perf_counter() - started
            await asyncio.sleep(2)
        finally:
            for proc in procs:
                proc.send_signal(signal.SIGINT)
            for proc in procs:
                await asyncio.wait_for(proc.wait(), 60)
        twice = len(not_exactly_once(fake, world))
        messages = sum(len(fake.messages_in(c)) for c in world.channels.values())
        messages += sum(len(fake.dms_to(u)) for u in world.users)
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
