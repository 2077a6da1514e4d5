"""Shared fixtures: paths to the bundled sample store and the real corpus in ../shared.

Every test gets its own empty ``XDG_CACHE_HOME`` (inherited by the processes it starts), so the
``briefings`` command's default index cache never touches the real ``~/.cache`` and no two
tests share one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_STORE = ROOT / "sample-store"
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"


@pytest.fixture(autouse=True)
def user_cache_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A fresh, empty user cache folder for this test (``XDG_CACHE_HOME``)."""
    folder = tmp_path_factory.mktemp("xdg-cache")
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    return folder


@pytest.fixture
def sample_store() -> Path:
    return SAMPLE_STORE


@pytest.fixture
def corpus() -> Path:
    """The real corpus beside the checkout; tests using it are skipped when it is absent."""
    if not (CORPUS / "ai").is_dir() or not (CORPUS / "powerapps").is_dir():
        pytest.skip("../shared/corpus is not present")
    return CORPUS
