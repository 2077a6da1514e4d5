"""Role pings in every kind of target: forum posts, threads and announcement threads (issue 13,
parts 4 and 5 together), end to end through the fake Discord."""

from __future__ import annotations

from typing import Any

import pytest

from bot.state.deliveries import DeliveryStatus
from tests.bot.harness import SAMPLE_MORNING, BotHarness, schedule_id
from tests.bot.harness import briefing_command as _command
from tests.fake_discord import FakeDiscord, MentionRecord


async def _setup(harness: BotHarness, **options: Any) -> str:
    values = {"channel": harness.channel_id("news"), "timezone": "UTC", **options}
    return await _command(harness, "setup", **values)


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
