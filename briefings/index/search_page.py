"""One page of search results from an FTS5 MATCH expression (the caller holds a read snapshot).

:func:`search_page` runs what :meth:`~briefings.index.search.SearchIndex.search` asks for on
the ``articles``/``articles_fts`` tables of :mod:`briefings.index.schema`:

* **Filters live inside FTS5** (hidden tokens in the ``meta`` column, see
  :mod:`briefings.index.rows`): the provider/topic/published filters are
  ``AND {meta}:"…"`` / ``NOT {meta}:"…"`` added to the MATCH; ``meta`` has BM25 weight 0.
  Rowids are time-ordered (see :mod:`briefings.index.schema`), so ``since``/``until`` become
  a rowid range that FTS5 applies while scanning; only articles in the boundary second of a
  bound with microseconds look up their exact time.
* **Ranking** is ``bm25(articles_fts, 10, 4, 2, 1, 0)`` (title > topics > excerpt > provider),
  then newest first, then path, so the order is total and stable. BM25 costs about 1 µs per
  ranked row, so when more than ``rank_window`` articles match, only the newest
  ``rank_window`` matches (cheap to find thanks to the time-ordered rowids; rounded out to
  whole seconds so the result never depends on the order articles were added in) are ranked;
  they come first and the older matches follow, newest first. ``rank_window=None`` ranks all.
* **Speed.** ``count(*)`` over the MATCH gives ``total``, then a ``LIMIT/OFFSET`` page query;
  no Python code runs for rows that are not returned, and ``snippet()`` plus the
  JSON/datetime decoding only run for the page's rows.
* **Snippets** are ``snippet()`` fragments (16 tokens) of the excerpt, or of the title when
  only the title matched, with matched terms between
  :data:`~briefings.index.results.HIGHLIGHT_START` and
  :data:`~briefings.index.results.HIGHLIGHT_END`.

A MATCH expression SQLite rejects raises :class:`sqlite3.OperationalError`; the caller
decides what to fall back to.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

from briefings.index.results import HIGHLIGHT_END, HIGHLIGHT_START, SearchFilters, SearchHit
from briefings.index.rows import UNPUBLISHED_TOKEN, provider_token, topic_token
from briefings.index.schema import SEQ_BITS, SEQ_MASK, epoch

_SNIPPET_TOKENS: Final = 16
_ELLIPSIS: Final = "…"
_RANK: Final = "bm25(articles_fts, 10.0, 4.0, 2.0, 1.0, 0.0)"
_NEWEST: Final = "a.published_at DESC, a.published_at_us DESC, a.path"
_HIT_COLUMNS: Final = (
    "a.id, a.path, a.title, a.url, a.provider, a.quality, a.heat, "
    "a.published_at_iso, a.topics_json, a.published"
)

_Row = tuple[Any, ...]  # a database row


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


def search_page(
    conn: sqlite3.Connection,
    expression: str,
    filters: SearchFilters,
    *,
    limit: int,
    offset: int,
    rank_window: int | None,
) -> tuple[int, tuple[SearchHit, ...]]:
    """``(total, hits)``: how many articles match ``expression`` with ``filters``, and the
    page ``[offset, offset + limit)`` of them in rank order (see the module docstring)."""
    where, params = _where(expression, filters)
    total = int(
        conn.execute(f"SELECT count(*) FROM articles_fts WHERE {where}", params).fetchone()[0]  # noqa: S608
    )
    if total <= offset or limit == 0:
        return total, ()
    ranked, cutoff = total, None
    if rank_window is not None and total > rank_window:
        newest_unranked = conn.execute(
            f"SELECT rowid FROM articles_fts WHERE {where} "  # noqa: S608
            "ORDER BY rowid DESC LIMIT 1 OFFSET ?",
            (*params, rank_window - 1),
        ).fetchone()[0]
        # Rank whole seconds: the order of rowids inside one second depends on the order
        # articles were added in, so cutting there would make results depend on history.
        cutoff = (int(newest_unranked) >> SEQ_BITS) << SEQ_BITS
        ranked = rank_window + int(
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
    snippets = _snippets(conn, expression, [int(row[0]) for row in rows])
    return total, tuple(_hit(row, snippets.get(int(row[0]), "")) for row in rows)


def _snippets(conn: sqlite3.Connection, expression: str, ids: Sequence[int]) -> dict[int, str]:
    """Excerpt and title snippets of just the page's rows (rowid lookups in FTS5)."""
    if not ids:
        return {}
    marks = ", ".join("?" for _ in ids)
    fragment = f"?, ?, ?, {_SNIPPET_TOKENS}"
    marker_params = (HIGHLIGHT_START, HIGHLIGHT_END, _ELLIPSIS)
    rows = conn.execute(
        f"SELECT rowid, snippet(articles_fts, 2, {fragment}), "  # noqa: S608 - our SQL
        f"snippet(articles_fts, 0, {fragment}), title "
        f"FROM articles_fts WHERE articles_fts MATCH ? AND rowid IN ({marks})",
        (*marker_params, *marker_params, expression, *ids),
    ).fetchall()
    return {int(row[0]): _pick_snippet(row[1], row[2], str(row[3])) for row in rows}


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
