"""Personal digests learn, end to end through the fake Discord with the real client.

A digest arrives with its feedback menus; "Less like this" on a Space story moves Space down
in the next digest; "Hide this outlet" (chosen after a restart) removes that outlet from it;
the channel briefing of the same morning is exactly the plain one; ``/subscriptions`` shows
the signals and resets them; "Forget me" deletes them and later clicks store nothing.
"""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.client import BriefingBot
from bot.headings import schedule_heading
from bot.rendering import render_briefing
from bot.scheduler import channel_job_id, digest_job_id
from bot.state import schedules
from bot.state.deliveries import DeliveryKind, DeliveryStatus
from bot.state.signals import digest_signals
from bot.usecases.requests import briefing_request
from briefings.personal import Signals
from tests.bot.harness import (
    SAMPLE_MORNING,
    BotHarness,
    reply_of,
    schedule_id,
    text_of,
    wait_delivered,
)
from tests.fake_discord import FakeDiscord, InjectedInteraction

DAY_ONE = SAMPLE_MORNING - timedelta(days=1)  # 2026-03-09 08:30 UTC: a thin day
DIGEST_SLOT = digest_job_id(time(8, 0), "UTC")


def _bot(harness: BotHarness) -> BriefingBot:
    assert harness.bot is not None
    return harness.bot


def _menus(message: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The message's select menus by custom_id."""
    return {
        row["components"][0]["custom_id"]: row["components"][0]
        for row in message.get("components") or []
    }


def _option(message: dict[str, Any], menu: str, label_part: str) -> str:
    options = _menus(message)[menu]["options"]
    return str(
        next(o["value"] for o in options if label_part in o["label"] + o.get("description", ""))
    )


async def _choose(
    fake: FakeDiscord, message: dict[str, Any], menu: str, value: str, user_id: int
) -> InjectedInteraction:
    return await fake.inject_component(
        int(message["id"]), menu, component_type=3, values=[value], user_id=user_id
    )


async def _deliver_digest(harness: BotHarness, user_id: int) -> list[dict[str, Any]]:
    """Run the 08:00 digest slot now and return the DMs it sent."""
    before = len(harness.fake.dms_to(user_id))
    assert _bot(harness).services.scheduler.run_now(DIGEST_SLOT)
    today = harness.clock.now.date()
    delivery = await wait_delivered(harness, DeliveryKind.DIGEST, user_id, today)
    assert delivery.status == DeliveryStatus.SENT
    return harness.fake.dms_to(user_id)[before:]


def _sections(messages: list[dict[str, Any]]) -> list[str]:
    return [e.get("title", "") for m in messages for e in m.get("embeds") or []]


async def test_a_digest_learns_from_its_menus_and_the_channel_briefing_does_not(
    harness: BotHarness,
) -> None:
    fake, alice = harness.fake, harness.user("alice")
    harness.clock.now = DAY_ONE.replace(hour=7)
    for topic in ("Space", "Robotics"):
        await reply_of(
            await fake.inject_slash_command(
                "subscribe", {"topic": topic, "time": "08:00"}, user_id=alice.id
            )
        )

    # Day one: the digest arrives with three menus under its message.
    harness.clock.now = DAY_ONE.replace(hour=8, minute=1)
    (digest,) = await _deliver_digest(harness, alice.id)
    assert _sections([digest]) == ["Space", "Robotics"]  # the catalog's order
    menus = _menus(digest)
    assert list(menus) == ["digest:more", "digest:less", "digest:hide"]
    assert [m["placeholder"] for m in menus.values()] == [
        "More like this…",
        "Less like this…",
        "Hide this outlet…",
    ]
    assert len(menus["digest:more"]["options"]) == 2  # one per story of the message
    assert {o["label"] for o in menus["digest:hide"]["options"]} == {"Harbor Ledger", "Servo Times"}

    # "Less like this" on the Space story: Space and its outlet go down by one.
    less = await _choose(
        fake, digest, "digest:less", _option(digest, "digest:less", "Space"), alice.id
    )
    reply = await less.wait_response()
    assert reply.ephemeral and reply.data["allowed_mentions"] == {"parse": []}
    assert reply.content is not None and reply.content.startswith("Noted: less like this.")
    assert "topic **Space** −1 (now −1)" in reply.content
    assert "outlet **harborledger.test** −1 (now −1)" in reply.content

    # After a restart, the same message's menus still work: hide Harbor Ledger.
    await harness.restart()
    hide = await _choose(
        fake, digest, "digest:hide", _option(digest, "digest:hide", "Harbor Ledger"), alice.id
    )
    hidden_reply = await hide.wait_response()
    assert hidden_reply.ephemeral
    assert (hidden_reply.content or "").startswith("Hidden: **harborledger.test**.")
    db = _bot(harness).services.db
    assert await digest_signals(db, alice.id) == Signals.of(
        topics={"space": -1}, outlets={"harborledger.test": -1}, hidden=["harborledger.test"]
    )

    # A channel briefing set up now posts tomorrow, beside the digest.
    owner = harness.user("owner")
    setup = await reply_of(
        await fake.inject_slash_command(
            "briefing",
            {"channel": harness.channel_id("news"), "time": "08:00", "timezone": "UTC"},
            subcommand="setup",
            user_id=owner.id,
        )
    )
    assert "will be posted" in (setup.content or "")

    # Day two: Space comes after Robotics, Harbor Ledger is gone, and the digest says why.
    harness.clock.now = SAMPLE_MORNING.replace(hour=8, minute=1)
    messages = await _deliver_digest(harness, alice.id)
    assert _sections(messages) == ["Robotics", "Space"]
    text = "\n".join(text_of(m) for m in messages)
    assert "harborledger" not in text and "Harbor Ledger" not in text
    assert "*ranked down: you asked for less of Space*" in text
    assert "Kiteview" in text or "kiteview" in text  # Space still comes, from other outlets
    assert all(_menus(m) for m in messages)

    # The channel briefing of that morning is the plain one: no signals, no menus.
    sid = await schedule_id(harness)
    assert _bot(harness).services.scheduler.run_now(channel_job_id(sid))
    assert (await wait_delivered(harness, DeliveryKind.CHANNEL, sid)).status == DeliveryStatus.SENT
    posted = fake.messages_in(harness.channel_id("news"))
    schedule = await schedules.schedule_by_id(db, sid)
    assert schedule is not None
    due = SAMPLE_MORNING.replace(hour=8, minute=0)
    settings = _bot(harness).services.settings
    request = briefing_request(schedule, due, per_topic=settings.briefing_per_topic)
    zone = ZoneInfo("UTC")
    expected = render_briefing(
        _bot(harness).services.library.briefing(request),
        heading=schedule_heading(due, zone, name=schedule.name, days=schedule.days),
        zone=zone,
        length=schedule.length,
    )
    assert [(m["content"] or None, m["embeds"]) for m in posted] == [
        (e.content, [embed.to_dict() for embed in e.embeds]) for e in expected
    ]
    assert all(not m.get("components") for m in posted)
    channel_text = "\n".join(text_of(m) for m in posted)
    assert "Harbor Ledger" in channel_text and "ranked" not in channel_text


async def _signals_listing(harness: BotHarness, user_id: int) -> Any:
    listing = await reply_of(
        await harness.fake.inject_slash_command("subscriptions", user_id=user_id)
    )
    assert listing.message_id is not None
    return listing


def _buttons(listing: Any) -> list[str]:
    return [b["label"] for row in listing.data["components"] for b in row["components"]]


async def test_subscriptions_shows_and_resets_the_signals_and_forget_me_deletes_them(
    harness: BotHarness,
) -> None:
    fake, alice = harness.fake, harness.user("alice")
    db = _bot(harness).services.db
    harness.clock.now = DAY_ONE.replace(hour=7)
    await reply_of(
        await fake.inject_slash_command(
            "subscribe", {"topic": "Space", "time": "08:00"}, user_id=alice.id
        )
    )
    plain = await _signals_listing(harness, alice.id)
    assert _buttons(plain) == ["Forget me", "Yes, delete my data"]  # as before: nothing learned
    assert "learned" not in text_of(plain)

    harness.clock.now = DAY_ONE.replace(hour=8, minute=1)
    (digest,) = await _deliver_digest(harness, alice.id)
    value = _option(digest, "digest:more", "Space")
    for _ in range(4):  # the fourth is past the bound
        answer = await (await _choose(fake, digest, "digest:more", value, alice.id)).wait_response()
    assert "stays at +3 (the most there is)" in (answer.content or "")

    listing = await _signals_listing(harness, alice.id)
    assert "What your digest learned" in text_of(listing)
    assert "Topics: Space +3" in text_of(listing) and "harborledger.test +3" in text_of(listing)
    assert "• Space" in text_of(listing)  # the topics and time are still shown
    assert _buttons(listing) == ["Forget me", "Yes, delete my data", "Reset my signals"]
    reset = await fake.inject_component(listing.message_id, "signals:reset", user_id=alice.id)
    answer = await reset.wait_response()
    assert "forgot 2 signals" in (answer.content or "")
    assert "learned" not in text_of(answer) and "• Space" in text_of(answer)
    assert await digest_signals(db, alice.id) == Signals()
    assert _buttons(await _signals_listing(harness, alice.id)) == [
        "Forget me",
        "Yes, delete my data",
    ]

    await (await _choose(fake, digest, "digest:less", value, alice.id)).wait_response()
    assert await digest_signals(db, alice.id) != Signals()
    # Signals outlive an unsubscribe, and /subscriptions says so.
    await reply_of(
        await fake.inject_slash_command("unsubscribe", {"topic": "Space"}, user_id=alice.id)
    )
    listing = await _signals_listing(harness, alice.id)
    assert "still remembers" in (listing.content or "")
    assert _buttons(listing) == ["Forget me", "Yes, delete my data", "Reset my signals"]
    ask = await fake.inject_component(listing.message_id, "forget:ask", user_id=alice.id)
    await ask.wait_response()
    confirm = await fake.inject_component(listing.message_id, "forget:confirm", user_id=alice.id)
    await confirm.wait_response()
    assert await digest_signals(db, alice.id) == Signals()

    # A click on an old digest after "forget me" stores nothing and says why.
    late = await _choose(fake, digest, "digest:more", value, alice.id)
    assert "no digest" in ((await late.wait_response()).content or "")
    assert await digest_signals(db, alice.id) == Signals()


async def test_a_forged_menu_value_gets_a_clear_answer(harness: BotHarness) -> None:
    """A value the bot never offered (a modified client) changes nothing."""
    fake, alice = harness.fake, harness.user("alice")
    harness.clock.now = DAY_ONE.replace(hour=7)
    await reply_of(
        await fake.inject_slash_command(
            "subscribe", {"topic": "Space", "time": "08:00"}, user_id=alice.id
        )
    )
    harness.clock.now = DAY_ONE.replace(hour=8, minute=1)
    (digest,) = await _deliver_digest(harness, alice.id)
    for option in _menus(digest)["digest:more"]["options"]:
        option["value"] = "forged\tvalue"  # as if the client had sent it
    press = await _choose(fake, digest, "digest:more", "forged\tvalue", alice.id)
    assert "could not tell which story" in ((await press.wait_response()).content or "")
    assert await digest_signals(_bot(harness).services.db, alice.id) == Signals()
