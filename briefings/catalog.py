"""Loading the optional topic catalog: ``STORE/topics/*.yaml`` (or another folder).

Each file holds one topic: ``name`` (required), optionally ``parent``, ``shortname``,
``description``, ``keywords`` and ``hashtags``; other keys (``images``, ``services`` …) are
ignored. File-name order is catalog order. Real catalog files sometimes end with a ``---``
line and no newline; that loads. A broken file is reported and skipped like a broken article.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from briefings.frontmatter import InvalidFile, load_yaml, read_text
from briefings.model import Catalog, Problem, Topic
from briefings.text import clean_text

CATALOG_SUFFIXES = (".yaml", ".yml")


def load_catalog(
    folder: Path, *, display_root: Path | None = None
) -> tuple[Catalog, list[Problem]]:
    """Load every catalog file of ``folder``; a missing folder is an empty catalog.

    Problems name files relative to ``display_root`` when given (the store root).
    """
    if not folder.is_dir():
        return Catalog(), []
    topics: list[Topic] = []
    problems: list[Problem] = []
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in CATALOG_SUFFIXES)
    for path in files:
        shown = _display(path, display_root)
        try:
            topics.append(parse_topic(read_text(path)))
        except InvalidFile as error:
            problems.append(Problem(shown, str(error)))
    return Catalog(tuple(topics)), problems


def _display(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return path.relative_to(root).as_posix()
        except ValueError:
            pass
    return str(path)


def parse_topic(text: str) -> Topic:
    """Validate the text of one catalog file."""
    data = load_yaml(text)
    if not isinstance(data, Mapping):
        raise InvalidFile("catalog file is not a mapping of fields")
    name = _optional_text(data, "name")
    if not name:
        raise InvalidFile("catalog entry has no name")
    return Topic(
        name=name,
        parent=_optional_text(data, "parent") or None,
        shortname=_optional_text(data, "shortname") or None,
        description=_optional_text(data, "description"),
        keywords=_names(data, "keywords"),
        hashtags=_names(data, "hashtags"),
    )


def _optional_text(data: Mapping[object, object], field: str) -> str:
    value = data.get(field)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InvalidFile(f"field '{field}' must be text")
    return clean_text(str(value))


def _names(data: Mapping[object, object], field: str) -> tuple[str, ...]:
    value = data.get(field)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(
        isinstance(item, str | int | float) and not isinstance(item, bool) for item in value
    ):
        raise InvalidFile(f"field '{field}' must be a list of words")
    return tuple(text for text in (clean_text(str(item)) for item in value) if text)
