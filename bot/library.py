"""The article library of the running bot: the loaded store plus its search index.

Loading and searching run in a worker thread (:func:`asyncio.to_thread`) so the event loop —
and with it the gateway heartbeat and every command — never waits on disk or SQLite. The store
is re-read when its folder changes: :meth:`ArticleLibrary.refresh` compares a cheap signature
of the folder (file count, newest modification time, total size) and reloads only when it
differs. Readers always see one consistent snapshot: a reload swaps store and index together.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.timing import Clock, system_clock
from briefings.briefing import Briefing, BriefingRequest, assemble
from briefings.explain import Explanation, explain
from briefings.model import Article, Store
from briefings.search import SearchFilters, SearchIndex, SearchResults
from briefings.store import load_store
from briefings.topics import TopicSummary, summarize_topics
from briefings.urls import canonical_url

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Snapshot:
    store: Store
    articles: tuple[Article, ...]
    """The store's articles plus the remote sources' (minus pages the store already has)."""
    index: SearchIndex
    signature: tuple[int, int, int]
    topics: tuple[TopicSummary, ...]


def folder_signature(root: Path) -> tuple[int, int, int]:
    """(file count, newest mtime in ns, total size) of everything below ``root``."""
    count = newest = total = 0
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        for name in files:
            try:
                info = (Path(folder) / name).stat()
            except OSError:
                continue
            count += 1
            newest = max(newest, info.st_mtime_ns)
            total += info.st_size
    return count, newest, total


class ArticleLibrary:
    """The store as the bot sees it; every method is safe to call from the event loop."""

    def __init__(
        self, root: Path, *, catalog_dir: Path | None = None, clock: Clock = system_clock
    ) -> None:
        self.root = root
        self.catalog_dir = catalog_dir
        self.clock = clock
        self.loaded_at: datetime | None = None
        """When the store was last (re)loaded; None before the first load."""
        self._snapshot: _Snapshot | None = None
        self._remote: tuple[Article, ...] = ()
        self._lock = asyncio.Lock()

    def _load(self, reuse: _Snapshot | None = None) -> _Snapshot:
        if reuse is None:
            signature = folder_signature(self.root)
            store = load_store(self.root, catalog_dir=self.catalog_dir)
        else:
            signature, store = reuse.signature, reuse.store
        local = {canonical_url(a.url) for a in store.articles if a.url}
        remote = tuple(a for a in self._remote if not a.url or canonical_url(a.url) not in local)
        articles = store.articles + remote
        index = SearchIndex()
        index.replace_all(articles)
        topics = tuple(summarize_topics(articles, store.catalog))
        return _Snapshot(store, articles, index, signature, topics)

    async def set_remote(self, articles: Sequence[Article]) -> None:
        """Replace the remote sources' articles (the local store is not re-read)."""
        async with self._lock:
            self._remote = tuple(articles)
            if self._snapshot is None:
                return
            snapshot = await asyncio.to_thread(self._load, self._snapshot)
            previous, self._snapshot = self._snapshot, snapshot
            previous.index.close()

    async def refresh(self, *, force: bool = False) -> bool:
        """Reload the store when its folder changed (or always with ``force``)."""
        async with self._lock:
            if not force and self._snapshot is not None:
                signature = await asyncio.to_thread(folder_signature, self.root)
                if signature == self._snapshot.signature:
                    return False
            snapshot = await asyncio.to_thread(self._load)
            previous, self._snapshot = self._snapshot, snapshot
            self.loaded_at = self.clock()
            if previous is not None:
                previous.index.close()
        store = snapshot.store
        log.info(
            "store loaded: %d articles, %d problems, %d topics from %s",
            len(store.articles),
            len(store.problems),
            len(store.catalog.topics),
            self.root,
        )
        for problem in store.problems[:20]:
            log.warning("skipped store file %s: %s", problem.path, problem.reason)
        return True

    @property
    def _current(self) -> _Snapshot:
        if self._snapshot is None:
            raise RuntimeError("the article library has not been loaded yet")
        return self._snapshot

    @property
    def store(self) -> Store:
        """The current snapshot of the store."""
        return self._current.store

    @property
    def topics(self) -> Sequence[TopicSummary]:
        """Every topic with its counts, in overview order."""
        return self._current.topics

    async def search(
        self, query: str, *, topic: str | None, limit: int, offset: int = 0
    ) -> SearchResults:
        """Full-text search of the published articles."""
        index = self._current.index
        filters = SearchFilters(topic=topic)
        return await asyncio.to_thread(
            index.search, query, filters=filters, limit=limit, offset=offset
        )

    def briefing(
        self,
        at: datetime,
        *,
        topics: Sequence[str] = (),
        per_topic: int = 5,
        min_quality: float = 0,
    ) -> Briefing:
        """The briefing of the window ending at ``at`` (pure and fast: no I/O)."""
        snapshot = self._current
        request = BriefingRequest(
            at=at, topics=tuple(topics), per_topic=per_topic, min_quality=min_quality
        )
        return assemble(snapshot.articles, snapshot.store.catalog, request)

    def explain(
        self,
        url: str,
        at: datetime,
        *,
        topics: Sequence[str] = (),
        per_topic: int = 5,
        min_quality: float = 0,
    ) -> Explanation:
        """Why the article at ``url`` is or is not in the briefing ending at ``at``."""
        snapshot = self._current
        request = BriefingRequest(
            at=at, topics=tuple(topics), per_topic=per_topic, min_quality=min_quality
        )
        return explain(url, snapshot.articles, snapshot.store.catalog, request)

    def close(self) -> None:
        """Release the search index."""
        if self._snapshot is not None:
            self._snapshot.index.close()
