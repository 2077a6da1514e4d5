"""No repeats across days, end to end through the fake Discord (issue 13, part 3).

A schedule posts on one day; the next day a story it posted, still in its window, is not
posted again and ``/briefing explain`` says "already posted on DATE" (the schedule's local
day). When the article's file changes in the store (a later ``updatedDateTime``, or a
higher ``quality``), the bot's store reload picks it up and the next briefing shows the
story once more, marked "Updated", even though it was published before that briefing's
window; the day after, it is not repeated again. Two schedules of one server keep separate
logs, and the log outlives a restart (it is in the database).

The store here is a small one written by the test, so every day's content is known; time is
the harness's settable clock, posts are driven by the catch-up sweep, and the store reload is
the bot's own ``store-refresh`` job, waited for by its effect (never a fixed sleep).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.state.deliveries import DeliveryKind, DeliveryStatus
from briefings.briefing import BriefingRequest
from tests.bot.harness import (
    BotHarness,
    reply_of,
    schedule_id,
    text_of,
    wait_delivered,
)
from tests.bot.harness import briefing_command as _command
from tests.fake_discord import FakeDiscord

TUESDAY = datetime(2026, 3, 10, tzinfo=UTC)
"""Day 1 of these tests; schedules post at 08:00 UTC unless said otherwise."""


def _day(n: int, hour: int = 8, minute: int = 1) -> datetime:
    """Day ``n`` (1 = Tuesday 10 March 2026) at ``hour:minute`` UTC."""
    return TUESDAY + timedelta(days=n - 1, hours=hour, minutes=minute)


STORIES: dict[str, dict[str, Any]] = {
    # published on Monday: in Tuesday's and Wednesday's 48-hour windows, not in Thursday's
    "dock": {
        "title": "Orbital dock captures a satellite without a crew",
        "published": "2026-03-09T12:00:00Z",
        "quality": 80,
    },
    "relay": {
        "title": "Lunar relay beacon settles into its final orbit",
        "published": "2026-03-09T14:00:00Z",
        "quality": 70,
    },
    # published on Tuesday and Wednesday: something new for each next day
    "cubesat": {
        "title": "Student cubesat team hears its first signals",
        "published": "2026-03-10T12:00:00Z",
        "quality": 60,
    },
    "launch": {
        "title": "Reusable upper stage lands on a drone ship",
        "published": "2026-03-11T12:00:00Z",
        "quality": 50,
    },
}


def _url(slug: str) -> str:
    return f"https://www.orbitnews.test/2026/{slug}/"


def _write_story(
    store: Path, slug: str, *, quality: float | None = None, updated: str | None = None
) -> None:
    story = STORIES[slug]
    lines = [
        "---",
        f"title: {story['title']!r}",
        f"excerpt: 'What happened to the {slug}. A second sentence about it.'",
        f"publishedDateTime: {story['published']}",
        *([f"updatedDateTime: {updated}"] if updated else []),
        f"webUrl: {_url(slug)!r}",
        f"quality: {quality if quality is not None else story['quality']}",
        "heat: 10",
        "published: true",
        "provider:",
        "  name: Orbit News",
        "  domain: orbitnews.test",
        "topics:",
        "  - Space",
        "---",
        "",
    ]
    path = store / "news" / f"{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")


@pytest.fixture
async def space(world: FakeDiscord, tmp_path: Path) -> AsyncIterator[BotHarness]:
    """The bot over a four-story store, started on Tuesday before any post time."""
    store = tmp_path / "store"
    for slug in STORIES:
        _write_story(store, slug)
    harness = BotHarness(world, tmp_path, store=store)
    harness.clock.now = _day(1, hour=6, minute=0)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.close()


async def _setup(harness: BotHarness, name: str, channel: str = "news", **options: Any) -> int:
    values = {
        "channel": harness.channel_id(channel),
        "time": "08:00",
        "timezone": "UTC",
        "name": name,
        "length": "full",
        **options,
    }
    reply = await _command(harness, "setup", **values)
    assert f"Added **{name}**" in reply, reply
    return await schedule_id(harness, name)


async def _post(harness: BotHarness, schedule: int, at: datetime, day: date) -> str:
    """Move the clock to ``at``, run the catch-up sweep, and return what the schedule posted
    for ``day`` (its messages' text; empty when the briefing had nothing new)."""
    assert harness.bot is not None
    harness.clock.now = at
    await harness.bot.services.recovery.catch_up()
    delivery = await wait_delivered(harness, DeliveryKind.CHANNEL, schedule, day)
    assert delivery.status in (DeliveryStatus.SENT, DeliveryStatus.EMPTY), delivery
    stored = harness.fake.messages.messages
    return "\n".join(text_of(stored[message_id]) for message_id in delivery.message_ids)


def _titles(posted: str) -> set[str]:
    """Which of the store's stories a post shows."""
    return {slug for slug, story in STORIES.items() if story["title"] in posted}


def _meta_line(posted: str, slug: str) -> str:
    """The line under a story's title (outlet, time, and "Updated" when it is)."""
    lines = posted.splitlines()
    at = next(n for n, line in enumerate(lines) if STORIES[slug]["title"] in line)
    return lines[at + 1]


async def _explain(harness: BotHarness, slug: str, name: str) -> str:
    reply = await reply_of(
        await harness.fake.inject_slash_command(
            "briefing",
            {"url": _url(slug), "name": name},
            subcommand="explain",
            user_id=harness.user("owner").id,
        )
    )
    assert reply.ephemeral
    return text_of(reply)


async def _reload(harness: BotHarness, slug: str, **changes: Any) -> None:
    """Rewrite a story's file and let the bot's own store-refresh job pick it up: wait until
    the library serves the new values (the job runs in the background)."""
    assert harness.bot is not None
    library = harness.bot.services.library
    _write_story(harness.store, slug, **changes)
    assert harness.bot.services.scheduler.run_now("store-refresh")
    expected_quality = changes.get("quality", STORIES[slug]["quality"])
    expected_update = changes.get("updated")
    async with asyncio.timeout(10):
        while True:
            found = library.explain(_url(slug), BriefingRequest(harness.clock.now)).article
            assert found is not None
            updated = found.updated_at
            if found.quality == expected_quality and (
                expected_update is None
                or (updated is not None and updated.isoformat() == expected_update)
            ):
                return
            await asyncio.sleep(0.02)


async def test_a_posted_story_is_not_repeated_and_an_updated_one_comes_back_once(
    space: BotHarness,
) -> None:
    harness = space
    # a 48-hour window: Monday's stories are in Tuesday's and Wednesday's windows
    recap = await _setup(harness, "recap", window="48h")
    tuesday = await _post(harness, recap, _day(1), date(2026, 3, 10))
    assert _titles(tuesday) == {"dock", "relay"}
    assert "Updated" not in tuesday

    # the log is in the database: a restart between two posts keeps it
    harness.clock.now = _day(1, hour=20)
    await harness.restart()

    wednesday = await _post(harness, recap, _day(2), date(2026, 3, 11))
    assert _titles(wednesday) == {"cubesat"}  # dock and relay are still in the window
    # explain answers for the latest post time: why dock is not in Wednesday's briefing
    explained = await _explain(harness, "dock", "recap")
    assert "Already posted on 2026-03-10." in explained  # the verdict …
    assert "already posted on 2026-03-10" in explained.splitlines()[-1]  # … and the stage

    # dock's file gets a later updatedDateTime; the bot's store reload picks it up
    await _reload(harness, "dock", updated="2026-03-11T10:00:00+00:00")
    thursday = await _post(harness, recap, _day(3), date(2026, 3, 12))
    # dock is out of Thursday's window (published Monday) but changed since its post
    assert _titles(thursday) == {"dock", "launch"}
    assert "**Updated** Mar 11, 10:00" in _meta_line(thursday, "dock")
    assert "Updated" not in _meta_line(thursday, "launch")
    explained = await _explain(harness, "dock", "recap")
    assert "posted on 2026-03-10 and changed since: shown again as Updated" in explained

    # relay's file gets a higher quality (no updatedDateTime)
    await _reload(harness, "relay", quality=95)
    friday = await _post(harness, recap, _day(4), date(2026, 3, 13))
    assert _titles(friday) == {"relay"}  # dock is not repeated again, nor launch
    assert _meta_line(friday, "relay").endswith("**Updated**")
    # shown again once, dock is back to what it is: a story from before the window
    assert "Outside the window" in await _explain(harness, "dock", "recap")

    saturday = await _post(harness, recap, _day(5), date(2026, 3, 14))
    assert _titles(saturday) == set()  # relay is not repeated again either


async def test_two_schedules_of_one_server_keep_separate_logs(space: BotHarness) -> None:
    harness = space
    early = await _setup(harness, "early", window="48h")
    late = await _setup(harness, "late", channel="general", time="09:00", window="48h")

    first = await _post(harness, early, _day(1), date(2026, 3, 10))
    assert _titles(first) == {"dock", "relay"}
    # what "early" posted is still news to "late", an hour later
    second = await _post(harness, late, _day(1, hour=9), date(2026, 3, 10))
    assert _titles(second) == {"dock", "relay"}
    assert "Updated" not in first + second

    # neither repeats its own post the next day; each explains its own log
    assert _titles(await _post(harness, early, _day(2), date(2026, 3, 11))) == {"cubesat"}
    assert _titles(await _post(harness, late, _day(2, hour=9), date(2026, 3, 11))) == {"cubesat"}
    for name in ("early", "late"):
        assert "Already posted on 2026-03-10." in await _explain(harness, "dock", name)


async def test_explain_names_the_day_of_the_post_in_the_schedule_s_zone(
    space: BotHarness,
) -> None:
    harness = space
    # 07:00 in Tokyo on Wednesday 11 March is 22:00 UTC on Tuesday 10 March
    tokyo = await _setup(harness, "tokyo", time="07:00", timezone="Asia/Tokyo", window="48h")
    posted = await _post(harness, tokyo, _day(1, hour=22), date(2026, 3, 11))
    assert _titles(posted) == {"dock", "relay", "cubesat"}
    harness.clock.now = _day(2, hour=22, minute=1)  # Thursday 07:01 in Tokyo
    explained = await _explain(harness, "cubesat", "tokyo")  # still in the 48-hour window
    assert "Already posted on 2026-03-11." in explained, explained
