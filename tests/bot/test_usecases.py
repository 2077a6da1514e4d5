"""The use cases called directly (as the slash commands and the web panel call them): each bad
input raises one UseCaseError naming its field, and changes nothing."""

from __future__ import annotations

import pytest

from bot.channels import ChannelChecker
from bot.services import Services
from bot.state import schedules
from bot.usecases import UseCaseError
from bot.usecases import schedules as schedule_cases
from bot.usecases import subscriptions as subscription_cases
from tests.bot.harness import BotHarness


def _services(harness: BotHarness) -> Services:
    assert harness.bot is not None
    return harness.bot.services


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"time": "25:99"}, "time"),
        ({"time": ""}, "time"),
        ({"timezone": "Nowhere/Land"}, "timezone"),
        ({"topics": "Spcae"}, "topics"),
        ({"topics": "Space," * 2000}, "topics"),
        ({"min_quality": "nan"}, "min_quality"),
        ({"min_quality": -1.0}, "min_quality"),
        ({"channel_id": 1}, "channel"),
    ],
)
async def test_set_up_refuses_bad_input_by_field(
    harness: BotHarness, changes: dict[str, object], field: str
) -> None:
    services = _services(harness)
    values: dict[str, object] = {
        "channel_id": harness.channel_id("news"),
        "time": "07:00",
        "timezone": "UTC",
        "topics": None,
        "min_quality": 0.0,
    }
    values.update(changes)
    assert harness.bot is not None
    with pytest.raises(UseCaseError) as caught:
        await schedule_cases.set_up(
            services,
            harness.guild.id,
            check_channel=ChannelChecker(harness.bot),
            **values,  # type: ignore[arg-type]
        )
    assert caught.value.field == field and str(caught.value)
    assert await schedules.get_schedule(services.db, harness.guild.id) is None
    assert services.scheduler.next_run(harness.guild.id) is None


async def test_set_up_status_disable(harness: BotHarness) -> None:
    services, guild = _services(harness), harness.guild.id
    done = await schedule_cases.set_up(
        services,
        guild,
        channel_id=harness.channel_id("news"),
        time="7pm",
        timezone="europe/paris",
        topics=" space ,robotics, Space",
        min_quality="1.5",
    )
    assert done.schedule.topics == ("Space", "Robotics") and done.next_post is not None
    assert done.schedule.timezone == "Europe/Paris" and done.schedule.min_quality == 1.5
    state = await schedule_cases.status(services, guild)
    assert state.schedule == done.schedule and state.deliveries == ()
    assert state.articles == 60 and state.last_delivery is None
    assert await schedule_cases.disable(services, guild) is True
    assert await schedule_cases.disable(services, guild) is True  # kept, off again
    assert services.scheduler.next_run(guild) is None


async def test_preview_and_explain_errors_name_their_field(harness: BotHarness) -> None:
    services = _services(harness)
    with pytest.raises(UseCaseError) as caught:
        await schedule_cases.preview(services, harness.guild.id, topic="Spcae")
    assert caught.value.field == "topic"
    with pytest.raises(UseCaseError) as caught:
        await schedule_cases.explain(services, harness.guild.id, "https://" + "x" * 3000)
    assert caught.value.field == "url"


async def test_digest_use_cases(harness: BotHarness) -> None:
    services, alice = _services(harness), harness.user("alice").id
    with pytest.raises(UseCaseError) as caught:
        await subscription_cases.change_digest_time(services, alice, time="07:00", timezone="UTC")
    assert caught.value.field is None  # nothing to move yet
    done = await subscription_cases.subscribe(services, alice, "space")
    assert done.topic == "Space" and done.settings.timezone == "UTC"
    with pytest.raises(UseCaseError) as caught:
        await subscription_cases.change_digest_time(
            services, alice, time="07:00", timezone="Mars/Olympus"
        )
    assert caught.value.field == "timezone"
    moved = await subscription_cases.change_digest_time(
        services, alice, time="7:05", timezone="Asia/Tokyo"
    )
    assert (moved.post_time.hour, moved.post_time.minute, moved.timezone) == (7, 5, "Asia/Tokyo")
    with pytest.raises(UseCaseError) as caught:
        await subscription_cases.subscribe(services, alice, "x" * 10_000)
    assert caught.value.field == "topic"
    assert await subscription_cases.forget_me(services, alice) is True
    assert await subscription_cases.forget_me(services, alice) is False
    assert await subscription_cases.subscriptions(services, alice) is None
