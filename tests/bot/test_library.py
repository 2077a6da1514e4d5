"""The bot's article library: bad store files are logged once per change of their set."""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.library import LOGGED_FILES, ArticleLibrary
from briefings.briefing import BriefingRequest
from briefings.index import SearchResults
from briefings.repeats import PostedArticle, PostedLog
from tests.briefings.factories import GOOD_FRONT_MATTER, article, write

BROKEN = "---\ntitle: [oops\n---\n"


def _named(caplog: pytest.LogCaptureFixture, what: str) -> list[str]:
    """The files named in ``what`` lines since the last clear."""
    return sorted(
        r.getMessage().removeprefix(f"{what} ").split(":")[0]
        for r in caplog.records
        if r.getMessage().startswith(what)
    )


async def test_bad_files_are_logged_once_per_change_of_their_set(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.library")
    store = tmp_path / "store"
    write(store, "good.md", GOOD_FRONT_MATTER)
    write(store, "bad-1.md", BROKEN)
    library = ArticleLibrary(store, cache_path=tmp_path / "index.sqlite3")
    try:
        await library.refresh()
        assert _named(caplog, "skipped store file") == ["bad-1.md"]

        caplog.clear()  # a rescan that finds nothing new, then one where only a good file changed
        await library.refresh()
        write(store, "good-2.md", GOOD_FRONT_MATTER.replace("/good", "/good-2"))
        assert await library.refresh()
        assert _named(caplog, "skipped store file") == []

        caplog.clear()  # a second broken file: the list is logged again, whole
        write(store, "bad-2.md", BROKEN)
        await library.refresh()
        await library.refresh()
        assert _named(caplog, "skipped store file") == ["bad-1.md", "bad-2.md"]

        caplog.clear()  # the same file broken another way is a change too
        write(store, "bad-2.md", "no front matter")
        await library.refresh()
        assert _named(caplog, "skipped store file") == ["bad-1.md", "bad-2.md"]

        caplog.clear()  # fixed: said once
        write(store, "bad-1.md", GOOD_FRONT_MATTER.replace("/good", "/fixed-1"))
        write(store, "bad-2.md", GOOD_FRONT_MATTER.replace("/good", "/fixed-2"))
        await library.refresh()
        await library.refresh()
        assert _named(caplog, "skipped store file") == []
        assert [r.getMessage() for r in caplog.records].count(
            f"store {store}: every file loads again"
        ) == 1
        assert library.problems == () and library.article_count == 4
    finally:
        library.close()


async def test_notes_are_logged_once_and_a_long_list_is_cut(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.library")
    store = tmp_path / "store"
    video = GOOD_FRONT_MATTER.replace(
        'webUrl: "https://example.test/good"',
        "webUrl: 'javascript:void(0)'\noriginalUrl: 'https://video.test/v'",
    )
    write(store, "video.md", video)
    for number in range(LOGGED_FILES + 5):
        write(store, f"bad/{number:03}.md", BROKEN)
    library = ArticleLibrary(store, cache_path=tmp_path / "index.sqlite3")
    try:
        await library.refresh()
        await library.refresh(force=True)
        assert _named(caplog, "note on store file") == ["video.md"]
        assert len(_named(caplog, "skipped store file")) == LOGGED_FILES
        assert [r.getMessage() for r in caplog.records if r.getMessage().startswith("...")] == [
            f"... and 5 more (run 'briefings check {store}' for the whole list)"
        ]
    finally:
        library.close()


async def test_a_search_under_way_survives_the_swap_of_the_remote_articles(
    tmp_path: Path,
) -> None:
    """A poll swaps the remote index while a search of the old one is between its thread's
    start and its query: the old index must not be closed under it (the search would fail
    with "Cannot operate on a closed database" and the user would get the generic error)."""
    store = tmp_path / "store"
    write(store, "good.md", GOOD_FRONT_MATTER)
    library = ArticleLibrary(store, cache_path=tmp_path / "index.sqlite3")
    try:
        await library.refresh()
        await library.set_remote([article("Tidal kites report", url="https://r.test/kites")])
        old = library._remote_index
        assert old is not None
        entered, release = threading.Event(), threading.Event()
        real_search = old.search

        def paused_search(*args: Any, **kwargs: Any) -> SearchResults:
            entered.set()  # in the worker thread, not yet holding the index's lock
            release.wait(30)
            return real_search(*args, **kwargs)

        old.search = paused_search  # type: ignore[method-assign]
        searching = asyncio.create_task(library.search("kites", topic=None, limit=5))
        assert await asyncio.to_thread(entered.wait, 30)
        newer = [article("Tidal kites, the sequel", url="https://r.test/kites-2")]
        swapping = asyncio.create_task(library.set_remote(newer))
        # Let the swap run as far as it may while the search is under way (bounded: a slow
        # machine can only make this test miss the bug, never fail without it).
        await asyncio.wait({swapping}, timeout=2)
        release.set()
        results = await asyncio.wait_for(searching, 30)
        assert [hit.title for hit in results.hits] == ["Tidal kites report"]
        await asyncio.wait_for(swapping, 30)
        results = await library.search("kites", topic=None, limit=5)
        assert [hit.title for hit in results.hits] == ["Tidal kites, the sequel"]
    finally:
        release.set()
        library.close()


async def test_posted_articles_changed_since_come_back_from_store_and_sources(
    tmp_path: Path,
) -> None:
    """A story posted before is shown again, marked updated, when its article changed since,
    though it was published before the window: from the store and from a remote source."""
    store = tmp_path / "store"
    write(store, "good.md", GOOD_FRONT_MATTER)  # published 2026-03-10T07:00Z, quality 50
    at = datetime(2026, 3, 12, 8, 0, tzinfo=UTC)
    remote = article("Tidal kites report", url="https://r.test/kites", quality=70)
    posted_at = at - timedelta(days=1)
    log = PostedLog(
        (
            PostedArticle("https://example.test/good", posted_at, quality=40),
            PostedArticle("https://r.test/kites", posted_at, quality=60),
        )
    )
    library = ArticleLibrary(store, cache_path=tmp_path / "index.sqlite3")
    try:
        await library.refresh()
        await library.set_remote([remote])
        briefing = library.briefing(BriefingRequest(at, posted=log))
        assert [(s.lead.title, s.updated) for s in briefing.stories] == [
            ("Tidal kites report", True),
            ("A good article", True),
        ]
        unchanged = PostedLog(tuple(replace(p, quality=99) for p in log.articles))
        assert library.briefing(BriefingRequest(at, posted=unchanged)).is_empty
    finally:
        library.close()
