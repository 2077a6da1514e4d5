"""Discord faults, end to end through the fake server: nothing lost, nothing posted twice.

Each test removes one protection's reason to exist: without the nonce, the retry, the pause or
the delivery log, it fails.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.client import BriefingBot
from bot.state import subscriptions
from bot.state.deliveries import DeliveryStatus
from tests.bot.harness import SAMPLE_MORNING, BotHarness, reply_of, schedule_id, text_of
from tests.fake_discord import FakeDiscord

MESSAGES = "/channels/{id}/messages"


def _bot(harness: BotHarness) -> BriefingBot:
    assert harness.bot is not None
    return harness.bot


async def _setup(harness: BotHarness, channel: str = "news") -> None:
    harness.clock.now = SAMPLE_MORNING.replace(hour=7)
    owner = harness.user("owner")
    options = {"channel": harness.channel_id(channel), "time": "08:00", "timezone": "UTC"}
    reply = await reply_of(
        await harness.fake.inject_slash_command(
            "briefing", options, subcommand="setup", user_id=owner.id
        )
    )
    assert "will be posted" in (reply.content or ""), reply.data
    harness.clock.now = SAMPLE_MORNING  # 08:30: the 08:00 post is due


def _posted(fake: FakeDiscord, channel_id: int) -> list[str]:
    return [text_of(m) for m in fake.messages_in(channel_id)]


async def _clean_run(harness: BotHarness) -> list[str]:
    """What an undisturbed delivery posts (to compare a disturbed one against)."""
    outcome = await _bot(harness).services.deliverer.deliver_channel(await schedule_id(harness))
    assert outcome.status == DeliveryStatus.SENT
    return _posted(harness.fake, harness.channel_id())


@pytest.mark.parametrize("is_global", [False, True], ids=["per-route", "global"])
async def test_rate_limited_briefing_arrives_once(harness: BotHarness, is_global: bool) -> None:
    fake = harness.fake
    await _setup(harness)
    fake.rate_limit_next("POST", MESSAGES, retry_after=0.1, is_global=is_global, times=2)
    outcome = await _bot(harness).services.deliverer.deliver_channel(await schedule_id(harness))
    assert outcome.status == DeliveryStatus.SENT
    statuses = [r.status for r in fake.requests_to("POST", MESSAGES)]
    assert statuses.count(429) == 2
    posted = fake.messages_in(harness.channel_id())
    assert [int(m["id"]) for m in posted] == list(outcome.message_ids)
    assert len({m["nonce"] for m in posted}) == len(posted)


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_server_errors_are_retried_and_post_once(harness: BotHarness, status: int) -> None:
    fake = harness.fake
    await _setup(harness)
    fake.fail_next("POST", MESSAGES, status=status, times=1)
    outcome = await _bot(harness).services.deliverer.deliver_channel(await schedule_id(harness))
    assert outcome.status == DeliveryStatus.SENT
    assert len(fake.messages_in(harness.channel_id())) == len(outcome.message_ids)


async def test_connection_dropped_after_discord_accepted_is_not_a_duplicate(
    harness: BotHarness,
) -> None:
    fake = harness.fake
    await _setup(harness)
    fake.drop_next("POST", MESSAGES, apply=True)  # the message is created, the answer is lost
    outcome = await _bot(harness).services.deliverer.deliver_channel(await schedule_id(harness))
    assert outcome.status == DeliveryStatus.SENT
    posted = fake.messages_in(harness.channel_id())
    assert len(fake.requests_to("POST", MESSAGES)) == len(posted) + 1  # one retry, same nonce
    assert [int(m["id"]) for m in posted] == list(outcome.message_ids)


async def test_lasting_outage_is_recorded_then_caught_up_once(harness: BotHarness) -> None:
    fake, deliverer = harness.fake, _bot(harness).services.deliverer
    recovery = _bot(harness).services.recovery
    await _setup(harness)
    fake.fail_next("POST", MESSAGES, status=503, times=None)
    outcome = await deliverer.deliver_channel(await schedule_id(harness))
    assert (
        outcome.status == DeliveryStatus.FAILED
        and "503" in outcome.detail
        and "gave up after 3 attempts" in outcome.detail
    )
    assert len(fake.requests_to("POST", MESSAGES)) == 3  # bounded
    status = await reply_of(
        await fake.inject_slash_command(
            "briefing", subcommand="status", user_id=harness.user("owner").id
        )
    )
    assert "failed" in (status.content or "") and "Problem: Discord error 503" in (
        status.content or ""
    )

    fake.clear_faults()
    outcomes = await recovery.catch_up()
    assert [o.status for o in outcomes] == [DeliveryStatus.SENT]
    assert [o.status for o in await recovery.catch_up()] == [DeliveryStatus.ALREADY]
    assert len(fake.messages_in(harness.channel_id())) == len(outcomes[0].message_ids)


async def test_resume_after_a_partial_delivery_sends_only_the_rest(harness: BotHarness) -> None:
    fake, deliverer = harness.fake, _bot(harness).services.deliverer
    recovery = _bot(harness).services.recovery
    await _setup(harness)
    channel = harness.channel_id()

    async def outage_after_first_message() -> None:
        await fake.wait_until(lambda: fake.messages_in(channel))
        fake.fail_next("POST", MESSAGES, status=503, times=None)

    arming = asyncio.create_task(outage_after_first_message())
    first = await deliverer.deliver_channel(await schedule_id(harness))
    await arming
    assert first.status == DeliveryStatus.FAILED and len(first.message_ids) == 1

    fake.clear_faults()
    (resumed,) = await recovery.catch_up()
    assert resumed.status == DeliveryStatus.SENT and resumed.message_ids[0] == first.message_ids[0]
    texts = _posted(fake, channel)
    assert len(texts) == len(resumed.message_ids) == len(set(texts)) > 1


async def test_gateway_reconnect_adds_no_jobs_and_no_posts(harness: BotHarness) -> None:
    fake, bot = harness.fake, _bot(harness)
    await _setup(harness)
    await bot.services.deliverer.deliver_channel(await schedule_id(harness))
    jobs = sorted(job.id for job in bot.services.scheduler.scheduler.get_jobs())
    posted = len(fake.messages_in(harness.channel_id()))
    syncs = len(fake.requests_to("PUT", "/applications/{id}/commands"))
    scheduler = bot.services.scheduler.scheduler

    def catch_up_planned() -> datetime:
        job = scheduler.get_job("catch-up")
        assert job is not None and job.next_run_time is not None
        return job.next_run_time

    # the start-up catch-up has run once (on the first READY): next time is an interval away
    async with asyncio.timeout(10):
        while True:
            planned = catch_up_planned()
            if planned > datetime.now(UTC) + timedelta(minutes=5):
                break
            await asyncio.sleep(0.02)

    for invalidate in (False, True):  # a RESUME, then a fresh IDENTIFY (on_ready fires again)
        before = fake.resume_count + fake.identify_count
        await fake.drop_gateway(4000, invalidate_session=invalidate)
        await _wait_reconnected(fake, before)
        await fake.wait_for_gateway(timeout=10)
    assert fake.identify_count >= 2 and fake.resume_count >= 1

    assert sorted(job.id for job in bot.services.scheduler.scheduler.get_jobs()) == jobs
    assert catch_up_planned() == planned  # on_ready did not re-run it
    assert (
        len(fake.requests_to("PUT", "/applications/{id}/commands")) == syncs
    )  # setup_hook ran once
    assert [o.status for o in await bot.services.recovery.catch_up()] == [DeliveryStatus.ALREADY]
    assert len(fake.messages_in(harness.channel_id())) == posted
    reply = await reply_of(await fake.inject_slash_command("topics"))  # still answering
    assert reply.ephemeral


async def _wait_reconnected(fake: FakeDiscord, before: int) -> None:
    await fake.wait_until(lambda: fake.resume_count + fake.identify_count > before, timeout=10)


@pytest.mark.parametrize(
    ("status", "code", "reason"),
    [
        (403, 50013, "missing permissions"),
        (403, 50001, "Missing Access"),
        (404, 10003, "no longer exists"),
    ],
)
async def test_unusable_channel_pauses_tells_admin_once_and_resumes_on_setup(
    harness: BotHarness, status: int, code: int, reason: str
) -> None:
    fake, deliverer = harness.fake, _bot(harness).services.deliverer
    recovery = _bot(harness).services.recovery
    owner = harness.user("owner")
    await _setup(harness)
    news = f"/channels/{harness.channel_id()}/messages"
    fake.fail_next(
        "POST", news, status=status, json={"code": code, "message": "refused"}, times=None
    )
    outcome = await deliverer.deliver_channel(await schedule_id(harness))
    assert outcome.status == DeliveryStatus.PAUSED and reason in outcome.detail
    assert len(fake.requests_to("POST", news)) == 1  # no retry storm

    dms = fake.dms_to(owner.id)
    assert len(dms) == 1 and "I paused the briefing “daily” of **Newsroom**" in dms[0]["content"]
    assert "`/briefing edit daily`" in dms[0]["content"]
    status_reply = await reply_of(
        await fake.inject_slash_command("briefing", subcommand="status", user_id=owner.id)
    )
    assert "**paused**" in (status_reply.content or "") and reason in (status_reply.content or "")

    for _ in range(3):  # the sweep leaves a paused schedule alone, and the admin is told once
        assert await recovery.catch_up() == []
    assert len(fake.requests_to("POST", news)) == 1
    assert len(fake.dms_to(owner.id)) == 1

    fake.clear_faults()
    await reply_of(  # `/briefing edit` with nothing to change: resume
        await fake.inject_slash_command(
            "briefing", {"name": "daily"}, subcommand="edit", user_id=owner.id
        )
    )
    (resumed,) = await recovery.catch_up()  # the failed day is retried after the fix
    assert resumed.status == DeliveryStatus.SENT
    assert len(fake.messages_in(harness.channel_id())) == len(resumed.message_ids)


async def test_closed_dms_pause_only_that_digest(harness: BotHarness) -> None:
    fake, recovery, db = harness.fake, _bot(harness).services.recovery, _bot(harness).services.db
    closed = fake.add_user("closed", dms_closed=True)
    bob = harness.user("bob")
    for user in (closed, bob):
        await reply_of(
            await fake.inject_slash_command(
                "subscribe", {"topic": "Space", "time": "08:00"}, dm=True, user_id=user.id
            )
        )
    outcomes = {o.status for o in await recovery.catch_up()}
    assert outcomes == {DeliveryStatus.SENT, DeliveryStatus.PAUSED}
    assert fake.dms_to(bob.id) and not fake.dms_to(closed.id)
    settings = await subscriptions.digest_settings(db, closed.id)
    assert settings is not None and settings.paused_reason and "DMs" in settings.paused_reason
    listing = await reply_of(
        await fake.inject_slash_command("subscriptions", dm=True, user_id=closed.id)
    )
    assert "Paused" in text_of(listing) and "/subscribe" in (listing.content or "")
    assert [o.status for o in await recovery.catch_up()] == [
        "already"
    ]  # bob only; closed is skipped


async def _wait_logged(fake: FakeDiscord, caplog: pytest.LogCaptureFixture, marker: str) -> None:
    await fake.wait_until(lambda: any(marker in r.getMessage() for r in caplog.records))


async def test_expired_or_acknowledged_interactions_are_logged_without_crashing(
    harness: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    fake = harness.fake
    caplog.set_level(logging.WARNING, logger="bot.errors")
    for code in (10062, 40060):
        fake.fail_next(
            "POST",
            "/interactions/{id}/{token}/callback",
            status=404 if code == 10062 else 400,
            json={"code": code, "message": "no"},
            times=1,
        )
        inter = await fake.inject_slash_command("topics")
        await fake.wait_for_request("POST", f"/interactions/{inter.id}/{{token}}/callback")
        await _wait_logged(fake, caplog, str(inter.id))
    assert sum("could not be answered" in r.getMessage() for r in caplog.records) == 2
    reply = await reply_of(await fake.inject_slash_command("topics"))  # the bot still answers
    assert reply.ephemeral


async def test_per_member_cooldown_says_when_and_spares_autocomplete_and_buttons(
    world: FakeDiscord, tmp_path: Path
) -> None:
    harness = BotHarness(world, tmp_path, overrides={"command_rate": 2, "command_per_seconds": 60})
    await harness.start()
    try:
        alice = harness.user("alice")
        search = await reply_of(
            await world.inject_slash_command("search", {"query": "the"}, user_id=alice.id)
        )
        assert search.message_id is not None and "Slow down" not in text_of(search)
        second = await reply_of(await world.inject_slash_command("topics", user_id=alice.id))
        assert "Slow down" not in text_of(second)
        third = await reply_of(await world.inject_slash_command("topics", user_id=alice.id))
        # the window opened at the first command (the bot's clock stands still): 60 s later
        until = int(harness.clock.now.timestamp()) + 60
        assert third.ephemeral
        assert third.content == (
            f"Slow down: at most 2 commands per 60 seconds. Try again <t:{until}:R>."
        )
        # still throttled: autocomplete and buttons are not
        typing = await world.inject_autocomplete(
            "search", focused="topic", value="sp", options={"query": "x"}, user_id=alice.id
        )
        assert (await typing.wait_response()).callback_type == 8
        assert typing.autocomplete_choices
        button = await world.inject_component(search.message_id, "search:next", user_id=alice.id)
        page = await button.wait_response()
        assert page.callback_type == 7 and "Slow down" not in text_of(page)
        other = await reply_of(
            await world.inject_slash_command("topics", user_id=harness.user("bob").id)
        )
        assert "Slow down" not in text_of(other)
        # the cooldown reads the bot's clock: once the window has passed, alice is heard again
        harness.clock.now += timedelta(seconds=61)
        later = await reply_of(await world.inject_slash_command("topics", user_id=alice.id))
        assert "Slow down" not in text_of(later)
    finally:
        await harness.close()


async def test_double_clicked_paging_button(harness: BotHarness) -> None:
    fake, alice = harness.fake, harness.user("alice")
    reply = await reply_of(
        await fake.inject_slash_command("search", {"query": "the"}, user_id=alice.id)
    )
    assert reply.message_id is not None
    first, second = await asyncio.gather(
        fake.inject_component(reply.message_id, "search:next", user_id=alice.id),
        fake.inject_component(reply.message_id, "search:next", user_id=alice.id),
    )
    answers = [await first.wait_response(), await second.wait_response()]
    assert all(a.callback_type == 7 for a in answers)
    assert {"Page 2/" in text_of(a) or "Page 3/" in text_of(a) for a in answers} == {True}


async def test_forget_me_deletes_everything(harness: BotHarness) -> None:
    fake, alice, db = harness.fake, harness.user("alice"), _bot(harness).services.db
    await reply_of(
        await fake.inject_slash_command("subscribe", {"topic": "Space"}, user_id=alice.id)
    )
    listing = await reply_of(await fake.inject_slash_command("subscriptions", user_id=alice.id))
    assert listing.message_id is not None
    labels = [b["label"] for b in listing.data["components"][0]["components"]]
    assert labels == ["Forget me", "Yes, delete my data"]

    intruder = await fake.inject_component(
        listing.message_id, "forget:confirm", user_id=harness.user("bob").id
    )
    assert "someone else" in ((await intruder.wait_response()).content or "")
    assert await subscriptions.digest_settings(db, alice.id) is not None

    ask = await fake.inject_component(listing.message_id, "forget:ask", user_id=alice.id)
    assert "Sure?" in ((await ask.wait_response()).content or "")
    confirm = await fake.inject_component(listing.message_id, "forget:confirm", user_id=alice.id)
    assert "no longer stores anything" in ((await confirm.wait_response()).content or "")
    assert await subscriptions.digest_settings(db, alice.id) is None


async def test_broken_store_files_are_skipped_and_counted_in_status(
    world: FakeDiscord, tmp_path: Path
) -> None:
    import shutil

    from tests.conftest import SAMPLE_STORE

    store = tmp_path / "store"
    shutil.copytree(SAMPLE_STORE, store)
    (store / "news" / "binary.md").write_bytes(b"\x00\xff" * 100)
    (store / "news" / "bomb.md").write_text("---\na: &a [x]\ntitle: *a\n---\n", encoding="utf-8")
    (store / "news" / "tag.md").write_text(
        "---\ntitle: !!python/object/apply:os.system [x]\n---\n", encoding="utf-8"
    )
    (store / "news" / "dangling.md").symlink_to(store / "nowhere.md")
    harness = BotHarness(world, tmp_path, store=store)
    await harness.start()
    try:
        owner = harness.user("owner")
        status = await reply_of(
            await world.inject_slash_command("briefing", subcommand="status", user_id=owner.id)
        )
        assert "60 articles, 4 files skipped" in (status.content or "")
        assert "e2e-secret-token" not in (status.content or "")
        search = await reply_of(await world.inject_slash_command("search", {"query": "battery"}))
        assert "Tidewater" in text_of(search)  # the good articles all loaded
    finally:
        await harness.close()


async def test_article_text_cannot_ping(harness: BotHarness) -> None:
    fake = harness.fake
    await _setup(harness)
    await _bot(harness).services.deliverer.deliver_channel(await schedule_id(harness))
    text = "\n".join(_posted(fake, harness.channel_id()))
    assert "everyone" in text  # the sample's "@everyone" headline is there, defused
    assert "@everyone" not in text
