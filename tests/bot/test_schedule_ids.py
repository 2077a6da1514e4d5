"""A schedule set up after another was removed is a new schedule: it never inherits the removed
one's id, delivery log, "already posted" log or pings (review of issue 13). End to end through
the fake Discord."""

from __future__ import annotations

from typing import Any

from bot.state.deliveries import DeliveryStatus
from tests.bot.harness import SAMPLE_MORNING, BotHarness, schedule_id
from tests.bot.harness import briefing_command as _command


async def _setup(harness: BotHarness, **options: Any) -> str:
    values = {"channel": harness.channel_id("news"), "timezone": "UTC", **options}
    return await _command(harness, "setup", **values)


async def test_a_schedule_set_up_after_one_was_removed_posts_its_first_briefing(
    harness: BotHarness,
) -> None:
    """SQLite reuses the rowid of the last deleted row (INTEGER PRIMARY KEY without
    AUTOINCREMENT), and ``remove_schedule`` keeps the delivery log: a schedule added after the
    newest one was removed inherits its id, hence its "sent" day, and skips its first post."""
    assert harness.bot is not None
    deliverer = harness.bot.services.deliverer
    harness.clock.now = SAMPLE_MORNING.replace(hour=7)
    assert "Added" in await _setup(harness, time="08:00", name="morning")
    morning = await schedule_id(harness, "morning")
    harness.clock.now = SAMPLE_MORNING
    assert (await deliverer.deliver_channel(morning)).status is DeliveryStatus.SENT
    await _command(harness, "remove", name="morning")
    assert "Added" in await _setup(
        harness, channel=harness.channel_id("general"), time="09:00", name="later"
    )
    later = await schedule_id(harness, "later")
    harness.clock.now = SAMPLE_MORNING.replace(hour=9, minute=5)
    outcome = await deliverer.deliver_channel(later)
    assert outcome.status is DeliveryStatus.SENT, outcome
    assert later != morning, "the new schedule got the removed one's id"
