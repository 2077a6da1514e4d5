"""Reading YAML safely: front matter of article files and whole catalog files.

Only PyYAML's safe loaders are used (the libyaml ``CSafeLoader`` when available, else the pure
Python ``SafeLoader``), so tags such as ``!!python/object`` are rejected, never constructed.
Aliases are constructed as shared references, so an alias "bomb" costs nothing until somebody
walks it; the validators check types before they ever turn a value into text.

Article front matter is read by a subclass of that loader which remembers the types of short
scalars and, given the fields a caller reads (:data:`Keep`), constructs only those: a store
repeats the same small documents by the thousand (see :class:`_FrontMatterLoader`).

Every failure is an :class:`InvalidFile` carrying a one-line reason a person can act on.
"""

from __future__ import annotations

import codecs
import functools
import os
import re
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final, TypeAlias

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

_Loader: type[yaml.CSafeLoader] | type[yaml.SafeLoader] = getattr(
    yaml, "CSafeLoader", yaml.SafeLoader
)
"""libyaml's safe loader when PyYAML was built with it, else the pure-Python safe loader."""

Keep: TypeAlias = Mapping[str, "Keep | None"]
"""Which keys of a mapping :func:`load_yaml` constructs: ``None`` keeps a key's whole value; a
nested ``Keep`` is applied to the value when it is a mapping, or to each item of a list."""

_MERGE_TAG: Final = "tag:yaml.org,2002:merge"
_RESOLVER: Final = Resolver()


@functools.lru_cache(maxsize=4096)
def _implicit_tag(value: str, implicit: tuple[bool, bool]) -> str:
    tag: str = _RESOLVER.resolve(ScalarNode, value, implicit)  # type: ignore[no-untyped-call]
    return tag


class _FrontMatterLoader(_Loader):  # type: ignore[misc,valid-type]
    """PyYAML's safe loader, unchanged in what it accepts and builds, with two savings.

    A store holds thousands of small documents that repeat the same keys and short values:

    - the tag of a short plain scalar (``title``, ``true``, ``70``) is remembered rather than
      matched against the implicit-type patterns again (it depends only on the text, as this
      loader has no path resolvers; a test checks that);
    - :attr:`keep`, when set, drops the keys nobody reads before the document is constructed
      (PyYAML's own constructor then builds the rest). A value in a dropped field is never
      constructed, so a broken or hostile one there cannot cost an article.
    """

    keep: Keep | None = None

    def resolve(self, kind: type[Node], value: Any, implicit: Any) -> Any:
        if kind is ScalarNode and len(value) <= 32:
            return _implicit_tag(value, tuple(implicit))
        return super().resolve(kind, value, implicit)

    def construct_document(self, node: Node) -> Any:
        if self.keep is not None:
            node = _pruned(node, self.keep)
        return super().construct_document(node)


def _pruned(node: Node, keep: Keep) -> Node:
    """``node`` with only the keys in ``keep`` (new nodes: aliases elsewhere see the original)."""
    if isinstance(node, SequenceNode):  # a list of mappings; never deeper (a list may hold itself)
        items = [
            _pruned(item, keep) if isinstance(item, MappingNode) else item for item in node.value
        ]
        return SequenceNode(node.tag, items, node.start_mark, node.end_mark, node.flow_style)
    if not isinstance(node, MappingNode):
        return node
    pairs = []
    for key, value in node.value:
        if key.tag == _MERGE_TAG:
            pairs.append((key, value))  # merged keys are constructed as they are
        elif isinstance(key, ScalarNode) and key.value in keep:
            inner = keep[key.value]
            pairs.append((key, value if inner is None else _pruned(value, inner)))
    return MappingNode(node.tag, pairs, node.start_mark, node.end_mark, node.flow_style)


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


_CLOSING_LINE: Final = re.compile(r"\n(?:---|\.\.\.)[^\S\n]*(?:\n|\Z)")


def split_front_matter(text: str) -> tuple[str, int]:
    """Return the front matter of an article file and the file line it starts on.

    The file must start with a ``---`` line; the front matter ends at the next ``---`` (or
    ``...``) line.
    """
    if not text or text.isspace():
        raise InvalidFile("file is empty")
    # Split only the head of the file into lines: the body can be long. The split of a head
    # ending with the first likely closing line finds the same answer as a split of the whole.
    closing = _CLOSING_LINE.search(text, 2)
    if closing is not None:
        head = text[: closing.end()]
        opening = head.find("\n") + 1
        if head[:opening].rstrip() == "---" and not _has_rare_line_breaks(head):
            return head[opening : closing.start() + 1], 2  # only \n breaks: no need to split
        try:
            return _split_lines(head)
        except InvalidFile:
            pass
    return _split_lines(text)


def _has_rare_line_breaks(text: str) -> bool:
    """Whether ``text`` has a line break other than ``\n`` for :meth:`str.splitlines`."""
    if any(mark in text for mark in "\r\x0b\x0c\x1c\x1d\x1e"):
        return True
    return not text.isascii() and any(mark in text for mark in "\x85\u2028\u2029")


def _split_lines(text: str) -> tuple[str, int]:
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != "---":
        raise InvalidFile("no front matter (the file must start with a '---' line)")
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return "".join(lines[1:index]), 2
    raise InvalidFile("front matter is not closed (no second '---' line)")


def load_yaml(text: str, *, first_line: int = 1, keep: Keep | None = None) -> object:
    """Parse one YAML document safely; a trailing ``---`` with nothing after it is allowed.

    ``first_line`` is the file line ``text`` starts on, so error messages point at the file.
    ``keep`` limits what is constructed of a mapping document (see :data:`Keep`).
    """
    try:
        loader = _FrontMatterLoader(text)
        loader.keep = keep
        try:
            documents = []
            while loader.check_data():
                document = loader.get_data()
                if document is not None:
                    documents.append(document)
        finally:
            loader.dispose()
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
