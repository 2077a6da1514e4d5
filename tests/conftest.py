"""Shared fixtures: paths to the bundled sample store and the real corpus in ../shared."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_STORE = ROOT / "sample-store"
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"


@pytest.fixture
def sample_store() -> Path:
    return SAMPLE_STORE


@pytest.fixture
def corpus() -> Path:
    """The real corpus beside the checkout; tests using it are skipped when it is absent."""
    if not (CORPUS / "ai").is_dir() or not (CORPUS / "powerapps").is_dir():
        pytest.skip("../shared/corpus is not present")
    return CORPUS
