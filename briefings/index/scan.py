"""Finding, fingerprinting and parsing store files for a store index.

- :func:`scan` lists the article files exactly as :func:`briefings.store.iter_article_files`
  does (same rules, same order) but keeps each file's size and modification time from the
  same directory walk, plus a *walk key*: a string whose sort order (SQLite compares text
  bytewise; UTF-8 keeps code point order) is the walk order, so SQL can order problems and
  first spellings the way :func:`~briefings.store.load_store` does. Each folder contributes
  ``"\x02" + name + "\x00"`` and the file ``"\x01" + name``: a folder's files come before its
  subfolders, and NUL (never in a file name) ends a folder name before any longer name.
- :func:`file_digest` hashes a file's bytes (after a UTF-8 BOM, like the reader) so a touched
  file, or one renamed, can be recognised without parsing it.
- :func:`parse_file` is what a worker does for one file: read, hash, parse
  (:func:`~briefings.articles.parse_article`: PyYAML's libyaml safe loader, as everywhere) and
  build the index rows.
- :class:`WorkerPool` runs it in worker processes (``spawn``, so it is safe from a threaded
  program) with a bounded number of chunks in flight, yielding results in order.
"""

from __future__ import annotations

import codecs
import hashlib
import logging
import multiprocessing
import os
import stat
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, NamedTuple

from briefings.articles import parse_article
from briefings.catalog import CATALOG_SUFFIXES
from briefings.frontmatter import MAX_FILE_BYTES, InvalidFile, read_text
from briefings.index.rows import Parsed, article_rows
from briefings.model import Article
from briefings.store import Progress, is_article_name

log = logging.getLogger(__name__)

CHUNK_FILES: Final = 200
"""Files per task sent to a worker process."""
_IN_FLIGHT_PER_WORKER: Final = 8


class FileState(NamedTuple):
    """A candidate article file as the scan saw it (``size`` -1 when it cannot be stat'ed)."""

    path: str
    walk_key: str
    size: int
    mtime_ns: int


def identity(size: int, mtime_ns: int) -> str:
    """A file's identity as compared between syncs (``files.ident`` in the cache)."""
    return f"{size}/{mtime_ns}"


@dataclass(slots=True)
class ScanResult:
    """The folder compared with the identities the cache knows."""

    unchanged: int = 0
    new: list[FileState] = field(default_factory=list)
    suspect: list[FileState] = field(default_factory=list)
    """Known files whose size or time differ, or that were racily clean: hash them."""
    gone: list[str] = field(default_factory=list)
    newest: int = 0
    """The newest modification time of any article file (ns)."""
    whole_seconds: bool = True
    """No file time has a fraction of a second (FAT, old file systems)."""
    ignored: int = 0
    """Files skipped because their names are not valid UTF-8."""


def _utf8(name: str) -> bool:
    try:
        name.encode("utf-8")  # fails for undecodable (surrogate-escaped) names
    except UnicodeEncodeError:
        return False
    return True


def scan(root: Path, skip: Path | None, known: dict[str, str]) -> ScanResult:
    """Walk ``root`` like :func:`~briefings.store.iter_article_files` and compare.

    ``known`` maps each path the cache has to its :func:`identity` (``""`` to force a
    re-check); it is consumed: what is left at the end is gone. Order is not kept here:
    walk keys carry it.
    """
    skip_resolved = skip.resolve() if skip is not None else None
    result = ScanResult()
    new, suspect = result.new, result.suspect
    unchanged = newest = 0
    whole = True

    def visit(folder: str, relative: str, key: str) -> None:
        nonlocal unchanged, newest, whole
        try:
            with os.scandir(folder) as entries:
                listed = list(entries)
        except OSError:
            return  # os.walk skips unreadable folders too
        for entry in listed:
            name = entry.name
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                if name[0] == "." or entry.is_symlink():
                    continue  # hidden, or a linked folder (not followed)
                if not _utf8(name):
                    result.ignored += 1
                    continue
                if Path(entry.path).resolve() == skip_resolved:
                    continue
                visit(entry.path, f"{relative}{name}/", f"{key}\x02{name}\x00")
                continue
            if not is_article_name(name):
                continue
            try:
                info = entry.stat()
                size, mtime = info.st_size, info.st_mtime_ns
            except OSError:
                size = mtime = -1
            if mtime > newest:
                newest = mtime
            if whole and mtime % 1_000_000_000:
                whole = False
            path = relative + name
            old = known.pop(path, None)
            if old is not None and old == f"{size}/{mtime}":
                unchanged += 1  # the cache only holds valid UTF-8 paths
            elif not _utf8(name):
                result.ignored += 1
            else:
                state = FileState(path, f"{key}\x01{name}", size, mtime)
                (new if old is None else suspect).append(state)

    visit(str(root), "", "")
    result.unchanged, result.newest, result.whole_seconds = unchanged, newest, whole
    result.gone = list(known)
    return result


def racy_window_ns(whole_seconds: bool) -> int:
    """How close to the newest modification time a file's own time must be to be re-checked.

    A file changed twice within one timestamp tick keeps its size and time; git calls such
    entries "racily clean". Files whose time is within this window of the newest time seen are
    hashed again at the next sync. The window is 3 s on file systems that store whole seconds
    (FAT keeps 2 s), else 50 ms (a few kernel ticks).
    """
    return 3_000_000_000 if whole_seconds else 50_000_000


def file_digest(path: Path) -> bytes | None:
    """Hash of the file's bytes after a UTF-8 BOM; ``None`` if it is not a readable text file.

    Equals the digest :func:`parse_file` records for the same content.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE_BYTES:
            return None
        try:
            data = handle.read(MAX_FILE_BYTES + 1)
        except OSError:
            return None
    if len(data) > MAX_FILE_BYTES:
        return None
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    return _digest(data)


def catalog_digest(folder: Path) -> str:
    """A fingerprint of the catalog folder's files (names and contents); cheap: a few files."""
    digest = hashlib.blake2b(digest_size=16)
    try:
        entries = sorted(p for p in folder.iterdir() if p.suffix.lower() in CATALOG_SUFFIXES)
    except OSError:
        return "none"
    for path in entries:
        digest.update(path.name.encode("utf-8", "surrogatepass") + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError as error:
            digest.update(f"error:{error.errno}".encode())
        digest.update(b"\0\0")
    return digest.hexdigest()


def _parse_text(path: str, text: str, notes: list[str]) -> Article | None:
    """:func:`~briefings.articles.parse_article`: PyYAML's libyaml safe loader, as everywhere."""
    return parse_article(path, text, notes)


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def _read_text(path: str) -> tuple[str, bytes]:
    """:func:`~briefings.frontmatter.read_text` with less overhead, and the content's digest.

    Anything unusual (an error, not a regular file, too large, a short read, not UTF-8) goes
    through ``read_text`` itself, so results and error messages are the same.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return _read_slowly(path)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE_BYTES:
            return _read_slowly(path)
        data = os.read(fd, MAX_FILE_BYTES + 1)
    except OSError:
        return _read_slowly(path)
    finally:
        os.close(fd)
    if len(data) != info.st_size:
        return _read_slowly(path)
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8"), _digest(data)
    except UnicodeDecodeError:
        return _read_slowly(path)


def _read_slowly(path: str) -> tuple[str, bytes]:
    text = read_text(Path(path))
    return text, _digest(text.encode("utf-8"))


def parse_file(root: str, path: str) -> Parsed:
    """Read, hash and parse the store file ``root/path`` into index rows or a problem."""
    try:
        text, digest = _read_text(f"{root}/{path}")
    except InvalidFile as error:
        return (path, None, None, str(error))
    notes: list[str] = []
    try:
        article = _parse_text(path, text, notes)
        if article is None:
            return (path, digest, None, None)
        return (path, digest, article_rows(article), "; ".join(notes) or None)
    except InvalidFile as error:
        return (path, digest, None, str(error))
    except (ValueError, OverflowError, TypeError, RecursionError) as error:
        # Found by the YAML library or SQLite limits rather than the validators (a date such
        # as 2026-02-30, a number too large for a float): still this one file's problem.
        return (path, digest, None, f"could not be read: {error}")


def parse_chunk(root: str, paths: Sequence[str]) -> list[Parsed]:
    """:func:`parse_file` for each path (one task of a worker process)."""
    return [parse_file(root, path) for path in paths]


def _ready() -> None:
    """A task that only makes a worker process start (and import everything) now."""


class WorkerPool:
    """Worker processes for parsing, started on first use or early with :meth:`start`.

    ``spawn`` start method: safe from a program with threads (the bot syncs from a worker
    thread). Starting early lets the workers' start-up overlap with scanning the folder.
    """

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._executor: ProcessPoolExecutor | None = None

    def start(self) -> ProcessPoolExecutor:
        if self._executor is None:
            context = multiprocessing.get_context("spawn")
            self._executor = ProcessPoolExecutor(max_workers=self.workers, mp_context=context)
            for _ in range(self.workers):
                self._executor.submit(_ready)
        return self._executor

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def parse(
        self, root: str, paths: Sequence[str], progress: Progress | None = None
    ) -> Iterator[Parsed]:
        """Parse ``paths`` in the workers, in order, a bounded number of chunks in flight."""
        pool = self.start()
        total = len(paths)
        chunk = max(1, min(CHUNK_FILES, -(-total // (self.workers * 4))))
        done = 0
        pending: deque[Future[list[Parsed]]] = deque()
        starts = iter(range(0, total, chunk))
        for start in starts:
            pending.append(pool.submit(parse_chunk, root, paths[start : start + chunk]))
            if len(pending) >= self.workers * _IN_FLIGHT_PER_WORKER:
                break
        while pending:
            results = pending.popleft().result()
            following = next(starts, None)
            if following is not None:
                pending.append(pool.submit(parse_chunk, root, paths[following : following + chunk]))
            yield from results
            done += len(results)
            if progress is not None:
                progress(done, total)


def parse_files(
    root: str,
    paths: Sequence[str],
    *,
    pool: WorkerPool | None = None,
    progress: Progress | None = None,
) -> Iterator[Parsed]:
    """Parse ``paths`` (in order) in the worker ``pool``, or in this process without one."""
    if pool is not None and len(paths) > 1:
        yield from pool.parse(root, paths, progress)
        return
    total = len(paths)
    for done, path in enumerate(paths, start=1):
        yield parse_file(root, path)
        if progress is not None:
            progress(done, total)


def looks_large(root: Path, threshold: int) -> bool:
    """A cheap hint (no stat): do the root and its subfolders hold ``threshold`` entries?"""
    count = 0
    folders = [root]
    for depth in range(3):
        found: list[Path] = []
        for folder in folders:
            try:
                with os.scandir(folder) as entries:
                    for entry in entries:
                        count += 1
                        if depth < 2 and entry.is_dir(follow_symlinks=False):
                            found.append(Path(entry.path))
            except OSError:
                continue
            if count >= threshold:
                return True
        folders = found
    return False
