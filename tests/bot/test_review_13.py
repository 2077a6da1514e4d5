"""Review of the issue-13 merge (parts 4-7): failing tests that show integration bugs.

Each test is end to end through the fake Discord.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.state.deliveries import DeliveryStatus
from tests.bot.harness import SAMPLE_MORNING, BotHarness, schedule_id
from tests.bot.harness import briefing_command as _command
from tests.fake_discord import FakeDiscord, MentionRecord

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


# --- pings x targets (parts 4 and 5 together) --------------------------------------------

DUE = SAMPLE_MORNING.replace(minute=46)


@pytest.fixture
async def world(world: FakeDiscord) -> FakeDiscord:
    """The shared world plus an announcement channel, a forum and a mentionable role."""
    guild = next(iter(world.guilds))
    world.add_announcement_channel(guild, "announcements")
    world.add_forum_channel(guild, "briefings", tags=["space"])
    world.add_role(guild, "Climate watch", mentionable=True)
    return world


def _climate_role(harness: BotHarness) -> int:
    roles = harness.fake.guilds[harness.guild.id].roles.values()
    return next(r.id for r in roles if r.name == "Climate watch")


@pytest.mark.parametrize(
    ("channel", "options"),
    [("briefings", {}), ("news", {"thread": True}), ("announcements", {"thread": True})],
    ids=["forum", "thread", "announcement-thread"],
)
async def test_the_first_message_of_a_post_in_any_target_pings_exactly_its_roles(
    harness: BotHarness, channel: str, options: dict[str, Any]
) -> None:
    assert harness.bot is not None
    role = _climate_role(harness)
    values = {
        "channel": harness.channel_id(channel),
        "time": "08:45",
        "per_topic": 10,
        "length": "full",
    }
    assert "Added" in await _setup(harness, name="morning", **values, **options)
    reply = await _command(harness, "ping", topic="climate & energy", role=role)
    assert f"<@&{role}>" in reply
    harness.clock.now = DUE
    outcome = await harness.bot.services.deliverer.deliver_channel(
        await schedule_id(harness, "morning")
    )
    assert outcome.status is DeliveryStatus.SENT, outcome
    assert len(outcome.message_ids) >= 2
    first, *rest = outcome.message_ids
    content = harness.fake.messages.messages[first]["content"]
    assert content.endswith(f"\n<@&{role}>"), content
    assert harness.fake.pings(first) == MentionRecord(pinged_roles=frozenset({role}))
    assert all(not harness.fake.pings(i).pinged_anyone for i in rest)


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
