"""Digest signals in the state database (SQLite, and PostgreSQL when ``PG_TEST_URL`` is set)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.state import Database, forget_user, subscribe, unsubscribe
from bot.state.signals import digest_signals, record_feedback, reset_signals, signals_of
from briefings.personal import Change, Feedback, ItemRef, SignalKind, Signals
from tests.bot.test_state import PG_SKIP_REASON, PG_TEST_URL, wipe_postgres

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
SPACE = ItemRef("space", "orbit.test")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    elif not PG_TEST_URL:
        pytest.skip(PG_SKIP_REASON)
    else:
        await wipe_postgres(PG_TEST_URL)
        url = PG_TEST_URL
    database = await Database.connect(url)
    try:
        yield database
    finally:
        await database.close()


async def test_feedback_is_recorded_bounded_and_read_back(db: Database) -> None:
    await subscribe(db, 7, "Space", now=NOW)
    assert await digest_signals(db, 7) == Signals()
    for _ in range(4):  # the fourth click is past the bound
        result = await record_feedback(db, 7, Feedback.MORE, SPACE, now=NOW)
    assert result is not None
    signals, changes = result
    assert changes == (
        Change(SignalKind.TOPIC, "space", 3, 3),
        Change(SignalKind.OUTLET, "orbit.test", 3, 3),
    )
    assert (
        await digest_signals(db, 7)
        == signals
        == Signals.of(topics={"space": 3}, outlets={"orbit.test": 3})
    )
    for _ in range(3):
        await record_feedback(db, 7, Feedback.LESS, SPACE, now=NOW)
    assert await digest_signals(db, 7) == Signals()  # weights back at 0 are forgotten
    await record_feedback(db, 7, Feedback.HIDE, ItemRef("space", "ledger.test"), now=NOW)
    await record_feedback(db, 7, Feedback.LESS, ItemRef("robotics"), now=NOW)
    assert await digest_signals(db, 7) == Signals.of(
        topics={"robotics": -1}, hidden=["ledger.test"]
    )


async def test_only_subscribers_leave_signals(db: Database) -> None:
    assert await record_feedback(db, 7, Feedback.MORE, SPACE, now=NOW) is None
    assert await digest_signals(db, 7) == Signals()


async def test_concurrent_clicks_all_count(db: Database) -> None:
    await subscribe(db, 7, "Space", now=NOW)
    await asyncio.gather(
        *(record_feedback(db, 7, Feedback.MORE, ItemRef("space"), now=NOW) for _ in range(3))
    )
    assert (await digest_signals(db, 7)).topic_weight("space") == 3


async def test_reset_forget_and_unsubscribe(db: Database) -> None:
    for user in (7, 8):
        await subscribe(db, user, "Space", now=NOW)
        await record_feedback(db, user, Feedback.MORE, SPACE, now=NOW)
    await unsubscribe(db, 8, "Space")  # signals outlive an unsubscribe
    assert (await signals_of(db, [7, 8, 9])).keys() == {7, 8}
    assert await reset_signals(db, 7) == 2
    assert await digest_signals(db, 7) == Signals() and await reset_signals(db, 7) == 0
    assert await forget_user(db, 8)  # nothing else is left of 8, but the signals were
    assert await signals_of(db, [7, 8]) == {}
