"""Personal digests learn, end to end through the fake Discord with the real client.

A digest message arrives with three buttons; "Less like this" opens a picker of its stories
and choosing the Space story (after a restart) moves Space down in the next digest; "Hide this
outlet" (pressed after the restart) removes that outlet from it; the channel briefing of the
same morning is exactly the plain one; a message with one story applies a press at once;
``/subscriptions`` shows the signals and resets them; "Forget me" deletes them and later
presses store nothing; forged values and unreadable messages get a clear answer.
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
from tests.fake_discord import FakeDiscord, InteractionResponseRecord

DAY_ONE = SAMPLE_MORNING - timedelta(days=1)  # 2026-03-09 08:30 UTC: a thin day
DIGEST_SLOT = digest_job_id(time(8, 0), "UTC")


def _bot(harness: BotHarness) -> BriefingBot:
    assert harness.bot is not None
    return harness.bot


def _buttons(message: dict[str, Any]) -> list[tuple[str, str]]:
    """The message's buttons: (label, custom_id); all in one row."""
    (row,) = message.get("components") or [{"components": []}]
    return [(b["label"], b["custom_id"]) for b in row["components"] if b["type"] == 2]


async def _press(
    fake: FakeDiscord, message: dict[str, Any], action: str, user_id: int
) -> InteractionResponseRecord:
    """Press a digest's button; the ephemeral answer (what changed, or a picker)."""
    press = await fake.inject_component(int(message["id"]), f"digest:{action}", user_id=user_id)
    answer = await press.wait_response()
    assert answer.callback_type == 4 and answer.ephemeral
    assert answer.data["allowed_mentions"] == {"parse": []}
    return answer


def _picker(answer: InteractionResponseRecord) -> dict[str, Any]:
    (row,) = answer.data["components"]
    (select,) = row["components"]
    assert select["type"] == 3
    return dict(select)


async def _pick(
    fake: FakeDiscord, picker: InteractionResponseRecord, text: str, user_id: int
) -> InteractionResponseRecord:
    """Choose the picker's option whose label or description has ``text``; the update."""
    select = _picker(picker)
    value = next(
        o["value"] for o in select["options"] if text in o["label"] + o.get("description", "")
    )
    assert picker.message_id is not None
    choice = await fake.inject_component(
        picker.message_id, select["custom_id"], component_type=3, values=[value], user_id=user_id
    )
    update = await choice.wait_response()
    assert update.callback_type == 7 and update.data["allowed_mentions"] == {"parse": []}
    assert update.data["components"] == []  # the picker turns into what changed
    return update


async def _deliver_digest(harness: BotHarness, user_id: int) -> list[dict[str, Any]]:
    """Run the 08:00 digest slot now and return the DMs it sent."""
    before = len(harness.fake.dms_to(user_id))
    assert _bot(harness).services.scheduler.run_now(DIGEST_SLOT)
    today = harness.clock.now.date()
    delivery = await wait_delivered(harness, DeliveryKind.DIGEST, user_id, today)
    assert delivery.status == DeliveryStatus.SENT
    return harness.fake.dms_to(user_id)[before:]


async def _subscribe_at_seven(harness: BotHarness, user_id: int) -> None:
    """At 07:00 on day one, ``user_id`` subscribes to Space and Robotics at 08:00."""
    harness.clock.now = DAY_ONE.replace(hour=7)
    for topic in ("Space", "Robotics"):
        await reply_of(
            await harness.fake.inject_slash_command(
                "subscribe", {"topic": topic, "time": "08:00"}, user_id=user_id
            )
        )


def _sections(messages: list[dict[str, Any]]) -> list[str]:
    return [e.get("title", "") for m in messages for e in m.get("embeds") or []]


async def test_a_digest_learns_from_its_menus_and_the_channel_briefing_does_not(
    harness: BotHarness,
) -> None:
    fake, alice = harness.fake, harness.user("alice")
    await _subscribe_at_seven(harness, alice.id)

    # Day one: the digest arrives with one row of three buttons under its message.
    harness.clock.now = DAY_ONE.replace(hour=8, minute=1)
    (digest,) = await _deliver_digest(harness, alice.id)
    assert _sections([digest]) == ["Space", "Robotics"]  # the catalog's order
    assert _buttons(digest) == [
        ("More like this", "digest:more"),
        ("Less like this", "digest:less"),
        ("Hide this outlet", "digest:hide"),
    ]
    assert "[Harbor Ledger](https://harborledger.test)" in text_of(digest)

    # "Less like this": two stories, so a picker of them answers (only Alice sees it).
    picker = await _press(fake, digest, "less", alice.id)
    assert picker.content == "**Less like this**: which story?"
    options = _picker(picker)["options"]
    assert [o["description"] for o in options] == [
        "Space · Harbor Ledger",
        "Robotics · Servo Times",
    ]
    assert picker.message_id is not None
    assert picker.message_id not in {int(m["id"]) for m in fake.dms_to(alice.id)}

    # After a restart, the picker still works: Space and its outlet go down by one.
    await harness.restart()
    update = await _pick(fake, picker, "Space", alice.id)
    assert update.content is not None and update.content.startswith("Noted: less like this.")
    assert "topic **Space** −1 (now −1)" in update.content
    assert "outlet **harborledger.test** −1 (now −1)" in update.content
    assert fake.messages.messages[picker.message_id]["content"] == update.content

    # And so do the digest's buttons: hide Harbor Ledger (a picker of the two outlets).
    outlets = await _press(fake, digest, "hide", alice.id)
    assert [o["label"] for o in _picker(outlets)["options"]] == ["Harbor Ledger", "Servo Times"]
    hidden = await _pick(fake, outlets, "Harbor Ledger", alice.id)
    assert (hidden.content or "").startswith("Hidden: **harborledger.test**.")
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
    assert all(len(_buttons(m)) == 3 for m in messages)

    # The channel briefing of that morning is the plain one: no signals, no buttons.
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


def _listing_buttons(listing: Any) -> list[str]:
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
    assert _listing_buttons(plain) == [
        "Forget me",
        "Yes, delete my data",
    ]  # as before: nothing learned
    assert "learned" not in text_of(plain)

    harness.clock.now = DAY_ONE.replace(hour=8, minute=1)
    (digest,) = await _deliver_digest(harness, alice.id)
    for _ in range(4):  # one story: each press applies at once; the fourth is past the bound
        answer = await _press(fake, digest, "more", alice.id)
        assert not answer.data.get("components")
    assert "stays at +3 (the most there is)" in (answer.content or "")

    listing = await _signals_listing(harness, alice.id)
    assert "What your digest learned" in text_of(listing)
    assert "Topics: Space +3" in text_of(listing) and "harborledger.test +3" in text_of(listing)
    assert "• Space" in text_of(listing)  # the topics and time are still shown
    assert _listing_buttons(listing) == ["Forget me", "Yes, delete my data", "Reset my signals"]
    reset = await fake.inject_component(listing.message_id, "signals:reset", user_id=alice.id)
    answer = await reset.wait_response()
    assert "forgot 2 signals" in (answer.content or "")
    assert "learned" not in text_of(answer) and "• Space" in text_of(answer)
    assert await digest_signals(db, alice.id) == Signals()
    assert _listing_buttons(await _signals_listing(harness, alice.id)) == [
        "Forget me",
        "Yes, delete my data",
    ]

    await _press(fake, digest, "less", alice.id)
    assert await digest_signals(db, alice.id) != Signals()
    # Signals outlive an unsubscribe, and /subscriptions says so.
    await reply_of(
        await fake.inject_slash_command("unsubscribe", {"topic": "Space"}, user_id=alice.id)
    )
    listing = await _signals_listing(harness, alice.id)
    assert "still remembers" in (listing.content or "")
    assert _listing_buttons(listing) == ["Forget me", "Yes, delete my data", "Reset my signals"]
    ask = await fake.inject_component(listing.message_id, "forget:ask", user_id=alice.id)
    await ask.wait_response()
    confirm = await fake.inject_component(listing.message_id, "forget:confirm", user_id=alice.id)
    await confirm.wait_response()
    assert await digest_signals(db, alice.id) == Signals()

    # A click on an old digest after "forget me" stores nothing and says why.
    late = await _press(fake, digest, "more", alice.id)
    assert "no digest" in (late.content or "")
    assert await digest_signals(db, alice.id) == Signals()


async def test_forged_values_unreadable_messages_and_old_menus(
    harness: BotHarness,
) -> None:
    """A value the bot never offered (a modified client), or a message whose stories cannot
    be read, changes nothing and says so."""
    fake, alice = harness.fake, harness.user("alice")
    await _subscribe_at_seven(harness, alice.id)
    harness.clock.now = DAY_ONE.replace(hour=8, minute=1)
    (digest,) = await _deliver_digest(harness, alice.id)
    picker = await _press(fake, digest, "more", alice.id)
    assert picker.message_id is not None
    stored = fake.messages.messages[picker.message_id]
    for option in stored["components"][0]["components"][0]["options"]:
        option["value"] = "forged\tvalue"  # as if the client had sent it
    choice = await fake.inject_component(
        picker.message_id, "digest:more", component_type=3, values=["forged\tvalue"]
    )
    refusal = await choice.wait_response()
    assert refusal.ephemeral and "could not tell which story" in (refusal.content or "")
    for embed in fake.messages.messages[int(digest["id"])]["embeds"]:
        embed["description"] = "nothing a digest would say"
    unreadable = await _press(fake, digest, "less", alice.id)
    assert "could not find the stories" in (unreadable.content or "")
    assert await digest_signals(_bot(harness).services.db, alice.id) == Signals()

    # A digest sent before the buttons had the three menus themselves: a choice still counts.
    old_menu = {
        "type": 3,
        "custom_id": "digest:less",
        "options": [{"label": "A Space story", "value": "0\tspace\tharborledger.test"}],
    }
    fake.messages.messages[int(digest["id"])]["components"] = [
        {"type": 1, "components": [old_menu]}
    ]
    old = await fake.inject_component(
        int(digest["id"]), "digest:less", component_type=3, values=["0\tspace\tharborledger.test"]
    )
    answer = await old.wait_response()
    assert answer.callback_type == 4 and answer.ephemeral
    assert (answer.content or "").startswith("Noted: less like this.")
    assert await digest_signals(_bot(harness).services.db, alice.id) == Signals.of(
        topics={"space": -1}, outlets={"harborledger.test": -1}
    )
