"""Several schedules posting in one channel: a resumed delivery recognises its own messages.

A delivery that takes over from a dead attempt reads the channel's history for the parts that
attempt posted but never recorded; another schedule's messages in the same channel are not
its own (review of issue 13). End to end through the fake Discord.
"""

from __future__ import annotations

from typing import Any

from bot.state.deliveries import DeliveryStatus
from tests.bot.harness import SAMPLE_MORNING, BotHarness, schedule_id
from tests.bot.harness import briefing_command as _command

MESSAGES = "/channels/{id}/messages"


async def _setup(harness: BotHarness, **options: Any) -> str:
    values = {"channel": harness.channel_id("news"), "timezone": "UTC", **options}
    return await _command(harness, "setup", **values)


async def test_a_retried_briefing_does_not_take_another_schedules_messages_for_its_own(
    harness: BotHarness,
) -> None:
    """Two schedules of one server post in the same channel at the same time (part 1 allows
    it). The first one's attempt fails before Discord accepted anything; the second posts;
    the retry of the first must post its own briefing, not count the second one's messages
    (found in the channel's history after its claim) as already posted."""
    assert harness.bot is not None
    deliverer = harness.bot.services.deliverer
    fake = harness.fake
    harness.clock.now = SAMPLE_MORNING.replace(hour=7)
    assert "Added" in await _setup(harness, time="08:00", name="alpha")
    assert "Added" in await _setup(harness, time="08:00", name="beta")
    alpha, beta = await schedule_id(harness, "alpha"), await schedule_id(harness, "beta")
    harness.clock.now = SAMPLE_MORNING  # 08:30: both due

    fake.fail_next("POST", MESSAGES, status=503, times=None)
    first = await deliverer.deliver_channel(alpha)
    assert first.status is DeliveryStatus.FAILED and first.message_ids == ()
    fake.clear_faults()

    other = await deliverer.deliver_channel(beta)
    assert other.status is DeliveryStatus.SENT

    retried = await deliverer.deliver_channel(alpha)
    assert retried.status is DeliveryStatus.SENT
    assert not set(retried.message_ids) & set(other.message_ids), (
        "alpha's retry recorded beta's messages as its own and posted nothing"
    )
    headings = [m["content"].split("\n")[0] for m in fake.messages_in(harness.channel_id("news"))]
    assert any("alpha" in h for h in headings), headings


async def test_after_an_outage_the_catch_up_posts_both_briefings_of_one_channel(
    harness: BotHarness,
) -> None:
    """The production path of the bug above: a Discord outage fails both 08:00 briefings of
    #news; the next catch-up posts the first, and the second takes the first's messages (in
    the channel's history after its failed claim) for its own: it posts nothing, is logged as
    sent, and its stories go into its "already posted" log."""
    assert harness.bot is not None
    deliverer = harness.bot.services.deliverer
    fake = harness.fake
    harness.clock.now = SAMPLE_MORNING.replace(hour=7)
    assert "Added" in await _setup(harness, time="08:00", name="alpha")
    assert "Added" in await _setup(harness, time="08:00", name="beta", topics="space")
    harness.clock.now = SAMPLE_MORNING

    fake.fail_next("POST", MESSAGES, status=503, times=None)
    assert {o.status for o in await deliverer.catch_up()} == {DeliveryStatus.FAILED}
    fake.clear_faults()

    outcomes = await deliverer.catch_up()
    assert [o.status for o in outcomes] == [DeliveryStatus.SENT, DeliveryStatus.SENT]
    posted = fake.messages_in(harness.channel_id("news"))
    headings = [m["content"].split("\n")[0] for m in posted if m.get("content")]
    assert any("beta" in h for h in headings), headings
    assert len(posted) == sum(len(o.message_ids) for o in outcomes)
