"""Filters of schedules and of DM digests, end to end through the fake Discord (issue 13, 6).

A schedule that excludes a word does not post its stories and ``explain`` names the filter;
excluded outlets are never linked (their stories still come through other outlets); ``include``
keeps only stories with one of its words; ``/subscribe … exclude:`` filters that member's
digest only; bad input (a 5,000-character filter, a bad domain, an unclosed quote …) gets a
clear ephemeral error and changes nothing.
"""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest

from bot.scheduler import digest_job_id
from bot.state import schedules, subscriptions
from bot.state.deliveries import DeliveryKind, DeliveryStatus
from briefings.filters import Filters, contains
from tests.bot.harness import SAMPLE_MORNING, BotHarness, reply_of, text_of, wait_delivered

KESTREL = "https://circuitreview.test/news/lumen-labs-kestrel-2"
TIDEWATER = "https://www.greenlinedispatch.test/energy/2026/03/tidewater-grid-switches-on-the-largest-sodium/"
OFFSHORE_WIND = (
    "https://www.greenlinedispatch.test/energy/2026/03/offshore-wind-auction-on-the-northern-shelf/"
)


async def _briefing(
    harness: BotHarness, subcommand: str, user: str = "owner", **options: Any
) -> Any:
    """``/briefing <subcommand>``: the ephemeral reply."""
    reply = await reply_of(
        await harness.fake.inject_slash_command(
            "briefing", options, subcommand=subcommand, user_id=harness.user(user).id
        )
    )
    assert reply.ephemeral, reply.data
    return reply


async def _text(harness: BotHarness, subcommand: str, **options: Any) -> str:
    return text_of(await _briefing(harness, subcommand, **options))


async def _setup(harness: BotHarness, name: str = "morning", **options: Any) -> None:
    values = {"channel": harness.channel_id("news"), "time": "08:45", "timezone": "UTC"}
    assert "Added" in await _text(harness, "setup", name=name, **values, **options)


async def _schedule(harness: BotHarness, name: str = "morning") -> schedules.ChannelSchedule:
    assert harness.bot is not None
    found = await schedules.get_schedule(harness.bot.services.db, harness.guild.id, name)
    assert found is not None
    return found


async def _post(harness: BotHarness) -> str:
    """Run the due channel briefing(s); everything posted in #news."""
    assert harness.bot is not None
    harness.clock.now = SAMPLE_MORNING.replace(minute=46)
    outcomes = await harness.bot.services.recovery.catch_up()
    assert DeliveryStatus.SENT in {o.status for o in outcomes}
    return "\n".join(text_of(m) for m in harness.fake.messages_in(harness.channel_id("news")))


def _links(harness: BotHarness) -> str:
    return "\n".join(str(m) for m in harness.fake.messages_in(harness.channel_id("news")))


async def test_an_excluded_word_is_not_posted_and_explain_names_the_filter(
    harness: BotHarness,
) -> None:
    await _setup(harness, length="full")
    shown = await _text(harness, "filter")
    assert "No filters" in shown and "`/briefing filter`" in shown

    reply = await _text(harness, "filter", exclude="KESTREL, “quantum computing”")
    assert "The filters of **morning** are now:" in reply
    assert "Leaving out stories with: “KESTREL”, “quantum computing”" in reply
    assert (await _schedule(harness)).filters == Filters(exclude=("KESTREL", "quantum computing"))
    assert "Leaving out stories with: “KESTREL”" in await _text(harness, "status")

    preview = await _text(harness, "preview")
    assert "Tidewater Grid" in preview and not contains(preview, "kestrel")

    posted = await _post(harness)
    assert "Tidewater Grid" in posted  # the rest of the day is there …
    assert not contains(posted, "kestrel")  # … without a Kestrel story, nor "Kestrel-2"
    assert "lumen-labs-kestrel-2" not in _links(harness)

    explained = await _briefing(harness, "explain", url=KESTREL)
    embed = explained.data["embeds"][0]
    assert embed["title"] == "Filtered out by exclude 'KESTREL'."
    assert "❌ **filters**: filtered out by exclude 'KESTREL'" in embed["description"]
    included = (await _briefing(harness, "explain", url=TIDEWATER)).data["embeds"][0]
    assert included["title"].startswith("Included")
    assert "passes the filters (without 'KESTREL', 'quantum computing')" in included["description"]


async def test_excluded_outlets_are_never_linked_and_clear_empties_a_list(
    harness: BotHarness,
) -> None:
    await _setup(harness)
    assert "Offshore wind auction" in await _text(harness, "preview")
    reply = await _text(
        harness, "filter", outlets="https://www.greenlinedispatch.test/x, kiteview.example.com"
    )
    assert "Leaving out outlets: greenlinedispatch.test, kiteview.example.com" in reply

    posted = await _post(harness)
    links = _links(harness)
    assert "greenlinedispatch.test" not in links and "kiteview.example.com" not in links
    assert "Tidewater Grid" in posted  # the story comes through its other outlets
    assert "Offshore wind auction" not in posted  # only Greenline Dispatch had this one
    explained = (await _briefing(harness, "explain", url=OFFSHORE_WIND)).data["embeds"][0]
    assert explained["title"] == "Filtered out by outlet greenlinedispatch.test."

    await _text(harness, "filter", exclude="crypto")
    reply = await _text(harness, "filter", clear="outlets")
    assert "Leaving out outlets" not in reply and "“crypto”" in reply
    assert (await _schedule(harness)).filters == Filters(exclude=("crypto",))
    assert "No filters" in await _text(harness, "filter", clear="all")
    assert not (await _schedule(harness)).filters


async def test_include_keeps_only_stories_with_one_of_its_words(harness: BotHarness) -> None:
    await _setup(harness, name="robots")
    await _setup(harness, name="everything")
    reply = await _text(harness, "filter", name="robots", include="robot, robots")
    assert "Only stories with one of: “robot”, “robots”" in reply
    assert not (await _schedule(harness, "everything")).filters  # one schedule only

    preview = await _text(harness, "preview", name="robots")
    assert "Fennick's humanoid robot" in preview and "Tidewater Grid" not in preview
    assert "Tidewater Grid" in await _text(harness, "preview", name="everything")
    harness.clock.now = SAMPLE_MORNING.replace(minute=46)  # explain: the 08:45 post
    explained = (await _briefing(harness, "explain", url=TIDEWATER, name="robots")).data
    assert explained["embeds"][0]["title"] == (
        "Filtered out by include: contains none of 'robot', 'robots'."
    )


async def test_subscribe_exclude_filters_only_that_members_digest(harness: BotHarness) -> None:
    fake, alice, bob = harness.fake, harness.user("alice"), harness.user("bob")
    assert harness.bot is not None
    services = harness.bot.services
    harness.clock.now = SAMPLE_MORNING.replace(hour=7)

    async def subscribe(user_id: int, **options: str) -> str:
        reply = await reply_of(
            await fake.inject_slash_command(
                "subscribe", {"time": "08:00", **options}, user_id=user_id
            )
        )
        assert reply.ephemeral
        return reply.content or ""

    first = await subscribe(alice.id, topic="Robotics", exclude="laundry")
    assert "Subscribed to **Robotics**" in first
    assert "Leaving out stories with: “laundry”" in first
    second = await subscribe(alice.id, topic="Artificial Intelligence", exclude="Kestrel, LAUNDRY")
    assert "Leaving out stories with: “laundry”, “Kestrel”" in second  # added, not repeated
    await subscribe(bob.id, topic="Robotics")
    listing = text_of(
        await reply_of(await fake.inject_slash_command("subscriptions", user_id=alice.id))
    )
    assert "Filters" in listing and "“laundry”, “Kestrel”" in listing

    harness.clock.now = SAMPLE_MORNING.replace(hour=8, minute=1)
    assert services.scheduler.run_now(digest_job_id(time(8, 0), "UTC"))
    for user in (alice, bob):
        delivered = await wait_delivered(harness, DeliveryKind.DIGEST, user.id)
        assert delivered.status == DeliveryStatus.SENT
    mine = "\n".join(text_of(m) for m in fake.dms_to(alice.id))
    theirs = "\n".join(text_of(m) for m in fake.dms_to(bob.id))
    assert "Hospital delivery robots" in mine  # robotics without laundry …
    assert not contains(mine, "laundry") and not contains(mine, "kestrel")
    assert contains(theirs, "laundry")  # … while Bob's digest is not filtered

    cleared = text_of(
        await reply_of(
            await fake.inject_slash_command(
                "subscriptions", {"clear_filters": True}, user_id=alice.id
            )
        )
    )
    assert "No filters" in cleared
    settings = await subscriptions.digest_settings(services.db, alice.id)
    assert settings is not None and not settings.filters
    assert set(settings.topics) == {"Robotics", "Artificial Intelligence"}  # topics stay


LONG = "x" * 5000
MANY = ", ".join(f"word{i}" for i in range(21))


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"exclude": LONG}, "The exclude list is 5,000 characters long; at most 2,000"),
        ({"include": MANY}, "The include list has 21 items; at most 20 are allowed."),
        ({"exclude": '"machine learning, ai'}, 'A quote (") in the exclude list is not closed.'),
        ({"exclude": "ok, !!!"}, "“!!!” in the exclude list has no letters or digits"),
        ({"outlets": "not a domain"}, "“not a domain” is not a domain such as example.com."),
        ({"include": "Crypto", "exclude": "crypto"}, "“Crypto” is both included and excluded."),
        ({"include": "crypto"}, "“crypto” is both included and excluded."),  # vs. the stored
        ({"name": "nope", "exclude": "ai"}, "no schedule named “nope”"),
        ({"clear": "everything"}, "is not something to clear"),
    ],
)
async def test_bad_filters_get_a_clear_error_and_change_nothing(
    harness: BotHarness, options: dict[str, str], message: str
) -> None:
    await _setup(harness)
    await _text(harness, "filter", exclude="crypto", outlets="spam.test")
    before = await _schedule(harness)
    reply = await _text(harness, "filter", **options)
    assert message in reply, reply
    assert await _schedule(harness) == before


async def test_filters_need_manage_server(harness: BotHarness) -> None:
    await _setup(harness)
    reply = await _briefing(harness, "filter", user="alice", exclude="ai")
    assert reply.content == "You need the Manage Server permission for this command."
    assert not (await _schedule(harness)).filters


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"exclude": LONG}, "5,000 characters long"),
        ({"outlets": "https://"}, "is not a domain"),
        ({"exclude": ", ".join(f"w{i}" for i in range(19))}, "has 21 items; at most 20"),
    ],
)
async def test_bad_subscribe_filters_change_nothing(
    harness: BotHarness, options: dict[str, str], message: str
) -> None:
    fake, alice = harness.fake, harness.user("alice")
    assert harness.bot is not None
    db = harness.bot.services.db
    await reply_of(
        await fake.inject_slash_command(
            "subscribe", {"topic": "Space", "exclude": "alpha, beta"}, user_id=alice.id
        )
    )
    before = await subscriptions.digest_settings(db, alice.id)
    reply = await reply_of(
        await fake.inject_slash_command(
            "subscribe", {"topic": "Robotics", **options}, user_id=alice.id
        )
    )
    assert reply.ephemeral and message in (reply.content or ""), reply.content
    assert await subscriptions.digest_settings(db, alice.id) == before  # not even the topic
