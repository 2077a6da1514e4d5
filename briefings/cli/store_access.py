"""How a command gets at the store: its persistent index, or the store loaded in memory.

``check``/``build``/``search``/``topics``/``explain`` use the persistent
:class:`~briefings.index.StoreIndex` by default (only new or changed files are parsed; the
output is the same as parsing everything): one cache file per store path in the user's cache
folder (see :mod:`briefings.cli.cache`). ``--cache PATH`` picks the file; ``--no-cache`` loads
the store into memory and writes nothing. When the default cache folder cannot be written the
command works in memory after one warning line on stderr (:func:`store_index`).

Loading many files shows a progress bar on a terminal and nothing otherwise. Skipped files
are listed one per line by ``check`` (:func:`list_problems`) and summed up in one line on
stderr by the other commands (:func:`report_problems`).
"""

from __future__ import annotations

import argparse
import shlex
import sqlite3
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from briefings.cli.arguments import UsageError
from briefings.cli.cache import default_cache_file
from briefings.index import StoreIndex
from briefings.model import Problem, Store
from briefings.store import Progress, load_store


@contextmanager
def _progress_bar(stream: TextIO) -> Iterator[Progress | None]:
    """A tqdm progress callback on a terminal; nothing when output is redirected."""
    if not stream.isatty():
        yield None
        return
    from tqdm import tqdm  # imported here: it costs a warm search a tenth of its time

    bar = tqdm(total=0, unit="file", desc="Loading store", file=stream, leave=False, delay=0.5)

    def update(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh() if done == total or done % 200 == 0 else None

    try:
        yield update
    finally:
        bar.close()


def load(path: str) -> Store:
    """The store at ``path`` parsed in memory, with a progress bar on a terminal."""
    with _progress_bar(sys.stderr) as progress:
        return load_store(path, progress=progress)


def _sync(index: StoreIndex) -> None:
    """Bring ``index`` up to date, with a progress bar on a terminal."""
    with _progress_bar(sys.stderr) as progress:
        index.sync(progress=progress)


@contextmanager
def _open_index(path: str, cache: str) -> Iterator[StoreIndex]:
    """The store's persistent index in ``cache``, brought up to date."""
    try:
        index = StoreIndex(path, cache)
    except (sqlite3.Error, OSError) as error:
        raise UsageError(f"cannot use the cache {cache}: {error}") from error
    with index:
        _sync(index)
        yield index


def list_problems(
    problems: Sequence[Problem], shown_root: str, stream: TextIO, *, label: str = ""
) -> None:
    """One line per file, ``STORE/PATH: reason`` (``check`` lists every file this way)."""
    for problem in problems:
        print(f"{Path(shown_root) / problem.path}: {label}{problem.reason}", file=stream)


def _shell_word(text: str) -> str:
    """``text`` as one shell word, in double quotes when it can be (it sits inside '…')."""
    quoted = shlex.quote(text)
    if quoted == text or any(c in text for c in '"$`\\!'):
        return quoted
    return f'"{text}"'


def _default_index(store: str) -> StoreIndex | None:
    """The store's synced index in the user's cache folder; None (one warning) if unusable."""
    try:
        cache = default_cache_file(store)
    except OSError as error:
        _warn_in_memory(str(error))
        return None
    try:
        index = StoreIndex(store, cache)
    except (sqlite3.Error, OSError) as error:
        _warn_in_memory(f"cannot use the cache {cache} ({error})")
        return None
    try:
        _sync(index)
    except (sqlite3.Error, OSError) as error:  # a full disk, a read-only file …
        index.close()
        _warn_in_memory(f"cannot update the cache {cache} ({error})")
        return None
    return index


def _warn_in_memory(reason: str) -> None:
    print(f"briefings: warning: {reason}; working in memory", file=sys.stderr)


@contextmanager
def store_index(args: argparse.Namespace) -> Iterator[StoreIndex | None]:
    """The index this command uses, synced; None to work in memory.

    ``--no-cache``: None. ``--cache PATH``: that file (a file that cannot be used is an error).
    Default: the store's file in the user's cache folder; when that cannot be used, one warning
    line on stderr and None. A missing store gets None, so the in-memory path reports it (and
    no cache file is made for it).
    """
    if args.no_cache or (not args.cache and not Path(args.store).is_dir()):
        yield None
    elif args.cache:
        with _open_index(args.store, args.cache) as index:
            yield index
    else:
        default = _default_index(args.store)
        if default is None:
            yield None
        else:
            with default:
                yield default


def report_problems(problems: Sequence[Problem] | Store, shown_root: str, stream: TextIO) -> None:
    """At most one line about skipped files: the list is ``check``'s job, not every command's."""
    count = len(problems.problems if isinstance(problems, Store) else problems)
    if count:
        files = "file" if count == 1 else "files"
        print(
            f"{count} {files} skipped (run 'briefings check {_shell_word(shown_root)}' "
            "for the list)",
            file=stream,
        )
