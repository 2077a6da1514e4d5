"""bot.state against real databases: SQLite files in tmp_path, PostgreSQL when PG_TEST_URL is set.

Every test taking ``db`` or ``url`` runs once per backend; the PostgreSQL run is skipped unless
``PG_TEST_URL`` (for example ``postgresql+asyncpg://postgres@127.0.0.1:5432/briefing_test``)
names a database the tests may wipe: its bot tables and ``alembic_version`` are dropped before
each test. ``make test`` sets it to a throwaway cluster when PostgreSQL is installed
(``scripts/test.sh``). Migrations themselves are tested in ``test_migrations.py``.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.state import (
    SCHEMA_VERSION,
    ChannelSchedule,
    Database,
    DigestSettings,
    DuplicateNameError,
    SchemaTooNewError,
    active_schedules,
    claim,
    digest_settings,
    digest_users,
    disable_schedule,
    forget_user,
    get_delivery,
    get_schedule,
    guild_schedules,
    last_delivery,
    mark_failed,
    mark_sent,
    pause_digest,
    pause_schedule,
    posted,
    record_progress,
    remove_schedule,
    save_schedule,
    schedule_by_id,
    subscribe,
    unsubscribe,
)
from bot.state.claims import Claimant
from bot.state.deliveries import DeliveryKind, DeliveryStatus
from bot.state.pings import schedule_pings, set_ping
from bot.state.posted import posted_log, record_posted
from bot.state.tables import Base
from briefings.excerpts import BriefingLength
from briefings.repeats import PostedArticle

PG_TEST_URL = os.environ.get("PG_TEST_URL")
NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
DAY = date(2025, 3, 1)
PARIS_WINTER = timezone(timedelta(hours=1))


PG_SKIP_REASON = (
    "PG_TEST_URL is not set (make test sets it when PostgreSQL server binaries are installed)"
)


async def wipe_postgres(url: str) -> None:
    """Drop the bot's tables (today's and those of older revisions) and Alembic's version
    table from the database at ``url``."""
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(Base.metadata.drop_all)
            for table in ("alembic_version", "channel_schedules"):  # channel_schedules: < 0003
                await connection.execute(text(f"DROP TABLE IF EXISTS {table}"))
    finally:
        await engine.dispose()


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
async def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'state' / 'bot.db'}"
    if not PG_TEST_URL:
        pytest.skip(PG_SKIP_REASON)
    await wipe_postgres(PG_TEST_URL)
    return PG_TEST_URL


@pytest.fixture
async def db(url: str) -> AsyncIterator[Database]:
    database = await Database.connect(url)
    try:
        yield database
    finally:
        await database.close()


def _schedule(guild_id: int = 1, **changes: Any) -> ChannelSchedule:
    values: dict[str, Any] = {
        "guild_id": guild_id,
        "channel_id": 10 * guild_id,
        "post_time": time(8, 30),
        "timezone": "Europe/Paris",
        "topics": ("AI", "Power Apps"),
        "min_quality": 0.5,
        "configured_by": 99,
    }
    values.update(changes)
    return ChannelSchedule(**values)


# --- the database itself --------------------------------------------------------------------


async def test_connect_creates_the_schema_and_records_its_version(db: Database) -> None:
    async with db.engine.connect() as connection:
        tables = set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))
        revision = (await connection.execute(text("SELECT version_num FROM alembic_version"))).all()
        legacy = (await connection.execute(text("SELECT version FROM schema_version"))).all()
    assert {
        "briefing_schedules",
        "digest_users",
        "subscriptions",
        "deliveries",
        "schema_version",
        "alembic_version",
    } <= tables
    assert revision == [(SCHEMA_VERSION,)]
    assert legacy == [(1,)]  # what releases from before Alembic check
    assert await db.ping()


async def test_sqlite_creates_the_folder_and_uses_wal_foreign_keys_and_busy_timeout(
    tmp_path: Path,
) -> None:
    path = tmp_path / "deep" / "er" / "state.db"
    db = await Database.connect(f"sqlite:///{path}")  # upgraded to the aiosqlite driver
    try:
        assert path.is_file()
        assert db.dialect_name == "sqlite"
        async with db.engine.connect() as connection:
            pragma = connection.exec_driver_sql
            assert (await pragma("PRAGMA journal_mode")).scalar() == "wal"
            assert (await pragma("PRAGMA foreign_keys")).scalar() == 1
            assert (await pragma("PRAGMA busy_timeout")).scalar() == 5000
    finally:
        await db.close()


async def test_reopening_keeps_the_data(url: str) -> None:
    db = await Database.connect(url)
    saved = await save_schedule(db, _schedule(), now=NOW)
    await subscribe(db, 7, "AI", now=NOW)
    assert await claim(db, DeliveryKind.CHANNEL, 1, DAY, now=NOW)
    await mark_sent(db, DeliveryKind.CHANNEL, 1, DAY, now=NOW, message_ids=[555])
    await db.close()

    db = await Database.connect(url)  # a restart
    try:
        assert await get_schedule(db, 1) == saved
        settings = await digest_settings(db, 7)
        assert settings is not None and settings.topics == ("AI",)
        assert not await claim(db, DeliveryKind.CHANNEL, 1, DAY, now=NOW + timedelta(hours=1))
        delivery = await get_delivery(db, DeliveryKind.CHANNEL, 1, DAY)
        assert delivery is not None and delivery.message_ids == (555,)
    finally:
        await db.close()


async def test_a_database_written_by_newer_code_is_refused(url: str) -> None:
    db = await Database.connect(url)
    await save_schedule(db, _schedule(), now=NOW)
    async with db.engine.begin() as connection:
        await connection.execute(text("UPDATE alembic_version SET version_num = '0099_future'"))
    await db.close()

    with pytest.raises(SchemaTooNewError, match="schema revision '0099_future'") as raised:
        await Database.connect(url)
    assert raised.value.found == "0099_future"
    assert raised.value.supported == SCHEMA_VERSION

    engine = create_async_engine(url)  # untouched by the refused connect
    try:
        async with engine.connect() as connection:
            stored = await connection.execute(text("SELECT version_num FROM alembic_version"))
            assert stored.scalar_one() == "0099_future"
            count = await connection.execute(text("SELECT count(*) FROM briefing_schedules"))
            assert count.scalar_one() == 1
    finally:
        await engine.dispose()


async def test_ping_is_false_when_the_server_is_unreachable() -> None:
    engine = create_async_engine("postgresql+asyncpg://bot:s3cret@127.0.0.1:1/state")
    db = Database(engine, "postgresql+asyncpg://bot:***@127.0.0.1:1/state")
    try:
        assert not await db.ping()
    finally:
        await db.close()


async def test_connect_masks_the_password_in_url_for_logs(db: Database, url: str) -> None:
    assert db.url_for_logs.startswith(db.dialect_name)
    if "@" in url and ":" in url.split("://", 1)[1].split("@", 1)[0]:
        password = url.split("://", 1)[1].split("@", 1)[0].split(":", 1)[1]
        assert password not in db.url_for_logs
        assert "***" in db.url_for_logs
    assert repr(db) == f"Database({db.url_for_logs!r})"


async def test_an_unsupported_url_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported database URL"):
        await Database.connect("mysql://bot:pw@localhost/state")


# --- channel schedules ----------------------------------------------------------------------


async def test_a_saved_schedule_reads_back(db: Database) -> None:
    saved = await save_schedule(db, _schedule(), now=NOW)
    assert saved.id is not None
    assert saved == replace(_schedule(), id=saved.id)
    assert saved.name == "daily" and saved.days == (0, 1, 2, 3, 4, 5, 6)
    assert await get_schedule(db, 1) == saved
    assert await get_schedule(db, 1, " DAILY ") == saved  # names compare case-insensitively
    assert await schedule_by_id(db, saved.id) == saved
    assert await get_schedule(db, 2) is None
    assert await get_schedule(db, 1, "weekly") is None


async def test_the_posted_log_reads_back_in_the_zone_asked_for(db: Database) -> None:
    saved = await save_schedule(db, _schedule(), now=NOW)
    assert saved.id is not None
    late = datetime(2025, 3, 1, 23, 30, tzinfo=UTC)  # 2 March in Paris
    shown = PostedArticle("https://a.test/x", late, 50, NOW)
    await posted.record_posted(db, saved.id, [shown], now=late)
    log = await posted.posted_log(db, saved.id, at=late + timedelta(days=1))
    assert log.articles == (shown,) and log.articles[0].posted_at.tzinfo == UTC
    paris = ZoneInfo("Europe/Paris")
    (local,) = (
        await posted.posted_log(db, saved.id, at=NOW + timedelta(days=1), zone=paris)
    ).articles
    assert local == shown and local.posted_at.tzinfo == paris
    assert local.posted_at.date() == date(2025, 3, 2)
    assert not await posted.posted_log(db, saved.id, at=late)  # before ``at`` only


async def test_a_guild_has_several_schedules_with_distinct_names(db: Database) -> None:
    daily = await save_schedule(db, _schedule(), now=NOW)
    weekly = await save_schedule(
        db,
        _schedule(
            name="Weekly  recap",
            days=(4,),
            window=timedelta(days=7),
            per_topic=2,
            length=BriefingLength.FULL,
        ),
        now=NOW,
    )
    assert weekly.id not in (None, daily.id)
    assert weekly.name == "Weekly recap"
    assert await guild_schedules(db, 1) == [daily, weekly]
    assert await get_schedule(db, 1, "weekly recap") == weekly
    with pytest.raises(DuplicateNameError):
        await save_schedule(db, _schedule(name="WEEKLY RECAP", channel_id=5), now=NOW)
    with pytest.raises(DuplicateNameError):  # renaming onto another's name
        await save_schedule(db, replace(daily, name="weekly recap"), now=NOW)
    assert await guild_schedules(db, 1) == [daily, weekly]  # nothing changed
    other = await save_schedule(db, _schedule(2, name="Weekly recap"), now=NOW)  # other guild
    assert other.guild_id == 2
    assert await remove_schedule(db, daily.id or 0)
    assert not await remove_schedule(db, daily.id or 0)
    assert await guild_schedules(db, 1) == [weekly]


async def test_removing_a_schedule_deletes_its_history_and_its_id_is_never_reused(
    db: Database,
) -> None:
    """Its delivery log, "already posted" log and pings go with it, and the next schedule gets
    a new id (SQLite reuses the largest rowid of a table without AUTOINCREMENT)."""
    after = NOW + timedelta(hours=1)
    kept = await save_schedule(db, _schedule(name="kept"), now=NOW)
    newest = await save_schedule(db, _schedule(name="newest"), now=NOW)
    assert kept.id is not None and newest.id is not None
    for schedule_id in (kept.id, newest.id):
        assert await claim(db, DeliveryKind.CHANNEL, schedule_id, DAY, now=NOW)
        await mark_sent(db, DeliveryKind.CHANNEL, schedule_id, DAY, now=NOW, message_ids=[5])
        await record_posted(db, schedule_id, [PostedArticle("https://a.test/x", NOW)], now=NOW)
        await set_ping(db, schedule_id, "AI", 555, now=NOW)
    assert await claim(db, DeliveryKind.DIGEST, newest.id, DAY, now=NOW)  # a user's, kept

    assert await remove_schedule(db, newest.id)
    assert await get_delivery(db, DeliveryKind.CHANNEL, newest.id, DAY) is None
    assert (await posted_log(db, newest.id, at=after)).articles == ()
    assert await schedule_pings(db, newest.id) == ()
    assert await get_delivery(db, DeliveryKind.DIGEST, newest.id, DAY) is not None
    assert await get_delivery(db, DeliveryKind.CHANNEL, kept.id, DAY) is not None
    assert len((await posted_log(db, kept.id, at=after)).articles) == 1
    assert len(await schedule_pings(db, kept.id)) == 1

    later = await save_schedule(db, _schedule(name="later"), now=NOW)
    assert later.id is not None and later.id > newest.id
    # a delivery of the removed schedule that was still in flight ends quietly
    await record_posted(db, newest.id, [PostedArticle("https://a.test/y", after)], now=after)
    assert (await posted_log(db, newest.id, at=after)).articles == ()


async def test_saving_replaces_re_enables_and_unpauses(db: Database) -> None:
    first = await save_schedule(db, _schedule(), now=NOW)
    assert first.id is not None
    await pause_schedule(db, first.id, "missing permissions", now=NOW)
    assert await disable_schedule(db, first.id, now=NOW)
    changed = _schedule(
        id=first.id,
        channel_id=77,
        post_time=time(6, 0),
        timezone="America/New_York",
        topics=("AI", " ai ", "Robotics", ""),
        min_quality=2,
        enabled=False,
        paused_reason="ignored",
        configured_by=None,
    )
    saved = await save_schedule(db, changed, now=NOW + timedelta(days=1))
    expected = _schedule(
        id=first.id,
        channel_id=77,
        post_time=time(6, 0),
        timezone="America/New_York",
        topics=("AI", "Robotics"),
        min_quality=2.0,
        configured_by=None,
    )
    assert saved == expected
    assert await get_schedule(db, 1) == expected
    assert saved.updated_at == NOW + timedelta(days=1)
    assert saved.active
    with pytest.raises(ValueError, match="no schedule"):  # an id of another guild
        await save_schedule(db, replace(changed, guild_id=2), now=NOW)


async def test_active_schedules_skip_disabled_and_paused_ones(db: Database) -> None:
    ids: dict[int, int] = {}
    for guild_id in (4, 1, 3, 2):
        ids[guild_id] = (await save_schedule(db, _schedule(guild_id), now=NOW)).id or 0
    assert await disable_schedule(db, ids[2], now=NOW)
    await pause_schedule(db, ids[3], "channel deleted", now=NOW)

    assert [s.guild_id for s in await active_schedules(db)] == [1, 4]
    disabled = await get_schedule(db, 2)
    assert disabled is not None and not disabled.enabled and not disabled.active
    paused = await get_schedule(db, 3)
    assert paused is not None and paused.enabled and paused.paused_reason == "channel deleted"
    assert not paused.active


async def test_disabling_or_pausing_an_unknown_schedule(db: Database) -> None:
    assert not await disable_schedule(db, 42, now=NOW)
    await pause_schedule(db, 42, "whatever", now=NOW)
    assert await schedule_by_id(db, 42) is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"timezone": "Mars/Olympus_Mons"}, "unknown time zone"),
        ({"post_time": time(8, 30, 15)}, "whole minute"),
        ({"post_time": time(8, 30, tzinfo=UTC)}, "without tzinfo"),
        ({"days": ()}, "weekdays"),
        ({"days": (7,)}, "weekdays"),
        ({"name": "  "}, "needs a name"),
    ],
)
async def test_invalid_schedules_are_refused(
    db: Database, changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        await save_schedule(db, _schedule(**changes), now=NOW)
    assert await get_schedule(db, 1) is None


async def test_naive_now_is_refused(db: Database) -> None:
    naive = datetime(2025, 3, 1, 9, 0)
    with pytest.raises(ValueError, match="timezone-aware"):
        await save_schedule(db, _schedule(), now=naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        await claim(db, DeliveryKind.CHANNEL, 1, DAY, now=naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        await subscribe(db, 1, "AI", now=naive)


async def test_a_pause_needs_a_reason(db: Database) -> None:
    saved = await save_schedule(db, _schedule(), now=NOW)
    with pytest.raises(ValueError, match="reason"):
        await pause_schedule(db, saved.id or 0, "  ", now=NOW)


# --- digest subscriptions -------------------------------------------------------------------


async def test_first_subscription_creates_the_user_with_defaults(db: Database) -> None:
    settings = await subscribe(db, 7, "  Power   Apps ", now=NOW)
    assert settings == DigestSettings(7, time(8, 0), "UTC", ("Power Apps",))
    assert await digest_settings(db, 7) == settings
    assert await digest_settings(db, 8) is None


async def test_subscribe_is_idempotent_case_insensitively(db: Database) -> None:
    await subscribe(db, 7, "AI", now=NOW)
    await subscribe(db, 7, "ai", now=NOW + timedelta(minutes=1))
    settings = await subscribe(db, 7, " Ai ", now=NOW + timedelta(minutes=2))
    assert settings.topics == ("AI",)  # the first display name is kept


async def test_topics_come_back_in_subscription_order(db: Database) -> None:
    await subscribe(db, 7, "Robotics", now=NOW)
    await subscribe(db, 7, "AI", now=NOW + timedelta(minutes=1))
    settings = await subscribe(db, 7, "Chips", now=NOW + timedelta(minutes=2))
    assert settings.topics == ("Robotics", "AI", "Chips")


async def test_subscribe_updates_time_and_zone_only_when_given(db: Database) -> None:
    await subscribe(db, 7, "AI", now=NOW, post_time=time(7, 15), timezone="Asia/Tokyo")
    settings = await subscribe(db, 7, "Chips", now=NOW)
    assert (settings.post_time, settings.timezone) == (time(7, 15), "Asia/Tokyo")
    settings = await subscribe(db, 7, "AI", now=NOW, timezone="Europe/Paris")
    assert (settings.post_time, settings.timezone) == (time(7, 15), "Europe/Paris")
    settings = await subscribe(db, 7, "AI", now=NOW, post_time=time(21, 0))
    assert (settings.post_time, settings.timezone) == (time(21, 0), "Europe/Paris")


async def test_subscribe_refuses_bad_input(db: Database) -> None:
    with pytest.raises(ValueError, match="blank"):
        await subscribe(db, 7, "   ", now=NOW)
    with pytest.raises(ValueError, match="unknown time zone"):
        await subscribe(db, 7, "AI", now=NOW, timezone="Nowhere/Special")
    with pytest.raises(ValueError, match="whole minute"):
        await subscribe(db, 7, "AI", now=NOW, post_time=time(8, 0, 1))
    assert await digest_settings(db, 7) is None


async def test_pausing_a_digest_and_subscribing_again_unpauses(db: Database) -> None:
    await subscribe(db, 7, "AI", now=NOW)
    await pause_digest(db, 7, "DMs are closed", now=NOW)
    paused = await digest_settings(db, 7)
    assert paused is not None and paused.paused_reason == "DMs are closed"
    assert await digest_users(db) == []
    settings = await subscribe(db, 7, "AI", now=NOW)
    assert settings.paused_reason is None
    assert [s.user_id for s in await digest_users(db)] == [7]
    await pause_digest(db, 12345, "unknown users are ignored", now=NOW)
    assert await digest_settings(db, 12345) is None


async def test_digest_users_are_unpaused_subscribers_by_user_id(db: Database) -> None:
    big = 1_234_567_890_123_456_789  # Discord snowflakes need 64 bits
    await subscribe(db, big, "AI", now=NOW)
    await subscribe(db, 30, "Chips", now=NOW)
    await subscribe(db, 30, "AI", now=NOW + timedelta(seconds=1))
    await subscribe(db, 20, "AI", now=NOW)
    await pause_digest(db, 20, "blocked the bot", now=NOW)
    users = await digest_users(db)
    assert users == [
        DigestSettings(30, time(8, 0), "UTC", ("Chips", "AI")),
        DigestSettings(big, time(8, 0), "UTC", ("AI",)),
    ]


async def test_unsubscribe(db: Database) -> None:
    await subscribe(db, 7, "AI", now=NOW)
    await subscribe(db, 7, "Chips", now=NOW)
    assert not await unsubscribe(db, 7, "Robotics")
    assert not await unsubscribe(db, 8, "AI")
    assert await unsubscribe(db, 7, "  CHIPS ")
    settings = await digest_settings(db, 7)
    assert settings is not None and settings.topics == ("AI",)


async def test_unsubscribing_the_last_topic_deletes_the_user(db: Database) -> None:
    await subscribe(db, 7, "AI", now=NOW, post_time=time(6, 0), timezone="Asia/Tokyo")
    assert await unsubscribe(db, 7, "ai")
    assert await digest_settings(db, 7) is None
    assert await digest_users(db) == []
    assert not await unsubscribe(db, 7, "ai")
    settings = await subscribe(db, 7, "AI", now=NOW)  # starts over with the defaults
    assert (settings.post_time, settings.timezone) == (time(8, 0), "UTC")


async def test_deleting_a_user_row_cascades_to_subscriptions(db: Database) -> None:
    await subscribe(db, 7, "AI", now=NOW)
    async with db.engine.begin() as connection:
        await connection.execute(text("DELETE FROM digest_users WHERE user_id = 7"))
        left = await connection.execute(text("SELECT count(*) FROM subscriptions"))
        assert left.scalar_one() == 0


async def test_forget_user_removes_everything_about_them(db: Database) -> None:
    await subscribe(db, 7, "AI", now=NOW)
    await subscribe(db, 7, "Chips", now=NOW)
    await subscribe(db, 8, "AI", now=NOW)
    await claim(db, DeliveryKind.DIGEST, 7, DAY, now=NOW)
    await claim(db, DeliveryKind.DIGEST, 8, DAY, now=NOW)
    await claim(db, DeliveryKind.CHANNEL, 7, DAY, now=NOW)  # a guild that happens to share the id

    assert await forget_user(db, 7)
    assert await digest_settings(db, 7) is None
    assert await get_delivery(db, DeliveryKind.DIGEST, 7, DAY) is None
    assert await last_delivery(db, DeliveryKind.DIGEST, 7) is None
    assert await get_delivery(db, DeliveryKind.CHANNEL, 7, DAY) is not None
    assert await get_delivery(db, DeliveryKind.DIGEST, 8, DAY) is not None
    assert [s.user_id for s in await digest_users(db)] == [8]
    assert not await forget_user(db, 7)


async def test_forget_user_also_removes_records_left_after_unsubscribing(db: Database) -> None:
    await subscribe(db, 7, "AI", now=NOW)
    await claim(db, DeliveryKind.DIGEST, 7, DAY, now=NOW)
    await unsubscribe(db, 7, "AI")
    assert await get_delivery(db, DeliveryKind.DIGEST, 7, DAY) is not None
    assert await forget_user(db, 7)
    assert await get_delivery(db, DeliveryKind.DIGEST, 7, DAY) is None


async def test_forget_user_also_drops_their_name_from_the_schedules_they_set_up(
    db: Database,
) -> None:
    """The panel and the button say "the bot no longer stores anything about you": the
    member's id kept as the admin to tell about a pause goes too; the schedule stays."""
    await save_schedule(db, _schedule(1, configured_by=7), now=NOW)
    await save_schedule(db, _schedule(2, configured_by=8), now=NOW)
    assert await forget_user(db, 7)  # they follow nothing: the schedule is all there was
    first, second = await get_schedule(db, 1), await get_schedule(db, 2)
    assert first is not None and first.configured_by is None and first.active
    assert second is not None and second.configured_by == 8
    assert not await forget_user(db, 7)


# --- the delivery log -----------------------------------------------------------------------


async def test_a_first_claim_inserts_a_sending_row(db: Database) -> None:
    now = NOW.astimezone(PARIS_WINTER)
    assert await claim(db, DeliveryKind.CHANNEL, 1, DAY, now=now)
    delivery = await get_delivery(db, DeliveryKind.CHANNEL, 1, DAY)
    assert delivery is not None
    assert (delivery.kind, delivery.target_id, delivery.day) == (DeliveryKind.CHANNEL, 1, DAY)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENDING, 1)
    assert delivery.claimed_at == NOW and delivery.claimed_at.tzinfo == UTC
    assert (delivery.sent_at, delivery.error, delivery.message_ids) == (None, None, ())


async def test_a_fresh_sending_claim_blocks_others(db: Database) -> None:
    assert await claim(db, DeliveryKind.CHANNEL, 1, DAY, now=NOW)
    assert not await claim(db, DeliveryKind.CHANNEL, 1, DAY, now=NOW + timedelta(minutes=5))
    assert not await claim(
        db, DeliveryKind.CHANNEL, 1, DAY, now=NOW + timedelta(minutes=10)
    )  # lease edge
    delivery = await get_delivery(db, DeliveryKind.CHANNEL, 1, DAY)
    assert delivery is not None and delivery.attempts == 1 and delivery.claimed_at == NOW


async def test_a_stale_sending_claim_is_taken_over(db: Database) -> None:
    assert await claim(db, DeliveryKind.CHANNEL, 1, DAY, now=NOW)
    later = NOW + timedelta(minutes=10, seconds=1)
    assert await claim(db, DeliveryKind.CHANNEL, 1, DAY, now=later)
    delivery = await get_delivery(db, DeliveryKind.CHANNEL, 1, DAY)
    assert delivery is not None
    assert (delivery.status, delivery.attempts, delivery.claimed_at) == (
        DeliveryStatus.SENDING,
        2,
        later,
    )
    assert not await claim(db, DeliveryKind.CHANNEL, 1, DAY, now=later + timedelta(minutes=1))
    assert await claim(
        db,
        DeliveryKind.CHANNEL,
        1,
        DAY,
        now=later + timedelta(minutes=2),
        claimant=Claimant(lease=timedelta(seconds=30)),
    )


async def test_a_sent_briefing_is_never_claimed_again(db: Database) -> None:
    assert await claim(db, DeliveryKind.DIGEST, 7, DAY, now=NOW)
    sent_at = NOW + timedelta(seconds=3)
    await mark_sent(db, DeliveryKind.DIGEST, 7, DAY, now=sent_at, message_ids=[11, 12])
    assert not await claim(db, DeliveryKind.DIGEST, 7, DAY, now=NOW + timedelta(days=2))
    delivery = await get_delivery(db, DeliveryKind.DIGEST, 7, DAY)
    assert delivery is not None
    assert (delivery.status, delivery.sent_at, delivery.message_ids) == (
        DeliveryStatus.SENT,
        sent_at,
        (11, 12),
    )
    await mark_failed(
        db, DeliveryKind.DIGEST, 7, DAY, now=NOW + timedelta(days=2), error="late report"
    )
    delivery = await get_delivery(db, DeliveryKind.DIGEST, 7, DAY)
    assert (
        delivery is not None and delivery.status == DeliveryStatus.SENT and delivery.error is None
    )


async def test_a_failed_briefing_is_claimed_again_with_one_more_attempt(db: Database) -> None:
    assert await claim(db, DeliveryKind.CHANNEL, 1, DAY, now=NOW)
    await record_progress(db, DeliveryKind.CHANNEL, 1, DAY, [101])
    await mark_failed(db, DeliveryKind.CHANNEL, 1, DAY, now=NOW, error="HTTP 503")
    failed = await get_delivery(db, DeliveryKind.CHANNEL, 1, DAY)
    assert failed is not None
    assert (failed.status, failed.error, failed.message_ids) == (
        DeliveryStatus.FAILED,
        "HTTP 503",
        (101,),
    )

    retry = NOW + timedelta(minutes=1)
    assert await claim(db, DeliveryKind.CHANNEL, 1, DAY, now=retry)
    again = await get_delivery(db, DeliveryKind.CHANNEL, 1, DAY)
    assert again is not None
    assert (again.status, again.attempts, again.claimed_at) == (DeliveryStatus.SENDING, 2, retry)
    assert not await claim(db, DeliveryKind.CHANNEL, 1, DAY, now=retry)

    await mark_failed(db, DeliveryKind.CHANNEL, 1, DAY, now=retry, error="HTTP 500")
    assert await claim(db, DeliveryKind.CHANNEL, 1, DAY, now=retry)
    third = await get_delivery(db, DeliveryKind.CHANNEL, 1, DAY)
    assert third is not None and third.attempts == 3
    await mark_sent(db, DeliveryKind.CHANNEL, 1, DAY, now=retry, message_ids=[101, 102])
    done = await get_delivery(db, DeliveryKind.CHANNEL, 1, DAY)
    assert done is not None
    assert (done.status, done.error, done.message_ids) == (DeliveryStatus.SENT, None, (101, 102))


async def test_record_progress_keeps_the_message_ids_sent_so_far(db: Database) -> None:
    await record_progress(db, DeliveryKind.CHANNEL, 1, DAY, [1])  # never claimed: nothing to update
    assert await get_delivery(db, DeliveryKind.CHANNEL, 1, DAY) is None
    assert await claim(db, DeliveryKind.CHANNEL, 1, DAY, now=NOW)
    big = 1_300_000_000_000_000_001
    await record_progress(db, DeliveryKind.CHANNEL, 1, DAY, [big])
    await record_progress(db, DeliveryKind.CHANNEL, 1, DAY, (big, big + 1))
    delivery = await get_delivery(db, DeliveryKind.CHANNEL, 1, DAY)
    assert delivery is not None and delivery.message_ids == (big, big + 1)
    assert delivery.status == DeliveryStatus.SENDING


async def test_marking_without_a_claim_still_records(db: Database) -> None:
    await mark_sent(db, DeliveryKind.CHANNEL, 1, DAY, now=NOW, message_ids=[5])
    await mark_failed(db, DeliveryKind.CHANNEL, 2, DAY, now=NOW, error="boom")
    sent = await get_delivery(db, DeliveryKind.CHANNEL, 1, DAY)
    failed = await get_delivery(db, DeliveryKind.CHANNEL, 2, DAY)
    assert sent is not None and sent.status == DeliveryStatus.SENT and sent.message_ids == (5,)
    assert failed is not None and failed.status == DeliveryStatus.FAILED and failed.attempts == 1


async def test_last_delivery_is_the_most_recent_day(db: Database) -> None:
    assert await last_delivery(db, DeliveryKind.CHANNEL, 1) is None
    for offset in (1, 3, 2):
        day = DAY + timedelta(days=offset)
        assert await claim(db, DeliveryKind.CHANNEL, 1, day, now=NOW)
    await claim(db, DeliveryKind.DIGEST, 1, DAY + timedelta(days=9), now=NOW)
    await claim(db, DeliveryKind.CHANNEL, 2, DAY + timedelta(days=9), now=NOW)
    last = await last_delivery(db, DeliveryKind.CHANNEL, 1)
    assert last is not None and last.day == DAY + timedelta(days=3)


async def test_kinds_and_days_are_separate_keys(db: Database) -> None:
    assert await claim(db, DeliveryKind.CHANNEL, 1, DAY, now=NOW)
    assert await claim(db, DeliveryKind.DIGEST, 1, DAY, now=NOW)
    assert await claim(db, DeliveryKind.CHANNEL, 1, DAY + timedelta(days=1), now=NOW)
    with pytest.raises(ValueError, match="unknown delivery kind"):
        await claim(db, "email", 1, DAY, now=NOW)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="lease"):
        Claimant(lease=timedelta(0))


async def test_twenty_concurrent_claims_on_one_database_yield_one_winner(db: Database) -> None:
    results = await asyncio.gather(
        *(claim(db, DeliveryKind.CHANNEL, 1, DAY, now=NOW) for _ in range(20))
    )
    assert results.count(True) == 1
    delivery = await get_delivery(db, DeliveryKind.CHANNEL, 1, DAY)
    assert delivery is not None and delivery.attempts == 1


async def test_concurrent_claims_from_two_databases_yield_one_winner(url: str) -> None:
    first, second = await Database.connect(url), await Database.connect(url)
    try:
        claims = [
            claim(d, DeliveryKind.DIGEST, 7, DAY, now=NOW)
            for _ in range(10)
            for d in (first, second)
        ]
        assert (await asyncio.gather(*claims)).count(True) == 1

        await mark_failed(first, DeliveryKind.DIGEST, 7, DAY, now=NOW, error="boom")
        later = NOW + timedelta(minutes=1)
        claims = [
            claim(d, DeliveryKind.DIGEST, 7, DAY, now=later)
            for _ in range(10)
            for d in (first, second)
        ]
        assert (await asyncio.gather(*claims)).count(True) == 1

        stale = later + timedelta(hours=1)
        claims = [
            claim(d, DeliveryKind.DIGEST, 7, DAY, now=stale)
            for _ in range(10)
            for d in (first, second)
        ]
        assert (await asyncio.gather(*claims)).count(True) == 1
        delivery = await get_delivery(second, DeliveryKind.DIGEST, 7, DAY)
        assert delivery is not None and delivery.attempts == 3
    finally:
        await first.close()
        await second.close()


async def test_concurrent_claims_of_different_keys_all_win(db: Database) -> None:
    claims = (claim(db, DeliveryKind.CHANNEL, guild_id, DAY, now=NOW) for guild_id in range(30))
    assert all(await asyncio.gather(*claims))


async def test_processes_starting_together_share_one_schema(url: str) -> None:
    databases = await asyncio.gather(*(Database.connect(url) for _ in range(4)))
    try:
        await asyncio.gather(*(subscribe(d, i, "AI", now=NOW) for i, d in enumerate(databases)))
        assert [s.user_id for s in await digest_users(databases[0])] == [0, 1, 2, 3]
    finally:
        for database in databases:
            await database.close()


async def test_processes_share_a_digest_batch_without_overlap(url: str) -> None:
    """Three processes claiming the same 120 digests in chunks split them: each exactly once."""
    from bot.state.claims import claim_digests

    databases = [await Database.connect(url) for _ in range(3)]
    try:
        for user in range(1, 121):
            await subscribe(databases[0], user, "AI", now=NOW)
        targets = [(user, DAY) for user in range(1, 121)]

        async def worker(db: Database) -> list[tuple[int, date]]:
            won: list[tuple[int, date]] = []
            for start in range(0, len(targets), 20):
                won += await claim_digests(db, targets[start : start + 20], now=NOW)
            return won

        results = await asyncio.gather(*(worker(db) for db in databases))
        everything = [target for result in results for target in result]
        assert sorted(everything) == targets  # all claimed, none twice
        assert await claim_digests(databases[1], targets, now=NOW) == []
        stale = NOW + timedelta(hours=1)  # a process that died: its claims expire
        assert sorted(await claim_digests(databases[2], targets[:5], now=stale)) == targets[:5]
    finally:
        for db in databases:
            await db.close()
