"""Loading a whole store folder: find the article files, parse each, collect problems.

Scanning rules (written down because a store is just a folder people copy things into):

- Article files end in ``.md``, ``.markdown`` or ``.txt`` (any case), in any subfolder.
- Hidden files and folders (``.git``, ``.DS_Store`` …), ``README`` files and the catalog
  folder are not articles and are not scanned as such.
- Linked folders are not followed (no loops); a linked file is read, and a dangling link is
  reported like any unreadable file.
- A file that loads with a value replaced (a bad ``webUrl``, a good ``originalUrl``) is an
  article and also a note in ``Store.notes``.
- A file that fails to load becomes a :class:`~briefings.model.Problem` (path relative to the
  store, one-line reason) and never stops the load. Files are visited in sorted order, so the
  result does not depend on the file system.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

from briefings.articles import parse_article
from briefings.catalog import load_catalog
from briefings.frontmatter import InvalidFile, read_text
from briefings.model import Article, Problem, Store

ARTICLE_SUFFIXES = frozenset({".md", ".markdown", ".txt"})
_SUFFIXES = tuple(sorted(ARTICLE_SUFFIXES))
CATALOG_FOLDER = "topics"

Progress = Callable[[int, int], None]
"""Called as ``progress(done, total)`` while files are parsed."""


class StoreNotFoundError(Exception):
    """The store folder does not exist or is not a folder."""


def is_article_name(name: str) -> bool:
    """Whether a file called ``name`` is a candidate article (suffix; not hidden, not README).

    Same as checking :attr:`pathlib.PurePath.suffix`, spelled for speed: the incremental index
    (:mod:`briefings.index`) calls this once per file of the store at every sync.
    """
    lowered = name.lower()
    return lowered.endswith(_SUFFIXES) and not lowered.startswith("readme.") and name[0] != "."


def iter_article_files(root: Path, *, skip: Path | None = None) -> Iterator[Path]:
    """Yield the candidate article files below ``root`` in sorted order."""
    skip_resolved = skip.resolve() if skip is not None else None
    for folder, subfolders, files in os.walk(root, followlinks=False):
        here = Path(folder)
        subfolders[:] = sorted(
            name
            for name in subfolders
            if not name.startswith(".") and (here / name).resolve() != skip_resolved
        )
        for name in sorted(files):
            if is_article_name(name):
                yield here / name


def load_article_file(
    root: Path, path: Path, notes: list[Problem] | None = None
) -> Article | Problem | None:
    """Load one file: an article, a problem, or ``None`` for a file that is not an article.

    Notes on a file that loads (see :func:`~briefings.articles.parse_article`) are appended
    to ``notes`` when given.
    """
    relative = path.relative_to(root).as_posix()
    reasons: list[str] = []
    try:
        article = parse_article(relative, read_text(path), reasons)
    except InvalidFile as error:
        return Problem(relative, str(error))
    if notes is not None:
        notes.extend(Problem(relative, reason) for reason in reasons)
    return article


def load_store(
    root: str | os.PathLike[str],
    *,
    catalog_dir: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
) -> Store:
    """Load every article and the topic catalog of the store at ``root``.

    ``catalog_dir`` defaults to ``ROOT/topics``. Raises :class:`StoreNotFoundError` only when
    ``root`` itself is missing; every per-file failure is reported in ``Store.problems``.
    """
    root_path = Path(root)
    if not root_path.is_dir():
        raise StoreNotFoundError(f"store folder not found: {root}")
    catalog_path = Path(catalog_dir) if catalog_dir is not None else root_path / CATALOG_FOLDER
    catalog, problems = load_catalog(catalog_path, display_root=root_path)

    files = list(iter_article_files(root_path, skip=catalog_path))
    articles: list[Article] = []
    notes: list[Problem] = []
    for done, path in enumerate(files, start=1):
        loaded = load_article_file(root_path, path, notes)
        if isinstance(loaded, Article):
            articles.append(loaded)
        elif isinstance(loaded, Problem):
            problems.append(loaded)
        if progress is not None:
            progress(done, len(files))
    return Store(str(root_path), tuple(articles), catalog, tuple(problems), tuple(notes))
