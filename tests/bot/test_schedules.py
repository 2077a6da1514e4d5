"""Several briefing schedules per server, end to end through the fake Discord (issue 13, 1).

Two schedules of one server post at their own times to their own channels, each once; a weekly
schedule posts only on its day and covers its week; ``/briefing list|edit|remove`` and the
optional name of ``status|preview|explain|disable``; bad input changes nothing; a schedule
migrated from the one-per-server table keeps posting.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.scheduler import channel_job_id
from bot.state import posted, schedules
from bot.state.database import alembic_config, run_locked
from bot.state.deliveries import DeliveryKind, DeliveryStatus
from bot.usecases.requests import briefing_request
from tests.bot.harness import (
    SAMPLE_MORNING,
    BotHarness,
    reply_of,
    schedule_id,
    text_of,
    wait_delivered,
)
from tests.bot.harness import (
    briefing_command as _command,
)
from tests.fake_discord import FakeDiscord

HEADINGS = ("**Daily briefing**", "**Weekly briefing**", "**Briefing**")


async def _setup(harness: BotHarness, **options: Any) -> str:
    values = {"channel": harness.channel_id("news"), "timezone": "UTC", **options}
    return await _command(harness, "setup", **values)


async def _saved(harness: BotHarness) -> list[schedules.ChannelSchedule]:
    assert harness.bot is not None
    return await schedules.guild_schedules(harness.bot.services.db, harness.guild.id)


def _slot(moment: datetime | None, *, weekday: bool = False) -> tuple[int | None, int, int]:
    """A planned run as (weekday or None, hour, minute) in UTC."""
    assert moment is not None
    utc = moment.astimezone(UTC)
    return (utc.weekday() if weekday else None, utc.hour, utc.minute)


def _briefings(harness: BotHarness, channel: str) -> int:
    return sum(
        m["content"].startswith(HEADINGS)
        for m in harness.fake.messages_in(harness.channel_id(channel))
    )


async def test_two_schedules_post_at_their_times_to_their_channels_once_each(
    harness: BotHarness,
) -> None:
    assert harness.bot is not None
    services = harness.bot.services
    reply = await _setup(harness, time="08:45", name="morning")
    assert "Added **morning**" in reply and "08:45 UTC" in reply
    reply = await _setup(
        harness, channel=harness.channel_id("general"), time="08:50", name="space", topics="space"
    )
    assert "Added **space**" in reply
    morning, space = await schedule_id(harness, "morning"), await schedule_id(harness, "space")
    assert morning != space
    assert _slot(services.scheduler.next_run(morning)) == (None, 8, 45)
    assert _slot(services.scheduler.next_run(space)) == (None, 8, 50)

    harness.clock.now = SAMPLE_MORNING.replace(minute=46)  # only "morning" is due
    assert services.scheduler.run_now(channel_job_id(morning))
    assert (await wait_delivered(harness, DeliveryKind.CHANNEL, morning)).status == "sent"
    assert [o.status for o in await services.recovery.catch_up()] == [
        DeliveryStatus.ALREADY,
        DeliveryStatus.NOT_DUE,  # "space" was set up after yesterday's 08:50 and is not due
    ]
    assert _briefings(harness, "news") == 1 and _briefings(harness, "general") == 0

    harness.clock.now = SAMPLE_MORNING.replace(minute=51)
    assert services.scheduler.run_now(channel_job_id(space))
    assert (await wait_delivered(harness, DeliveryKind.CHANNEL, space)).status == "sent"
    for _ in range(2):  # the sweep and a restart post nothing again
        assert {o.status for o in await services.recovery.catch_up()} == {DeliveryStatus.ALREADY}
    await harness.restart()
    assert harness.bot is not None
    assert {o.status for o in await harness.bot.services.recovery.catch_up()} == {
        DeliveryStatus.ALREADY
    }
    assert _briefings(harness, "news") == 1 and _briefings(harness, "general") == 1
    general = "\n".join(text_of(m) for m in harness.fake.messages_in(harness.channel_id("general")))
    assert "Orbital dock" in general  # space news …
    assert "Tidewater Grid" not in general  # … only


async def test_a_weekly_schedule_posts_on_its_day_only_and_covers_its_week(
    harness: BotHarness,
) -> None:
    assert harness.bot is not None
    services = harness.bot.services
    # SAMPLE_MORNING is Tuesday 10 March 2026
    reply = await _setup(
        harness, time="08:45", name="recap", days="weekly tuesday", topics="space", per_topic=10
    )
    assert "weekly on Tuesday" in reply
    await _setup(harness, time="08:45", name="wednesdays", days="wed", topics="space")
    recap, wednesdays = (
        await schedule_id(harness, "recap"),
        await schedule_id(harness, "wednesdays"),
    )
    # APScheduler plans on the real clock: the next Tuesday and the next Wednesday, at 08:45
    assert _slot(services.scheduler.next_run(recap), weekday=True) == (1, 8, 45)
    assert _slot(services.scheduler.next_run(wednesdays), weekday=True) == (2, 8, 45)

    harness.clock.now = SAMPLE_MORNING.replace(minute=46)
    outcomes = await services.recovery.catch_up()
    assert [o.status for o in outcomes] == [DeliveryStatus.SENT, DeliveryStatus.NOT_DUE]
    posted = "\n".join(text_of(m) for m in harness.fake.messages_in(harness.channel_id("news")))
    assert "Cassini Aerospace sets date" in posted  # published on 4 March: in the week
    saved = await schedules.schedule_by_id(services.db, recap)
    assert saved is not None
    request = briefing_request(saved, SAMPLE_MORNING.replace(minute=45), per_topic=5)
    assert request.window == timedelta(days=7) and request.per_topic == 10

    harness.clock.now = datetime(2026, 3, 11, 8, 46, tzinfo=UTC)  # Wednesday
    outcomes = await services.recovery.catch_up()
    assert [o.status for o in outcomes] == [DeliveryStatus.NOT_DUE, DeliveryStatus.SENT]
    assert _briefings(harness, "news") == 2


async def test_list_edit_remove_and_named_status(harness: BotHarness) -> None:
    assert "No briefing is set up here" in await _command(harness, "list")
    await _setup(harness, time="07:00", name="morning")
    await _setup(harness, time="18:00", name="Evening", days="weekdays", window="12h")
    listed = await _command(harness, "list")
    assert listed.index("**morning**") < listed.index("**Evening**")
    assert "every day" in listed and "weekdays" in listed and "window 12h" in listed
    assert listed.count("Next post: <t:") == 2

    choices = await harness.fake.inject_autocomplete(
        "briefing", focused="name", value="eve", subcommand="remove"
    )
    await choices.wait_response()
    assert [c["name"] for c in choices.autocomplete_choices or []] == ["Evening"]

    # without a name, a server with two schedules is asked which one
    assert "say which one" in await _command(harness, "status")
    assert "**Evening**" in await _command(harness, "status", name="evening")

    edited = await _command(
        harness, "edit", name="evening", time="19:30", days="mon,fri", new_name="late"
    )
    assert "Saved **late**" in edited and "19:30 UTC" in edited and "Mon, Fri" in edited
    late = next(s for s in await _saved(harness) if s.name == "late")
    assert late.window == timedelta(hours=12)  # what was not given is kept
    assert harness.bot is not None
    job = harness.bot.services.scheduler.scheduler.get_job(channel_job_id(late.id or 0))
    assert job is not None
    assert _slot(job.next_run_time, weekday=True) in {(0, 19, 30), (4, 19, 30)}

    off = await _command(harness, "disable", name="late")
    assert "**late** is off" in off
    assert harness.bot.services.scheduler.next_run(late.id or 0) is None
    assert "**off**" in await _command(harness, "status", name="late")

    assert "Deleted the briefing **late**" in await _command(harness, "remove", name="LATE")
    assert [s.name for s in await _saved(harness)] == ["morning"]
    assert "**morning**" in await _command(harness, "status")  # the only one: no name needed


@pytest.mark.parametrize(
    ("subcommand", "options", "message"),
    [
        ("setup", {"time": "07:00", "days": "mon,funday"}, "“funday” is not a day"),
        ("setup", {"time": "07:00", "days": "weekly"}, "weekly briefing posts on one day"),
        ("setup", {"time": "07:00", "name": "MORNING"}, "already has a schedule named"),
        ("setup", {"time": "07:00", "name": "x" * 200}, "at most 32 characters"),
        ("setup", {"time": "07:00", "name": "two", "window": "9d"}, "1 hour to 7 days"),
        ("edit", {"name": "nope", "time": "09:00"}, "no schedule named “nope”"),
        ("edit", {"name": "morning", "days": "someday"}, "is not a day"),
        ("remove", {"name": "nope"}, "no schedule named “nope”"),
        ("disable", {"name": "nope"}, "no schedule named “nope”"),
        ("preview", {"name": "nope"}, "no schedule named “nope”"),
    ],
)
async def test_bad_input_gets_a_clear_error_and_changes_nothing(
    harness: BotHarness, subcommand: str, options: dict[str, Any], message: str
) -> None:
    await _setup(harness, time="07:00", name="morning")
    before = await _saved(harness)
    if subcommand == "setup":
        options = {"channel": harness.channel_id("news"), "timezone": "UTC", **options}
    reply = await _command(harness, subcommand, **options)
    assert message in reply, reply
    assert await _saved(harness) == before
    assert harness.bot is not None
    jobs = [j.id for j in harness.bot.services.scheduler.scheduler.get_jobs()]
    assert [j for j in jobs if j.startswith("channel:")] == [channel_job_id(before[0].id or 0)]


async def _database_at_0002_with_an_old_schedule(
    path: Path, guild_id: int, channel_id: int
) -> None:
    """The state as the one-schedule-per-server code (revision 0002) left it."""
    engine = create_async_engine(f"sqlite+aiosqlite:///{path}")
    try:
        async with engine.connect() as connection:
            await connection.run_sync(
                lambda sync: run_locked(
                    sync, lambda locked: command.upgrade(alembic_config(locked), "0002")
                )
            )
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO channel_schedules (guild_id, channel_id, post_time, timezone, "
                    "topics, min_quality, enabled, paused_reason, configured_by, updated_at) "
                    "VALUES (:guild, :channel, '08:00', 'UTC', '[]', 0, 1, NULL, NULL, "
                    "'2026-03-01 00:00:00')"
                ),
                {"guild": guild_id, "channel": channel_id},
            )
    finally:
        await engine.dispose()


async def test_a_migrated_schedule_keeps_posting(world: FakeDiscord, tmp_path: Path) -> None:
    harness = BotHarness(world, tmp_path)
    guild, news = harness.guild.id, harness.channel_id("news")
    await _database_at_0002_with_an_old_schedule(tmp_path / "state.sqlite3", guild, news)
    harness.clock.now = SAMPLE_MORNING  # 08:30: the 08:00 post is due
    await harness.start()
    try:
        assert await schedule_id(harness) == guild  # the old schedule kept its guild id
        sent = await wait_delivered(harness, DeliveryKind.CHANNEL, guild)
        assert sent.status == DeliveryStatus.SENT  # by the start-up catch-up
        assert _briefings(harness, "news") == 1
        listed = await _command(harness, "list")
        assert "**daily**" in listed and "every day" in listed and "headlines" in listed
    finally:
        await harness.close()


async def test_a_schedule_does_not_repeat_what_it_posted_and_explain_says_so(
    harness: BotHarness,
) -> None:
    assert harness.bot is not None
    services = harness.bot.services
    # a 48-hour window: Tuesday's and Wednesday's posts overlap by a day
    await _setup(harness, time="08:45", name="overlap", window="48h", length="full")
    schedule = await schedule_id(harness, "overlap")
    harness.clock.now = SAMPLE_MORNING.replace(minute=46)
    (first,) = await services.recovery.catch_up()
    assert first.status == DeliveryStatus.SENT
    tuesday = [text_of(m) for m in harness.fake.messages_in(harness.channel_id("news"))]
    assert "Tidewater Grid" in "\n".join(tuesday)
    assert "Top stories" in "\n".join(tuesday)  # channel briefings open with 3 top stories
    assert "The 400 MWh installation on the Ebbmouth estuary" in "\n".join(tuesday)  # full
    log = await posted.posted_log(services.db, schedule, at=SAMPLE_MORNING.replace(hour=23))
    assert len(log) >= 10  # every lead and "also" copy shown

    harness.clock.now = datetime(2026, 3, 11, 8, 46, tzinfo=UTC)
    url = next(p.url for p in log.articles if "tidewater-grid-switches" in p.url)
    explained = await reply_of(
        await harness.fake.inject_slash_command(
            "briefing",
            {"url": url, "name": "overlap"},
            subcommand="explain",
            user_id=harness.user("owner").id,
        )
    )
    assert "already posted on 2026-03-10" in text_of(explained)
    (second,) = await services.recovery.catch_up()
    wednesday = harness.fake.messages_in(harness.channel_id("news"))[len(tuesday) :]
    assert second.status in (DeliveryStatus.SENT, DeliveryStatus.EMPTY)
    assert "Tidewater Grid" not in "\n".join(text_of(m) for m in wednesday)
