"""Every slash command end to end: the real bot, the fake Discord, real SQLite."""

from __future__ import annotations

import pytest

from bot.errors import GENERIC_FAILURE
from tests.bot.harness import BotHarness, reply_of, text_of
from tests.fake_discord import EPHEMERAL_FLAG

# --- /search ----------------------------------------------------------------------------------


async def test_search_shows_matches_ephemerally(harness: BotHarness) -> None:
    inter = await harness.fake.inject_slash_command("search", {"query": "battery"})
    reply = await reply_of(inter)
    assert reply.ephemeral
    text = text_of(reply)
    assert "Tidewater" in text and "https://" in text
    assert reply.data["allowed_mentions"] == {"parse": []}


async def test_search_pages_with_buttons_only_for_the_caller(harness: BotHarness) -> None:
    fake = harness.fake
    alice, bob = harness.user("alice"), harness.user("bob")
    inter = await fake.inject_slash_command("search", {"query": "the"}, user_id=alice.id)
    reply = await reply_of(inter)
    assert "Page 1/" in text_of(reply)
    buttons = reply.data["components"][0]["components"]
    assert [b["label"] for b in buttons] == ["Previous", "Next"]
    assert buttons[0]["disabled"] is True
    message_id = reply.message_id
    assert message_id is not None

    press = await fake.inject_component(message_id, "search:next", user_id=alice.id)
    update = await press.wait_response()
    assert update.callback_type == 7 and "Page 2/" in text_of(update)

    intruder = await fake.inject_component(message_id, "search:next", user_id=bob.id)
    refusal = await intruder.wait_response()
    assert refusal.callback_type == 4 and refusal.ephemeral
    assert "someone else's search" in (refusal.content or "")

    back = await fake.inject_component(message_id, "search:previous", user_id=alice.id)
    assert "Page 1/" in text_of(await back.wait_response())


@pytest.mark.parametrize("query", ['"unbalanced', "AND OR NOT", "NEAR(", "*", "🤖", "x" * 5000])
async def test_search_hostile_queries_get_an_answer(harness: BotHarness, query: str) -> None:
    reply = await reply_of(await harness.fake.inject_slash_command("search", {"query": query}))
    assert reply.ephemeral and text_of(reply)
    assert GENERIC_FAILURE not in text_of(reply)  # an answer about the query, not an apology
    (page,) = reply.data["embeds"]
    assert page["title"].startswith("Search: ")


async def test_search_empty_query_is_explained(harness: BotHarness) -> None:
    reply = await reply_of(await harness.fake.inject_slash_command("search", {"query": "   "}))
    assert reply.ephemeral and "Type something to search for" in (reply.content or "")


async def test_search_topic_filter_and_unknown_topic(harness: BotHarness) -> None:
    fake = harness.fake
    reply = await reply_of(
        await fake.inject_slash_command("search", {"query": "the", "topic": "space"})
    )
    assert "Orbit" in text_of(reply) or "orbit" in text_of(reply)
    wrong = await reply_of(
        await fake.inject_slash_command("search", {"query": "x", "topic": "Spcae"})
    )
    assert wrong.ephemeral and "Did you mean Space" in (wrong.content or "")


async def test_topic_autocomplete(harness: BotHarness) -> None:
    inter = await harness.fake.inject_autocomplete(
        "search", focused="topic", value="sp", options={"query": "x"}
    )
    await inter.wait_response()
    assert inter.autocomplete_choices is not None
    assert [c["name"] for c in inter.autocomplete_choices] == ["Space"]


# --- /topics ----------------------------------------------------------------------------------


async def test_topics_lists_catalog_with_counts(harness: BotHarness) -> None:
    reply = await reply_of(await harness.fake.inject_slash_command("topics"))
    text = text_of(reply)
    assert reply.ephemeral
    for name in ("Technology", "Artificial Intelligence", "Space", "Health Tech"):
        assert name in text
    assert "published" in text


# --- subscriptions ----------------------------------------------------------------------------


async def test_subscribe_list_unsubscribe(harness: BotHarness) -> None:
    fake, alice = harness.fake, harness.user("alice")
    sub = await reply_of(
        await fake.inject_slash_command(
            "subscribe",
            {"topic": "space", "time": "07:30", "timezone": "europe/paris"},
            user_id=alice.id,
        )
    )
    assert sub.ephemeral and "Subscribed to **Space**" in (sub.content or "")
    assert "07:30 (Europe/Paris)" in (sub.content or "")
    await reply_of(
        await fake.inject_slash_command("subscribe", {"topic": "Robotics"}, user_id=alice.id)
    )

    listing = text_of(
        await reply_of(await fake.inject_slash_command("subscriptions", user_id=alice.id))
    )
    assert "Space" in listing and "Robotics" in listing and "07:30" in listing

    gone = await reply_of(
        await fake.inject_slash_command("unsubscribe", {"topic": "Space"}, user_id=alice.id)
    )
    assert "Unsubscribed" in (gone.content or "")
    listing = text_of(
        await reply_of(await fake.inject_slash_command("subscriptions", user_id=alice.id))
    )
    assert "Space" not in listing and "Robotics" in listing

    again = await reply_of(
        await fake.inject_slash_command("unsubscribe", {"topic": "Space"}, user_id=alice.id)
    )
    assert again.ephemeral and "not subscribed" in (again.content or "")


async def test_subscribe_defaults_to_eight_utc(harness: BotHarness) -> None:
    reply = await reply_of(await harness.fake.inject_slash_command("subscribe", {"topic": "Space"}))
    assert "08:00 (UTC)" in (reply.content or "")


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"topic": "Space", "time": "25:99"}, "is not a time of day"),
        ({"topic": "Space", "timezone": "Mars/Olympus"}, "is not a time zone I know"),
        ({"topic": "Spcae"}, "Did you mean Space"),
    ],
)
async def test_subscribe_bad_arguments_are_explained(
    harness: BotHarness, options: dict[str, str], expected: str
) -> None:
    reply = await reply_of(await harness.fake.inject_slash_command("subscribe", options))
    assert reply.ephemeral and expected in (reply.content or "")


async def test_timezone_autocomplete(harness: BotHarness) -> None:
    inter = await harness.fake.inject_autocomplete(
        "subscribe", focused="timezone", value="paris", options={"topic": "Space"}
    )
    await inter.wait_response()
    assert inter.autocomplete_choices is not None
    assert inter.autocomplete_choices[0]["value"] == "Europe/Paris"


async def test_subscriptions_in_a_dm(harness: BotHarness) -> None:
    alice = harness.user("alice")
    reply = await reply_of(
        await harness.fake.inject_slash_command("subscriptions", dm=True, user_id=alice.id)
    )
    assert "no subscriptions" in (reply.content or "")


# --- /briefing --------------------------------------------------------------------------------


async def test_setup_status_disable(harness: BotHarness) -> None:
    fake, news = harness.fake, harness.channel_id("news")
    owner = harness.user("owner")
    setup = await reply_of(
        await fake.inject_slash_command(
            "briefing",
            {
                "channel": news,
                "time": "07:00",
                "timezone": "Europe/Paris",
                "topics": "space, robotics",
            },
            subcommand="setup",
            user_id=owner.id,
        )
    )
    assert setup.ephemeral, setup.data
    assert f"<#{news}>" in (setup.content or "") and "07:00 Europe/Paris" in (setup.content or "")
    assert harness.bot is not None
    assert harness.bot.services.scheduler.next_run(harness.guild.id) is not None

    status = await reply_of(
        await fake.inject_slash_command("briefing", subcommand="status", user_id=owner.id)
    )
    text = status.content or ""
    assert (
        "**on**" in text
        and "Space, Robotics" in text
        and "Next post:" in text
        and "none yet" in text
    )
    assert "60 articles, 0 files skipped" in text

    off = await reply_of(
        await fake.inject_slash_command("briefing", subcommand="disable", user_id=owner.id)
    )
    assert "off" in (off.content or "")
    assert harness.bot.services.scheduler.next_run(harness.guild.id) is None
    status = await reply_of(
        await fake.inject_slash_command("briefing", subcommand="status", user_id=owner.id)
    )
    assert "**off**" in (status.content or "")


@pytest.mark.parametrize("subcommand", ["setup", "status", "disable"])
async def test_admin_commands_refuse_members_without_manage_server(
    harness: BotHarness, subcommand: str
) -> None:
    alice = harness.user("alice")
    options = (
        {"channel": harness.channel_id(), "time": "07:00", "timezone": "UTC"}
        if subcommand == "setup"
        else {}
    )
    reply = await reply_of(
        await harness.fake.inject_slash_command(
            "briefing", options, subcommand=subcommand, user_id=alice.id
        )
    )
    assert reply.ephemeral
    assert reply.content == "You need the Manage Server permission for this command."
    assert harness.bot is not None
    assert harness.bot.services.scheduler.next_run(harness.guild.id) is None


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"time": "25:99", "timezone": "UTC"}, "is not a time of day"),
        ({"time": "07:00", "timezone": "Nowhere/Land"}, "is not a time zone I know"),
        ({"time": "07:00", "timezone": "UTC", "topics": "Spcae"}, "Did you mean Space"),
    ],
)
async def test_setup_bad_arguments_are_explained(
    harness: BotHarness, options: dict[str, str], expected: str
) -> None:
    owner = harness.user("owner")
    reply = await reply_of(
        await harness.fake.inject_slash_command(
            "briefing",
            {"channel": harness.channel_id(), **options},
            subcommand="setup",
            user_id=owner.id,
        )
    )
    assert reply.ephemeral and expected in (reply.content or "")


async def test_setup_refuses_a_channel_the_bot_cannot_post_in(harness: BotHarness) -> None:
    from tests.fake_discord import SEND_MESSAGES

    fake, news = harness.fake, harness.channel_id("news")
    fake.set_bot_channel_permissions(news, deny=SEND_MESSAGES)
    await fake.settle()
    owner = harness.user("owner")
    reply = await reply_of(
        await fake.inject_slash_command(
            "briefing",
            {"channel": news, "time": "07:00", "timezone": "UTC"},
            subcommand="setup",
            user_id=owner.id,
        )
    )
    assert (
        reply.ephemeral
        and "I can't post in" in (reply.content or "")
        and "Send Messages" in (reply.content or "")
    )


async def test_preview_is_only_for_the_caller(harness: BotHarness) -> None:
    owner = harness.user("owner")
    inter = await harness.fake.inject_slash_command(
        "briefing", subcommand="preview", user_id=owner.id
    )
    reply = await reply_of(inter)
    assert reply.flags & EPHEMERAL_FLAG
    text = text_of(reply)
    assert "Preview" in text and "Tidewater Grid" in text
    assert harness.fake.messages_in(harness.channel_id("news")) == []


async def test_preview_of_one_topic(harness: BotHarness) -> None:
    owner = harness.user("owner")
    inter = await harness.fake.inject_slash_command(
        "briefing", {"topic": "Space"}, subcommand="preview", user_id=owner.id
    )
    text = text_of(await reply_of(inter))
    assert "Orbital dock" in text and "Tidewater" not in text


async def test_explain_says_why(harness: BotHarness) -> None:
    owner = harness.user("owner")
    url = "https://circuitreview.test/news/lumen-labs-kestrel-2"
    inter = await harness.fake.inject_slash_command(
        "briefing", {"url": url}, subcommand="explain", user_id=owner.id
    )
    reply = await reply_of(inter)
    assert reply.ephemeral
    embed = reply.data["embeds"][0]
    assert embed["title"] == "Included: story 1 in Artificial Intelligence."
    assert "✅ **published**" in embed["description"]

    missing = await reply_of(
        await harness.fake.inject_slash_command(
            "briefing", {"url": "https://nowhere.test/x"}, subcommand="explain", user_id=owner.id
        )
    )
    assert missing.data["embeds"][0]["title"].startswith("Not found")

    bad = await reply_of(
        await harness.fake.inject_slash_command(
            "briefing", {"url": "not a link"}, subcommand="explain", user_id=owner.id
        )
    )
    assert bad.ephemeral and "full link" in (bad.content or "")
