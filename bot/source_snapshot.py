"""The remote sources' last good polls, kept on disk so a restart serves them at once.

One small SQLite file next to the store's index (``INDEX_CACHE`` with ``.sources`` in its name,
e.g. ``data/index-cache.sources.sqlite3``; none when ``INDEX_CACHE`` is empty). For each source
URL it keeps the time of the last good poll and that poll's pages exactly as they were
received (URL, ``ETag``, ``Last-Modified``, body). Keeping the raw pages rather than parsed
articles means a restart parses them with the same code as a live poll, and the validators
make the first poll after a restart a cheap conditional request.

Each save replaces a source's rows in one transaction, so a crash leaves the previous good
poll or the new one, never a mix. A file that cannot be read (damaged, foreign) is logged and
replaced by an empty one: it is a cache, the next good poll fills it again. Calls block; the
poller runs them in a worker thread.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sources (
    url TEXT PRIMARY KEY,
    last_success TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS pages (
    source_url TEXT NOT NULL,
    position INTEGER NOT NULL,
    url TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    body BLOB NOT NULL,
    PRIMARY KEY (source_url, position)
);
"""
_APPLICATION_ID = 0x42524653  # "BRFS": marks the file as ours


@dataclass(frozen=True, slots=True)
class StoredPage:
    """One page of a good poll, as received."""

    url: str
    etag: str | None
    last_modified: str | None
    body: bytes


@dataclass(frozen=True, slots=True)
class StoredSource:
    """A source's last good poll."""

    last_success: datetime
    pages: tuple[StoredPage, ...]


def snapshot_path(index_cache: Path | None) -> Path | None:
    """The snapshot file that belongs with an index cache file (None without one)."""
    if index_cache is None:
        return None
    return index_cache.with_name(f"{index_cache.stem}.sources{index_cache.suffix}")


class SourceSnapshot:
    """The snapshot file: :meth:`load` at start, :meth:`save` after each good poll."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=10)
        try:
            found = conn.execute("PRAGMA application_id").fetchone()[0]
            if found not in (0, _APPLICATION_ID):
                raise sqlite3.DatabaseError(f"application id {found:#x} is not ours")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.executescript(_SCHEMA)
            conn.execute(f"PRAGMA application_id = {_APPLICATION_ID}")
        except sqlite3.DatabaseError:
            conn.close()
            raise
        return conn

    def _open(self) -> sqlite3.Connection:
        try:
            return self._connect()
        except sqlite3.DatabaseError as error:
            log.warning("source snapshot %s unusable (%s); starting an empty one", self.path, error)
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            return self._connect()

    def load(self, urls: Sequence[str]) -> dict[str, StoredSource]:
        """The stored good polls of ``urls``; sources no longer configured are forgotten."""
        conn = self._open()
        try:
            with conn:
                wanted = set(urls)
                for (url,) in conn.execute("SELECT url FROM sources").fetchall():
                    if url not in wanted:
                        conn.execute("DELETE FROM sources WHERE url = ?", (url,))
                        conn.execute("DELETE FROM pages WHERE source_url = ?", (url,))
            found: dict[str, StoredSource] = {}
            for url, when in conn.execute("SELECT url, last_success FROM sources"):
                rows = conn.execute(
                    "SELECT url, etag, last_modified, body FROM pages"
                    " WHERE source_url = ? ORDER BY position",
                    (url,),
                ).fetchall()
                pages = tuple(StoredPage(u, e, m, bytes(b)) for u, e, m, b in rows)
                found[url] = StoredSource(datetime.fromisoformat(when), pages)
            return found
        finally:
            conn.close()

    def save(
        self, url: str, last_success: datetime, pages: Sequence[StoredPage] | None = None
    ) -> None:
        """Record a good poll of ``url``; ``pages=None`` keeps the stored pages (a 304 poll)."""
        conn = self._open()
        try:
            with conn:
                conn.execute(
                    "INSERT INTO sources (url, last_success) VALUES (?, ?)"
                    " ON CONFLICT (url) DO UPDATE SET last_success = excluded.last_success",
                    (url, last_success.isoformat()),
                )
                if pages is not None:
                    conn.execute("DELETE FROM pages WHERE source_url = ?", (url,))
                    conn.executemany(
                        "INSERT INTO pages (source_url, position, url, etag, last_modified, body)"
                        " VALUES (?, ?, ?, ?, ?, ?)",
                        [
                            (url, n, p.url, p.etag, p.last_modified, p.body)
                            for n, p in enumerate(pages)
                        ],
                    )
        finally:
            conn.close()
