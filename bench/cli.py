"""The ``briefings`` CLI warm-call benchmark: ``make bench`` (not part of ``make test``).

On the 10,000-article generated store (made by ``store_for`` of ``bench/run.py`` when missing, the
same one ``bench/run.py`` uses), copied to a scratch folder so it can be changed, with an empty
``XDG_CACHE_HOME`` there too, it times whole processes (Python start included):

- ``briefings search STORE WORD`` the first time (builds the default index cache);
- the same call again, warm (median of 7) — the target is under 0.5 s;
- the naive baseline in the same run: ``briefings search STORE WORD --no-cache`` (parses every
  file in memory, as before the default cache; median of 3), and the ratio to the warm call;
- a file added between two calls: the next warm call must find it (and its time).

Options: ``--articles N`` (default 10,000), ``--repeats N`` (warm calls, default 7).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.run import machine, store_for, table  # noqa: E402

WORD = "robot"
TARGET_SECONDS = 0.5
ADDED = """---
title: "Quokkaphone unveiled by the robot makers"
excerpt: "A benchmark article added between two calls."
publishedDateTime: 2026-03-10T07:00:00Z
webUrl: "https://bench.test/quokkaphone"
quality: 90
heat: 5
published: true
provider:
  name: Bench
  domain: bench.test
topics:
  - Robotics
---
Body.
"""


def timed(argv: Sequence[str], env: dict[str, str]) -> tuple[float, str]:
    """Seconds of one whole ``briefings`` process, and its output."""
    return run_process([sys.executable, "-m", "briefings", *argv], env)


def run_process(command: Sequence[str], env: dict[str, str]) -> tuple[float, str]:
    """Seconds of one whole process, and its output."""
    began = time.perf_counter()
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        env=env,
        check=True,
        cwd=ROOT,
    )
    return time.perf_counter() - began, result.stdout


def measure(articles: int, repeats: int) -> list[tuple[str, str, str, str]]:
    source = store_for(articles)
    with tempfile.TemporaryDirectory(prefix="briefings-cli-bench-") as scratch:
        store = Path(scratch) / "store"
        shutil.copytree(source, store)
        env = {**os.environ, "XDG_CACHE_HOME": str(Path(scratch) / "cache")}
        search = ["search", str(store), WORD]
        python_start = statistics.median(
            run_process([sys.executable, "-c", "pass"], env)[0] for _ in range(3)
        )
        cold, cold_out = timed(search, env)
        timed(search, env)  # one warm-up so the page cache holds the index, as for a user
        warm_runs, naive_runs = [], []
        for round_ in range(repeats):
            warm_runs.append(timed(search, env)[0])
            if round_ < 3:  # warm and naive take turns: a change in load weighs on both
                naive, naive_out = timed([*search, "--no-cache"], env)
                naive_runs.append(naive)
                if naive_out != cold_out:
                    raise SystemExit("the cached and --no-cache outputs differ")
        (store / "added" / "quokkaphone.md").parent.mkdir()
        (store / "added" / "quokkaphone.md").write_text(ADDED, encoding="utf-8")
        after_add, added_out = timed(["search", str(store), "quokkaphone"], env)
    warm, naive = statistics.median(warm_runs), statistics.median(naive_runs)
    found = "Quokkaphone unveiled" in added_out

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "FAIL"

    n = f"{articles:,}"
    return [
        ("measure", "value", "target and ratios", "verdict"),
        (f"{n} search, first call (s)", f"{cold:.2f}", "builds the default cache", "-"),
        (
            f"{n} search, warm call (s)",
            f"{warm:.3f}",
            f"< {TARGET_SECONDS} s (median of {repeats}; min {min(warm_runs):.3f}, "
            f"max {max(warm_runs):.3f})",
            verdict(warm < TARGET_SECONDS),
        ),
        (
            f"{n} search --no-cache, naive (s)",
            f"{naive:.2f}",
            f"naive / warm = {naive / warm:.1f}x (median of {len(naive_runs)})",
            "-",
        ),
        (
            f"{n} search after adding a file (s)",
            f"{after_add:.3f}",
            "the new file is found by the next call",
            verdict(found and after_add < TARGET_SECONDS),
        ),
        ("python start alone (s)", f"{python_start:.3f}", "(informative: the floor)", "-"),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    print(f"briefings CLI warm-call benchmark on {machine()}", flush=True)
    lines = measure(args.articles, args.repeats)
    print()
    print(table(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
