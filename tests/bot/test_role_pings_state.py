"""The role pings' state (:mod:`bot.state.pings`) and its migration (revision 0005), on SQLite
and PostgreSQL (the PostgreSQL run when ``PG_TEST_URL`` is set, as in ``test_migrations``)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest
from alembic import command
from sqlalchemy import Connection, inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.state import Database, get_schedule, remove_schedule, save_schedule
from bot.state.database import alembic_config, run_locked
from bot.state.pings import RolePing, clear_ping, pings_of, schedule_pings, set_ping
from briefings.excerpts import BriefingLength
from tests.bot.test_migrations import NOW, SCHEDULE, _diffs, _run, engine, url

__all__ = ["engine", "url"]  # the fixtures, per backend


def _migrate(revision: str, *, down: bool = False) -> object:
    def run(connection: Connection) -> None:
        move = command.downgrade if down else command.upgrade
        run_locked(connection, lambda locked: move(alembic_config(locked), revision))

    return run


async def _insert_0003_schedule(engine: AsyncEngine) -> None:
    """A schedule as revision 0003's code wrote it (named "daily", id 1, guild 1)."""
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO briefing_schedules (id, guild_id, name, name_key, channel_id, "
                "post_time, timezone, days, topics, per_topic, min_quality, window_minutes, "
                "length, enabled, paused_reason, configured_by, updated_at) VALUES (1, 1, "
                "'daily', 'daily', 10, '08:30', 'Europe/Paris', 'mon,tue,wed,thu,fri,sat,sun', "
                ":topics, NULL, 0.5, NULL, 'headlines', :enabled, NULL, 99, :at)"
            ),
            {
                "topics": json.dumps(["AI"]),
                "enabled": True,
                "at": NOW if engine.dialect.name != "sqlite" else NOW.replace(tzinfo=None),
            },
        )


async def test_schedules_of_revision_0003_keep_posting_without_pings(
    url: str, engine: AsyncEngine
) -> None:
    await _run(engine, _migrate("0003"))
    await _insert_0003_schedule(engine)
    db = await Database.connect(url)  # migrates to the head
    try:
        schedule = await get_schedule(db, 1)
        assert schedule == replace(SCHEDULE, id=1, length=BriefingLength.HEADLINES)
        assert await schedule_pings(db, 1) == ()
        await set_ping(db, 1, "AI", 555, now=NOW)
        assert await schedule_pings(db, 1) == (RolePing(1, "AI", 555),)
        assert await remove_schedule(db, 1)
        assert await pings_of(db, [1]) == {}  # deleted with their schedule
    finally:
        await db.close()
    assert await _run(engine, _diffs) == []


async def test_the_downgrade_drops_the_pings_and_keeps_the_schedules(
    url: str, engine: AsyncEngine
) -> None:
    db = await Database.connect(url)
    try:
        schedule = await save_schedule(db, SCHEDULE, now=NOW)
        assert schedule.id is not None
        await set_ping(db, schedule.id, "AI", 555, now=NOW)
    finally:
        await db.close()
    await _run(engine, _migrate("0003", down=True))
    tables = set(await _run(engine, lambda sync: inspect(sync).get_table_names()))
    assert "briefing_pings" not in tables and "briefing_schedules" in tables
    await _run(engine, _migrate("head"))
    db = await Database.connect(url)
    try:
        assert await get_schedule(db, SCHEDULE.guild_id) == schedule
        assert await schedule_pings(db, schedule.id) == ()
    finally:
        await db.close()


async def test_set_replace_clear_and_read_pings(url: str) -> None:
    db = await Database.connect(url)
    try:
        first = await save_schedule(db, SCHEDULE, now=NOW)
        second = await save_schedule(db, replace(SCHEDULE, name="weekly"), now=NOW)
        assert first.id is not None and second.id is not None
        await set_ping(db, first.id, "  Space ", 1, now=NOW, configured_by=7)
        await set_ping(db, first.id, "AI", 2, now=NOW)
        await set_ping(db, first.id, "space", 3, now=NOW + timedelta(minutes=1))  # replaces
        await set_ping(db, second.id, "AI", 2, now=NOW)
        assert await schedule_pings(db, first.id) == (
            RolePing(first.id, "AI", 2),
            RolePing(first.id, "space", 3),
        )
        assert await pings_of(db, [second.id, first.id, 12345]) == {
            first.id: (RolePing(first.id, "AI", 2), RolePing(first.id, "space", 3)),
            second.id: (RolePing(second.id, "AI", 2),),
        }
        assert await clear_ping(db, first.id, "SPACE")
        assert not await clear_ping(db, first.id, "SPACE")
        assert await schedule_pings(db, first.id) == (RolePing(first.id, "AI", 2),)
        assert await pings_of(db, []) == {}
        with pytest.raises(ValueError, match="blank"):
            await set_ping(db, first.id, "   ", 4, now=NOW)
        with pytest.raises(ValueError, match="aware"):
            await set_ping(db, first.id, "AI", 4, now=NOW.replace(tzinfo=None))
    finally:
        await db.close()
