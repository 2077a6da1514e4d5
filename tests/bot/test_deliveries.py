"""Scheduled channel posts and DM digests, end to end: on time, late, never twice."""

from __future__ import annotations

import asyncio
import logging
from datetime import time, timedelta
from pathlib import Path

import pytest

from bot.client import BriefingBot
from bot.exactly_once import Outcome
from bot.scheduler import channel_job_id, digest_job_id
from bot.state import claims, deliveries, instances
from bot.state.claims import Claimant
from bot.state.deliveries import DeliveryKind, DeliveryStatus
from tests.bot.harness import (
    SAMPLE_MORNING,
    BotHarness,
    reply_of,
    schedule_id,
    text_of,
    wait_delivered,
)
from tests.fake_discord import FakeDiscord


def _bot(harness: BotHarness) -> BriefingBot:
    assert harness.bot is not None
    return harness.bot


async def _setup(harness: BotHarness, at: str, **extra: str) -> None:
    owner = harness.user("owner")
    options = {"channel": harness.channel_id("news"), "time": at, "timezone": "UTC", **extra}
    reply = await reply_of(
        await harness.fake.inject_slash_command(
            "briefing", options, subcommand="setup", user_id=owner.id
        )
    )
    assert "will be posted" in (reply.content or ""), reply.data


def _assert_within_discord_limits(fake: FakeDiscord, channel_id: int) -> None:
    for message in fake.messages_in(channel_id):
        assert len(message.get("content") or "") <= 2000
        embeds = message.get("embeds") or []
        assert len(embeds) <= 10
        total = 0
        for embed in embeds:
            assert len(embed.get("title") or "") <= 256
            assert len(embed.get("description") or "") <= 4096
            assert len(embed.get("fields") or []) <= 25
            total += len(embed.get("title") or "") + len(embed.get("description") or "")
            total += len((embed.get("footer") or {}).get("text") or "")
            total += sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields") or [])
        assert total <= 6000


async def test_scheduled_post_goes_out_once(harness: BotHarness) -> None:
    fake, news, bot = harness.fake, harness.channel_id("news"), _bot(harness)
    await _setup(harness, "08:45")
    harness.clock.now = SAMPLE_MORNING.replace(minute=46)
    assert bot.services.scheduler.run_now(channel_job_id(await schedule_id(harness)))
    assert (
        await wait_delivered(harness, DeliveryKind.CHANNEL, await schedule_id(harness))
    ).status == DeliveryStatus.SENT
    first = fake.messages_in(news)[0]
    assert first["content"].startswith("**Daily briefing** · Tuesday 10 March 2026")
    text = "\n".join(text_of(m) for m in fake.messages_in(news))
    assert "Tidewater Grid" in text and "Orbital dock" in text
    assert "Meridian Savings Bank" not in text  # unpublished
    for request in fake.requests_to("POST", "/channels/{id}/messages"):
        assert request.json["allowed_mentions"] == {"parse": []}
    _assert_within_discord_limits(fake, news)

    count = len(fake.messages_in(news))
    assert await bot.services.deliverer.deliver_channel(await schedule_id(harness)) == Outcome(
        DeliveryStatus.ALREADY
    )
    assert [o.status for o in await bot.services.recovery.catch_up()] == [DeliveryStatus.ALREADY]
    assert len(fake.messages_in(news)) == count


async def test_restart_does_not_post_again(harness: BotHarness) -> None:
    fake, news = harness.fake, harness.channel_id("news")
    await _setup(harness, "08:45")
    harness.clock.now = SAMPLE_MORNING.replace(minute=50)
    outcome = await _bot(harness).services.deliverer.deliver_channel(await schedule_id(harness))
    assert outcome.status == DeliveryStatus.SENT and outcome.message_ids
    count = len(fake.messages_in(news))

    await harness.restart()  # the start-up catch-up runs again
    assert [o.status for o in await _bot(harness).services.recovery.catch_up()] == [
        DeliveryStatus.ALREADY
    ]
    assert len(fake.messages_in(news)) == count
    status = await reply_of(
        await fake.inject_slash_command(
            "briefing", subcommand="status", user_id=harness.user("owner").id
        )
    )
    assert "Last delivery: 2026-03-10, sent" in (status.content or "")


async def test_missed_post_is_caught_up_once_after_downtime(harness: BotHarness) -> None:
    fake, news = harness.fake, harness.channel_id("news")
    harness.clock.now = SAMPLE_MORNING.replace(hour=7)
    await _setup(harness, "08:00")
    await harness.stop()  # down over 08:00

    harness.clock.now = SAMPLE_MORNING.replace(hour=10)  # back within the grace period
    await harness.start()
    assert (
        await wait_delivered(harness, DeliveryKind.CHANNEL, await schedule_id(harness))
    ).status == DeliveryStatus.SENT
    # the start-up catch-up waited for the gateway: nothing was posted before READY
    first_post = fake.requests_to("POST", "/channels/{id}/messages")[0]
    assert first_post.time > fake.gateway.ready_times[-1]
    posted = fake.messages_in(news)
    assert posted[0]["content"].startswith("**Daily briefing**")
    # the late post is the 08:00 briefing: its window ends at the scheduled time
    footer = (posted[-1]["embeds"][-1].get("footer") or {}).get("text", "")
    assert "08:00" in footer
    count = len(fake.messages_in(news))

    await harness.restart()
    assert [o.status for o in await _bot(harness).services.recovery.catch_up()] == [
        DeliveryStatus.ALREADY
    ]
    assert len(fake.messages_in(news)) == count


async def test_post_missed_beyond_the_grace_period_is_skipped(harness: BotHarness) -> None:
    harness.clock.now = SAMPLE_MORNING.replace(hour=7)
    await _setup(harness, "08:00")
    harness.clock.now = SAMPLE_MORNING.replace(hour=8) + timedelta(hours=7)  # grace is 6 h
    outcomes = await _bot(harness).services.recovery.catch_up()
    assert [o.status for o in outcomes] == [DeliveryStatus.NOT_DUE]
    assert harness.fake.messages_in(harness.channel_id("news")) == []


async def test_setup_after_todays_time_waits_for_tomorrow(harness: BotHarness) -> None:
    await _setup(harness, "07:00")  # it is 08:30 already
    assert [o.status for o in await _bot(harness).services.recovery.catch_up()] == [
        DeliveryStatus.NOT_DUE
    ]
    assert harness.fake.messages_in(harness.channel_id("news")) == []
    next_run = _bot(harness).services.scheduler.next_run(await schedule_id(harness))
    assert next_run is not None and next_run.hour == 7 and next_run.minute == 0


async def test_dm_digest_has_only_the_members_topics_and_goes_out_once(harness: BotHarness) -> None:
    fake, alice, bot = harness.fake, harness.user("alice"), _bot(harness)
    harness.clock.now = SAMPLE_MORNING.replace(hour=7)
    await reply_of(
        await fake.inject_slash_command(
            "subscribe", {"topic": "Space", "time": "08:00"}, user_id=alice.id
        )
    )
    harness.clock.now = SAMPLE_MORNING.replace(hour=8, minute=1)
    assert bot.services.scheduler.run_now(digest_job_id(time(8, 0), "UTC"))
    assert (
        await wait_delivered(harness, DeliveryKind.DIGEST, alice.id)
    ).status == DeliveryStatus.SENT
    dms = fake.dms_to(alice.id)
    text = "\n".join(text_of(m) for m in dms)
    assert dms[0]["content"].startswith("**Your daily digest** · Space")
    assert "Orbital dock" in text and "Tidewater" not in text
    assert all(
        r.json["allowed_mentions"] == {"parse": []}
        for r in fake.requests_to("POST", "/channels/{id}/messages")
    )

    count = len(fake.dms_to(alice.id))
    outcomes = await bot.services.recovery.catch_up()
    assert [o.status for o in outcomes] == [DeliveryStatus.ALREADY]
    assert len(fake.dms_to(alice.id)) == count
    assert fake.dms_to(harness.user("bob").id) == []


async def test_empty_day_sends_no_digest(harness: BotHarness) -> None:
    fake, alice, bot = harness.fake, harness.user("alice"), _bot(harness)
    await reply_of(
        await fake.inject_slash_command(
            "subscribe", {"topic": "Space", "time": "08:00"}, user_id=alice.id
        )
    )
    harness.clock.now = SAMPLE_MORNING + timedelta(days=30)  # nothing published in that window
    outcomes = await bot.services.recovery.catch_up()
    assert [o.status for o in outcomes] == [DeliveryStatus.EMPTY]
    assert fake.dms_to(alice.id) == []


async def test_a_bot_stopped_mid_delivery_stops_in_bounded_time_and_is_taken_over_at_once(
    world: FakeDiscord, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Stopping cancels the running job, waits for it, marks the instance stopped, then closes
    the database; the next start takes the unfinished claim over at once (the clock has not
    moved: no lease expired) and Discord's nonce keeps the held message single."""
    harness = BotHarness(world, tmp_path)
    bot = await harness.start()
    news = harness.channel_id("news")
    await _setup(harness, "08:45")
    harness.clock.now = SAMPLE_MORNING.replace(minute=46)
    world.hold_next("POST", "/channels/{id}/messages", seconds=60)
    assert bot.services.scheduler.run_now(channel_job_id(await schedule_id(harness)))
    await world.wait_until(lambda: world.messages_in(news), timeout=10)
    first_instance = bot.services.instance.id
    async with asyncio.timeout(15):  # the job waits 60 s for Discord: stop() must not
        await harness.stop()
    # A job cancelled by the shutdown is no failure: nothing at ERROR for it.
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    restarted = await harness.start()
    try:
        last = await wait_delivered(harness, DeliveryKind.CHANNEL, await schedule_id(harness))
        assert last.status == DeliveryStatus.SENT and last.attempts == 2
        assert last.holder == restarted.services.instance.id != first_instance
        texts = [text_of(m) for m in world.messages_in(news)]
        assert len(texts) == len(set(texts)) >= 2
        assert sum(t.startswith("**Daily briefing**") for t in texts) == 1
    finally:
        await harness.close()


async def test_two_orphaned_days_of_one_subscriber_are_one_digest(harness: BotHarness) -> None:
    """A gone instance left a member's digest unfinished today and on a day long past.
    Taking over both must send today's digest once, not once per orphaned day (only Discord's
    short nonce window would hide the second copy), and mark the past day failed, "not due
    any more", instead of leaving it "sending" for ever."""
    fake, alice, bot = harness.fake, harness.user("alice"), _bot(harness)
    harness.clock.now = SAMPLE_MORNING.replace(hour=7)
    await reply_of(
        await fake.inject_slash_command(
            "subscribe", {"topic": "Space", "time": "08:00"}, user_id=alice.id
        )
    )
    db, now = bot.services.db, SAMPLE_MORNING.replace(hour=8, minute=1)
    gone = Claimant(holder="d" * 32)
    await instances.register(db, "d" * 32, "elsewhere/worker", now=now - timedelta(days=3))
    for day in (now.date() - timedelta(days=3), now.date()):
        assert await claims.claim(db, DeliveryKind.DIGEST, alice.id, day, now=now, claimant=gone)
    await instances.stop(db, "d" * 32, now=now)
    # Only the bot itself can keep the digest single: no nonce memory, no history to read.
    fake.messages.nonce_window = 0
    fake.fail_next("GET", "/channels/{id}/messages", status=403, times=None)
    harness.clock.now = now
    outcomes = await bot.services.recovery.take_over()
    statuses = [o.status for o in outcomes]
    headings = [m["content"] for m in fake.dms_to(alice.id) if m.get("content")]
    assert sum(h.startswith("**Your daily digest**") for h in headings) == 1, headings
    assert statuses == ["sent"]
    past = await deliveries.get_delivery(
        db, DeliveryKind.DIGEST, alice.id, now.date() - timedelta(days=3)
    )
    assert past is not None and (past.status, past.error) == ("failed", "not due any more")
    assert (
        await claims.orphaned_claims(
            db, now=harness.clock(), claimant=bot.services.deliverer.claimant
        )
        == []
    )
    assert await bot.services.recovery.take_over() == []  # nothing left, nothing sent again
    assert sum(h.startswith("**Your daily digest**") for h in headings) == 1


async def test_orphaned_channel_claims_no_longer_due_are_marked_failed(
    harness: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    """A gone instance left four channel briefings "sending": today's of a schedule due 15
    minutes ago (taken over and posted), yesterday's and today's of a schedule whose time
    today is past the grace period, and one of a deleted schedule. Those three will never be
    sent: each is marked failed, "not due any more"."""
    fake, bot = harness.fake, _bot(harness)
    harness.clock.now = SAMPLE_MORNING.replace(hour=7)
    await _setup(harness, "01:00", name="early")
    await _setup(harness, "07:30", name="late")
    early, late = await schedule_id(harness, "early"), await schedule_id(harness, "late")
    db, now = bot.services.db, SAMPLE_MORNING.replace(hour=7, minute=45)  # early: 6 h 45 ago
    gone = Claimant(holder="e" * 32)
    await instances.register(db, "e" * 32, "elsewhere/shards-0", now=now - timedelta(days=2))
    today, yesterday = now.date(), now.date() - timedelta(days=1)
    stale = [(early, yesterday), (early, today), (late + 100, today)]
    for target, day in [*stale, (late, today)]:
        assert await claims.claim(db, DeliveryKind.CHANNEL, target, day, now=now, claimant=gone)
    await instances.stop(db, "e" * 32, now=now)
    harness.clock.now = now
    caplog.set_level(logging.WARNING, logger="bot.recovery")
    assert [o.status for o in await bot.services.recovery.take_over()] == ["sent"]
    for target, day in stale:
        left = await deliveries.get_delivery(db, DeliveryKind.CHANNEL, target, day)
        assert left is not None and (left.status, left.error) == ("failed", "not due any more")
    posted = await deliveries.get_delivery(db, DeliveryKind.CHANNEL, late, today)
    assert posted is not None and posted.status == "sent" and posted.attempts == 2
    headings = [m["content"] for m in fake.messages_in(harness.channel_id("news"))]
    assert [h for h in headings if h.startswith("**Daily briefing**")] == [headings[0]]
    assert "late" in headings[0]
    retired = [r for r in caplog.records if "no longer due: marked failed" in r.getMessage()]
    assert len(retired) == 3
    metrics = bot.services.metrics.render().decode()
    assert 'briefing_deliveries_total{kind="channel",status="failed"} 3.0' in metrics
    assert await bot.services.recovery.take_over() == []  # nothing is left orphaned
