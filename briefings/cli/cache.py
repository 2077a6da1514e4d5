"""Where the ``briefings`` command keeps its persistent indexes.

One SQLite file per store path, in the user's cache folder: ``$XDG_CACHE_HOME/briefings/``
when ``XDG_CACHE_HOME`` is set to an absolute path (the XDG base directory rule), else
``~/.cache/briefings/``. The file name is the store folder's name (readable) plus a hash of
its resolved absolute path (unique), e.g. ``sample-store-3f2a9c0d41be7e55.sqlite3``; the same
store reached by another spelling of its path shares the file.

Only the CLI calls this; the core never reads the environment.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def cache_folder(environ: Mapping[str, str] | None = None) -> Path:
    """The CLI's cache folder (not created): ``$XDG_CACHE_HOME/briefings`` or ``~/.cache/...``."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_CACHE_HOME", "")
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".cache"
    return root / "briefings"


def cache_file_name(store: str | os.PathLike[str]) -> str:
    """The cache file name of a store: its folder name plus a hash of its resolved path."""
    resolved = Path(store).resolve()
    stem = _UNSAFE.sub("_", resolved.name)[:40].strip("._") or "store"
    digest = hashlib.sha256(os.fsencode(resolved)).hexdigest()[:16]
    return f"{stem}-{digest}.sqlite3"


def default_cache_file(
    store: str | os.PathLike[str], environ: Mapping[str, str] | None = None
) -> Path:
    """The store's index file in the cache folder, after making sure the folder is writable.

    Raises :class:`OSError` (with a one-line message naming the folder) when the folder cannot
    be created or written.
    """
    folder = cache_folder(environ)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise OSError(f"cannot write the cache folder {folder} ({reason})") from error
    return folder / cache_file_name(store)
