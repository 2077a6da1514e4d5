"""The benchmark suite of the store index: ``make bench`` (not part of ``make test``).

For each store size (10,000 and 100,000 articles by default) it generates a synthetic store
once (``bench/generate.py``, cached in ``bench-results/stores/`` by size, days, seed and
generator version) and measures, each in a fresh process so nothing is shared:

- **cold index**: ``StoreIndex(root, cache).sync()`` on an empty cache, until it answers
  queries (median of 3); the FTS5 merge and WAL checkpoint it leaves to ``close()`` (or the
  next sync) are timed separately and shown next to it;
- **warm start**: the same on the unchanged store with its cache (median of 3);
- **serve** (one process, like the bot): warm start, then 1 file added, 1 changed, 1 deleted
  (3 times each; time from the change on disk until ``sync`` returns and search and a briefing
  show it), search latency p50/p95 of 200 varied queries without and with filters, briefing
  assembly at 40 moments, topic overview, DM fan-out composition for 10,000 subscribers, and
  the peak RSS of that process;
- **naive baseline**: a loop of ``yaml.safe_load`` over every file, then a linear scan of the
  loaded dicts for search (median of 3; fewer queries at 100,000). Cold runs and naive runs
  take turns, so a change in the machine's speed weighs on both sides of their ratio.

It prints one table with the targets of the issue, PASS/FAIL and the ratios, and writes
``bench-results/results.json``. Options: ``--sizes 10000,100000``, ``--repeats 3``,
``--quick`` (sizes 2,000 and 10,000, one run each: a smoke test of the suite itself).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.generate import DEFAULT_END, GENERATOR_VERSION, generate_store, vocabulary  # noqa: E402
from briefings.briefing import BriefingRequest  # noqa: E402
from briefings.index import SearchFilters, StoreIndex  # noqa: E402

RESULTS = ROOT / "bench-results"
DAYS = 730
SEED = 1
SUBSCRIBERS = 10_000
ZONES = ("UTC", "Europe/Paris", "America/New_York", "Asia/Tokyo", "Australia/Sydney")
TOPICS = (
    "Artificial Intelligence",
    "AI",
    "Security",
    "Robotics",
    "Open Source",
    "Cloud",
    "Space",
    "Climate & Energy",
    "Health Tech",
    "Markets",
    "Startups",
    "Technology",
    "Science",
    "Business",
)


# --- inputs -----------------------------------------------------------------------------------


def store_for(articles: int) -> Path:
    """The generated store of this size (made once, then reused)."""
    root = RESULTS / "stores" / f"n{articles}-d{DAYS}-s{SEED}-v{GENERATOR_VERSION}"
    done = root.with_name(root.name + ".complete")
    if not done.exists():
        shutil.rmtree(root, ignore_errors=True)
        print(f"  generating {articles:,} articles into {root} ...", flush=True)
        generate_store(root, articles=articles, days=DAYS, seed=SEED)
        done.write_text("ok\n", encoding="utf-8")
        os.sync()  # the new files reach the disk now, not during the first timed run
    return root


def queries(count: int = 200, seed: int = 5) -> list[str]:
    """Varied queries: common and rare words, phrases, OR, NOT, prefixes, junk, long text."""
    rng = random.Random(seed)
    words, companies = vocabulary(SEED)
    forms: list[Callable[[], str]] = [
        lambda: rng.choice(words[:20]),
        lambda: rng.choice(words),
        lambda: f"{rng.choice(words)} {rng.choice(words)}",
        lambda: f'"{rng.choice(words)} {rng.choice(words)}"',
        lambda: f"{rng.choice(words)} OR {rng.choice(words)}",
        lambda: f"{rng.choice(words)} -{rng.choice(words)}",
        lambda: f"{rng.choice(words)} NOT {rng.choice(words)}",
        lambda: rng.choice(words)[: rng.randint(1, 3)] + "*",
        lambda: rng.choice(companies).split()[0],
        lambda: rng.choice(companies),
        lambda: f"{rng.choice(companies).split()[0]} {rng.choice(words)}",
        lambda: rng.choice(["zyxwv", "qqqq nothing", "unfindable42"]),
        lambda: rng.choice(["!!!", "🙂 robot", "NEAR(", '"unbalanced', "title:robot"]),
        lambda: " ".join(rng.choice(words) for _ in range(12)),
        lambda: rng.choice(words).upper(),
        lambda: rng.choice(["café", "zurich", "Zürich", "naïve"]),
    ]
    return [rng.choice(forms)() for _ in range(count)]


def filters_for(count: int, seed: int = 6) -> list[SearchFilters]:
    rng = random.Random(seed)
    made: list[SearchFilters] = []
    for _ in range(count):
        since = DEFAULT_END - timedelta(days=rng.randint(1, DAYS))
        made.append(
            rng.choice(
                [
                    SearchFilters(topic=rng.choice(TOPICS)),
                    SearchFilters(provider=rng.choice(["The Daily Axis", "The Orbit Wire"])),
                    SearchFilters(since=since, until=since + timedelta(days=rng.randint(1, 60))),
                    SearchFilters(topic=rng.choice(TOPICS), since=since),
                    SearchFilters(published_only=False, topic=rng.choice(TOPICS)),
                ]
            )
        )
    return made


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- measured in child processes --------------------------------------------------------------


def child_cold(root: Path, cache: Path) -> dict[str, Any]:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{cache}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    with StoreIndex(root, cache) as index:
        report = index.sync()
        seconds = time.perf_counter() - started  # searchable from here on
        count = index.article_count
        closing = time.perf_counter()
    close = time.perf_counter() - closing  # the deferred FTS5 merge and WAL checkpoint
    worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "seconds": seconds,
        "close_seconds": close,
        "articles": count,
        "parsed": report.parsed,
        "rss_mb": rss_mb(),
        "worker_rss_mb": worker,
    }


def child_warm(root: Path, cache: Path) -> dict[str, Any]:
    started = time.perf_counter()
    with StoreIndex(root, cache) as index:
        report = index.sync()
        seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "parsed": report.parsed,
        "unchanged": report.unchanged,
        "rss_mb": rss_mb(),
    }


def _added_text(token: str) -> str:
    at = (DEFAULT_END - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        f'---\ntitle: "Benchmark {token} story"\npublishedDateTime: {at}\n'
        f'webUrl: "https://bench.test/{token}"\nquality: 150\npublished: true\n'
        "provider:\n  name: Bench Wire\ntopics:\n  - Robotics\n---\n"
    )


def _visible(index: StoreIndex, token: str) -> bool:
    found = index.search(token, filters=SearchFilters(published_only=False)).total > 0
    briefing = index.briefing(BriefingRequest(at=DEFAULT_END, per_topic=50))
    shown = any(token in s.lead.title for sec in briefing.sections for s in sec.stories)
    return found and shown


def _incremental(index: StoreIndex, root: Path, repeats: int) -> dict[str, list[float]]:
    """Add, change and delete one file; seconds until search and a briefing show it."""
    times: dict[str, list[float]] = {"add": [], "change": [], "delete": []}
    for number in range(repeats):
        token = f"zqadd{number}"
        path = root / "news" / f"zz-bench-{number}.md"
        started = time.perf_counter()
        path.write_text(_added_text(token), encoding="utf-8")
        index.sync()
        assert _visible(index, token)
        times["add"].append(time.perf_counter() - started)

        token = f"zqchange{number}"
        started = time.perf_counter()
        path.write_text(_added_text(token), encoding="utf-8")
        index.sync()
        assert _visible(index, token)
        times["change"].append(time.perf_counter() - started)

        started = time.perf_counter()
        path.unlink()
        index.sync()
        assert not _visible(index, token)
        times["delete"].append(time.perf_counter() - started)
    return times


def _fan_out(index: StoreIndex) -> dict[str, Any]:
    """Compose DM digests for 10,000 subscribers with the bot's own :class:`DigestComposer`.

    Subscribers follow 1-3 topics (popular ones more often) in one of a few time zones; one
    batch groups them: the window is read once, each topic set selected once and each
    (zone, topic set) rendered once.
    """
    from bot.digests import DigestComposer

    rng = random.Random(11)
    weights = [1 / (rank + 1) for rank in range(len(TOPICS))]
    subscribers = [
        (tuple(set(rng.choices(TOPICS, weights, k=rng.randint(1, 3)))), rng.choice(ZONES))
        for _ in range(SUBSCRIBERS)
    ]
    cpu = time.process_time()
    composer = DigestComposer(lambda due: index.briefings_by_topics(BriefingRequest(at=due)))
    digests = [composer.compose(topics, DEFAULT_END, zone) for topics, zone in subscribers]
    seconds = time.process_time() - cpu
    assert len(digests) == SUBSCRIBERS and any(digests)  # a rare topic set may have none
    return {
        "cpu_seconds": seconds,
        "distinct_topic_sets": composer.selected,
        "distinct_renders": composer.distinct,
        "subscribers": SUBSCRIBERS,
    }


def child_serve(root: Path, cache: Path, repeats: int) -> dict[str, Any]:
    started = time.perf_counter()
    index = StoreIndex(root, cache)
    report = index.sync()
    warm = time.perf_counter() - started
    result: dict[str, Any] = {"warm_seconds": warm, "warm_parsed": report.parsed}
    result["incremental"] = _incremental(index, root, repeats)
    texts = queries()
    filters = filters_for(len(texts))
    for name, pairs in (
        ("search", [(q, SearchFilters()) for q in texts]),
        ("search_filtered", list(zip(texts, filters, strict=True))),
    ):
        passes = []
        for _ in range(2):  # the first pass warms SQLite's page cache; both are kept
            latencies = []
            for text, chosen in pairs:
                began = time.perf_counter()
                index.search(text, filters=chosen, limit=10)
                latencies.append((time.perf_counter() - began) * 1000)
            passes.append(latencies)
        result[name] = {
            "first_pass_p95_ms": percentile(passes[0], 0.95),
            "p50_ms": percentile(passes[1], 0.5),
            "p95_ms": percentile(passes[1], 0.95),
            "max_ms": max(passes[1]),
        }
    assemble_ms = []
    for hours in range(0, 40 * 13, 13):
        at = DEFAULT_END - timedelta(hours=hours)
        for request in (BriefingRequest(at=at), BriefingRequest(at=at, topics=("Technology",))):
            began = time.perf_counter()
            index.briefing(request)
            assemble_ms.append((time.perf_counter() - began) * 1000)
    result["briefing"] = {
        "p50_ms": percentile(assemble_ms, 0.5),
        "p95_ms": percentile(assemble_ms, 0.95),
    }
    began = time.perf_counter()
    index.topic_summaries()
    result["topics_ms"] = (time.perf_counter() - began) * 1000
    result["fan_out"] = _fan_out(index)
    index.close()
    result["rss_mb"] = rss_mb()
    return result


def child_naive(root: Path, query_count: int) -> dict[str, Any]:
    import yaml

    from briefings.store import iter_article_files

    files = list(iter_article_files(root, skip=root / "topics"))
    started = time.perf_counter()
    documents = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        front_matter = text.split("\n---", 1)[0][4:]
        documents.append(yaml.safe_load(front_matter))
    load = time.perf_counter() - started
    haystacks = [
        (f"{d.get('title', '')} {d.get('excerpt', '')} {d.get('topics', '')}".lower(), d)
        for d in documents
    ]
    latencies = []
    for text in queries()[:query_count]:
        words = [w.lower().strip('"*-') for w in text.split() if w not in ("OR", "NOT", "AND")]
        began = time.perf_counter()
        hits = [d for hay, d in haystacks if all(w in hay for w in words)]
        hits.sort(key=lambda d: -float(d.get("quality") or 0))
        latencies.append((time.perf_counter() - began) * 1000)
    return {
        "load_seconds": load,
        "files": len(files),
        "search_p50_ms": percentile(latencies, 0.5),
        "search_p95_ms": percentile(latencies, 0.95),
        "queries": query_count,
        "rss_mb": rss_mb(),
    }


def busy_share(seconds: float = 0.5) -> float:
    """How busy the CPUs are right now (0..1), from /proc/stat (0 where it is missing)."""
    try:

        def sample() -> tuple[int, int]:
            fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
            idle = fields[3] + fields[4]
            return sum(fields) - idle, sum(fields)

        busy0, total0 = sample()
        time.sleep(seconds)
        busy1, total1 = sample()
    except (OSError, ValueError, IndexError):
        return 0.0
    return (busy1 - busy0) / max(1, total1 - total0)


QUIET: list[float] = []
"""The background load seen before each timed run (other programs on the machine)."""


def wait_for_quiet(limit: float = 60.0) -> None:
    """Wait (up to ``limit`` seconds) until other programs leave the CPUs mostly idle."""
    waited = 0.0
    load = busy_share()
    while load > 0.15 and waited < limit:
        time.sleep(2)
        waited += 2.5
        load = busy_share()
    QUIET.append(load)


def run_child(mode: str, *args: str) -> dict[str, Any]:
    wait_for_quiet()
    completed = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", mode, *args],
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(completed.stdout.strip().splitlines()[-1]))


# --- the suite --------------------------------------------------------------------------------


def measure(size: int, repeats: int, naive_runs: int, naive_queries: int) -> dict[str, Any]:
    root = store_for(size)
    cache = RESULTS / f"cache-{size}.sqlite"
    # Cold index and naive baseline take turns, so a change in the machine's speed during the
    # run (a busy neighbour on a VM) weighs on both sides of their ratio alike.
    print(
        f"  cold index x{repeats}, naive baseline x{naive_runs} ({naive_queries} queries) ...",
        flush=True,
    )
    cold: list[dict[str, Any]] = []
    naive: list[dict[str, Any]] = []
    for turn in range(max(repeats, naive_runs)):
        if turn < repeats:
            cold.append(run_child("cold", str(root), str(cache)))
        if turn < naive_runs:
            naive.append(run_child("naive", str(root), str(naive_queries)))
    print(f"  warm start x{repeats} ...", flush=True)
    warm = [run_child("warm", str(root), str(cache)) for _ in range(repeats)]
    print("  serving: incremental updates, search, briefings, fan-out ...", flush=True)
    serve = run_child("serve", str(root), str(cache), str(repeats))
    assert all(run["parsed"] == 0 for run in warm), "a warm start parsed files"
    return {
        "articles": cold[0]["articles"],
        "cold_seconds": statistics.median(run["seconds"] for run in cold),
        "cold_runs": [run["seconds"] for run in cold],
        "cold_close_seconds": statistics.median(run["close_seconds"] for run in cold),
        "cold_rss_mb": max(run["rss_mb"] for run in cold),
        "cold_worker_rss_mb": max(run["worker_rss_mb"] for run in cold),
        "warm_seconds": statistics.median(run["seconds"] for run in warm),
        "warm_runs": [run["seconds"] for run in warm],
        "serve": serve,
        "naive_load_seconds": statistics.median(run["load_seconds"] for run in naive),
        "naive_runs": [run["load_seconds"] for run in naive],
        "naive_search_p50_ms": statistics.median(run["search_p50_ms"] for run in naive),
        "naive_search_p95_ms": statistics.median(run["search_p95_ms"] for run in naive),
        "naive_queries": naive_queries,
        "naive_rss_mb": max(run["rss_mb"] for run in naive),
    }


def rows(size: int, m: dict[str, Any], large: bool) -> list[tuple[str, str, str, str]]:
    """(measure, value, target, verdict) lines of one size; targets apply to the large size."""
    serve = m["serve"]
    inc = serve["incremental"]
    cold, warm, naive = m["cold_seconds"], m["warm_seconds"], m["naive_load_seconds"]
    worst_inc = max(statistics.median(values) for values in inc.values())
    p95 = max(serve["search"]["p95_ms"], serve["search_filtered"]["p95_ms"])

    def verdict(ok: bool) -> str:
        return ("PASS" if ok else "FAIL") if large else "-"

    n = f"{size:,}"
    return [
        (
            f"{n} cold index (s)",
            f"{cold:.2f}",
            f"naive/cold >= 10x (naive {naive:.1f} s, {naive / cold:.1f}x; "
            f"+{m['cold_close_seconds']:.1f} s merge at close)",
            verdict(naive / cold >= 10),
        ),
        (
            f"{n} warm start (s)",
            f"{warm:.3f}",
            f"< 2 s and cold/warm >= 20x ({cold / warm:.1f}x)",
            verdict(warm < 2 and cold / warm >= 20),
        ),
        (
            f"{n} update: add/change/delete (s)",
            "/".join(f"{statistics.median(inc[k]):.2f}" for k in ("add", "change", "delete")),
            "each < 2 s until search and briefing show it",
            verdict(worst_inc < 2),
        ),
        (
            f"{n} search p50/p95 (ms)",
            f"{serve['search']['p50_ms']:.1f}/{serve['search']['p95_ms']:.1f}",
            f"p95 < 15 ms (naive scan p95 {m['naive_search_p95_ms']:.0f} ms, "
            f"{m['naive_search_p95_ms'] / serve['search']['p95_ms']:.0f}x)",
            verdict(p95 < 15),
        ),
        (
            f"{n} search+filters p50/p95 (ms)",
            f"{serve['search_filtered']['p50_ms']:.1f}/{serve['search_filtered']['p95_ms']:.1f}",
            "p95 < 15 ms",
            verdict(p95 < 15),
        ),
        (
            f"{n} briefing assembly p50/p95 (ms)",
            f"{serve['briefing']['p50_ms']:.1f}/{serve['briefing']['p95_ms']:.1f}",
            "< 50 ms",
            verdict(serve["briefing"]["p95_ms"] < 50),
        ),
        (
            f"{n} peak RSS serving (MB)",
            f"{serve['rss_mb']:.0f}",
            f"< 300 MB (cold: {m['cold_rss_mb']:.0f} + workers {m['cold_worker_rss_mb']:.0f}; "
            f"naive {m['naive_rss_mb']:.0f})",
            verdict(serve["rss_mb"] < 300),
        ),
        (
            f"{n} DM fan-out 10,000 subscribers (CPU s)",
            f"{serve['fan_out']['cpu_seconds']:.2f}",
            f"< 2 s ({serve['fan_out']['distinct_topic_sets']} topic sets, "
            f"{serve['fan_out']['distinct_renders']} renders)",
            verdict(serve["fan_out"]["cpu_seconds"] < 2),
        ),
        (f"{n} topic overview (ms)", f"{serve['topics_ms']:.0f}", "(informative)", "-"),
    ]


def table(lines: list[tuple[str, str, str, str]]) -> str:
    widths = [max(len(line[i]) for line in lines) for i in range(4)]
    rule = "  ".join("-" * w for w in widths)
    out = []
    for number, line in enumerate(lines):
        out.append("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip())
        if number == 0:
            out.append(rule)
    return "\n".join(out)


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    cores = len(os.sched_getaffinity(0))
    python = platform.python_version()
    return f"{cores} cores, {memory:.0f} GB RAM, Python {python}, {platform.machine()}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="2,000 and 10,000, one run each")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args, rest = parser.parse_known_args(argv)
    if args.child:
        handlers = {
            "cold": lambda: child_cold(Path(rest[0]), Path(rest[1])),
            "warm": lambda: child_warm(Path(rest[0]), Path(rest[1])),
            "serve": lambda: child_serve(Path(rest[0]), Path(rest[1]), int(rest[2])),
            "naive": lambda: child_naive(Path(rest[0]), int(rest[1])),
        }
        print(json.dumps(handlers[args.child]()))
        return 0
    sizes = [2000, 10000] if args.quick else [int(s) for s in args.sizes.split(",")]
    repeats = 1 if args.quick else args.repeats
    RESULTS.mkdir(exist_ok=True)
    print(f"briefing-bot store index benchmark on {machine()}", flush=True)
    measured: dict[int, dict[str, Any]] = {}
    began = time.perf_counter()
    for size in sizes:
        naive_runs = 1 if args.quick else repeats
        naive_queries = 40 if size >= 50_000 else 200
        print(f"{size:,} articles over {DAYS} days:", flush=True)
        measured[size] = measure(size, repeats, naive_runs, naive_queries)
    lines = [("measure", "value", "target (at the largest size) and ratios", "verdict")]
    for size in sizes:
        lines += rows(size, measured[size], size == max(sizes))
    print()
    print(table(lines))
    largest = measured[max(sizes)]
    noisy = sum(load > 0.15 for load in QUIET)
    print(
        f"\nBackground CPU load before the {len(QUIET)} timed runs: median "
        f"{statistics.median(QUIET):.0%}, max {max(QUIET):.0%}"
        + (f" ({noisy} runs started on a busy machine)" if noisy else "")
        + "."
    )
    print(
        f"Medians of {repeats} runs (cold, warm, updates); naive baseline: "
        f"{len(largest['naive_runs'])} run(s) and {largest['naive_queries']} queries at "
        f"{max(sizes):,} articles. Search p50/p95 after one warm-up pass (first pass p95: "
        f"{largest['serve']['search']['first_pass_p95_ms']:.1f} ms). "
        f"Total {time.perf_counter() - began:.0f} s on {machine()}."
    )
    document = {
        "machine": machine(),
        "days": DAYS,
        "seed": SEED,
        "repeats": repeats,
        "sizes": {str(size): measured[size] for size in sizes},
        "background_load_before_runs": QUIET,
        "table": [
            dict(zip(("measure", "value", "target", "verdict"), line, strict=True))
            for line in lines[1:]
        ],
    }
    (RESULTS / "results.json").write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(f"Written to {RESULTS / 'results.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
