"""The persistent, incremental store index: real files, real SQLite, real worker processes.

The key property: after any sequence of adds, edits, deletes, renames and touches, with a sync
after each step, the index answers exactly like a cold rebuild and like the in-memory path
(``load_store`` + ``assemble`` / ``summarize_topics`` / ``SearchIndex``).
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.generate import generate_store
from briefings.briefing import Briefing, BriefingRequest, assemble
from briefings.cli import main
from briefings.index import SearchFilters, SearchIndex, SearchResults, StoreIndex, SyncReport
from briefings.model import Article, Catalog, Problem, Store
from briefings.repeats import PostedArticle, PostedLog
from briefings.store import StoreNotFoundError, iter_article_files, load_store
from briefings.topics import TopicSummary, summarize_topics
from tests.briefings.factories import write
from tests.conftest import SAMPLE_STORE

EVER = (datetime(1970, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
SAMPLE_AT = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
QUERIES = ("robot", "orbit*", '"solid state"', "grid OR battery -wind", "kestrel", "a*", "!!")
FILTERS = (
    SearchFilters(),
    SearchFilters(topic="Space"),
    SearchFilters(published_only=False),
    SearchFilters(provider="Orbit & Axis", since=datetime(2026, 3, 8, tzinfo=UTC)),
    SearchFilters(until=datetime(2026, 3, 9, 12, 30, tzinfo=UTC)),
)


def requests_around(at: datetime) -> list[BriefingRequest]:
    return [
        BriefingRequest(at=at),
        BriefingRequest(at=at - timedelta(hours=9), window=timedelta(days=3), per_topic=2),
        BriefingRequest(at=at, topics=("Technology",), min_quality=40),
        BriefingRequest(at=at, topics=("AI", "Space")),
    ]


# --- helpers ----------------------------------------------------------------------------------


def article_text(
    title: str,
    *,
    at: str = "2026-03-10T06:00:00Z",
    published: bool | None = True,
    quality: float | None = 50,
    topics: tuple[str, ...] = ("Robotics",),
    url: str | None = None,
    provider: str = "Example",
    related: tuple[str, ...] = (),
    excerpt: str = "",
) -> str:
    lines = ["---", f'title: "{title}"', f"publishedDateTime: {at}"]
    if excerpt:
        lines.append(f'excerpt: "{excerpt}"')
    slug = title.lower().replace(" ", "-")
    lines.append(f'webUrl: "{url or "https://example.test/" + slug}"')
    if quality is not None:
        lines.append(f"quality: {quality}")
    if published is not None:
        lines.append(f"published: {'true' if published else 'false'}")
    lines += ["provider:", f"  name: {provider}", "  domain: example.test", "topics:"]
    lines += [f"  - {topic}" for topic in topics]
    if related:
        lines.append("related:")
        for link in related:
            lines += [f'  - title: "Also {link}"', f'    webUrl: "{link}"']
    return "\n".join([*lines, "---", ""])


def copy_sample(tmp_path: Path) -> Path:
    root = tmp_path / "store"
    shutil.copytree(SAMPLE_STORE, root)
    return root


@dataclass(frozen=True)
class View:
    """Everything a reader can observe, for comparing two ways of loading a store."""

    articles: list[Article]
    problems: tuple[Problem, ...]
    notes: tuple[Problem, ...]
    catalog: Catalog
    topics: list[TopicSummary]
    briefings: list[Briefing]
    searches: list[SearchResults]


SEARCHES = tuple((q, f) for q in QUERIES for f in FILTERS)


def view_of_index(
    index: StoreIndex, at: datetime, searches: tuple[tuple[str, SearchFilters], ...] = SEARCHES
) -> View:
    return View(
        sorted(index.articles_between(*EVER), key=lambda a: a.path),
        index.problems,
        index.notes,
        index.catalog,
        list(index.topic_summaries()),
        [index.briefing(request) for request in requests_around(at)],
        [index.search(q, filters=f, limit=20) for q, f in searches],
    )


def view_of_store(
    store: Store, at: datetime, searches: tuple[tuple[str, SearchFilters], ...] = SEARCHES
) -> View:
    with SearchIndex() as search:
        search.replace_all(store.articles)
        results = [search.search(q, filters=f, limit=20) for q, f in searches]
    return View(
        sorted(store.articles, key=lambda a: a.path),
        store.problems,
        store.notes,
        store.catalog,
        summarize_topics(store.articles, store.catalog),
        [assemble(store.articles, store.catalog, request) for request in requests_around(at)],
        results,
    )


def assert_matches_load_store(index: StoreIndex, root: Path, at: datetime = SAMPLE_AT) -> None:
    actual, expected = view_of_index(index, at), view_of_store(load_store(root), at)
    assert actual.articles == expected.articles
    assert actual == expected


def set_mtime(path: Path, seconds: float) -> None:
    os.utime(path, ns=(int(seconds * 1e9), int(seconds * 1e9)))


def spread_mtimes(root: Path, *, start: float = 1_600_000_000) -> None:
    """Give every article file its own old modification time, a minute apart."""
    for number, path in enumerate(sorted(iter_article_files(root))):
        set_mtime(path, start + 60 * number)


# --- cold and warm ----------------------------------------------------------------------------


def test_cold_index_equals_the_in_memory_path(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    with StoreIndex(root, tmp_path / "cache.sqlite") as index:
        report = index.sync()
        assert (report.added, report.parsed, report.problems) == (60, 60, 0)
        assert report.catalog_reloaded
        assert index.article_count == 60
        assert_matches_load_store(index, root)


def test_articles_between_is_half_open_and_exact(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    store = load_store(root)
    with StoreIndex(root) as index:
        index.sync()
        moments = sorted({a.published_at for a in store.articles})
        start, end = moments[3], moments[-5]
        got = index.articles_between(start, end)
        assert [a.published_at for a in got] == sorted(a.published_at for a in got)
        assert sorted(got, key=lambda a: a.path) == sorted(
            (a for a in store.articles if start < a.published_at <= end), key=lambda a: a.path
        )
        assert index.articles_between(end, start) == []


def test_briefings_by_topics_read_once_equal_separate_briefings(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    store = load_store(root)
    names = [topic.name for topic in store.catalog.topics]
    topic_sets = [(), *((name,) for name in names), tuple(names[:3])]
    with StoreIndex(root) as index:
        index.sync()
        request = BriefingRequest(at=SAMPLE_AT, per_topic=3, min_quality=10)
        by_topics = index.briefings_by_topics(request)
        for topics in topic_sets:
            one = replace(request, topics=topics)
            assert by_topics(topics) == index.briefing(one)
            assert by_topics(topics) == assemble(store.articles, store.catalog, one)
        assert any(by_topics(topics).sections for topics in topic_sets)


def test_warm_start_parses_nothing(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    cache = tmp_path / "cache.sqlite"
    with StoreIndex(root, cache) as index:
        index.sync()
    with StoreIndex(root, cache) as index:
        report = index.sync()
        assert report == SyncReport(unchanged=60, hashed=report.hashed)
        assert_matches_load_store(index, root)


def test_warm_start_trusts_unchanged_identities(tmp_path: Path) -> None:
    """Proof that nothing is read: content swapped behind an unchanged size and time."""
    root = copy_sample(tmp_path)
    spread_mtimes(root)
    cache = tmp_path / "cache.sqlite"
    with StoreIndex(root, cache) as index:
        index.sync()
    victim = sorted(iter_article_files(root))[0]  # the oldest file: not racily clean
    info = victim.stat()
    text = victim.read_text(encoding="utf-8")
    swapped = text.replace('title: "C', 'title: "X', 1)  # same size, another title
    assert swapped != text and len(swapped.encode()) == info.st_size
    victim.write_text(swapped, encoding="utf-8")
    os.utime(victim, ns=(info.st_atime_ns, info.st_mtime_ns))
    with StoreIndex(root, cache) as index:
        report = index.sync()
        assert (report.unchanged, report.parsed) == (60, 0)
        assert report.hashed <= 1  # only the newest file, which is racily clean
        assert not any(a.title.startswith("X") for a in index.articles_between(*EVER))


def test_racily_clean_file_is_rechecked(tmp_path: Path) -> None:
    """Two same-size edits within one timestamp tick are still seen (git's "racy" case)."""
    root = tmp_path / "store"
    first = write(root, "news/a.md", article_text("Alpha robot"))
    set_mtime(first, 1_700_000_000)
    with StoreIndex(root) as index:
        index.sync()
        first.write_text(article_text("Omega robot"), encoding="utf-8")  # same size
        set_mtime(first, 1_700_000_000)  # and the same time as recorded
        report = index.sync()
        assert (report.changed, report.parsed) == (1, 1)
        assert [a.title for a in index.articles_between(*EVER)] == ["Omega robot"]


# --- incremental changes ----------------------------------------------------------------------


@pytest.fixture
def small(tmp_path: Path) -> Iterator[tuple[Path, StoreIndex]]:
    root = tmp_path / "store"
    write(root, "news/one.md", article_text("Robot arm ships", topics=("Robotics",)))
    write(root, "news/two.md", article_text("Rocket reaches orbit", topics=("Space",)))
    write(
        root,
        "old/three.md",
        article_text("Grid battery record", at="2026-03-09T09:00:00Z", topics=("Energy",)),
    )
    write(root, "topics/01-space.yaml", "name: Space\nparent: Technology\n")
    with StoreIndex(root, tmp_path / "cache.sqlite") as index:
        index.sync()
        yield root, index


def titles(index: StoreIndex, query: str) -> list[str]:
    return [hit.title for hit in index.search(query, limit=50).hits]


def test_touch_without_change_is_not_parsed(small: tuple[Path, StoreIndex]) -> None:
    root, index = small
    set_mtime(root / "news/one.md", 1_500_000_000)
    report = index.sync()
    assert (report.changed, report.parsed, report.unchanged) == (0, 0, 3)
    assert report.hashed >= 1
    assert_matches_load_store(index, root)


def test_edit_is_parsed_again(small: tuple[Path, StoreIndex]) -> None:
    root, index = small
    write(root, "news/one.md", article_text("Robot leg walks far", topics=("Robotics",)))
    report = index.sync()
    assert (report.changed, report.parsed, report.unchanged) == (1, 1, 2)
    assert titles(index, "robot") == ["Robot leg walks far"]
    assert titles(index, "arm") == []
    assert_matches_load_store(index, root)


def test_rename_moves_without_parsing(small: tuple[Path, StoreIndex]) -> None:
    root, index = small
    (root / "archive").mkdir()
    (root / "news/two.md").rename(root / "archive/2026-two.md")
    report = index.sync()
    assert (report.renamed, report.parsed, report.added, report.removed) == (1, 0, 0, 0)
    assert [hit.path for hit in index.search("rocket").hits] == ["archive/2026-two.md"]
    assert_matches_load_store(index, root)


def test_delete_and_add(small: tuple[Path, StoreIndex]) -> None:
    root, index = small
    (root / "old/three.md").unlink()
    write(root, "news/four.md", article_text("Robot dog learns tricks"))
    report = index.sync()
    assert (report.removed, report.added, report.parsed, report.renamed) == (1, 1, 1, 0)
    assert titles(index, "battery") == []
    assert index.article_count == 3
    assert_matches_load_store(index, root)


def test_copy_then_delete_original_is_a_rename_and_an_add(small: tuple[Path, StoreIndex]) -> None:
    root, index = small
    text = (root / "news/one.md").read_text(encoding="utf-8")
    write(root, "a/copy-1.md", text)
    write(root, "b/copy-2.md", text)
    (root / "news/one.md").unlink()
    report = index.sync()
    assert (report.renamed, report.added, report.removed, report.parsed) == (1, 1, 0, 1)
    assert_matches_load_store(index, root)


def test_broken_file_is_a_problem_until_fixed(small: tuple[Path, StoreIndex]) -> None:
    root, index = small
    write(root, "news/one.md", "---\ntitle: [unclosed\n---\n")
    report = index.sync()
    assert report.problems == 1
    (problem,) = index.problems
    assert problem.path == "news/one.md"
    assert problem.reason.startswith("YAML error at line")
    assert titles(index, "robot") == []
    assert_matches_load_store(index, root)
    write(root, "news/one.md", article_text("Robot arm ships again"))
    report = index.sync()
    assert (report.problems, report.changed) == (0, 1)
    assert index.problems == ()
    assert titles(index, "robot") == ["Robot arm ships again"]


def test_catalog_change_is_reloaded(small: tuple[Path, StoreIndex]) -> None:
    root, index = small
    assert [t.name for t in index.catalog.topics] == ["Space"]
    write(root, "topics/00-technology.yaml", "name: Technology\ndescription: All tech\n")
    write(root, "topics/02-robotics.yaml", "name: Robotics\nparent: Technology\n")
    write(root, "topics/03-broken.yaml", "name: [oops\n")
    report = index.sync()
    assert report.catalog_reloaded and report.parsed == 0
    assert [t.name for t in index.catalog.topics] == ["Technology", "Space", "Robotics"]
    assert [p.path for p in index.problems] == ["topics/03-broken.yaml"]
    assert [s.name for s in index.topic_summaries()][:3] == ["Technology", "Space", "Robotics"]
    assert_matches_load_store(index, root)
    assert not index.sync().catalog_reloaded


def test_non_articles_and_problems_follow_load_store_order(tmp_path: Path) -> None:
    root = tmp_path / "store"
    write(root, "z.md", "no front matter")
    write(root, "a/b.md", "---\ntitle: t\n---\n")
    write(root, "a.md", "")
    write(root, "a/z.md", "---\ntaxonomy: organization\nname: Acme\n---\n")
    write(root, "a-b/c.md", "---\n- list\n---\n")
    write(root, "README.md", "# not an article")
    write(root, ".hidden/x.md", "junk")
    write(root, "ok.txt", article_text("Fine robot"))
    with StoreIndex(root) as index:
        index.sync()
        assert [p.path for p in index.problems] == [p.path for p in load_store(root).problems]
        assert len(index.problems) == 4
        assert_matches_load_store(index, root)


def test_repaired_urls_and_notes_follow_load_store(tmp_path: Path) -> None:
    root = tmp_path / "store"
    write(root, "spaces.md", article_text("Spaced robot", url="https://a.test/PR Newswire/x"))
    write(root, "nbsp.md", article_text("Narrow robot", url="https://a.test/12\u202fam"))
    noted = article_text("Video robot", url="not a url").replace(
        "webUrl:", "originalUrl: 'https://video.test/v'\nwebUrl:"
    )
    write(root, "video.md", noted)
    with StoreIndex(root) as index:
        index.sync()
        assert index.problems == ()
        assert [(n.path, n.reason.endswith("; using originalUrl")) for n in index.notes] == [
            ("video.md", True)
        ]
        urls = {a.path: a.url for a in index.articles_between(*EVER)}
        assert urls == {
            "spaces.md": "https://a.test/PR%20Newswire/x",
            "nbsp.md": "https://a.test/12%E2%80%AFam",
            "video.md": "https://video.test/v",
        }
        assert_matches_load_store(index, root)
        write(root, "video.md", article_text("Video robot", url="https://video.test/w"))
        index.sync()
        assert index.notes == () and index.article_count == 3
        assert_matches_load_store(index, root)


def test_a_posted_story_changed_since_comes_back_from_before_the_window(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    store = load_store(root)
    posted_at = SAMPLE_AT - timedelta(days=2)
    before = [a for a in store.articles if a.published_at <= posted_at and a.url]
    changed, unchanged = before[::2], before[1::2]
    assert changed and unchanged
    log = PostedLog(
        tuple(PostedArticle(a.url or "", posted_at, a.quality - 1) for a in changed)
        + tuple(PostedArticle(a.url or "", posted_at, a.quality) for a in unchanged)
    )
    request = BriefingRequest(at=SAMPLE_AT, per_topic=50, posted=log)
    with StoreIndex(root) as index:
        index.sync()
        assert {a.path for a in index.articles_posted_before(request)} == {
            a.path for a in before if a.published
        }
        briefing = index.briefing(request)
        assert briefing == assemble(store.articles, store.catalog, request)
        updated = {s.lead.url for s in briefing.stories if s.updated}
        assert updated and updated <= {a.url for a in changed}
        assert not {s.lead.url for s in briefing.stories} & {a.url for a in unchanged}
        # without a log, nothing from before the window
        assert index.briefing(replace(request, posted=PostedLog())) == assemble(
            store.articles, store.catalog, replace(request, posted=PostedLog())
        )


def test_updated_date_time_round_trips_through_the_index(tmp_path: Path) -> None:
    root = tmp_path / "store"
    updated = article_text("Updated robot").replace(
        "publishedDateTime:", "updatedDateTime: 2026-03-10T07:30:00+02:00\npublishedDateTime:"
    )
    write(root, "updated.md", updated)
    write(root, "plain.md", article_text("Plain robot"))
    with StoreIndex(root) as index:
        index.sync()
        got = {a.path: a.updated_at for a in index.articles_between(*EVER)}
        assert got == {"updated.md": datetime(2026, 3, 10, 5, 30, tzinfo=UTC), "plain.md": None}
        assert_matches_load_store(index, root)


def test_unexpected_yaml_failure_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    root = tmp_path / "store"
    write(root, "good.md", article_text("Fine robot"))
    write(root, "bad.md", "---\ntitle: t\npublishedDateTime: 2026-02-30\n---\n")
    with StoreIndex(root) as index:
        index.sync()
        (problem,) = index.problems
        assert problem.path == "bad.md" and "day is out of range" in problem.reason
        assert index.article_count == 1


def test_names_that_are_not_utf8_are_skipped_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = tmp_path / "store"
    write(root, "good.md", article_text("Fine robot"))
    fd = os.open(os.fsencode(root) + b"/caf\xe9.md", os.O_CREAT | os.O_WRONLY)
    os.write(fd, article_text("Latin-1 name").encode())
    os.close(fd)
    with caplog.at_level(logging.WARNING), StoreIndex(root) as index:
        index.sync()
        assert index.article_count == 1
    assert "not UTF-8" in caplog.text


def test_missing_store_raises_and_keeps_the_index(small: tuple[Path, StoreIndex]) -> None:
    root, index = small
    shutil.rmtree(root)
    with pytest.raises(StoreNotFoundError, match="store folder not found"):
        index.sync()
    assert index.article_count == 3


def test_the_store_folder_is_never_written(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    with StoreIndex(root) as index:
        index.sync()
        index.sync()
        temporary = index._cache_path
        assert temporary.exists() and root not in temporary.parents
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before
    assert not temporary.exists()


@pytest.mark.parametrize(
    "command",
    [
        ["check", "STORE"],
        ["topics", "STORE", "--format", "json"],
        ["build", "STORE", "--at", "2026-03-10T08:00:00Z", "--format", "json", "--topic", "AI"],
        ["search", "STORE", "orbit*", "--format", "json", "--topic", "Space"],
    ],
    ids=lambda command: command[0],
)
def test_cli_with_a_cache_prints_the_same(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    root = copy_sample(tmp_path)
    write(root, "news/broken.md", "no front matter")
    argv = [str(root) if part == "STORE" else part for part in command]
    cache = ["--cache", str(tmp_path / "cache.sqlite")]
    outputs = []
    for extra in ([], cache, cache):  # in memory, then a cold and a warm cache
        code = main([*argv, *extra])
        captured = capsys.readouterr()
        outputs.append((code, captured.out, captured.err))
    assert outputs[0] == outputs[1] == outputs[2]
    assert outputs[0][1]


# --- the cache is never trusted blindly -------------------------------------------------------


def _garbage(cache: Path, other: Path) -> None:
    cache.write_bytes(b"\x00\xffnot a database" * 500)


def _empty(cache: Path, other: Path) -> None:
    cache.write_bytes(b"")


def _truncated(cache: Path, other: Path) -> None:
    with cache.open("r+b") as handle:
        handle.truncate(cache.stat().st_size // 2)


def _foreign(cache: Path, other: Path) -> None:
    cache.unlink()
    with sqlite3.connect(cache) as conn:
        conn.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY, balance REAL)")
        conn.execute("INSERT INTO accounts VALUES (1, 100.0)")
    conn.close()


def _other_root(cache: Path, other: Path) -> None:
    cache.unlink()
    with StoreIndex(other, cache) as index:
        index.sync()


def _other_version(cache: Path, other: Path) -> None:
    with sqlite3.connect(cache) as conn:
        conn.execute("PRAGMA user_version = 999")
    conn.close()


def _damaged_pages_after_a_crash(cache: Path, other: Path) -> None:
    with sqlite3.connect(cache) as conn:
        conn.execute("UPDATE meta SET value = 0 WHERE key = 'clean'")  # as if killed
    conn.close()
    size = cache.stat().st_size
    with cache.open("r+b") as handle:
        for offset in range(4096 * 3, size, 4096 * 2):  # every other page after the first 3
            handle.seek(offset + 8)
            handle.write(b"\xde\xad\xbe\xef" * 64)


@pytest.mark.parametrize(
    "damage",
    [
        _garbage,
        _empty,
        _truncated,
        _foreign,
        _other_root,
        _other_version,
        _damaged_pages_after_a_crash,
    ],
)
def test_unusable_cache_is_detected_and_rebuilt(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, damage: object
) -> None:
    root = copy_sample(tmp_path)
    other = tmp_path / "other"
    write(other, "x.md", article_text("Other store robot"))
    cache = tmp_path / "cache.sqlite"
    with StoreIndex(root, cache) as index:
        index.sync()
    assert callable(damage)
    damage(cache, other)
    with caplog.at_level(logging.WARNING), StoreIndex(root, cache) as index:
        report = index.sync()
        assert report.added == 60
        assert_matches_load_store(index, root)
    assert "rebuilding" in caplog.text


def test_damage_in_a_cleanly_closed_cache_is_found_and_rebuilt(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = copy_sample(tmp_path)
    cache = tmp_path / "cache.sqlite"
    with StoreIndex(root, cache) as index:
        index.sync()
    size = cache.stat().st_size
    with cache.open("r+b") as handle:  # closed cleanly: no quick_check at the next open
        for offset in range(4096 * 3, size, 4096):
            handle.seek(offset)
            handle.write(b"\xde\xad\xbe\xef" * 1024)
    with caplog.at_level(logging.WARNING), StoreIndex(root, cache) as index:
        index.sync()  # finds it when opening, or while reading what it knows
        try:
            view_of_index(index, SAMPLE_AT)
        except sqlite3.DatabaseError:
            index.sync()  # found by a query: the next sync starts again
        assert_matches_load_store(index, root)
    assert "rebuilding" in caplog.text


def test_cache_deleted_while_open_is_recreated(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    cache = tmp_path / "cache.sqlite"
    with StoreIndex(root, cache) as index:
        index.sync()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{cache}{suffix}").unlink(missing_ok=True)
        report = index.sync()
        assert report.rebuilt and report.added == 60
        assert cache.exists()
        assert_matches_load_store(index, root)
    with StoreIndex(root, cache) as index:
        assert index.sync().parsed == 0


# --- parallel parsing and concurrent readers --------------------------------------------------


def test_parallel_cold_index_equals_sequential(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    write(root, "news/broken.md", "---\ntitle: [x\n---\n")
    progress: list[tuple[int, int]] = []
    with StoreIndex(root, tmp_path / "one.sqlite") as one, StoreIndex(root) as two:
        one.sync(workers=1)
        two.sync(workers=2, progress=lambda done, total: progress.append((done, total)))
        assert view_of_index(two, SAMPLE_AT) == view_of_index(one, SAMPLE_AT)
    assert progress[-1] == (61, 61)
    assert [done for done, _ in progress] == sorted(done for done, _ in progress)
    with sqlite3.connect(tmp_path / "one.sqlite") as conn:
        rows = conn.execute("SELECT count(*) FROM articles").fetchone()
    assert rows == (60,)


def test_bulk_load_is_compacted_at_the_next_sync_or_close(tmp_path: Path) -> None:
    root = tmp_path / "store"
    generate_store(root, articles=1200, days=30, seed=4)
    cache = tmp_path / "cache.sqlite"

    def pending() -> int:
        with sqlite3.connect(cache) as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = 'compact_pending'").fetchone()
        conn.close()
        return int(row[0])

    with StoreIndex(root, cache) as index:
        assert index.sync().added == 1200
        assert pending() == 1
        at = datetime(2026, 3, 10, 8, tzinfo=UTC)
        before = view_of_index(index, at)
        assert before == view_of_store(load_store(root), at)
    assert pending() == 0
    with StoreIndex(root, cache) as index:
        assert index.sync().parsed == 0
        assert view_of_index(index, at) == before


def test_readers_never_see_half_a_sync(tmp_path: Path) -> None:
    root = tmp_path / "store"
    write(root, "seed.md", article_text("Seed robot"))
    seen: set[int] = set()
    errors: list[BaseException] = []
    stop = threading.Event()
    with StoreIndex(root, tmp_path / "cache.sqlite") as index:
        index.sync()

        def read() -> None:
            try:
                while not stop.is_set():
                    results = index.search("zeppelin", limit=500, filters=SearchFilters())
                    assert results.total == len(results.hits)
                    seen.add(results.total)
                    briefing = index.briefing(BriefingRequest(at=SAMPLE_AT))
                    assert briefing.story_count in (1, 5)
            except BaseException as error:
                errors.append(error)

        readers = [threading.Thread(target=read) for _ in range(2)]
        for reader in readers:
            reader.start()
        for number in range(300):
            write(root, f"new/{number:03}.md", article_text(f"Zeppelin {number:03} flies"))
        index.sync(workers=1)
        stop.set()
        for reader in readers:
            reader.join()
    assert not errors
    assert seen <= {0, 300}


# --- the key property: any history equals a cold rebuild --------------------------------------

NAMES = ("a.md", "b.md", "sub/c.md", "sub/deep/d.md", "e.txt")
TITLES = ("Robot arm", "Robot leg", "Orbit dock", "Solid state grid", "Kestrel model")
MOMENTS = ("2026-03-10T06:00:00Z", "2026-03-09T20:00:00Z", "2026-03-08T10:00:00Z")
URLS = (None, "https://example.test/shared", "https://www.example.test/shared?utm_source=x")
BROKEN = ("", "no front matter\n", "---\ntitle: [unclosed\n---\n", "---\ntitle: t\n---\n")
CATALOGS = (
    None,
    "name: Technology\n",
    "name: Space\nparent: Technology\nshortname: Orbit\n",
    "name: [broken\n",
)

contents = st.one_of(
    st.builds(
        article_text,
        st.sampled_from(TITLES),
        at=st.sampled_from(MOMENTS),
        published=st.sampled_from([True, False, None]),
        quality=st.sampled_from([10, 50, 50.5, 90, None]),
        topics=st.lists(
            st.sampled_from(["Robotics", "Space", "AI", "robotics", "Orbit"]), max_size=3
        ).map(tuple),
        url=st.sampled_from(URLS),
        related=st.lists(st.sampled_from(URLS[1:]), max_size=1).map(tuple),
    ),
    st.sampled_from(BROKEN),
)
operations = st.one_of(
    st.tuples(st.just("write"), st.sampled_from(NAMES), contents),
    st.tuples(st.just("delete"), st.sampled_from(NAMES)),
    st.tuples(st.just("rename"), st.sampled_from(NAMES), st.sampled_from(NAMES)),
    st.tuples(st.just("touch"), st.sampled_from(NAMES), st.integers(0, 3)),
    st.tuples(st.just("catalog"), st.sampled_from(CATALOGS)),
)
AT = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)


def apply(root: Path, operation: tuple[object, ...]) -> None:
    kind = operation[0]
    if kind == "write":
        _, name, text = operation
        write(root, str(name), str(text))
    elif kind == "delete":
        (root / str(operation[1])).unlink(missing_ok=True)
    elif kind == "rename":
        source, target = root / str(operation[1]), root / str(operation[2])
        if source.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            source.replace(target)
    elif kind == "touch":
        path = root / str(operation[1])
        if path.exists():
            set_mtime(path, 1_600_000_000 + 1000 * int(str(operation[2])))
    else:
        path = root / "topics" / "01-topic.yaml"
        if operation[1] is None:
            path.unlink(missing_ok=True)
        else:
            write(root, "topics/01-topic.yaml", str(operation[1]))


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(steps=st.lists(operations, min_size=20, max_size=40))
def test_any_history_equals_a_cold_rebuild(steps: list[tuple[object, ...]]) -> None:
    searches = (
        ("robot", SearchFilters()),
        ("orbit* OR kestrel", SearchFilters(published_only=False)),
        ("grid", SearchFilters(topic="robotics")),
    )
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "store"
        root.mkdir()
        with StoreIndex(root, Path(folder) / "cache.sqlite") as index:
            for step in steps:
                apply(root, step)
                index.sync(workers=1)
                incremental = view_of_index(index, AT, searches)
                with StoreIndex(root) as cold:
                    cold.sync(workers=1)
                    assert incremental == view_of_index(cold, AT, searches)
                assert incremental == view_of_store(load_store(root), AT, searches)
