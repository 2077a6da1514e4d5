"""Shared fixtures: paths to the bundled sample store and the real corpus in ../shared.

Every test gets its own empty ``XDG_CACHE_HOME`` (inherited by the processes it starts), so the
``briefings`` command's default index cache never touches the real ``~/.cache`` and no two
tests share one.

Every test also fails when the commands' error path (``bot.errors``) logged an ERROR during
it — an unexpected failure answered with the generic apology — unless the test is marked
``@pytest.mark.command_errors`` (it provokes one on purpose and checks it). A command that
breaks therefore cannot hide behind a test that only checks that *some* reply came.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
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


class _Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def command_errors(request: pytest.FixtureRequest) -> Iterator[list[logging.LogRecord]]:
    """The ERROR records ``bot.errors`` logs during the test; any fails an unmarked test."""
    recorder = _Recorder()
    logger = logging.getLogger("bot.errors")
    logger.addHandler(recorder)
    try:
        yield recorder.records
    finally:
        logger.removeHandler(recorder)
    if recorder.records and request.node.get_closest_marker("command_errors") is None:
        messages = "; ".join(record.getMessage() for record in recorder.records)
        pytest.fail(f"bot.errors logged an unexpected ERROR: {messages}", pytrace=False)


@pytest.fixture
def sample_store() -> Path:
    return SAMPLE_STORE


@pytest.fixture
def corpus() -> Path:
    """The real corpus beside the checkout; tests using it are skipped when it is absent."""
    if not (CORPUS / "ai").is_dir() or not (CORPUS / "powerapps").is_dir():
        pytest.skip("../shared/corpus is not present")
    return CORPUS
