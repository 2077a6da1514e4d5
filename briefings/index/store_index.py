"""A persistent, incremental index of one store folder: a derived cache in one SQLite file.

:class:`StoreIndex` keeps every article of a store in SQL (the search tables of
:mod:`briefings.index.search` plus the remaining fields), so a process holding a 100,000-article
store stays small, and it remembers each file's identity so a restart re-parses nothing:

- **Sync** (:meth:`StoreIndex.sync`) scans the folder (same rules and order as
  :func:`~briefings.store.load_store`). A file whose size and modification time are unchanged
  is trusted; otherwise its content hash decides: equal (a ``touch``) updates the identity
  only, different means re-parse. A new file whose hash equals a vanished file's is a rename:
  its rows move to the new path without parsing. Vanished files are dropped; the catalog is
  reloaded when its files change. Files changed twice within one timestamp tick ("racily
  clean", see :func:`~briefings.index.scan.racy_window_ns`) are hashed again at the next sync.
- **Cold indexing** parses in worker processes (all cores; PyYAML's libyaml safe loader, as
  everywhere) while this process writes, in one transaction;
  ``progress(done, total)`` reports parsed files. The final FTS5 merge and the WAL
  checkpoint of such a bulk load wait for the next sync or :meth:`StoreIndex.close`.
- **Readers never wait for a sync.** Writes go through their own connection in one
  transaction per sync; queries use another connection (WAL mode), each inside one read
  transaction, so they see the previous state until the sync commits, then the new one.
  ``sync`` may run in a worker thread (``asyncio.to_thread``) while other threads query.
- **The cache is never trusted blindly** (see :mod:`briefings.index.db`): a damaged, foreign
  or other store's file is logged, deleted and rebuilt; if the file vanishes while open, or
  SQLite reports damage during a sync, the next sync starts a fresh one.

Results equal those of the in-memory path: :meth:`~StoreIndex.briefing` is
:func:`~briefings.briefing.assemble` over the articles of the window (read by rowid range,
never a full scan), :meth:`~StoreIndex.topic_summaries` equals
:func:`~briefings.topics.summarize_topics`, ``problems`` equals ``load_store(...).problems``.
Two deliberate differences: a file that makes the YAML library itself fail (a date such as
``2026-02-30``) is a problem here instead of aborting, and a file whose name is not valid
UTF-8 is skipped with a warning (SQLite text cannot hold its path).

What readers ask is read in SQL by :mod:`briefings.index.store_queries`; this class holds the
connections, the sync and what readers cache per generation.

Nothing here reads the clock: ``SyncReport.seconds`` is measured only with a ``timer`` given
by the caller (for example :func:`time.perf_counter`).
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import sqlite3
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Final

from briefings.briefing import Briefing, BriefingRequest, TopicBriefings, by_topics
from briefings.index import db, store_queries
from briefings.index.results import SearchFilters, SearchResults
from briefings.index.scan import WorkerPool, looks_large
from briefings.index.search import ClosedOnExit, SearchIndex
from briefings.index.store_queries import IndexState
from briefings.index.sync import compact, make_plan, write_plan
from briefings.model import Article, Catalog, Problem
from briefings.store import CATALOG_FOLDER, Progress, StoreNotFoundError
from briefings.topics import TopicSummary

__all__ = ["StoreIndex", "SyncReport"]

log = logging.getLogger(__name__)

PARALLEL_MIN_FILES: Final = 1000
"""With ``workers=None``, fewer files than this are parsed in this process (no pool start)."""
_WRITER_CACHE_KIB: Final = 32 * 1024
_READER_CACHE_KIB: Final = 16 * 1024

_PUBLISHED: Final = SearchFilters()


@dataclass(frozen=True, slots=True)
class SyncReport:
    """What one :meth:`StoreIndex.sync` did. Counts are files (paths) of the store.

    ``added``/``changed`` files were parsed (``parsed`` = both); ``renamed`` files moved
    without parsing; ``unchanged`` includes files only touched (same content, new time).
    ``hashed`` counts files read to compare contents. ``problems`` is the number of problems
    after the sync (articles and catalog). ``seconds`` is set only when the index has a timer.
    """

    added: int = 0
    changed: int = 0
    removed: int = 0
    renamed: int = 0
    unchanged: int = 0
    problems: int = 0
    parsed: int = 0
    hashed: int = 0
    catalog_reloaded: bool = False
    rebuilt: bool = False
    seconds: float | None = None

    @property
    def modified(self) -> bool:
        """True when the sync changed what readers see."""
        changes = self.added + self.changed + self.removed + self.renamed
        return bool(changes) or self.catalog_reloaded


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class StoreIndex(ClosedOnExit):
    """A persistent, incremental index of one store folder: a derived cache in one SQLite file.

    ``cache_path=None`` keeps nothing between runs: the index then lives in a temporary file
    (not in memory, so a large store does not grow the process) removed by :meth:`close`.
    The store folder itself is never written to. ``catalog_dir`` defaults to
    ``ROOT/topics``. ``timer`` (e.g. :func:`time.perf_counter`) is only used to fill
    :attr:`SyncReport.seconds`. Call :meth:`sync` before the first query.
    """

    def __init__(
        self,
        root: str | os.PathLike[str],
        cache_path: str | os.PathLike[str] | None = None,
        *,
        catalog_dir: str | os.PathLike[str] | None = None,
        timer: Callable[[], float] | None = None,
    ) -> None:
        self._root = Path(root)
        self._catalog_path = (
            Path(catalog_dir) if catalog_dir is not None else self._root / CATALOG_FOLDER
        )
        self._root_key = str(self._root.resolve())
        self._catalog_key = str(self._catalog_path.resolve())
        self._timer = timer
        self._temp_dir: str | None = None
        if cache_path is None:
            self._temp_dir = tempfile.mkdtemp(prefix="briefings-index-")
            self._cache_path = Path(self._temp_dir) / "index.sqlite"
        else:
            self._cache_path = Path(cache_path)
        self._sync_lock = threading.Lock()
        self._retired: list[SearchIndex] = []
        self._state: IndexState | None = None
        self._topics: tuple[int, list[TopicSummary]] | None = None
        self._damaged = False
        self._closed = False
        try:
            self._open()
        except BaseException:
            self._remove_temp_dir()
            raise

    # -- lifecycle

    def _open(self) -> None:
        self._writer, self._fresh = db.open_cache(
            self._cache_path, self._root_key, self._catalog_key, cache_kib=_WRITER_CACHE_KIB
        )
        try:
            self._writer.execute("PRAGMA journal_size_limit = 67108864")
            info = self._cache_path.stat()
            self._file_id = (info.st_dev, info.st_ino)
            reader = SearchIndex(
                self._cache_path,
                configure=functools.partial(db.configure, cache_kib=_READER_CACHE_KIB),
            )
        except BaseException:
            self._writer.close()
            raise
        self._reader = reader

    def _reopen_fresh(self, reason: str) -> None:
        """Drop the current cache file and start an empty one (the next sync fills it)."""
        log.warning("store index cache %s: %s; rebuilding it", self._cache_path, reason)
        self._retired.append(self._reader)
        self._writer.close()
        db.remove_cache_files(self._cache_path)
        self._open()
        self._damaged = False

    def _cache_vanished(self) -> bool:
        try:
            info = self._cache_path.stat()
        except OSError:
            return True
        return (info.st_dev, info.st_ino) != self._file_id

    def close(self) -> None:
        """Close the cache (and delete it when it was temporary). Idempotent."""
        with self._sync_lock:
            if self._closed:
                return
            self._closed = True
            for reader in (*self._retired, self._reader):
                reader.close()
            self._retired.clear()
            try:
                compact(self._writer)
                db.mark_clean(self._writer, True)
            except sqlite3.Error as error:
                log.warning("could not mark the store index cache as closed: %s", error)
            self._writer.close()
            self._remove_temp_dir()

    def _remove_temp_dir(self) -> None:
        if self._temp_dir is not None:
            shutil.rmtree(self._temp_dir, ignore_errors=True)
            self._temp_dir = None

    # -- syncing

    def sync(self, *, workers: int | None = None, progress: Progress | None = None) -> SyncReport:
        """Bring the index up to date with the folder (see the module docstring).

        ``workers``: processes for parsing; ``None`` uses every available core when there are
        many files to parse, 1 parses in this process. Raises
        :class:`~briefings.store.StoreNotFoundError` when the store folder is missing (the
        index keeps its previous state).
        """
        started = self._timer() if self._timer is not None else None
        with self._sync_lock:
            if self._closed:
                raise RuntimeError("the store index is closed")
            for reader in self._retired:
                reader.close()
            self._retired.clear()
            rebuilt = False
            if self._damaged or self._cache_vanished():
                self._reopen_fresh("the file vanished or was damaged")
                rebuilt = True
            try:
                compact(self._writer)
                report = self._sync(workers, progress)
            except sqlite3.DatabaseError as error:
                if not db.is_damage(error):
                    raise  # e.g. locked by another process: not a reason to drop the cache
                self._reopen_fresh(f"SQLite reported {error}")
                rebuilt = True
                report = self._sync(workers, progress)
        seconds = None if started is None or self._timer is None else self._timer() - started
        report = replace(report, rebuilt=rebuilt or report.rebuilt, seconds=seconds)
        if report.modified:
            log.info(
                "store index of %s: %d added, %d changed, %d removed, %d renamed, "
                "%d unchanged, %d problems%s",
                self._root,
                report.added,
                report.changed,
                report.removed,
                report.renamed,
                report.unchanged,
                report.problems,
                ", catalog reloaded" if report.catalog_reloaded else "",
            )
        return report

    def _sync(self, workers: int | None, progress: Progress | None) -> SyncReport:
        if not self._root.is_dir():
            raise StoreNotFoundError(f"store folder not found: {self._root}")
        pool = WorkerPool(workers if workers is not None else _cpu_count())
        try:
            if pool.workers > 1 and self._fresh and looks_large(self._root, PARALLEL_MIN_FILES):
                pool.start()  # a cold build ahead: let the workers start while we scan
            plan = make_plan(self._writer, self._root, self._catalog_path)
            to_parse = plan.to_parse
            report = SyncReport(
                added=len(plan.added),
                changed=len(plan.changed),
                removed=len(plan.removed),
                renamed=len(plan.renamed),
                unchanged=plan.unchanged,
                parsed=len(to_parse),
                hashed=plan.hashed,
                catalog_reloaded=plan.catalog is not None,
            )
            if report.modified or plan.touched:
                explicit = workers is not None
                parallel = pool.workers > 1 and (explicit or len(to_parse) >= PARALLEL_MIN_FILES)
                write_plan(
                    self._writer,
                    self._root,
                    plan,
                    fresh=self._fresh,
                    pool=pool if parallel else None,
                    progress=progress,
                )
                self._fresh = False
        finally:
            pool.close()
        return replace(report, problems=len(self.problems))

    # -- reading

    @contextmanager
    def _snapshot(self) -> Iterator[tuple[sqlite3.Connection, IndexState]]:
        """The reader connection inside one read transaction, and the state of that moment."""
        try:
            with self._reader.reading() as conn:
                generation = int(
                    conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0]
                )
                state = self._state
                if state is None or state.generation != generation:
                    state = store_queries.read_state(conn, generation)
                    self._state = state
                yield conn, state
        except sqlite3.DatabaseError as error:
            if db.is_damage(error):
                self._damaged = True  # the next sync rebuilds the cache
            raise

    @property
    def catalog(self) -> Catalog:
        """The topic catalog of the store."""
        with self._snapshot() as (_, state):
            return state.catalog

    @property
    def problems(self) -> tuple[Problem, ...]:
        """Files that could not be loaded: catalog files first, then articles in walk order."""
        with self._snapshot() as (_, state):
            return state.problems

    @property
    def notes(self) -> tuple[Problem, ...]:
        """Files that loaded with a value replaced (see :attr:`briefings.model.Store.notes`)."""
        with self._snapshot() as (_, state):
            return state.notes

    @property
    def article_count(self) -> int:
        """How many articles the index holds (published or not)."""
        with self._snapshot() as (_, state):
            return state.article_count

    def search(
        self,
        query: str,
        *,
        filters: SearchFilters = _PUBLISHED,
        limit: int = 10,
        offset: int = 0,
    ) -> SearchResults:
        """Full-text search; see :meth:`briefings.index.search.SearchIndex.search`."""
        try:
            return self._reader.search(query, filters=filters, limit=limit, offset=offset)
        except sqlite3.DatabaseError as error:
            if db.is_damage(error):
                self._damaged = True  # the next sync rebuilds the cache
            raise

    def articles_between(self, start: datetime, end: datetime) -> list[Article]:
        """Every article published in ``(start, end]``, oldest first (read by rowid range)."""
        with self._snapshot() as (conn, _):
            return store_queries.articles_between(conn, start, end, eligible_only=False)

    def articles_with_url(self, url: str) -> list[Article]:
        """Articles whose URL is ``url`` up to :func:`~briefings.urls.canonical_url` form (for
        ``briefings explain`` and ``/briefing explain``)."""
        with self._snapshot() as (conn, _):
            return store_queries.articles_with_url(conn, url)

    def articles_posted_before(self, request: BriefingRequest) -> list[Article]:
        """The articles of ``request``'s posted log published before its window, oldest first.

        A story posted before comes back, marked updated, when its article changed since,
        even when it was published before the window (:func:`~briefings.briefing.in_window`);
        these are the articles that may. Looked up by the exact URLs the log recorded (the
        store's own spelling, read back from the store), through the ``url`` index. An article
        whose file later spells its URL differently (another scheme, tracking parameters) is
        not found here, so it does not come back as updated from before the window (the
        in-memory path, :func:`~briefings.briefing.in_window`, compares canonical URLs).
        """
        with self._snapshot() as (conn, _):
            return store_queries.posted_before(conn, request)

    def briefing(self, request: BriefingRequest) -> Briefing:
        """``assemble(articles, self.catalog, request)`` of the window's articles and
        :meth:`articles_posted_before` (only the window's when nothing was posted before)."""
        return self.briefings_by_topics(request)(request.topics)

    def briefings_by_topics(self, request: BriefingRequest) -> TopicBriefings:
        """The briefings of ``request``'s window for any topics and filters, reading the window
        once.

        ``briefings_by_topics(request)(topics, filters)`` equals ``briefing(replace(request,
        topics=topics, filters=filters))`` as of this call; DM fan-out assembles many topic sets
        this way.
        """
        with self._snapshot() as (conn, state):
            articles = store_queries.articles_between(
                conn, request.start, request.at, eligible_only=True
            )
            if request.posted:
                articles = store_queries.posted_before(conn, request) + articles
        return by_topics(articles, state.catalog, request)

    def topic_summaries(self) -> list[TopicSummary]:
        """Same as :func:`~briefings.topics.summarize_topics` over all articles, from SQL."""
        with self._snapshot() as (conn, state):
            cached = self._topics
            if cached is None or cached[0] != state.generation:
                cached = (state.generation, store_queries.topic_summaries(conn, state.catalog))
                self._topics = cached
        return list(cached[1])
