"""Schema migrations (Alembic) on SQLite and PostgreSQL, as :meth:`Database.connect` runs them.

Like ``test_state.py``, tests taking ``url`` run once per backend, the PostgreSQL run only when
``PG_TEST_URL`` is set (``make test`` sets it when PostgreSQL is installed). Covered: a fresh
database is migrated to the head; the migrations build exactly the tables of
:mod:`bot.state.tables` (so a model change without a migration fails here); a database that
newer code migrated is refused and left untouched; a database created before Alembic is adopted
with its data; processes starting together are safe; the ``alembic`` command for developers.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import main as alembic_main
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Connection, Integer, MetaData, inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.state import (
    SCHEMA_VERSION,
    ChannelSchedule,
    Database,
    SchemaError,
    SchemaTooNewError,
    claim,
    digest_settings,
    get_delivery,
    get_schedule,
    guild_schedules,
    mark_sent,
    remove_schedule,
    save_schedule,
    subscribe,
)
from bot.state.database import alembic_config, run_locked
from bot.state.deliveries import DeliveryKind, DeliveryStatus
from bot.state.filters import set_digest_filters, set_schedule_filters
from bot.state.signals import digest_signals, record_feedback
from bot.state.tables import Base
from briefings.filters import Filters
from briefings.personal import Feedback, ItemRef, Signals
from tests.bot.test_state import PG_SKIP_REASON, PG_TEST_URL, wipe_postgres

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
DAY = date(2025, 3, 1)
BOT_TABLES = {
    "schema_version",
    "briefing_schedules",
    "digest_users",
    "subscriptions",
    "deliveries",
    "instances",
    "posted_articles",
    "briefing_pings",
    "digest_signals",
}
SCHEDULE = ChannelSchedule(
    guild_id=1,
    channel_id=10,
    post_time=time(8, 30),
    timezone="Europe/Paris",
    topics=("AI",),
    min_quality=0.5,
    configured_by=99,
)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    if not PG_TEST_URL:
        pytest.skip(PG_SKIP_REASON)
    await wipe_postgres(PG_TEST_URL)
    return PG_TEST_URL


@pytest.fixture
async def engine(url: str) -> Any:
    """A plain engine on the test database: what an operator's SQL client would see."""
    plain = create_async_engine(url)
    try:
        yield plain
    finally:
        await plain.dispose()


def _head() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def _diffs(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


def _snapshot(connection: Connection) -> dict[str, Any]:
    """Everything reflection says about the bot's tables (and SQLite's own DDL text)."""
    inspector = inspect(connection)
    tables: dict[str, Any] = {}
    for name in sorted(set(inspector.get_table_names()) - {"alembic_version"}):
        tables[name] = {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"], str(c.get("default")))
                for c in inspector.get_columns(name)
            ],
            "primary key": inspector.get_pk_constraint(name),
            "foreign keys": sorted(map(repr, inspector.get_foreign_keys(name))),
            "unique": sorted(map(repr, inspector.get_unique_constraints(name))),
            "checks": sorted(map(repr, inspector.get_check_constraints(name))),
            "indexes": sorted(map(repr, inspector.get_indexes(name))),
        }
    if connection.dialect.name == "sqlite":
        ddl = connection.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE tbl_name != 'alembic_version' ORDER BY name"
        )
        tables["sqlite_master"] = ddl.all()
    return tables


async def _run(engine: AsyncEngine, function: Any) -> Any:
    async with engine.connect() as connection:
        return await connection.run_sync(function)


async def _revisions(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as connection:
        rows = await connection.execute(text("SELECT version_num FROM alembic_version"))
        return [row[0] for row in rows]


def _upgrade_to_0001(connection: Connection) -> None:
    run_locked(connection, lambda locked: command.upgrade(alembic_config(locked), "0001"))


async def _create_pre_alembic(engine: AsyncEngine) -> None:
    """A database as the code before Alembic left it: the tables of revision 0001 (which are
    what that code's ``create_all`` made) with ``schema_version`` 1, and no ``alembic_version``.
    """
    async with engine.connect() as connection:
        await connection.run_sync(_upgrade_to_0001)
    async with engine.begin() as connection:
        await connection.execute(text("DROP TABLE alembic_version"))


async def _insert_old_schedule(engine: AsyncEngine, schedule: ChannelSchedule) -> None:
    """A row of the one-schedule-per-guild table of revisions 0001 and 0002."""
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO channel_schedules (guild_id, channel_id, post_time, timezone, "
                "topics, min_quality, enabled, paused_reason, configured_by, updated_at) "
                "VALUES (:guild, :channel, :time, :zone, :topics, :quality, :enabled, NULL, "
                ":by, :at)"
            ),
            {
                "guild": schedule.guild_id,
                "channel": schedule.channel_id,
                "time": schedule.post_time.strftime("%H:%M"),
                "zone": schedule.timezone,
                "topics": json.dumps(list(schedule.topics)),
                "quality": schedule.min_quality,
                "enabled": schedule.enabled,
                "by": schedule.configured_by,
                "at": NOW if engine.dialect.name != "sqlite" else NOW.replace(tzinfo=None),
            },
        )


async def _insert_old_subscriber(engine: AsyncEngine) -> None:
    """User 7 following "AI", as every revision's code wrote it (no column added later)."""
    at = NOW if engine.dialect.name != "sqlite" else NOW.replace(tzinfo=None)
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO digest_users (user_id, post_time, timezone, paused_reason, "
                "updated_at) VALUES (7, '08:00', 'UTC', NULL, :at)"
            ),
            {"at": at},
        )
        await connection.execute(
            text(
                "INSERT INTO subscriptions (user_id, topic_key, topic, created_at) "
                "VALUES (7, 'ai', 'AI', :at)"
            ),
            {"at": at},
        )


async def _insert_schedule(engine: AsyncEngine, name: str) -> int:
    """A schedule of guild 1 as the code of revisions 0003 to 0007 wrote it; its id."""
    at = NOW if engine.dialect.name != "sqlite" else NOW.replace(tzinfo=None)
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO briefing_schedules (guild_id, name, name_key, channel_id, "
                "post_time, timezone, days, topics, min_quality, length, enabled, updated_at) "
                "VALUES (1, :name, :name, 10, '08:30', 'UTC', 'mon', '[]', 0, 'short', "
                ":enabled, :at)"
            ),
            {"name": name, "enabled": True, "at": at},
        )
        query = text("SELECT id FROM briefing_schedules WHERE name = :name")
        return int((await connection.execute(query, {"name": name})).scalar_one())


async def _fill(engine: AsyncEngine) -> None:
    """One schedule and one subscriber (as the code of revision 0001 wrote them) and one sent
    delivery, written with the state functions (which write no column added after revision
    0001 unless asked to)."""
    db = Database(engine, "test")
    await _insert_old_schedule(engine, SCHEDULE)
    await _insert_old_subscriber(engine)
    assert await claim(db, DeliveryKind.CHANNEL, 1, DAY, now=NOW)
    await mark_sent(db, DeliveryKind.CHANNEL, 1, DAY, now=NOW, message_ids=[555])


async def _assert_filled(db: Database) -> None:
    # migrated unchanged: named "daily", every day, headlines, its guild id as its id
    assert await get_schedule(db, 1) == replace(SCHEDULE, id=1)
    settings = await digest_settings(db, 7)
    assert settings is not None and settings.topics == ("AI",)
    delivery = await get_delivery(db, DeliveryKind.CHANNEL, 1, DAY)
    assert (
        delivery is not None
        and delivery.status == DeliveryStatus.SENT
        and delivery.message_ids == (555,)
    )


# --- the revisions themselves ---------------------------------------------------------------


def test_schema_version_is_the_head_revision() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert script.get_heads() == [SCHEMA_VERSION]  # one line of history, ending here
    assert [r.revision for r in script.walk_revisions()][-1] == "0001"


def _upgrade_to(revision: str) -> Any:
    def upgrade(connection: Connection) -> None:
        run_locked(connection, lambda locked: command.upgrade(alembic_config(locked), revision))

    return upgrade


def _downgrade_to(revision: str) -> Any:
    def downgrade(connection: Connection) -> None:
        run_locked(connection, lambda locked: command.downgrade(alembic_config(locked), revision))

    return downgrade


async def test_single_schedules_become_named_daily_schedules_and_keep_their_log(
    url: str, engine: AsyncEngine
) -> None:
    big_guild = 1578254843506590155  # a real snowflake: new ids must continue past it
    old = [SCHEDULE, replace(SCHEDULE, guild_id=big_guild, channel_id=11, enabled=False)]
    await _run(engine, _upgrade_to("0002"))
    for schedule in old:
        await _insert_old_schedule(engine, schedule)
    db = Database(engine, "test")
    assert await claim(db, DeliveryKind.CHANNEL, 1, DAY, now=NOW)  # the guild id, as before
    await mark_sent(db, DeliveryKind.CHANNEL, 1, DAY, now=NOW, message_ids=[555])

    db = await Database.connect(url)
    try:
        migrated = await guild_schedules(db, 1)
        assert migrated == [replace(SCHEDULE, id=1)]
        assert migrated[0].name == "daily" and migrated[0].days == (0, 1, 2, 3, 4, 5, 6)
        assert migrated[0].length == "headlines" and migrated[0].window is None
        assert await guild_schedules(db, big_guild) == [replace(old[1], id=big_guild)]
        # the day already posted stays posted: the log's target is the schedule id
        assert not await claim(db, DeliveryKind.CHANNEL, 1, DAY, now=NOW)
        added = await save_schedule(db, replace(SCHEDULE, name="weekly", days=(4,)), now=NOW)
        assert added.id is not None and added.id > big_guild
        assert [s.name for s in await guild_schedules(db, 1)] == ["daily", "weekly"]
    finally:
        await db.close()
    assert await _run(engine, _diffs) == []


async def test_the_downgrade_keeps_one_schedule_per_guild(url: str, engine: AsyncEngine) -> None:
    db = await Database.connect(url)
    try:
        first = await save_schedule(db, SCHEDULE, now=NOW)
        await save_schedule(db, replace(SCHEDULE, name="weekly", channel_id=99), now=NOW)
    finally:
        await db.close()

    await _run(engine, _downgrade_to("0002"))
    async with engine.connect() as connection:
        rows = (
            await connection.execute(text("SELECT guild_id, channel_id FROM channel_schedules"))
        ).all()
    assert rows == [(first.guild_id, first.channel_id)]


async def test_filters_arrive_empty_and_the_downgrade_keeps_schedules_and_subscribers(
    url: str, engine: AsyncEngine
) -> None:
    await _run(engine, _upgrade_to("0003"))
    await _insert_schedule(engine, "daily")
    await _insert_old_subscriber(engine)

    db = await Database.connect(url)  # migrates to the head
    try:
        schedule = await get_schedule(db, 1)
        settings = await digest_settings(db, 7)
        assert schedule is not None and schedule.filters == Filters()
        assert settings is not None and settings.filters == Filters()
        wanted = Filters(("AI",), ("crypto",), ("spam.test",))
        assert schedule.id is not None and await set_schedule_filters(db, schedule.id, wanted)
        assert await set_digest_filters(db, 7, Filters(exclude=("crypto",)))
        assert (await get_schedule(db, 1)) == replace(schedule, filters=wanted)
        digest = await digest_settings(db, 7)
        assert digest is not None and digest.filters == Filters(exclude=("crypto",))
    finally:
        await db.close()
    async with engine.connect() as connection:
        stored = await connection.execute(text("SELECT filters FROM briefing_schedules"))
        value = stored.scalar_one()
    value = json.loads(value) if isinstance(value, str) else value
    assert value == {"include": ["AI"], "exclude": ["crypto"], "outlets": ["spam.test"]}

    await _run(engine, _downgrade_to("0003"))
    async with engine.connect() as connection:
        rows = await connection.execute(text("SELECT id, name FROM briefing_schedules"))
        assert rows.all() == [(1, "daily")]
        users = await connection.execute(text("SELECT user_id FROM digest_users"))
        assert users.all() == [(7,)]
        columns = {
            c["name"]
            for c in await connection.run_sync(
                lambda sync: inspect(sync).get_columns("briefing_schedules")
            )
        }
        assert "filters" not in columns
    assert await _revisions(engine) == ["0003"]


async def test_digest_signals_are_added_to_a_database_of_revision_0006_and_dropped_again(
    url: str, engine: AsyncEngine
) -> None:
    """Revision 0007 (personal digests learn) adds ``digest_signals`` and changes nothing else:
    a subscriber of before keeps their digest and can leave signals; the downgrade to 0006
    drops the table only."""
    await _run(engine, _upgrade_to("0006"))
    await _insert_old_subscriber(engine)
    before = await _run(engine, _snapshot)

    await _run(engine, _upgrade_to("0007"))  # not past it: 0008 rewrites a table's SQLite DDL
    db = Database(engine, "test")
    settings = await digest_settings(db, 7)
    assert settings is not None and settings.topics == ("AI",)
    assert await record_feedback(db, 7, Feedback.LESS, ItemRef("ai", "x.test"), now=NOW)
    assert await digest_signals(db, 7) == Signals.of(topics={"ai": -1}, outlets={"x.test": -1})
    assert await _revisions(engine) == ["0007"]

    await _run(engine, _downgrade_to("0006"))
    assert await _run(engine, _snapshot) == before


async def test_revision_0008_schedule_ids_are_never_reused_and_nothing_else_changes(
    url: str, engine: AsyncEngine
) -> None:
    """Revision 0008 declares SQLite's AUTOINCREMENT on ``briefing_schedules`` (PostgreSQL's
    sequence never reused an id): schedules keep their ids and data; a new schedule gets neither
    the id of a schedule removed after the upgrade nor that of one removed before it (whose
    delivery log the code of before left behind); the downgrade gives the table of 0007 back."""
    await _run(engine, _upgrade_to("0007"))
    old = Database(engine, "test")
    kept, removed = await _insert_schedule(engine, "kept"), await _insert_schedule(engine, "gone")
    assert await claim(old, DeliveryKind.CHANNEL, removed, DAY, now=NOW)
    await mark_sent(old, DeliveryKind.CHANNEL, removed, DAY, now=NOW, message_ids=[555])
    async with engine.begin() as connection:  # what remove_schedule of 0007 did: the row only
        await connection.execute(
            text("DELETE FROM briefing_schedules WHERE id = :id"), {"id": removed}
        )
    schema = await _run(engine, _snapshot)

    db = await Database.connect(url)  # migrates to the head
    try:
        assert [s.name for s in await guild_schedules(db, 1)] == ["kept"]
        assert (await guild_schedules(db, 1))[0].id == kept
        new = await save_schedule(db, replace(SCHEDULE, name="new"), now=NOW)
        assert new.id is not None and new.id > removed
        assert await get_delivery(db, DeliveryKind.CHANNEL, new.id, DAY) is None
        assert await remove_schedule(db, new.id)
        newer = await save_schedule(db, replace(SCHEDULE, name="newer"), now=NOW)
        assert newer.id is not None and newer.id > new.id
    finally:
        await db.close()
    assert await _revisions(engine) == [SCHEMA_VERSION] and await _run(engine, _diffs) == []
    if engine.dialect.name == "sqlite":
        assert "AUTOINCREMENT" in await _schedules_ddl(engine)

    await _run(engine, _downgrade_to("0007"))
    after = await _run(engine, _snapshot)
    async with engine.connect() as connection:
        rows = await connection.execute(text("SELECT id, name FROM briefing_schedules"))
        assert sorted(rows.all()) == [(kept, "kept"), (newer.id, "newer")]
    if engine.dialect.name == "sqlite":  # the same table, but SQLite keeps the DDL's new text
        assert "AUTOINCREMENT" not in await _schedules_ddl(engine)
        schema.pop("sqlite_master"), after.pop("sqlite_master")
    assert after == schema


async def _schedules_ddl(engine: AsyncEngine) -> str:
    async with engine.connect() as connection:
        query = "SELECT sql FROM sqlite_master WHERE name = 'briefing_schedules'"
        return str((await connection.exec_driver_sql(query)).scalar_one())


def test_the_metadata_check_notices_a_model_change_without_a_migration(tmp_path: Path) -> None:
    from sqlalchemy import create_engine

    changed = MetaData()
    for table in Base.metadata.tables.values():
        table.to_metadata(changed)
    changed.tables["digest_users"].append_column(Column("language", Integer))
    sync_engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with sync_engine.begin() as connection:
            Base.metadata.create_all(connection)
            context = MigrationContext.configure(connection)
            diffs = compare_metadata(context, changed)
    finally:
        sync_engine.dispose()
    assert [diff[0] for diff in diffs] == ["add_column"]


# --- start-up on a fresh database -----------------------------------------------------------


async def test_a_fresh_database_is_migrated_to_the_head(url: str, engine: AsyncEngine) -> None:
    db = await Database.connect(url)
    await db.close()
    tables = set(await _run(engine, lambda sync: inspect(sync).get_table_names()))
    assert tables == BOT_TABLES | {"alembic_version"}
    assert await _revisions(engine) == [_head()] == [SCHEMA_VERSION]
    async with engine.connect() as connection:
        legacy = await connection.execute(text("SELECT id, version FROM schema_version"))
        assert legacy.all() == [(1, 1)]

    db = await Database.connect(url)  # a restart changes nothing
    await db.close()
    assert await _revisions(engine) == [SCHEMA_VERSION]


async def test_the_migrations_build_exactly_the_tables_of_the_metadata(
    url: str, engine: AsyncEngine
) -> None:
    db = await Database.connect(url)
    await db.close()
    assert await _run(engine, _diffs) == []


async def test_an_adopted_pre_alembic_database_ends_with_the_schema_of_a_fresh_one(
    url: str, engine: AsyncEngine
) -> None:
    db = await Database.connect(url)
    await db.close()
    fresh = await _run(engine, _snapshot)
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.drop_all)
        await connection.execute(text("DROP TABLE alembic_version"))

    await _create_pre_alembic(engine)
    db = await Database.connect(url)
    await db.close()
    assert await _run(engine, _snapshot) == fresh


# --- a database that newer code migrated ----------------------------------------------------


async def test_an_unknown_newer_revision_is_refused_and_nothing_is_modified(
    url: str, engine: AsyncEngine
) -> None:
    db = await Database.connect(url)
    await save_schedule(db, SCHEDULE, now=NOW)  # the first schedule: id 1
    await subscribe(db, 7, "AI", now=NOW)
    assert await claim(db, DeliveryKind.CHANNEL, 1, DAY, now=NOW)
    await mark_sent(db, DeliveryKind.CHANNEL, 1, DAY, now=NOW, message_ids=[555])
    await db.close()
    async with engine.begin() as connection:
        await connection.execute(text("UPDATE alembic_version SET version_num = 'a1b2c3d4e5f6'"))
    before = await _run(engine, _snapshot)

    with pytest.raises(SchemaTooNewError) as raised:
        await Database.connect(url)
    message = str(raised.value)
    assert "'a1b2c3d4e5f6'" in message and f"'{SCHEMA_VERSION}'" in message
    assert "upgrade the bot" in message
    assert (raised.value.found, raised.value.supported) == ("a1b2c3d4e5f6", SCHEMA_VERSION)

    assert await _revisions(engine) == ["a1b2c3d4e5f6"]
    assert await _run(engine, _snapshot) == before
    await _assert_filled(Database(engine, "test"))


async def test_a_pre_alembic_database_of_a_newer_version_is_refused(
    url: str, engine: AsyncEngine
) -> None:
    await _create_pre_alembic(engine)
    async with engine.begin() as connection:
        await connection.execute(text("UPDATE schema_version SET version = 2"))
    with pytest.raises(SchemaTooNewError, match="schema revision '2'"):
        await Database.connect(url)
    tables = set(await _run(engine, lambda sync: inspect(sync).get_table_names()))
    assert "alembic_version" not in tables


async def test_bot_tables_without_any_version_are_refused(url: str, engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.tables["deliveries"].create)
    with pytest.raises(SchemaError, match="deliveries") as raised:
        await Database.connect(url)
    assert not isinstance(raised.value, SchemaTooNewError)
    tables = set(await _run(engine, lambda sync: inspect(sync).get_table_names()))
    assert tables == {"deliveries"}


# --- a database created before Alembic ------------------------------------------------------


async def test_a_pre_alembic_database_is_adopted_with_its_data(
    url: str, engine: AsyncEngine
) -> None:
    await _create_pre_alembic(engine)
    await _fill(engine)

    db = await Database.connect(url)
    try:
        await _assert_filled(db)
        assert not await claim(
            db, DeliveryKind.CHANNEL, 1, DAY, now=NOW
        )  # the log still says "sent"
    finally:
        await db.close()
    assert await _revisions(engine) == [SCHEMA_VERSION]
    assert await _run(engine, _diffs) == []
    async with engine.connect() as connection:
        legacy = await connection.execute(text("SELECT id, version FROM schema_version"))
        assert legacy.all() == [(1, 1)]


# --- processes starting together ------------------------------------------------------------


@pytest.mark.parametrize("start", ["fresh", "pre-alembic"])
async def test_four_processes_starting_together_migrate_once(
    url: str, engine: AsyncEngine, start: str
) -> None:
    if start == "pre-alembic":
        await _create_pre_alembic(engine)
        await _fill(engine)
    async with asyncio.timeout(60):  # without the schema lock PostgreSQL can hang here
        databases = await asyncio.gather(*(Database.connect(url) for _ in range(4)))
    try:
        assert all([await database.ping() for database in databases])
        await asyncio.gather(
            *(subscribe(d, 100 + i, "AI", now=NOW) for i, d in enumerate(databases))
        )
    finally:
        for database in databases:
            await database.close()
    assert await _revisions(engine) == [SCHEMA_VERSION]
    assert await _run(engine, _diffs) == []
    async with engine.connect() as connection:
        users = await connection.execute(text("SELECT user_id FROM digest_users ORDER BY user_id"))
        expected = [7] if start == "pre-alembic" else []
        assert [row[0] for row in users] == [*expected, 100, 101, 102, 103]
    if start == "pre-alembic":
        await _assert_filled(Database(engine, "test"))


async def test_one_process_migrating_several_databases_at_once(tmp_path: Path) -> None:
    # Alembic's context is process-wide: without taking turns these runs trip over each other.
    urls = [f"sqlite+aiosqlite:///{tmp_path / f'{i}.db'}" for i in range(4)]
    async with asyncio.timeout(60):
        databases = await asyncio.gather(*(Database.connect(u) for u in urls))
    for database in databases:
        await database.close()
    for u in urls:
        engine = create_async_engine(u)
        try:
            assert await _revisions(engine) == [SCHEMA_VERSION]
        finally:
            await engine.dispose()


def test_threads_migrating_different_databases_at_once(tmp_path: Path) -> None:
    started: list[str] = []

    def start(i: int) -> None:
        async def connect() -> None:
            db = await Database.connect(f"sqlite+aiosqlite:///{tmp_path / f'{i}.db'}")
            await db.close()
            started.append(db.url_for_logs)

        asyncio.run(connect())

    # Daemon threads with a deadline: a broken lock fails the test instead of hanging it.
    threads = [threading.Thread(target=start, args=(i,), daemon=True) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(started) == 3


# --- SQLite: schema changes with foreign keys off, checked before the commit ----------------


async def test_sqlite_schema_changes_do_not_cascade_and_foreign_keys_come_back(
    tmp_path: Path,
) -> None:
    db = await Database.connect(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    try:
        await subscribe(db, 7, "AI", now=NOW)

        def rebuild_digest_users(connection: Connection) -> None:
            # What Alembic's batch mode does to alter a SQLite table: copy, drop, rename.
            ddl = connection.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE name = 'digest_users'"
            ).scalar_one()
            connection.exec_driver_sql(ddl.replace("digest_users", "_new", 1))
            connection.exec_driver_sql("INSERT INTO _new SELECT * FROM digest_users")
            connection.exec_driver_sql("DROP TABLE digest_users")  # would cascade with FKs on
            connection.exec_driver_sql("ALTER TABLE _new RENAME TO digest_users")

        def orphan_the_subscriptions(connection: Connection) -> None:
            connection.exec_driver_sql("DELETE FROM digest_users")

        async with db.engine.connect() as connection:
            await connection.run_sync(run_locked, rebuild_digest_users)
            count = await connection.execute(text("SELECT count(*) FROM subscriptions"))
            assert count.scalar_one() == 1
            assert (await connection.exec_driver_sql("PRAGMA foreign_keys")).scalar() == 1
            await connection.rollback()

            with pytest.raises(SchemaError, match="broke foreign keys"):
                await connection.run_sync(run_locked, orphan_the_subscriptions)
            users = await connection.execute(text("SELECT count(*) FROM digest_users"))
            assert users.scalar_one() == 1  # rolled back
            assert (await connection.exec_driver_sql("PRAGMA foreign_keys")).scalar() == 1
    finally:
        await db.close()


# --- the alembic command, for developers ----------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def sync_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'dev' / 'dev.db'}"
        return
    if not PG_TEST_URL:
        pytest.skip(PG_SKIP_REASON)
    asyncio.run(wipe_postgres(PG_TEST_URL))
    yield PG_TEST_URL


def _alembic(url: str, *arguments: str) -> None:
    alembic_main(["-c", str(ROOT / "alembic.ini"), "-x", f"url={url}", *arguments])


def test_the_alembic_command_upgrades_and_finds_nothing_to_generate(sync_url: str) -> None:
    _alembic(sync_url, "upgrade", "head")
    _alembic(sync_url, "check")  # autogenerate against the metadata: no new operations

    async def revisions() -> list[str]:
        engine = create_async_engine(sync_url)
        try:
            return await _revisions(engine)
        finally:
            await engine.dispose()

    assert asyncio.run(revisions()) == [SCHEMA_VERSION]

    _alembic(sync_url, "downgrade", "base")
    assert asyncio.run(revisions()) == []
    _alembic(sync_url, "upgrade", "head")
    assert asyncio.run(revisions()) == [SCHEMA_VERSION]


def test_the_alembic_check_fails_on_an_empty_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    _alembic(url, "stamp", "head")  # claims the head without creating the tables
    with pytest.raises(SystemExit):
        _alembic(url, "check")
    assert "New upgrade operations detected" in capsys.readouterr().out


def test_the_alembic_command_prints_the_sql_offline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _alembic(f"sqlite+aiosqlite:///{tmp_path / 'unused.db'}", "upgrade", "head", "--sql")
    sql = capsys.readouterr().out
    assert "CREATE TABLE deliveries" in sql
    assert "INSERT INTO alembic_version (version_num) VALUES ('0001')" in sql
    assert "CREATE TABLE instances" in sql
    assert "UPDATE alembic_version SET version_num='0002'" in sql
    assert "CREATE TABLE briefing_schedules" in sql
    assert "UPDATE alembic_version SET version_num='0003'" in sql
    assert "ALTER TABLE deliveries ADD COLUMN notice TEXT" in sql
    assert "CREATE TABLE briefing_pings" in sql
    assert "ALTER TABLE briefing_schedules ADD COLUMN filters JSON" in sql
    assert "CREATE TABLE digest_signals" in sql
    assert "id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT" in sql  # 0008
    assert f"UPDATE alembic_version SET version_num='{SCHEMA_VERSION}'" in sql
    assert not (tmp_path / "unused.db").exists()


async def test_revision_0004_targets_keep_old_schedules_as_they_were(
    url: str, engine: AsyncEngine
) -> None:
    """Revision 0004 (issue 13, part 4): existing schedules post without a thread, existing
    deliveries have no notice; the downgrade keeps the schedules."""
    await _run(engine, _upgrade_to("0003"))
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO briefing_schedules (id, guild_id, name, name_key, channel_id, "
                "post_time, timezone, days, topics, min_quality, length, enabled, updated_at) "
                "VALUES (7, 1, 'daily', 'daily', 10, '08:30', 'UTC', 'mon,tue,wed,thu,fri,sat,"
                "sun', '[]', 0, 'headlines', :yes, :now)"
            ),
            {"yes": True, "now": NOW},
        )
    db = Database(engine, "test")
    assert await claim(db, DeliveryKind.CHANNEL, 7, DAY, now=NOW)
    await mark_sent(db, DeliveryKind.CHANNEL, 7, DAY, now=NOW, message_ids=[555])

    db = await Database.connect(url)  # to the head
    try:
        (old,) = await guild_schedules(db, 1)
        assert old.thread is False and old.id == 7
        delivered = await get_delivery(db, DeliveryKind.CHANNEL, 7, DAY)
        assert delivered is not None and delivered.notice is None
        await save_schedule(db, replace(old, thread=True), now=NOW)
        assert (await guild_schedules(db, 1))[0].thread is True
        await mark_sent(db, DeliveryKind.CHANNEL, 7, DAY, now=NOW, message_ids=[555], notice="n")
        delivered = await get_delivery(db, DeliveryKind.CHANNEL, 7, DAY)
        assert delivered is not None and delivered.notice == "n"
    finally:
        await db.close()

    await _run(engine, _downgrade_to("0003"))
    async with engine.connect() as connection:
        rows = (await connection.execute(text("SELECT id, name FROM briefing_schedules"))).all()
        columns = {
            c["name"]
            for c in await connection.run_sync(lambda sync: inspect(sync).get_columns("deliveries"))
        }
    assert rows == [(7, "daily")] and "notice" not in columns
