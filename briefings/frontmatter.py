"""Reading YAML safely: front matter of article files and whole catalog files.

Only PyYAML's safe loaders are used (the libyaml ``CSafeLoader`` when available, else the pure
Python ``SafeLoader``), so tags such as ``!!python/object`` are rejected, never constructed.
Aliases are constructed as shared references, so an alias "bomb" costs nothing until somebody
walks it; the validators check types before they ever turn a value into text.

Every failure is an :class:`InvalidFile` carrying a one-line reason a person can act on.
"""

from __future__ import annotations

import codecs
import os
import stat
from pathlib import Path

import yaml

_Loader: type[yaml.CSafeLoader] | type[yaml.SafeLoader] = getattr(
    yaml, "CSafeLoader", yaml.SafeLoader
)
"""libyaml's safe loader when PyYAML was built with it, else the pure-Python safe loader."""

MAX_FILE_BYTES = 1024 * 1024
"""Files larger than this are refused unread: no real article comes near it."""


class InvalidFile(Exception):
    """A file that cannot be loaded; ``str(error)`` is the reason shown to the person."""


def read_text(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Read ``path`` as UTF-8 (a BOM is allowed), refusing files over ``max_bytes``."""
    try:
        # O_NONBLOCK: opening a FIFO that someone named `x.md` must not hang the load.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError as error:
        raise InvalidFile("file vanished or is a dangling link") from error
    except IsADirectoryError as error:
        raise InvalidFile("is a folder, not a file") from error
    except OSError as error:
        raise InvalidFile(f"unreadable: {error.strerror or error}") from error
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InvalidFile("not a regular file")
        if info.st_size > max_bytes:
            raise InvalidFile(
                f"file is too large ({_human(info.st_size)}; the limit is {_human(max_bytes)})"
            )
        try:
            data = handle.read(max_bytes + 1)
        except OSError as error:
            raise InvalidFile(f"unreadable: {error.strerror or error}") from error
    if len(data) > max_bytes:  # grew while we read it
        raise InvalidFile(f"file is too large (over {_human(max_bytes)})")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise InvalidFile(f"not UTF-8 text (invalid byte at line {line})") from error


def _human(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MiB"
    return f"{size / 1024:.0f} KiB" if size >= 1024 else f"{size} bytes"


def split_front_matter(text: str) -> tuple[str, int]:
    """Return the front matter of an article file and the file line it starts on.

    The file must start with a ``---`` line; the front matter ends at the next ``---`` (or
    ``...``) line.
    """
    if not text.strip():
        raise InvalidFile("file is empty")
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != "---":
        raise InvalidFile("no front matter (the file must start with a '---' line)")
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return "".join(lines[1:index]), 2
    raise InvalidFile("front matter is not closed (no second '---' line)")


def load_yaml(text: str, *, first_line: int = 1) -> object:
    """Parse one YAML document safely; a trailing ``---`` with nothing after it is allowed.

    ``first_line`` is the file line ``text`` starts on, so error messages point at the file.
    """
    try:
        documents = [doc for doc in yaml.load_all(text, Loader=_Loader) if doc is not None]
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f" at line {mark.line + first_line}" if mark is not None else ""
        problem = error.problem or error.context or "invalid YAML"
        raise InvalidFile(f"YAML error{where}: {problem}") from error
    except yaml.YAMLError as error:
        raise InvalidFile(f"YAML error: {str(error).splitlines()[0]}") from error
    except RecursionError as error:
        raise InvalidFile("YAML error: nested too deeply") from error
    if not documents:
        raise InvalidFile("front matter is empty")
    if len(documents) > 1:
        raise InvalidFile("YAML holds more than one document")
    return documents[0]
