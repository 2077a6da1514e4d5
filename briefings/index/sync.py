"""One sync of a store index: compare the folder with the cache, then write.

:func:`make_plan` reads the folder and the cache (no writes): which files are new, changed
(hash differs), only touched (same hash), renamed (a new path with a vanished path's hash),
gone, and whether the catalog changed. :func:`write_plan` applies a plan in one transaction,
parsing the new and changed files (in worker processes when given a pool) and writing their
rows in batches sorted by rowid (FTS5 flushes its pending data whenever rowids go down).
:func:`compact` finishes a bulk load later (see :func:`write_plan`).
"""

from __future__ import annotations

import logging
import operator
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from briefings.catalog import load_catalog
from briefings.index import db
from briefings.index.rows import Parsed
from briefings.index.scan import (
    FileState,
    WorkerPool,
    catalog_digest,
    file_digest,
    identity,
    parse_files,
    racy_window_ns,
    scan,
)
from briefings.index.schema import (
    DEFAULT_AUTOMERGE,
    FTS_AUTOMERGE,
    INSERT_ARTICLE,
    INSERT_DATA,
    INSERT_FILE,
    INSERT_FTS,
    SEQ_BITS,
    SEQ_MASK,
)
from briefings.store import Progress

log = logging.getLogger(__name__)

BULK_MIN_FILES: Final = 1000
"""A fresh cache loading at least this many files is a bulk load (see :func:`write_plan`)."""
_BULK_AUTOMERGE: Final = 8
_WRITE_BATCH: Final = 2000
"""Rows written at once, sorted by rowid: FTS5 flushes its pending data whenever rowids go down."""
_ROWID: Final = operator.itemgetter(0)
_TOO_MANY: Final = "more than a million articles are published in the same second"

_Row = tuple[Any, ...]


@dataclass(slots=True)
class Plan:
    """What a sync found to do: the outcome of comparing the scan with the cache."""

    states: dict[str, FileState]
    """What the scan saw of every file that is new or may have changed."""
    newest: int
    window: int
    unchanged: int = 0
    hashed: int = 0
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)
    touched: list[str] = field(default_factory=list)
    catalog: tuple[str, str, str] | None = None
    """``(fingerprint, catalog JSON, problems JSON)`` when the catalog has to be stored again."""

    def ident(self, state: FileState) -> str:
        """What to record as the file's identity: empty (check again) if racily clean."""
        racy = state.mtime_ns + self.window > self.newest
        return "" if racy else identity(state.size, state.mtime_ns)

    @property
    def to_parse(self) -> list[str]:
        """New and changed files, in walk order."""
        return sorted((*self.added, *self.changed), key=lambda path: self.states[path].walk_key)


def meta(conn: sqlite3.Connection, key: str) -> object:
    """A value of the ``meta`` table (``None`` when missing)."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else row[0]


def _stored_digest(conn: sqlite3.Connection, path: str) -> bytes | None:
    row = conn.execute("SELECT digest FROM files WHERE path = ?", (path,)).fetchone()
    return None if row is None else row[0]


def make_plan(conn: sqlite3.Connection, root: Path, catalog_path: Path) -> Plan:
    """Compare the folder with the cache; hash the files that need it. No writes."""
    catalog = None
    digest = catalog_digest(catalog_path) if catalog_path.is_dir() else "none"
    if digest != meta(conn, "catalog_digest"):
        loaded, problems = load_catalog(catalog_path, display_root=root)
        catalog = (digest, db.catalog_to_json(loaded), db.problems_to_json(problems))
    known: dict[str, str] = dict(conn.execute("SELECT path, ident FROM files"))
    found = scan(root, catalog_path, known)
    if found.ignored:
        log.warning("%d files under %s have names that are not UTF-8; skipped", found.ignored, root)
    plan = Plan(
        states={state.path: state for state in (*found.new, *found.suspect)},
        newest=found.newest,
        window=racy_window_ns(found.whole_seconds),
        unchanged=found.unchanged,
        added=[state.path for state in found.new],
        removed=found.gone,
        catalog=catalog,
    )
    for state in found.suspect:
        current = file_digest(root / state.path)
        plan.hashed += 1
        if current is not None and current == _stored_digest(conn, state.path):
            plan.touched.append(state.path)
            plan.unchanged += 1
        else:
            plan.changed.append(state.path)
    if plan.removed and plan.added:
        _find_renames(conn, root, plan)
    return plan


def _find_renames(conn: sqlite3.Connection, root: Path, plan: Plan) -> None:
    """Pair new files with vanished ones of the same content: moves, not parses."""
    vanished: dict[bytes, list[str]] = {}
    for path in plan.removed:
        digest = _stored_digest(conn, path)
        if digest is not None:
            vanished.setdefault(digest, []).append(path)
    added: list[str] = []
    for path in plan.added:
        digest = file_digest(root / path)
        plan.hashed += 1
        candidates = vanished.get(digest) if digest is not None else None
        if candidates:
            plan.renamed.append((candidates.pop(), path))
        else:
            added.append(path)
    moved = {old for old, _ in plan.renamed}
    plan.added = added
    plan.removed = [path for path in plan.removed if path not in moved]


def write_plan(
    conn: sqlite3.Connection,
    root: Path,
    plan: Plan,
    *,
    fresh: bool,
    pool: WorkerPool | None,
    progress: Progress | None,
) -> None:
    """Apply ``plan`` in one transaction: readers see all of it or none of it.

    A bulk load (a ``fresh`` cache, many files) lets FTS5 merge segments as rows arrive
    (automerge 8, while the workers keep both cores busy). Two housekeeping steps that need
    no more input are left for later, so the index answers as soon as the rows are in:
    merging the FTS5 segments into one (``optimize``, about 1 s per 100,000 articles;
    searches work meanwhile, slightly slower) and the WAL checkpoint (copying the new
    database out of the WAL). :func:`compact` does both, at the next sync or at close.
    """
    to_parse = plan.to_parse
    bulk = fresh and len(to_parse) >= BULK_MIN_FILES
    conn.execute("BEGIN IMMEDIATE")
    try:
        for path in (*plan.removed, *plan.changed):
            _delete_file(conn, path)
        for old, new in plan.renamed:
            _move_file(conn, old, plan.states[new], plan.ident(plan.states[new]))
        conn.executemany(
            "UPDATE files SET ident = ? WHERE path = ?",
            [(plan.ident(plan.states[path]), path) for path in plan.touched],
        )
        if bulk:
            conn.execute(FTS_AUTOMERGE, (_BULK_AUTOMERGE,))
        next_ids: dict[int, int] = {}
        batch: list[Parsed] = []
        for parsed in parse_files(str(root), to_parse, pool=pool, progress=progress):
            batch.append(parsed)
            if len(batch) >= _WRITE_BATCH:
                _insert(conn, batch, plan, next_ids, fresh=fresh)
                batch = []
        _insert(conn, batch, plan, next_ids, fresh=fresh)
        if bulk:
            conn.execute(FTS_AUTOMERGE, (DEFAULT_AUTOMERGE,))
        if plan.catalog is not None:
            keys = ("catalog_digest", "catalog", "catalog_problems")
            conn.executemany(
                "UPDATE meta SET value = ? WHERE key = ?", zip(plan.catalog, keys, strict=True)
            )
        conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'")
        if bulk:  # the final merge and the WAL checkpoint wait for the next sync or close
            conn.execute("UPDATE meta SET value = 1 WHERE key = 'compact_pending'")
            conn.execute("PRAGMA wal_autocheckpoint = 0")
        conn.execute("COMMIT")
    except BaseException:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error as error:  # damage can fail the rollback too; report the first
            log.warning("rolling back a store index sync failed: %s", error)
        raise
    finally:
        if bulk:
            conn.execute("PRAGMA wal_autocheckpoint = 1000")


def compact(conn: sqlite3.Connection) -> None:
    """Finish a bulk load, if one is pending: merge the FTS5 segments, checkpoint the WAL."""
    if meta(conn, "compact_pending") != 1:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('optimize')")
        conn.execute("UPDATE meta SET value = 0 WHERE key = 'compact_pending'")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("PRAGMA wal_checkpoint(PASSIVE)")


def _delete_file(conn: sqlite3.Connection, path: str) -> None:
    row = conn.execute("SELECT article_id FROM files WHERE path = ?", (path,)).fetchone()
    if row is not None and row[0] is not None:
        conn.execute("DELETE FROM articles_fts WHERE rowid = ?", (row[0],))
        conn.execute("DELETE FROM articles WHERE id = ?", (row[0],))
        conn.execute("DELETE FROM article_data WHERE id = ?", (row[0],))
    conn.execute("DELETE FROM files WHERE path = ?", (path,))


def _move_file(conn: sqlite3.Connection, old: str, state: FileState, ident: str) -> None:
    conn.execute(
        "UPDATE files SET path = ?, walk_key = ?, ident = ? WHERE path = ?",
        (state.path, state.walk_key, ident, old),
    )
    article = "(SELECT article_id FROM files WHERE path = ?)"
    conn.execute(f"UPDATE articles SET path = ? WHERE id = {article}", (state.path, state.path))  # noqa: S608
    conn.execute(
        f"UPDATE article_data SET walk_key = ? WHERE id = {article}",  # noqa: S608
        (state.walk_key, state.path),
    )


def _next_id(
    conn: sqlite3.Connection, seconds: int, next_ids: dict[int, int], *, fresh: bool
) -> int | None:
    """A free time-ordered rowid in the second ``seconds`` (``None`` if it is full)."""
    rowid = next_ids.get(seconds)
    base = seconds << SEQ_BITS
    if rowid is None and fresh:
        rowid = base  # nothing stored yet: no need to ask
    elif rowid is None:
        last = conn.execute(
            "SELECT max(id) FROM articles WHERE id BETWEEN ? AND ?", (base, base | SEQ_MASK)
        ).fetchone()[0]
        rowid = base if last is None else int(last) + 1
    if rowid > base | SEQ_MASK:
        return None
    next_ids[seconds] = rowid + 1
    return rowid


def _insert(
    conn: sqlite3.Connection,
    batch: list[Parsed],
    plan: Plan,
    next_ids: dict[int, int],
    *,
    fresh: bool,
) -> None:
    """Write a batch of parsed files, rows sorted by rowid (runs once per file: kept lean)."""
    articles: list[_Row] = []
    texts: list[_Row] = []
    data: list[_Row] = []
    files: list[_Row] = []
    states, newest, window = plan.states, plan.newest, plan.window
    for path, digest, rows, problem in batch:
        state = states[path]
        article_id = None
        if rows is not None:
            search_row, fts_row, data_row = rows
            seconds = int(search_row[6])
            article_id = next_ids.get(seconds)
            if article_id is None or article_id > (seconds << SEQ_BITS) | SEQ_MASK:
                article_id = _next_id(conn, seconds, next_ids, fresh=fresh)
            else:
                next_ids[seconds] = article_id + 1
            if article_id is None:
                problem = _TOO_MANY
            else:
                articles.append((article_id, *search_row))
                texts.append((article_id, *fts_row))
                data.append((article_id, *data_row, state.walk_key))
        mtime = state.mtime_ns
        ident = "" if mtime + window > newest else f"{state.size}/{mtime}"  # Plan.ident
        files.append((path, state.walk_key, ident, digest, article_id, problem))
    for table in (articles, texts, data):
        table.sort(key=_ROWID)
    conn.executemany(INSERT_ARTICLE, articles)
    conn.executemany(INSERT_FTS, texts)
    conn.executemany(INSERT_DATA, data)
    conn.executemany(INSERT_FILE, files)
