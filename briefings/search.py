"""Full-text search over the store's articles (SQLite FTS5, stdlib :mod:`sqlite3`).

The index is a *derived cache*: everything in it comes from :class:`~briefings.model.Article`
values and it can always be rebuilt with :meth:`SearchIndex.replace_all`.

Design choices
--------------
* **Tables.** ``articles`` keeps what a hit returns (``path`` UNIQUE, title, url, provider,
  quality, heat, topics as JSON, ``published``, ``published_at`` as integer epoch seconds plus
  ``published_at_us`` and the original ISO text so the datetime round-trips). ``articles_fts``
  is an FTS5 table over ``title, topics, excerpt, provider, meta`` with the same rowid,
  tokenizer ``porter unicode61 remove_diacritics 2`` (stemming, case folding, ``café`` =
  ``cafe``) and ``prefix='1 2'`` indexes so short ``w*`` queries stay cheap (``w*`` over
  100,000 articles: 3 s without, 13 ms with). Three letters already narrow a prefix to a
  few dozen terms, so ``rob*`` needs no index of its own (a few ms at 100,000 articles, like
  ``robo*``); leaving out the ``3`` index makes indexing a quarter cheaper.
* **Filters live inside FTS5**, because at 100,000 articles a broad word joined row by row to
  SQL-side filters costs tens of milliseconds while FTS5 intersects sorted doclists in one:

  - ``meta`` holds hidden tokens: one per provider key and per topic key
    (:func:`~briefings.model.topic_key`, hashed) and one for unpublished articles. The
    provider/topic/published filters are ``AND {meta}:"…"`` / ``NOT {meta}:"…"`` added to the
    MATCH. The tokens start with a private-use marker that queries can never contain, so
    user words (and prefixes such as ``p*``) never match them; ``meta`` has BM25 weight 0.
  - Rowids are time-ordered: ``epoch seconds << 20`` plus a sequence number within the
    second. ``since``/``until`` become a rowid range that FTS5 applies while scanning; only
    articles in the boundary second of a bound with microseconds look up their exact time.

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
* **User text never reaches MATCH raw.** :func:`translate_query` turns any string into a safe
  FTS5 expression: every term is emitted as a quoted FTS5 string; only ``OR``/``AND``/``NOT``
  (upper case, between terms), a leading ``-`` and a trailing ``*`` are interpreted. ``OR``
  binds tighter than ``AND`` (as in web search engines): ``a b OR c`` means
  ``a AND (b OR c)``. If SQLite still rejects a translated query, the search falls back to an
  AND of the quoted bare words; user text never makes :meth:`~SearchIndex.search` raise.
* **Snippets** are ``snippet()`` fragments (16 tokens) of the excerpt, or of the title when
  only the title matched, with matched terms between the private-use sentinels
  :data:`HIGHLIGHT_START` and :data:`HIGHLIGHT_END`. Reserved private-use characters
  (U+E000-U+E00F) are stripped from indexed text and from queries, so sentinels can only come
  from highlighting; :meth:`SearchHit.snippet_with` swaps them for markup, escaping only text.
* **Threads.** The bot calls the index through :func:`asyncio.to_thread`, so the connection is
  opened with ``check_same_thread=False`` and every use of it is serialised by one
  :class:`threading.Lock`. One connection is enough: searches take milliseconds. Each search
  runs in one read transaction, so when another connection writes the same database file
  (:class:`~briefings.index.StoreIndex` in WAL mode) its total and page see one snapshot.
* **Schema changes.** ``PRAGMA user_version`` records the schema; an on-disk index with
  another version is recreated empty (it is a cache: call ``replace_all``).

Known limits: no word segmentation for scripts written without spaces (a run of CJK
characters is one token, so ``日本語`` finds ``日本語`` but not ``日本``; ``日本*`` does).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import sqlite3
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from json.encoder import encode_basestring
from types import TracebackType
from typing import Any, Final, Self

from briefings.model import Article, topic_key

__all__ = [
    "HIGHLIGHT_END",
    "HIGHLIGHT_START",
    "SearchFilters",
    "SearchHit",
    "SearchIndex",
    "SearchResults",
    "translate_query",
]

HIGHLIGHT_START: Final = "\ue000"
"""Put before each matched term in :attr:`SearchHit.snippet` (a private-use character)."""
HIGHLIGHT_END: Final = "\ue001"
"""Put after each matched term in :attr:`SearchHit.snippet` (a private-use character)."""

MAX_TERMS: Final = 32
"""Terms (words or phrases) of a query beyond this many are ignored."""
MAX_QUERY_CHARS: Final = 4096
"""Characters of a query beyond this many are ignored."""

_SCHEMA_VERSION: Final = 2
_SNIPPET_TOKENS: Final = 16
_ELLIPSIS: Final = "…"
_OPERATORS: Final = frozenset({"AND", "OR", "NOT"})
# Characters that split a query into chunks (besides whitespace); parentheses are ignored.
_CHUNK_BREAKS: Final = frozenset('()"')
# Private-use characters reserved for the index: the two highlight sentinels and the marker
# of hidden filter tokens. They are removed from indexed text and from queries.
_RESERVED: Final = re.compile("[\ue000-\ue00f]")
_SENTINEL_SPLIT: Final = re.compile(f"({HIGHLIGHT_START}|{HIGHLIGHT_END})")

_NOTHING_TO_SEARCH: Final = (
    "There is nothing to search for: type at least one word or number "
    "(punctuation, emoji and the operators AND, OR and NOT are ignored on their own)."
)
_ONLY_EXCLUSIONS: Final = (
    "There is nothing to search for: exclusions such as -word or NOT word only narrow a "
    "search, so add at least one word to look for."
)
_UNSEARCHABLE: Final = "That query could not be searched; try plain words instead."


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


# --------------------------------------------------------------------------- query translation


@dataclass(frozen=True, slots=True)
class _Term:
    text: str
    negated: bool
    prefix: bool

    def fts(self) -> str:
        quoted = '"' + self.text.replace('"', '""') + '"'
        return quoted + "*" if self.prefix else quoted


@dataclass(frozen=True, slots=True)
class _Translation:
    expression: str | None
    message: str | None


def _is_token_char(char: str) -> bool:
    """Whether the ``unicode61`` tokenizer keeps ``char`` in a token (categories L*, N*, Co)."""
    category = unicodedata.category(char)
    return category[0] in "LN" or category == "Co"


def _searchable(text: str) -> bool:
    return any(_is_token_char(char) for char in text)


def _clean(query: str) -> str:
    """Cap the length; turn control and surrogate characters and reserved ones into spaces."""
    text = _RESERVED.sub(" ", query[:MAX_QUERY_CHARS])
    return "".join(" " if unicodedata.category(char) in ("Cc", "Cs") else char for char in text)


def _lex(text: str) -> Iterator[_Term | str]:
    """Split cleaned query text into terms and operator names (``"AND"``/``"OR"``/``"NOT"``)."""
    length = len(text)
    i = 0
    while i < length:
        char = text[i]
        if char.isspace() or char in "()":
            i += 1
            continue
        negated = False
        if char == "-":
            while i < length and text[i] == "-":
                i += 1
            if i >= length or text[i].isspace() or text[i] in "()":
                continue  # a lone "-" is not an exclusion of anything
            negated = True
            char = text[i]
        if char == '"':
            close = text.find('"', i + 1)
            if close == -1:  # unbalanced quote: the phrase runs to the end
                close = length
            body = text[i + 1 : close]
            i = close + 1
            prefix = False
            while i < length and text[i] == "*":
                prefix = True
                i += 1
            yield _Term(body, negated, prefix)
            continue
        start = i
        while i < length and not text[i].isspace() and text[i] not in _CHUNK_BREAKS:
            i += 1
        word = text[start:i]
        if not negated and word in _OPERATORS:
            yield word
            continue
        stripped = word.rstrip("*")
        yield _Term(stripped, negated, prefix=len(stripped) < len(word))


@dataclass(slots=True)
class _Clause:
    """A disjunction of terms; a negated clause excludes every one of them."""

    terms: list[_Term]
    negated: bool
    extendable: bool  # may a following ``OR term`` join it? Not after ``-word``.


def translate_query(query: str) -> str | None:
    """Translate user text into a safe FTS5 MATCH expression, or ``None`` if nothing is left.

    Rules (any input is accepted):

    * Whitespace separates terms; terms are ANDed: ``robot arm`` -> ``"robot" AND "arm"``.
    * ``"quoted phrase"`` is a phrase; an unbalanced quote runs to the end of the query.
    * A word containing punctuation is quoted as one FTS5 string, which FTS5 reads as a
      phrase of its tokens: ``gpt-4`` -> ``"gpt-4"`` (= phrase ``gpt 4``), ``title:robot`` ->
      ``"title:robot"`` (no column filters), ``NEAR(`` -> ``"NEAR"``.
    * ``OR``, ``AND``, ``NOT`` in upper case are operators between terms; anywhere else they
      are dropped (``NOT robot`` -> ``"robot"``, ``robot OR`` -> ``"robot"``). Lower-case
      ``or`` is an ordinary word. ``OR`` binds tighter than ``AND``:
      ``ai robot OR android`` -> ``"ai" AND ("robot" OR "android")``.
    * ``-word`` / ``-"a phrase"`` / ``NOT word`` exclude: ``robot -toy`` ->
      ``("robot") NOT ("toy")``. A query of only exclusions has nothing to search for.
    * A trailing ``*`` asks for a prefix: ``robo*`` -> ``"robo"*``; ``*`` alone is dropped.
    * Parentheses are separators; control characters become spaces; terms without any
      letter or digit (emoji, punctuation) are dropped; only the first :data:`MAX_TERMS`
      terms of the first :data:`MAX_QUERY_CHARS` characters are used.
    """
    return _translate(query).expression


def _translate(query: str) -> _Translation:
    clauses: list[_Clause] = []
    pending_or = False
    pending_not = False
    count = 0
    for item in _lex(_clean(query)):
        if isinstance(item, str):
            if not clauses:
                continue  # an operator before any term operates on nothing
            if item == "OR":
                pending_or = True
            elif item == "AND":
                pending_or = False
            else:
                pending_not, pending_or = True, False
            continue
        if not _searchable(item.text):
            continue
        count += 1
        if count > MAX_TERMS:
            break
        negated = item.negated or pending_not
        term = _Term(item.text, negated, item.prefix)
        if pending_or and not negated and clauses[-1].extendable:
            clauses[-1].terms.append(term)
        else:
            clauses.append(_Clause([term], negated, extendable=not item.negated))
        pending_or = pending_not = False
    positives = [clause for clause in clauses if not clause.negated]
    if not positives:
        return _Translation(None, _ONLY_EXCLUSIONS if clauses else _NOTHING_TO_SEARCH)
    expression = " AND ".join(_clause_expression(clause) for clause in positives)
    excluded = [term.fts() for clause in clauses if clause.negated for term in clause.terms]
    if excluded:
        expression = f"({expression}) NOT ({' OR '.join(excluded)})"
    return _Translation(expression, None)


def _clause_expression(clause: _Clause) -> str:
    if len(clause.terms) == 1:
        return clause.terms[0].fts()
    return "(" + " OR ".join(term.fts() for term in clause.terms) + ")"


def _fallback_expression(query: str) -> str | None:
    """An AND of the quoted bare words of ``query`` (letters/digits runs), or ``None``."""
    words: list[str] = []
    current: list[str] = []
    for char in _clean(query) + " ":
        if _is_token_char(char):
            current.append(char)
        elif current:
            words.append("".join(current))
            current = []
            if len(words) >= MAX_TERMS:
                break
    if not words:
        return None
    return " AND ".join(f'"{word}"' for word in words)


# --------------------------------------------------------------------------- the index

_SEQ_BITS: Final = 20
_SEQ_MASK: Final = (1 << _SEQ_BITS) - 1
_META_MARK: Final = "\ue002"
_UNPUBLISHED_TOKEN: Final = f"{_META_MARK}unpublished0"
DEFAULT_RANK_WINDOW: Final = 1000
"""Default for :class:`SearchIndex` ``rank_window`` (see there)."""

_SCHEMA: Final = (
    """
    CREATE TABLE articles (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        url TEXT,
        provider TEXT NOT NULL,
        quality REAL NOT NULL,
        heat REAL NOT NULL,
        published_at INTEGER NOT NULL,
        published_at_us INTEGER NOT NULL,
        published_at_iso TEXT NOT NULL,
        topics_json TEXT NOT NULL,
        published INTEGER NOT NULL
    )
    """,
    """
    CREATE VIRTUAL TABLE articles_fts USING fts5 (
        title, topics, excerpt, provider, meta,
        tokenize = 'porter unicode61 remove_diacritics 2',
        prefix = '1 2'
    )
    """,
)
_DROP: Final = ("DROP TABLE IF EXISTS articles_fts", "DROP TABLE IF EXISTS articles")

_INSERT_ARTICLE: Final = """
    INSERT INTO articles (
        id, path, title, url, provider, quality, heat,
        published_at, published_at_us, published_at_iso, topics_json, published
    ) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""
_INSERT_FTS: Final = (
    "INSERT INTO articles_fts (rowid, title, topics, excerpt, provider, meta) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)

_FTS_AUTOMERGE: Final = "INSERT INTO articles_fts (articles_fts, rank) VALUES ('automerge', ?)"
_DEFAULT_AUTOMERGE: Final = 4
_RANK: Final = "bm25(articles_fts, 10.0, 4.0, 2.0, 1.0, 0.0)"
_NEWEST: Final = "a.published_at DESC, a.published_at_us DESC, a.path"
_HIT_COLUMNS: Final = (
    "a.id, a.path, a.title, a.url, a.provider, a.quality, a.heat, "
    "a.published_at_iso, a.topics_json, a.published"
)

_Row = tuple[Any, ...]  # a database row


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


def _json_list(items: Sequence[str]) -> str:
    """``json.dumps(list(items), ensure_ascii=False)`` for strings, with less overhead."""
    return "[" + ", ".join(map(encode_basestring, items)) + "]"


def _epoch(moment: datetime) -> tuple[int, int]:
    """Epoch seconds and microseconds of ``moment`` (naive taken as UTC), exactly."""
    delta = _utc(moment) - _EPOCH
    return delta.days * 86_400 + delta.seconds, delta.microseconds


@functools.lru_cache(maxsize=4096)
def _meta_token(kind: str, key: str) -> str:
    """A hidden token for a filter value: marker, kind, 64-bit hash of the key, then ``0``.

    The private-use marker can never be typed (queries lose it) and the final digit keeps the
    porter stemmer from touching the token.
    """
    digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()
    return f"{_META_MARK}{kind}{digest}0"


@functools.lru_cache(maxsize=4096)
def _provider_token(name: str) -> str:
    return _meta_token("p", topic_key(name))


@functools.lru_cache(maxsize=4096)
def _topic_token(name: str) -> str:
    return _meta_token("t", topic_key(name))


def _clean_text(text: str) -> str:
    return text if text.isascii() else _RESERVED.sub("", text)


def _search_rows(article: Article) -> tuple[_Row, _Row]:
    """The ``articles`` and ``articles_fts`` rows of ``article``, without their rowid.

    Shared with :mod:`briefings.index`, whose worker processes build them in parallel.
    """
    seconds, micros = _epoch(article.published_at)
    provider = article.provider_name
    meta = [_provider_token(provider), *(_topic_token(topic) for topic in article.topics)]
    if not article.published:
        meta.append(_UNPUBLISHED_TOKEN)
    article_row: _Row = (
        article.path,
        article.title,
        article.url,
        provider,
        float(article.quality),
        float(article.heat),
        seconds,
        micros,
        article.published_at.isoformat(),
        _json_list(article.topics),
        int(article.published),
    )
    fts_row: _Row = (
        _clean_text(article.title),
        _clean_text("\n".join(article.topics)),
        _clean_text(article.excerpt),
        _clean_text(provider),
        " ".join(meta),
    )
    return article_row, fts_row


def _article_rows(rowid: int, article: Article) -> tuple[_Row, _Row]:
    article_row, fts_row = _search_rows(article)
    return (rowid, *article_row), (rowid, *fts_row)


def _order_key(article: Article) -> tuple[int, int, str]:
    return (*_epoch(article.published_at), article.path)


def _filtered_match(expression: str, filters: SearchFilters) -> str:
    """``expression`` restricted by the provider, topic and published filters (hidden tokens)."""
    match = f"({expression})"
    if filters.provider is not None:
        match += f' AND {{meta}} : "{_provider_token(filters.provider)}"'
    if filters.topic is not None:
        match += f' AND {{meta}} : "{_topic_token(filters.topic)}"'
    if filters.published_only:
        match = f'({match}) NOT {{meta}} : "{_UNPUBLISHED_TOKEN}"'
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
        seconds, micros = _epoch(filters.since)
        where += " AND articles_fts.rowid >= ?"
        params.append(seconds << _SEQ_BITS)
        if micros:
            where += f" AND (articles_fts.rowid >= ? OR {_MICROS_OF} >= ?)"
            params += [(seconds + 1) << _SEQ_BITS, micros]
    if filters.until is not None:
        seconds, micros = _epoch(filters.until)
        where += " AND articles_fts.rowid <= ?"
        params.append((seconds << _SEQ_BITS) | _SEQ_MASK)
        if micros != 999_999:
            where += f" AND (articles_fts.rowid < ? OR {_MICROS_OF} <= ?)"
            params += [seconds << _SEQ_BITS, micros]
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
    """

    def __init__(
        self,
        path: str | os.PathLike[str] = ":memory:",
        *,
        rank_window: int | None = DEFAULT_RANK_WINDOW,
    ) -> None:
        if rank_window is not None and rank_window < 1:
            raise ValueError(f"rank_window must be at least 1 or None, not {rank_window}")
        self._rank_window = rank_window
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        try:
            with self._lock:
                version = self._conn.execute("PRAGMA user_version").fetchone()[0]
                if version != _SCHEMA_VERSION:
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
        _create_search_tables(self._conn)

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """The connection, locked and inside one read transaction (a consistent snapshot).

        Other connections to the same database file (:class:`~briefings.index.StoreIndex`
        writes through its own) may commit meanwhile; in WAL mode every statement of the
        block still sees the state of the moment it began.
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
            base = _epoch(article.published_at)[0] << _SEQ_BITS
            rowid = base if previous is None or previous < base else previous + 1
            if rowid > base | _SEQ_MASK:
                raise ValueError(_too_many(article))
            previous = rowid
            article_row, fts_row = _article_rows(rowid, article)
            article_rows.append(article_row)
            fts_rows.append(fts_row)
        with self._lock, self._transaction() as conn:
            self._create_schema()
            # Bulk load without incremental merges, then merge everything once (~25% faster).
            conn.execute(_FTS_AUTOMERGE, (0,))
            conn.executemany(_INSERT_ARTICLE, article_rows)
            conn.executemany(_INSERT_FTS, fts_rows)
            conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('optimize')")
            conn.execute(_FTS_AUTOMERGE, (_DEFAULT_AUTOMERGE,))

    def upsert(self, articles: Iterable[Article]) -> None:
        """Insert ``articles``, replacing any indexed article with the same path."""
        batch = list({article.path: article for article in articles}.values())
        if not batch:
            return
        with self._lock, self._transaction() as conn:
            self._delete_paths(conn, [article.path for article in batch])
            for article in sorted(batch, key=_order_key):
                base = _epoch(article.published_at)[0] << _SEQ_BITS
                last = conn.execute(
                    "SELECT max(id) FROM articles WHERE id BETWEEN ? AND ?",
                    (base, base | _SEQ_MASK),
                ).fetchone()[0]
                rowid = base if last is None else int(last) + 1
                if rowid > base | _SEQ_MASK:
                    raise ValueError(_too_many(article))
                article_row, fts_row = _article_rows(rowid, article)
                conn.execute(_INSERT_ARTICLE, article_row)
                conn.execute(_INSERT_FTS, fts_row)

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
        translation = _translate(query)
        if translation.expression is None:
            return SearchResults(query, 0, (), message=translation.message)
        limit, offset = max(0, limit), max(0, offset)
        with self._reading():
            try:
                total, hits = self._run(translation.expression, filters, limit, offset)
            except sqlite3.OperationalError:
                fallback = _fallback_expression(query)
                if fallback is None:
                    return SearchResults(query, 0, (), message=_UNSEARCHABLE)
                try:
                    total, hits = self._run(fallback, filters, limit, offset)
                except sqlite3.OperationalError:
                    return SearchResults(query, 0, (), message=_UNSEARCHABLE)
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
            cutoff = (int(newest_unranked) >> _SEQ_BITS) << _SEQ_BITS
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


def _create_search_tables(conn: sqlite3.Connection) -> None:
    """(Re)create the search tables on ``conn`` and record their schema version."""
    for statement in (*_DROP, *_SCHEMA):
        conn.execute(statement)
    conn.execute(f"PRAGMA user_version = {_SCHEMA_VERSION}")


def _too_many(article: Article) -> str:
    return (
        f"{article.path}: more than {_SEQ_MASK + 1} articles are published in the same second "
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
