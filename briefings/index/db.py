"""The cache file of a :class:`~briefings.index.store_index.StoreIndex`: opening, validation.

One SQLite database in WAL mode holds the tables of :mod:`briefings.index.schema` (the search
tables and the store tables ``files``, ``article_data`` and ``meta``).

The file is never trusted blindly. :func:`open_cache` checks the SQLite header (and, for a
file closed cleanly, that it is as long as the header says), the ``application_id``,
``user_version`` (:data:`~briefings.index.schema.SCHEMA_VERSION`), the store root and catalog
folder in ``meta``, and runs ``PRAGMA quick_check`` unless the previous session closed the
cache cleanly (a ``clean`` flag in ``meta``, cleared while open: after a crash every page is
checked; on a clean start the 0.2 s a 100,000-article cache takes are saved). Anything
wrong (garbage, a truncated file, another program's database, a cache of another store) is
logged, deleted and rebuilt empty; damage found later by SQLite (:func:`is_damage`) makes the
next sync rebuild.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
from pathlib import Path
from typing import Final

from briefings.index.schema import APPLICATION_ID, SCHEMA_VERSION, create_store_tables
from briefings.model import Catalog, Problem, Topic

log = logging.getLogger(__name__)

_SQLITE_HEADER: Final = b"SQLite format 3\x00"


class CacheError(Exception):
    """Why a cache file cannot be used (shown in the warning before it is rebuilt)."""


_DAMAGE_CODES: Final = frozenset({11, 26})  # SQLITE_CORRUPT, SQLITE_NOTADB (primary codes)


def is_damage(error: sqlite3.Error) -> bool:
    """Whether SQLite says the file itself is damaged (not busy, locked or out of space)."""
    code = getattr(error, "sqlite_errorcode", None)
    if code is None:
        return "malformed" in str(error) or "not a database" in str(error)
    return int(code) & 0xFF in _DAMAGE_CODES


def connect(path: str, *, cache_kib: int) -> sqlite3.Connection:
    """A connection with the settings every connection to the cache uses."""
    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    configure(conn, cache_kib=cache_kib)
    return conn


def configure(conn: sqlite3.Connection, *, cache_kib: int) -> None:
    """Busy timeout, page cache size and no fsync (a cache: damage is detected and rebuilt)."""
    conn.execute("PRAGMA busy_timeout = 10000")
    conn.execute(f"PRAGMA cache_size = -{int(cache_kib)}")
    conn.execute("PRAGMA synchronous = OFF")


def _check(conn: sqlite3.Connection, root: str, catalog_dir: str) -> None:
    if conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
        raise CacheError("not a store index (another program's database)")
    if conn.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
        raise CacheError("made by another version")
    meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    if meta.get("root") != root or meta.get("catalog_dir") != catalog_dir:
        raise CacheError(f"made for another store ({meta.get('root')})")
    if meta.get("clean") != 1:  # the last session did not close it: check every page
        result = conn.execute("PRAGMA quick_check").fetchall()
        if result != [("ok",)]:
            raise CacheError(f"damaged ({str(result[0][0])[:120]})")


def _check_header(path: Path) -> None:
    """The SQLite magic, and for a file closed cleanly (no WAL), its full length."""
    with path.open("rb") as handle:
        header = handle.read(100)
    if not header.startswith(_SQLITE_HEADER):
        raise CacheError("not an SQLite database" if header else "empty file")
    if len(header) < 100:
        raise CacheError("truncated")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    pages_valid = pages > 0 and header[24:28] == header[92:96]
    wal = path.parent / (path.name + "-wal")
    if pages_valid and not wal.exists() and path.stat().st_size < pages * page_size:
        raise CacheError("truncated")


def mark_clean(conn: sqlite3.Connection, clean: bool) -> None:
    """Record whether the cache is closed cleanly (a clean cache skips ``quick_check``)."""
    conn.execute("UPDATE meta SET value = ? WHERE key = 'clean'", (int(clean),))


def remove_cache_files(path: Path) -> None:
    """Delete the cache file and its WAL, shared-memory and journal companions."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            (path.parent / (path.name + suffix)).unlink()


def _create(conn: sqlite3.Connection, root: str, catalog_dir: str) -> None:
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("BEGIN IMMEDIATE")
    try:
        create_store_tables(conn)
        conn.executemany(
            "INSERT INTO meta (key, value) VALUES (?, ?)",
            [
                ("root", root),
                ("catalog_dir", catalog_dir),
                ("generation", 0),
                ("catalog_digest", ""),
                ("catalog", "[]"),
                ("catalog_problems", "[]"),
                ("clean", 0),
                ("compact_pending", 0),
            ],
        )
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def open_cache(
    path: Path, root: str, catalog_dir: str, *, cache_kib: int
) -> tuple[sqlite3.Connection, bool]:
    """The writer connection to a valid cache at ``path``, and whether it was made empty now."""
    if path.exists():
        try:
            _check_header(path)
            conn = connect(str(path), cache_kib=cache_kib)
            try:
                _check(conn, root, catalog_dir)
                conn.execute("PRAGMA journal_mode = WAL")
                mark_clean(conn, False)
            except BaseException:
                conn.close()
                raise
            return conn, False
        except (CacheError, sqlite3.DatabaseError, OSError) as error:
            log.warning("store index cache %s is unusable (%s); rebuilding it", path, error)
            remove_cache_files(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = connect(str(path), cache_kib=cache_kib)
    try:
        _create(conn, root, catalog_dir)
    except BaseException:
        conn.close()
        raise
    return conn, True


def catalog_to_json(catalog: Catalog) -> str:
    """The catalog as JSON (for the ``meta`` table)."""
    return json.dumps(
        [
            [t.name, t.parent, t.shortname, t.description, list(t.keywords), list(t.hashtags)]
            for t in catalog.topics
        ],
        ensure_ascii=False,
    )


def catalog_from_json(text: str) -> Catalog:
    """The catalog stored by :func:`catalog_to_json`."""
    return Catalog(
        tuple(
            Topic(name, parent, shortname, description, tuple(keywords), tuple(hashtags))
            for name, parent, shortname, description, keywords, hashtags in json.loads(text)
        )
    )


def problems_to_json(problems: list[Problem]) -> str:
    """Catalog problems as JSON."""
    return json.dumps([[p.path, p.reason] for p in problems], ensure_ascii=False)


def problems_from_json(text: str) -> list[Problem]:
    """Catalog problems stored by :func:`problems_to_json`."""
    return [Problem(path, reason) for path, reason in json.loads(text)]
