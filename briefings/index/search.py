"""The FTS storage of full-text search: :class:`SearchIndex` over SQLite FTS5 (stdlib).

The index is a *derived cache*: everything in it comes from :class:`~briefings.model.Article`
values and it can always be rebuilt with :meth:`SearchIndex.replace_all`. Its tables are those
of :mod:`briefings.index.schema`, its rows come from :mod:`briefings.index.rows`, and user
text is turned into an FTS5 expression by :mod:`briefings.index.query`.

Design choices
--------------
* **What a search runs** — filters inside FTS5, BM25 ranking bounded by ``rank_window``, the
  page query and its snippets — is :mod:`briefings.index.search_page`; what it answers
  (:class:`~briefings.index.results.SearchResults` of
  :class:`~briefings.index.results.SearchHit`) is :mod:`briefings.index.results`.
* **Speed.** Loading uses one transaction and ``executemany``;
  :meth:`~SearchIndex.replace_all` recreates the tables, bulk loads with FTS5 automerge off
  and ends with one ``optimize``.
* **User text never reaches MATCH raw** (:func:`~briefings.index.query.translate_query`). If
  SQLite still rejects a translated query, the search falls back to an AND of the quoted bare
  words; user text never makes :meth:`~SearchIndex.search` raise.
* **Threads.** The bot calls the index through :func:`asyncio.to_thread`, so the connection is
  opened with ``check_same_thread=False`` and every use of it is serialised by one
  :class:`threading.Lock`. One connection is enough: searches take milliseconds. Each search
  runs in one read transaction, so when another connection writes the same database file
  (:class:`~briefings.index.store_index.StoreIndex` in WAL mode) its total and page see one
  snapshot.
* **Schema changes.** ``PRAGMA user_version`` records
  :data:`~briefings.index.schema.SCHEMA_VERSION`; an on-disk index with another version is
  recreated empty (it is a cache: call ``replace_all``).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from types import TracebackType
from typing import Any, Final, Self

from briefings.index.query import UNSEARCHABLE, fallback_expression, translate
from briefings.index.results import SearchFilters, SearchHit, SearchResults
from briefings.index.rows import search_rows
from briefings.index.schema import (
    DEFAULT_AUTOMERGE,
    FTS_AUTOMERGE,
    INSERT_ARTICLE,
    INSERT_FTS,
    SCHEMA_VERSION,
    SEQ_BITS,
    SEQ_MASK,
    create_search_tables,
    epoch,
)
from briefings.index.search_page import search_page
from briefings.model import Article

DEFAULT_RANK_WINDOW: Final = 1000
"""Default for :class:`SearchIndex` ``rank_window`` (see there)."""
_PUBLISHED: Final = SearchFilters()
_Row = tuple[Any, ...]  # a database row


def _article_rows(rowid: int, article: Article) -> tuple[_Row, _Row]:
    article_row, fts_row = search_rows(article)
    return (rowid, *article_row), (rowid, *fts_row)


def _order_key(article: Article) -> tuple[int, int, str]:
    return (*epoch(article.published_at), article.path)


class ClosedOnExit:
    """``with`` support for the indexes: the block's end calls ``close()``."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class SearchIndex(ClosedOnExit):
    """A full-text index of articles in one SQLite database (``":memory:"`` by default).

    ``rank_window`` bounds the relevance-ranking work for very broad queries: when more than
    that many articles match (after filters), the newest ``rank_window`` matches are ranked by
    BM25 and come first, followed by the older matches newest first. ``None`` always ranks
    every match (exact, but a query matching most of a 100,000-article store then takes about
    0.1 s). ``total`` is exact either way.

    Thread-safe: one connection opened with ``check_same_thread=False``, every use guarded by
    a :class:`threading.Lock`, so it can be called from :func:`asyncio.to_thread` workers.
    ``configure`` is called with the new connection before anything else (a store index sets
    its cache size and busy timeout this way).
    """

    def __init__(
        self,
        path: str | os.PathLike[str] = ":memory:",
        *,
        rank_window: int | None = DEFAULT_RANK_WINDOW,
        configure: Callable[[sqlite3.Connection], None] | None = None,
    ) -> None:
        if rank_window is not None and rank_window < 1:
            raise ValueError(f"rank_window must be at least 1 or None, not {rank_window}")
        self._rank_window = rank_window
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        try:
            with self._lock:
                if configure is not None:
                    configure(self._conn)
                version = self._conn.execute("PRAGMA user_version").fetchone()[0]
                if version != SCHEMA_VERSION:
                    with self._transaction():
                        self._create_schema()
        except BaseException:
            self._conn.close()
            raise

    # -- lifecycle

    def close(self) -> None:
        """Close the database connection (the index is unusable afterwards)."""
        with self._lock:
            self._conn.close()

    def __len__(self) -> int:
        with self._lock:
            row = self._conn.execute("SELECT count(*) FROM articles").fetchone()
        return int(row[0])

    # -- writing

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE`` ... ``COMMIT`` (``ROLLBACK`` on error); caller holds the lock."""
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def _create_schema(self) -> None:
        create_search_tables(self._conn)

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """The connection, locked and inside one read transaction (a consistent snapshot).

        Other connections to the same database file may commit meanwhile (a
        :class:`~briefings.index.store_index.StoreIndex` writes through its own); in WAL mode
        every statement of the block still sees the state of the moment it began.
        """
        with self._lock:
            self._conn.execute("BEGIN")
            try:
                yield self._conn
            finally:
                self._conn.execute("COMMIT")

    def replace_all(self, articles: Iterable[Article]) -> None:
        """Replace the whole index with ``articles`` in one transaction (last path wins)."""
        unique = sorted({article.path: article for article in articles}.values(), key=_order_key)
        article_rows: list[_Row] = []
        fts_rows: list[_Row] = []
        previous = None
        for article in unique:
            base = epoch(article.published_at)[0] << SEQ_BITS
            rowid = base if previous is None or previous < base else previous + 1
            if rowid > base | SEQ_MASK:
                raise ValueError(_too_many(article))
            previous = rowid
            article_row, fts_row = _article_rows(rowid, article)
            article_rows.append(article_row)
            fts_rows.append(fts_row)
        with self._lock, self._transaction() as conn:
            self._create_schema()
            # Bulk load without incremental merges, then merge everything once (~25% faster).
            conn.execute(FTS_AUTOMERGE, (0,))
            conn.executemany(INSERT_ARTICLE, article_rows)
            conn.executemany(INSERT_FTS, fts_rows)
            conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('optimize')")
            conn.execute(FTS_AUTOMERGE, (DEFAULT_AUTOMERGE,))

    def upsert(self, articles: Iterable[Article]) -> None:
        """Insert ``articles``, replacing any indexed article with the same path."""
        batch = list({article.path: article for article in articles}.values())
        if not batch:
            return
        with self._lock, self._transaction() as conn:
            self._delete_paths(conn, [article.path for article in batch])
            for article in sorted(batch, key=_order_key):
                base = epoch(article.published_at)[0] << SEQ_BITS
                last = conn.execute(
                    "SELECT max(id) FROM articles WHERE id BETWEEN ? AND ?",
                    (base, base | SEQ_MASK),
                ).fetchone()[0]
                rowid = base if last is None else int(last) + 1
                if rowid > base | SEQ_MASK:
                    raise ValueError(_too_many(article))
                article_row, fts_row = _article_rows(rowid, article)
                conn.execute(INSERT_ARTICLE, article_row)
                conn.execute(INSERT_FTS, fts_row)

    def remove(self, paths: Iterable[str]) -> None:
        """Remove the articles with these paths (unknown paths are ignored)."""
        wanted = list(dict.fromkeys(paths))
        if wanted:
            with self._lock, self._transaction() as conn:
                self._delete_paths(conn, wanted)

    @staticmethod
    def _delete_paths(conn: sqlite3.Connection, paths: Sequence[str]) -> None:
        ids = [
            (row[0],)
            for path in paths
            for row in conn.execute("SELECT id FROM articles WHERE path = ?", (path,))
        ]
        conn.executemany("DELETE FROM articles_fts WHERE rowid = ?", ids)
        conn.executemany("DELETE FROM articles WHERE id = ?", ids)

    # -- searching

    def search(
        self,
        query: str,
        *,
        filters: SearchFilters = _PUBLISHED,
        limit: int = 10,
        offset: int = 0,
    ) -> SearchResults:
        """Search for ``query`` (any text; see :func:`translate_query`); never raises for it.

        Hits are ordered by BM25 relevance, then newest first, then path (see ``rank_window``
        for very broad queries). ``total`` counts all matches passing ``filters``; ``hits`` is
        the page ``[offset, offset + limit)``.
        """
        translation = translate(query)
        if translation.expression is None:
            return SearchResults(query, 0, (), message=translation.message)
        limit, offset = max(0, limit), max(0, offset)
        with self.reading():
            try:
                total, hits = self._page(translation.expression, filters, limit, offset)
            except sqlite3.OperationalError:
                fallback = fallback_expression(query)
                if fallback is None:
                    return SearchResults(query, 0, (), message=UNSEARCHABLE)
                try:
                    total, hits = self._page(fallback, filters, limit, offset)
                except sqlite3.OperationalError:
                    return SearchResults(query, 0, (), message=UNSEARCHABLE)
        return SearchResults(query, total, hits)

    def _page(
        self, expression: str, filters: SearchFilters, limit: int, offset: int
    ) -> tuple[int, tuple[SearchHit, ...]]:
        return search_page(
            self._conn,
            expression,
            filters,
            limit=limit,
            offset=offset,
            rank_window=self._rank_window,
        )


def _too_many(article: Article) -> str:
    return (
        f"{article.path}: more than {SEQ_MASK + 1} articles are published in the same second "
        f"({article.published_at.isoformat()}); the search index cannot hold them"
    )
