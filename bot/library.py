"""The article library of the running bot: the store's persistent index plus remote sources.

The local store lives in a :class:`~briefings.index.StoreIndex`: a SQLite cache
(``INDEX_CACHE``) that remembers every file's identity, so a restart with an unchanged store
re-parses nothing and a rescan (``STORE_RESCAN_SECONDS``) re-parses only what changed. Articles
stay in SQLite, not in the process's memory; a briefing reads only its window's articles.

Syncing and searching run in a worker thread (:func:`asyncio.to_thread`), so the event loop —
and with it the gateway heartbeat and every command — never waits on disk or SQLite.

Files that cannot be loaded are logged as a list once per change of that list (the set of
``(path, reason)``), not at every rescan: a store with 13 broken files says so once at start and
again only when a file breaks or is fixed. Notes (a file that loaded with its ``webUrl``
replaced by ``originalUrl``) are logged the same way, at info level.

Articles from remote sources (``ARTICLE_SOURCES``, a few hundred at most) are kept in memory
with a small search index of their own. Briefings combine both; search merges both result
lists, the store's hits first; a remote copy of a page the store already has is left out.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from bot.timing import Clock, system_clock
from briefings.briefing import (
    Briefing,
    BriefingRequest,
    TopicBriefings,
    assemble,
    by_topics,
    in_window,
)
from briefings.explain import Explanation, explain
from briefings.index import SearchFilters, SearchIndex, SearchResults, StoreIndex
from briefings.model import Article, Catalog, Problem
from briefings.topics import TopicSummary, summarize_topics
from briefings.urls import canonical_url

log = logging.getLogger(__name__)

LOGGED_FILES = 50
"""At most this many files are named when the list is logged (``briefings check`` has all)."""


class ArticleLibrary:
    """The store as the bot sees it; every method is safe to call from the event loop."""

    def __init__(
        self,
        root: Path,
        *,
        catalog_dir: Path | None = None,
        cache_path: Path | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self.root = root
        self.clock = clock
        if cache_path is not None:
            cache_path.parent.mkdir(parents=True, exist_ok=True)
        self._index = StoreIndex(root, cache_path, catalog_dir=catalog_dir)
        self.loaded_at: datetime | None = None
        """When the store was last synced with changes; None before the first sync."""
        self._topics: tuple[TopicSummary, ...] = ()
        self._remote: tuple[Article, ...] = ()
        self._remote_index: SearchIndex | None = None
        self._lock = asyncio.Lock()
        """Held while the store syncs and while topic counts are computed."""
        self._remote_lock = asyncio.Lock()
        """Held while the remote index is swapped or read (the old one is closed after a swap)."""
        self._logged_problems: frozenset[Problem] = frozenset()
        self._logged_notes: frozenset[Problem] = frozenset()

    # --- keeping up to date ----------------------------------------------------------------

    async def refresh(self, *, force: bool = False) -> bool:
        """Bring the index up to date with the folder; True when anything changed."""
        async with self._lock:
            report = await asyncio.to_thread(self._index.sync)
            changed = report.modified or force or self.loaded_at is None
            if changed:
                self._topics = await asyncio.to_thread(self._summaries)
                self.loaded_at = self.clock()
        if changed:
            log.info(
                "store %s: %d articles, %d problems (%d parsed, %d removed)",
                self.root,
                self._index.article_count,
                report.problems,
                report.parsed,
                report.removed,
            )
        self._log_bad_files()
        return changed

    def _log_bad_files(self) -> None:
        """Log the skipped files (and the notes) when their set differs from the last one."""
        problems, notes = self._index.problems, self._index.notes
        if frozenset(problems) != self._logged_problems:
            self._logged_problems = frozenset(problems)
            if not problems:
                log.info("store %s: every file loads again", self.root)
            _log_files(logging.WARNING, "skipped store file", problems, self.root)
        if frozenset(notes) != self._logged_notes:
            self._logged_notes = frozenset(notes)
            _log_files(logging.INFO, "note on store file", notes, self.root)

    async def set_remote(self, articles: Sequence[Article]) -> None:
        """Replace the remote sources' articles (the local store is not re-read).

        They are searchable and in briefings as soon as this swaps them in, without waiting for
        a store sync that may be running (the first one of a large store takes a while); the
        topic counts follow once that sync is done.
        """
        remote = tuple(articles)
        index = SearchIndex()
        await asyncio.to_thread(index.replace_all, remote)
        async with self._remote_lock:
            previous, self._remote_index, self._remote = self._remote_index, index, remote
        if previous is not None:
            previous.close()
        async with self._lock:
            if self.loaded_at is not None:  # else the first refresh counts them
                self._topics = await asyncio.to_thread(self._summaries)

    def _summaries(self) -> tuple[TopicSummary, ...]:
        local = self._index.topic_summaries()
        if not self._remote:
            return tuple(local)
        extra = {s.name: s for s in summarize_topics(self._remote, Catalog())}
        merged = [
            TopicSummary(
                s.name,
                s.parent,
                s.description,
                s.articles + extra[s.name].articles,
                s.published + extra.pop(s.name).published,
            )
            if s.name in extra
            else s
            for s in local
        ]
        return tuple(merged + list(extra.values()))

    # --- what commands and deliveries read -------------------------------------------------

    @property
    def article_count(self) -> int:
        """Articles of the local store."""
        return self._index.article_count

    @property
    def problems(self) -> tuple[Problem, ...]:
        """Files of the local store that could not be loaded."""
        return self._index.problems

    @property
    def catalog(self) -> Catalog:
        """The topic catalog."""
        return self._index.catalog

    @property
    def topics(self) -> Sequence[TopicSummary]:
        """Every topic with its counts, in overview order."""
        return self._topics

    async def search(
        self, query: str, *, topic: str | None, limit: int, offset: int = 0
    ) -> SearchResults:
        """Full-text search of the published articles (the store's, then remote ones)."""
        filters = SearchFilters(topic=topic)
        local = await asyncio.to_thread(
            self._index.search, query, filters=filters, limit=limit, offset=offset
        )
        # Held while the remote index is read: set_remote closes the index it replaces.
        async with self._remote_lock:
            remote_index = self._remote_index
            if remote_index is None or not len(remote_index) or local.message:
                return local
            # Remote hits follow the store's: fetch enough of them to fill this page.
            skip = max(0, offset - local.total)
            take = limit - len(local.hits)
            remote = await asyncio.to_thread(
                remote_index.search, query, filters=filters, limit=max(take, 1), offset=skip
            )
        seen = {canonical_url(hit.url) for hit in local.hits if hit.url}
        extra = tuple(h for h in remote.hits if not h.url or canonical_url(h.url) not in seen)
        hits = local.hits + (extra[:take] if take > 0 else ())
        return SearchResults(query, local.total + remote.total, hits, None)

    def _window_articles(self, request: BriefingRequest) -> list[Article]:
        """The window's articles, and those posted before it that may come back as updated."""
        local = self._index.articles_between(request.start, request.at)
        if request.posted:
            local = self._index.articles_posted_before(request) + local
        if not self._remote:
            return local
        known = {canonical_url(a.url) for a in local if a.url}
        remote = [
            a
            for a in self._remote
            if in_window(a, request) and (not a.url or canonical_url(a.url) not in known)
        ]
        return local + remote

    def briefing(self, request: BriefingRequest) -> Briefing:
        """The briefing ``request`` asks for (reads only its window's articles)."""
        if not self._remote:
            return self._index.briefing(request)
        return assemble(self._window_articles(request), self.catalog, request)

    def briefings_by_topics(
        self, at: datetime, *, per_topic: int = 5, min_quality: float = 0
    ) -> TopicBriefings:
        """The briefings of the window ending at ``at`` for any topics and filters; the window
        is read once."""
        request = BriefingRequest(at, per_topic=per_topic, min_quality=min_quality)
        if not self._remote:
            return self._index.briefings_by_topics(request)
        return by_topics(self._window_articles(request), self.catalog, request)

    def explain(self, url: str, request: BriefingRequest) -> Explanation:
        """Why the article at ``url`` is or is not in the briefing ``request`` asks for."""
        candidates = self._window_articles(request)
        key = canonical_url(url)
        if not any(a.url and canonical_url(a.url) == key for a in candidates):
            candidates += self._index.articles_with_url(url)
            candidates += [a for a in self._remote if a.url and canonical_url(a.url) == key]
        return explain(url, candidates, self.catalog, request)

    def close(self) -> None:
        """Release the index and its connections."""
        self._index.close()
        if self._remote_index is not None:
            self._remote_index.close()


def _log_files(level: int, what: str, files: Sequence[Problem], root: Path) -> None:
    for problem in files[:LOGGED_FILES]:
        log.log(level, "%s %s: %s", what, problem.path, problem.reason)
    if len(files) > LOGGED_FILES:
        log.log(
            level,
            "... and %d more (run 'briefings check %s' for the whole list)",
            len(files) - LOGGED_FILES,
            root,
        )
