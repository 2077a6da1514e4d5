"""The schema of the index database and its single version: every table, statement and layout.

Two kinds of database use these tables: a :class:`~briefings.index.search.SearchIndex` on its
own (the search tables only) and the cache file of a
:class:`~briefings.index.store_index.StoreIndex` (the search tables plus the store tables).
Both record :data:`SCHEMA_VERSION` in ``PRAGMA user_version``; a database with another
version is recreated (a search index) or deleted and rebuilt (a store cache): the index is a
derived cache, so a schema change costs one rebuild and nothing else. Change the version with
any change to a table, a statement's columns, the rowid layout or the hidden tokens of
:mod:`briefings.index.rows`.

Search tables:

- ``articles``: what a hit returns (``path`` UNIQUE, title, url, provider, quality, heat,
  topics as JSON, ``published``, ``published_at`` as integer epoch seconds plus
  ``published_at_us`` and the original ISO text so the datetime round-trips);
- ``articles_fts``: an FTS5 table over ``title, topics, excerpt, provider, meta`` with the same
  rowid, tokenizer ``porter unicode61 remove_diacritics 2`` (stemming, case folding,
  ``café`` = ``cafe``) and ``prefix='1 2'`` indexes so short ``w*`` queries stay cheap (``w*``
  over 100,000 articles: 3 s without, 13 ms with). Three letters already narrow a prefix to
  a few dozen terms, so ``rob*`` needs no index of its own; leaving out the ``3`` index makes
  indexing a quarter cheaper. ``meta`` holds the hidden filter tokens.

Store tables (the cache file of a store index, see :mod:`briefings.index.db`):

- ``files``: one row per candidate article file: ``path``, its ``walk_key`` (walk order), its
  identity ``ident`` (``"size/mtime_ns"``; empty for a racily clean file, so the next sync
  hashes it again), content ``digest`` and what it became: ``article_id`` (a row of
  ``articles``), a ``problem`` reason, or neither (a file that is not an article); both
  for an article that loaded with a note (``problem`` holds the note);
- ``article_data``: the article fields search does not keep (excerpt, exact quality and heat,
  provider domain, ``related`` as JSON, kind, image, ``updatedDateTime`` as ISO text) and the
  file's ``walk_key`` again, so the topic overview needs no join with ``files``;
- ``meta``: the store's absolute root and catalog folder, the catalog (JSON), its fingerprint
  and problems, a ``generation`` counter bumped by every sync that changes something,
  ``clean`` (closed cleanly) and ``compact_pending`` (a bulk load's final merge is to do).

**Rowids are time-ordered**: ``epoch seconds << SEQ_BITS`` plus a sequence number within the
second, so a date range is a rowid range that FTS5 applies while scanning.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime
from typing import Final

SCHEMA_VERSION: Final = 8
"""The one version of every table here (``PRAGMA user_version``)."""
APPLICATION_ID: Final = 0x42524958  # "BRIX"
"""``PRAGMA application_id`` of a store index's cache file (not of a bare search index)."""

SEQ_BITS: Final = 20
"""Bits of a rowid below the epoch second: up to 2**20 articles per second."""
SEQ_MASK: Final = (1 << SEQ_BITS) - 1

RESERVED: Final = re.compile("[\ue000-\ue00f]")
"""Private-use characters the index reserves (the highlight sentinels of search hits, the
marker of hidden filter tokens): removed from indexed text and from queries, so they can only
come from the index itself."""

SEARCH_TABLES: Final = (
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
_DROP_SEARCH_TABLES: Final = (
    "DROP TABLE IF EXISTS articles_fts",
    "DROP TABLE IF EXISTS articles",
)

STORE_TABLES: Final = (
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID
    """,
    """
    CREATE TABLE files (
        path TEXT PRIMARY KEY,
        walk_key TEXT NOT NULL,
        ident TEXT NOT NULL,
        digest BLOB,
        article_id INTEGER,
        problem TEXT
    ) WITHOUT ROWID
    """,
    "CREATE INDEX files_by_article ON files (article_id) WHERE article_id IS NOT NULL",
    "CREATE INDEX files_problems ON files (walk_key) WHERE problem IS NOT NULL",
    # the articles a schedule posted, looked up by URL (StoreIndex.articles_posted_before)
    "CREATE INDEX articles_by_url ON articles (url) WHERE url IS NOT NULL",
    """
    CREATE TABLE article_data (
        id INTEGER PRIMARY KEY,
        excerpt TEXT NOT NULL,
        quality,
        heat,
        provider_domain TEXT,
        related_json TEXT,
        kind TEXT NOT NULL,
        image_url TEXT,
        updated_at_iso TEXT,
        walk_key TEXT NOT NULL
    )
    """,
)

INSERT_ARTICLE: Final = """
    INSERT INTO articles (
        id, path, title, url, provider, quality, heat,
        published_at, published_at_us, published_at_iso, topics_json, published
    ) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""
INSERT_FTS: Final = (
    "INSERT INTO articles_fts (rowid, title, topics, excerpt, provider, meta) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
INSERT_DATA: Final = "INSERT INTO article_data VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
INSERT_FILE: Final = "INSERT INTO files VALUES (?, ?, ?, ?, ?, ?)"

FTS_AUTOMERGE: Final = "INSERT INTO articles_fts (articles_fts, rank) VALUES ('automerge', ?)"
"""Set FTS5's ``automerge`` (0 while bulk loading, :data:`DEFAULT_AUTOMERGE` otherwise)."""
DEFAULT_AUTOMERGE: Final = 4

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


def epoch(moment: datetime) -> tuple[int, int]:
    """Epoch seconds and microseconds of ``moment`` (naive taken as UTC), exactly."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    delta = aware - _EPOCH
    return delta.days * 86_400 + delta.seconds, delta.microseconds


def create_search_tables(conn: sqlite3.Connection) -> None:
    """(Re)create the search tables on ``conn`` and record :data:`SCHEMA_VERSION`."""
    for statement in (*_DROP_SEARCH_TABLES, *SEARCH_TABLES):
        conn.execute(statement)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def create_store_tables(conn: sqlite3.Connection) -> None:
    """Create every table of a store index's cache file on an empty database ``conn``."""
    create_search_tables(conn)
    for statement in STORE_TABLES:
        conn.execute(statement)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
