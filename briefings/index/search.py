"""The FTS storage of full-text search: :class:`SearchIndex` over SQLite FTS5 (stdlib).

The index is a *derived cache*: everything in it comes from :class:`~briefings.model.Article`
values and it can always be rebuilt with :meth:`SearchIndex.replace_all`. Its tables are those
of :mod:`briefings.index.schema`, its rows come from :mod:`briefings.index.rows`, and user
text is turned into an FTS5 expression by :mod:`briefings.index.query`.

Design choices
--------------
* **Filters live inside FTS5** (hidden tokens in the ``meta`` column, see
  :mod:`briefings.index.rows`): the provider/topic/published filters are
  ``AND {meta}:"…"`` / ``NOT {meta}:"…"`` added to the MATCH; ``meta`` has BM25 weight 0.
  Rowids are time-ordered (see :mod:`briefings.index.schema`), so ``since``/``until`` become
  a rowid range that FTS5 applies while scanning; only articles in the boundary second of a
  bound with microseconds look up their exact time.
* **Ranking** is ``bm25(articles_fts, 10, 4, 2, 1, 0)`` (title > topics > excerpt > provider),
  then newest first, then path, so the order is total and stable. BM25 costs about 1 µs per
  ranked row, so when more than ``rank_window`` (default 1,000) articles match, only the newest
  ``rank_window`` matches (cheap to find thanks to the time-ordered rowids; rounded out to
  whole seconds so the result never depends on the order articles were added in) are ranked;
  they come first and the older matches follow, newest first. ``rank_window=None`` ranks all.
* **Speed.** Loading uses one transaction and ``executemany``;
  :meth:`~SearchIndex.replace_all` recreates the tables, bulk loads with FTS5 automerge off
  and ends with one ``optimize``. A search runs ``count(*)`` over the MATCH for ``total``,
  then a ``LIMIT/OFFSET`` page query; no Python code runs for rows that are not returned, and
  ``snippet()`` plus the JSON/datetime decoding only run for the page's rows.
* **User text never reaches MATCH raw** (:func:`~briefings.index.query.translate_query`). If
  SQLite still rejects a translated query, the search falls back to an AND of the quoted bare
  words; user text never makes :meth:`~SearchIndex.search` raise.
* **Snippets** are ``snippet()`` fragments (16 tokens) of the excerpt, or of the title when
  only the title matched, with matched terms between the private-use sentinels
  :data:`HIGHLIGHT_START` and :data:`HIGHLIGHT_END`. Reserved private-use characters
  (U+E000-U+E00F) are stripped from indexed text and from queries, so sentinels can only come
  from highlighting; :meth:`SearchHit.snippet_with` swaps them for markup, escaping only text.
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

import json
import os
import re
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, Final, Self

from briefings.index.query import UNSEARCHABLE, fallback_expression, translate
from briefings.index.rows import UNPUBLISHED_TOKEN, provider_token, search_rows, topic_token
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
from briefings.model import Article

__all__ = [
    "HIGHLIGHT_END",
    "HIGHLIGHT_START",
    "SearchFilters",
    "SearchHit",
    "SearchIndex",
    "SearchResults",
]

HIGHLIGHT_START: Final = "\ue000"
"""Put before each matched term in :attr:`SearchHit.snippet` (a private-use character)."""
HIGHLIGHT_END: Final = "\ue001"
"""Put after each matched term in :attr:`SearchHit.snippet` (a private-use character)."""


_SNIPPET_TOKENS: Final = 16
_ELLIPSIS: Final = "…"
_SENTINEL_SPLIT: Final = re.compile(f"({HIGHLIGHT_START}|{HIGHLIGHT_END})")


# --------------------------------------------------------------------------- values


@dataclass(frozen=True, slots=True)
class SearchFilters:
    """Restrictions applied on top of the text match.

    ``topic`` matches one of an article's topics exactly, compared with
    :func:`~briefings.model.topic_key` (case- and spacing-insensitive); ``provider`` matches
    the provider's name the same way. ``since``/``until`` bound ``published_at`` inclusively
    (naive datetimes are taken as UTC). ``published_only`` (the default) keeps only articles
    with ``published: true``.
    """

    topic: str | None = None
    provider: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    published_only: bool = True


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One matching article, with a highlighted snippet."""

    path: str
    title: str
    url: str | None
    provider: str
    quality: float
    heat: float
    published_at: datetime
    topics: tuple[str, ...]
    published: bool
    snippet: str
    """A short excerpt (or title) fragment; matched terms sit between the sentinels."""

    def snippet_with(self, start: str, end: str, escape: Callable[[str], str] = lambda s: s) -> str:
        """The snippet with the sentinels replaced by ``start``/``end``.

        ``escape`` (for example a Discord markdown escaper) is applied to the text pieces
        only, never to ``start``/``end``, so the highlight markup survives escaping.
        """
        parts: list[str] = []
        for piece in _SENTINEL_SPLIT.split(self.snippet):
            if piece == HIGHLIGHT_START:
                parts.append(start)
            elif piece == HIGHLIGHT_END:
                parts.append(end)
            elif piece:
                parts.append(escape(piece))
        return "".join(parts)


@dataclass(frozen=True, slots=True)
class SearchResults:
    """A page of hits. ``total`` counts every match with the filters, not just this page.

    ``message`` is a sentence for the user when the query had nothing searchable in it (then
    ``total`` is 0 and there are no hits); it is ``None`` otherwise, including for a valid
    query that simply matched nothing.
    """

    query: str
    total: int
    hits: tuple[SearchHit, ...]
    message: str | None = None


# --------------------------------------------------------------------------- the index

DEFAULT_RANK_WINDOW: Final = 1000
"""Default for :class:`SearchIndex` ``rank_window`` (see there)."""
_RANK: Final = "bm25(articles_fts, 10.0, 4.0, 2.0, 1.0, 0.0)"
_NEWEST: Final = "a.published_at DESC, a.published_at_us DESC, a.path"
_HIT_COLUMNS: Final = (
    "a.id, a.path, a.title, a.url, a.provider, a.quality, a.heat, "
    "a.published_at_iso, a.topics_json, a.published"
)

_Row = tuple[Any, ...]  # a database row


def _article_rows(rowid: int, article: Article) -> tuple[_Row, _Row]:
    article_row, fts_row = search_rows(article)
    return (rowid, *article_row), (rowid, *fts_row)


def _order_key(article: Article) -> tuple[int, int, str]:
    return (*epoch(article.published_at), article.path)


def _filtered_match(expression: str, filters: SearchFilters) -> str:
    """``expression`` restricted by the provider, topic and published filters (hidden tokens)."""
    match = f"({expression})"
    if filters.provider is not None:
        match += f' AND {{meta}} : "{provider_token(filters.provider)}"'
    if filters.topic is not None:
        match += f' AND {{meta}} : "{topic_token(filters.topic)}"'
    if filters.published_only:
        match = f'({match}) NOT {{meta}} : "{UNPUBLISHED_TOKEN}"'
    return match


_MICROS_OF: Final = "(SELECT published_at_us FROM articles WHERE id = articles_fts.rowid)"


def _where(expression: str, filters: SearchFilters) -> tuple[str, tuple[object, ...]]:
    """The ``WHERE`` condition (on ``articles_fts`` only) shared by every search statement.

    Rowids are time-ordered (epoch seconds << 20), so the date range becomes a rowid range
    that FTS5 applies itself; only articles in the boundary second of a bound with
    microseconds look up their exact ``published_at_us``.
    """
    where = "articles_fts MATCH ?"
    params: list[object] = [_filtered_match(expression, filters)]
    if filters.since is not None:
        seconds, micros = epoch(filters.since)
        where += " AND articles_fts.rowid >= ?"
        params.append(seconds << SEQ_BITS)
        if micros:
            where += f" AND (articles_fts.rowid >= ? OR {_MICROS_OF} >= ?)"
            params += [(seconds + 1) << SEQ_BITS, micros]
    if filters.until is not None:
        seconds, micros = epoch(filters.until)
        where += " AND articles_fts.rowid <= ?"
        params.append((seconds << SEQ_BITS) | SEQ_MASK)
        if micros != 999_999:
            where += f" AND (articles_fts.rowid < ? OR {_MICROS_OF} <= ?)"
            params += [seconds << SEQ_BITS, micros]
    return where, tuple(params)


def _pick_snippet(excerpt: str | None, title: str | None, fallback: str) -> str:
    """The excerpt fragment if it highlights something, else the title's, else any."""
    for candidate in (excerpt, title):
        if candidate and HIGHLIGHT_START in candidate:
            return candidate
    return excerpt or title or fallback


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
        filters: SearchFilters = SearchFilters(),
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
                total, hits = self._run(translation.expression, filters, limit, offset)
            except sqlite3.OperationalError:
                fallback = fallback_expression(query)
                if fallback is None:
                    return SearchResults(query, 0, (), message=UNSEARCHABLE)
                try:
                    total, hits = self._run(fallback, filters, limit, offset)
                except sqlite3.OperationalError:
                    return SearchResults(query, 0, (), message=UNSEARCHABLE)
        return SearchResults(query, total, hits)

    def _run(
        self, expression: str, filters: SearchFilters, limit: int, offset: int
    ) -> tuple[int, tuple[SearchHit, ...]]:
        conn = self._conn
        where, params = _where(expression, filters)
        total = int(
            conn.execute(f"SELECT count(*) FROM articles_fts WHERE {where}", params).fetchone()[0]  # noqa: S608
        )
        if total <= offset or limit == 0:
            return total, ()
        ranked, cutoff = total, None
        if self._rank_window is not None and total > self._rank_window:
            newest_unranked = conn.execute(
                f"SELECT rowid FROM articles_fts WHERE {where} "  # noqa: S608
                "ORDER BY rowid DESC LIMIT 1 OFFSET ?",
                (*params, self._rank_window - 1),
            ).fetchone()[0]
            # Rank whole seconds: the order of rowids inside one second depends on the order
            # articles were added in, so cutting there would make results depend on history.
            cutoff = (int(newest_unranked) >> SEQ_BITS) << SEQ_BITS
            ranked = self._rank_window + int(
                conn.execute(
                    f"SELECT count(*) FROM articles_fts WHERE {where} "  # noqa: S608
                    "AND articles_fts.rowid >= ? AND articles_fts.rowid < ?",
                    (*params, cutoff, newest_unranked),
                ).fetchone()[0]
            )
        # Every SQL fragment is ours; user text only travels as bound parameters.
        # CROSS JOIN keeps FTS5 as the outer loop (SQLite never reorders a CROSS JOIN).
        source = (
            f"SELECT {_HIT_COLUMNS} FROM articles_fts "  # noqa: S608
            f"CROSS JOIN articles AS a ON a.id = articles_fts.rowid WHERE {where}"
        )
        rows: list[_Row] = []
        if offset < ranked:
            recent = "" if cutoff is None else " AND articles_fts.rowid >= ?"
            rows += conn.execute(
                f"{source}{recent} ORDER BY {_RANK}, {_NEWEST} LIMIT ? OFFSET ?",
                (*params, *(() if cutoff is None else (cutoff,)), limit, offset),
            ).fetchall()
        if cutoff is not None and offset + limit > ranked:
            start = max(offset, ranked)
            rows += conn.execute(
                f"{source} AND articles_fts.rowid < ? ORDER BY {_NEWEST} LIMIT ? OFFSET ?",
                (*params, cutoff, offset + limit - start, start - ranked),
            ).fetchall()
        snippets = self._snippets(expression, [int(row[0]) for row in rows])
        return total, tuple(_hit(row, snippets.get(int(row[0]), "")) for row in rows)

    def _snippets(self, expression: str, ids: Sequence[int]) -> dict[int, str]:
        """Excerpt and title snippets of just the page's rows (rowid lookups in FTS5)."""
        if not ids:
            return {}
        marks = ", ".join("?" for _ in ids)
        fragment = f"?, ?, ?, {_SNIPPET_TOKENS}"
        marker_params = (HIGHLIGHT_START, HIGHLIGHT_END, _ELLIPSIS)
        rows = self._conn.execute(
            f"SELECT rowid, snippet(articles_fts, 2, {fragment}), "  # noqa: S608 - our SQL
            f"snippet(articles_fts, 0, {fragment}), title "
            f"FROM articles_fts WHERE articles_fts MATCH ? AND rowid IN ({marks})",
            (*marker_params, *marker_params, expression, *ids),
        ).fetchall()
        return {int(row[0]): _pick_snippet(row[1], row[2], str(row[3])) for row in rows}


def _too_many(article: Article) -> str:
    return (
        f"{article.path}: more than {SEQ_MASK + 1} articles are published in the same second "
        f"({article.published_at.isoformat()}); the search index cannot hold them"
    )


def _hit(row: _Row, snippet: str) -> SearchHit:
    (_, path, title, url, provider, quality, heat, iso, topics_json, published) = row
    topics = json.loads(str(topics_json))
    return SearchHit(
        path=str(path),
        title=str(title),
        url=None if url is None else str(url),
        provider=str(provider),
        quality=float(quality),
        heat=float(heat),
        published_at=datetime.fromisoformat(str(iso)),
        topics=tuple(str(topic) for topic in topics),
        published=bool(published),
        snippet=snippet,
    )
