"""Where a briefing goes (issue 13, part 4), end to end through the fake Discord: an
announcement channel publishes each post to followers, a forum gets one titled and tagged post
per briefing, ``thread: true`` opens a thread per briefing; missing permissions are refused or
named (set-up reply and ``/briefing status``); a post or thread is never created twice, and a
publication that fails keeps the post and is reported.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.state import deliveries, schedules
from bot.state.deliveries import Delivery, DeliveryKind, DeliveryStatus
from tests.bot.harness import (
    SAMPLE_MORNING,
    BotHarness,
    schedule_id,
    text_of,
)
from tests.bot.harness import briefing_command as _command
from tests.fake_discord import (
    CREATE_PUBLIC_THREADS,
    SEND_MESSAGES,
    SEND_MESSAGES_IN_THREADS,
    FakeChannel,
    FakeDiscord,
    ForumTag,
    new_snowflake,
)

TITLE_DATE = "Tuesday 10 March 2026"
DUE = SAMPLE_MORNING.replace(minute=46)  # the briefings below are set up for 08:45


@pytest.fixture
async def world(world: FakeDiscord) -> FakeDiscord:
    """The shared world plus an announcement channel and a forum with topic tags."""
    guild = next(iter(world.guilds))
    world.add_announcement_channel(guild, "announcements")
    tags: list[str | ForumTag] = ["space", "CLIMATE", "Robotics"]
    tags.append(ForumTag(new_snowflake(), "Security", moderated=True))
    world.add_forum_channel(guild, "briefings", tags=tags)
    return world


def _channel(harness: BotHarness, name: str) -> FakeChannel:
    return harness.fake.channels[harness.channel_id(name)]


async def _setup(harness: BotHarness, channel: str, **options: Any) -> str:
    values = {"channel": harness.channel_id(channel), "time": "08:45", "timezone": "UTC"}
    return await _command(harness, "setup", **values, **options)


async def _deliver(harness: BotHarness, name: str | None = None) -> Delivery:
    """Run the catch-up at 08:46 (the briefing is due); the delivery it logged."""
    assert harness.bot is not None
    services = harness.bot.services
    harness.clock.now = DUE
    await services.recovery.catch_up()
    target = await schedule_id(harness, name)
    last = await deliveries.last_delivery(services.db, DeliveryKind.CHANNEL, target)
    assert last is not None
    return last


async def _nothing_more(harness: BotHarness) -> None:
    """A second catch-up and a restart post nothing again."""
    assert harness.bot is not None
    outcomes = await harness.bot.services.recovery.catch_up()
    assert {o.status for o in outcomes} == {DeliveryStatus.ALREADY}
    await harness.restart()
    assert harness.bot is not None
    outcomes = await harness.bot.services.recovery.catch_up()
    assert {o.status for o in outcomes} == {DeliveryStatus.ALREADY}


def _ids(messages: list[dict[str, Any]]) -> list[int]:
    return [int(m["id"]) for m in messages]


# --- announcement channels ---------------------------------------------------------------


async def test_an_announcement_briefing_is_published_to_followers(harness: BotHarness) -> None:
    reply = await _setup(harness, "announcements")
    assert "announcement channel: published to followers" in reply and "⚠️" not in reply
    sent = await _deliver(harness)
    posted = harness.fake.messages_in(harness.channel_id("announcements"))
    assert sent.status == DeliveryStatus.SENT and sent.notice is None
    assert len(posted) >= 2 and list(sent.message_ids) == _ids(posted)
    assert harness.fake.published == _ids(posted)  # every part, in order
    await _nothing_more(harness)
    assert harness.fake.published == _ids(posted)  # nothing published twice


async def test_a_publication_that_fails_keeps_the_post_and_status_says_so(
    harness: BotHarness,
) -> None:
    assert harness.bot is not None
    await _setup(harness, "announcements")
    harness.fake.messages.publish_limit = 1  # Discord's hourly limit, reached after one
    harness.bot.services.deliverer.publish_wait = 1.0  # not waiting out the hour
    sent = await _deliver(harness)
    posted = harness.fake.messages_in(harness.channel_id("announcements"))
    assert sent.status == DeliveryStatus.SENT and len(posted) >= 2  # nothing lost
    assert harness.fake.published == _ids(posted)[:1]
    assert sent.notice is not None and "Not published to followers" in sent.notice
    status = await _command(harness, "status")
    assert "Not published to followers" in status and "Publish it from" in status


async def test_a_publication_refused_by_discord_is_reported(harness: BotHarness) -> None:
    await _setup(harness, "announcements")
    crosspost = "/channels/{id}/messages/{id}/crosspost"
    refused = {"message": "Missing Permissions", "code": 50013}
    harness.fake.fail_next("POST", crosspost, status=403, json=refused, times=None)
    sent = await _deliver(harness)
    assert sent.status == DeliveryStatus.SENT and harness.fake.published == []
    assert sent.notice is not None and "Missing Permissions" in sent.notice
    harness.fake.clear_faults()


# --- forums ------------------------------------------------------------------------------


async def test_a_forum_gets_one_titled_tagged_post_per_briefing(harness: BotHarness) -> None:
    reply = await _setup(
        harness, "briefings", name="morning", topics="Space, Climate & Energy, Security"
    )
    assert "forum: one post per briefing" in reply and "⚠️" not in reply
    sent = await _deliver(harness)
    forum = _channel(harness, "briefings")
    (post,) = harness.fake.threads_in(forum.id)
    assert post.name == f"morning · {TITLE_DATE}"
    messages = harness.fake.messages_in(post.id)
    assert sent.status == DeliveryStatus.SENT and list(sent.message_ids) == _ids(messages)
    assert int(messages[0]["id"]) == post.id  # the post's first message
    assert messages[0]["content"].startswith("**Daily briefing** · morning")
    # Tags named like the post's topics, ignoring case ("CLIMATE" is Climate & Energy's
    # shortname); "Security" is moderated and the bot lacks Manage Threads: not applied.
    names = {tag.id: tag.name for tag in forum.available_tags}
    assert post.thread is not None
    assert sorted(names[t] for t in post.thread.applied_tags) == ["CLIMATE", "space"]
    await _nothing_more(harness)
    assert len(harness.fake.threads_in(forum.id)) == 1


async def test_a_post_of_many_topics_gets_at_most_5_tags(
    world: FakeDiscord, harness: BotHarness
) -> None:
    forum = _channel(harness, "briefings")
    for name in ("AI", "Technology", "Open Source", "Health Tech", "Robotics"):
        if all(t.name != name for t in forum.available_tags):
            world.add_forum_tag(forum.id, name)
    await harness.restart()  # the bot sees the new tags (as after any CHANNEL_UPDATE)
    await _setup(harness, "briefings", per_topic=10)
    await _deliver(harness)
    (post,) = harness.fake.threads_in(forum.id)
    assert post.thread is not None and len(post.thread.applied_tags) == 5


async def test_a_forum_the_bot_cannot_post_in_is_refused_and_nothing_changes(
    harness: BotHarness,
) -> None:
    forum = harness.channel_id("briefings")
    harness.fake.set_bot_channel_permissions(forum, deny=SEND_MESSAGES)
    await _setup(harness, "news", name="morning")
    assert harness.bot is not None
    before = await schedules.guild_schedules(harness.bot.services.db, harness.guild.id)
    reply = await _setup(harness, "briefings", name="forum")
    assert "I can't post in <#" in reply and "I need Create Posts there" in reply
    reply = await _command(harness, "edit", name="morning", channel=forum)
    assert "I need Create Posts there" in reply
    after = await schedules.guild_schedules(harness.bot.services.db, harness.guild.id)
    assert after == before


async def test_missing_optional_permissions_are_warnings_in_setup_and_status(
    harness: BotHarness,
) -> None:
    harness.fake.set_bot_channel_permissions(
        harness.channel_id("briefings"), deny=SEND_MESSAGES_IN_THREADS
    )
    harness.fake.set_bot_channel_permissions(harness.channel_id("news"), deny=CREATE_PUBLIC_THREADS)
    reply = await _setup(harness, "briefings", name="forum")
    assert "⚠️" in reply and "Send Messages in Posts" in reply
    reply = await _setup(harness, "news", name="threads", thread=True)
    assert "⚠️" in reply and "I need Create Public Threads there" in reply
    status = await _command(harness, "status", name="threads")
    assert "a thread per briefing" in status and "I need Create Public Threads" in status
    # The briefing is posted anyway, without a thread, and the status says so.
    sent = await _deliver(harness, "threads")
    news = harness.fake.messages_in(harness.channel_id("news"))
    assert sent.status == DeliveryStatus.SENT and list(sent.message_ids) == _ids(news)
    assert harness.fake.threads_in(harness.channel_id("news")) == []
    assert sent.notice is not None and "Posted without a thread" in sent.notice
    assert "Posted without a thread" in await _command(harness, "status", name="threads")


async def test_a_forum_post_whose_answer_was_lost_is_not_created_twice(
    harness: BotHarness,
) -> None:
    forum = harness.channel_id("briefings")
    await _setup(harness, "briefings")
    # Discord creates the post, the answer never arrives; the retry finds the post.
    harness.fake.drop_next("POST", f"/channels/{forum}/threads", apply=True)
    sent = await _deliver(harness)
    (post,) = harness.fake.threads_in(forum)
    assert sent.status == DeliveryStatus.SENT
    assert list(sent.message_ids) == _ids(harness.fake.messages_in(post.id))


async def test_a_failed_forum_delivery_resumes_in_its_post(
    world: FakeDiscord, harness: BotHarness
) -> None:
    forum = harness.channel_id("briefings")
    harness.overrides["send_retry_attempts"] = 1
    await harness.restart()
    await _setup(harness, "briefings")
    harness.fake.drop_next("POST", f"/channels/{forum}/threads", apply=True)
    failed = await _deliver(harness)
    assert failed.status == DeliveryStatus.FAILED and failed.message_ids == ()
    assert len(harness.fake.threads_in(forum)) == 1  # Discord has it; the log does not
    harness.fake.messages.nonce_window = 0
    sent = await _deliver(harness)  # the next catch-up
    (post,) = harness.fake.threads_in(forum)
    messages = harness.fake.messages_in(post.id)
    assert sent.status == DeliveryStatus.SENT and list(sent.message_ids) == _ids(messages)
    assert len({text_of(m) for m in messages}) == len(messages) >= 2  # each part once


# --- threads -----------------------------------------------------------------------------


async def test_a_thread_per_briefing_in_a_text_channel(harness: BotHarness) -> None:
    reply = await _setup(harness, "news", name="morning", thread=True)
    assert "text channel, a thread per briefing" in reply and "⚠️" not in reply
    sent = await _deliver(harness)
    news = harness.channel_id("news")
    (first,) = harness.fake.messages_in(news)  # the channel holds the first part only
    (thread,) = harness.fake.threads_in(news)
    assert thread.id == int(first["id"]) and thread.name == f"morning · {TITLE_DATE}"
    rest = harness.fake.messages_in(thread.id)
    assert sent.status == DeliveryStatus.SENT and rest
    assert list(sent.message_ids) == [thread.id, *_ids(rest)]
    await _nothing_more(harness)
    assert len(harness.fake.threads_in(news)) == 1

    # Turned off with edit: the next day's briefing is all in the channel.
    await _command(harness, "edit", name="morning", thread=False)
    assert "thread" not in (await _command(harness, "list")).split("**morning**")[1]


async def test_a_thread_briefing_resumed_after_a_lost_answer_opens_one_thread(
    harness: BotHarness,
) -> None:
    news = harness.channel_id("news")
    harness.overrides["send_retry_attempts"] = 1
    await harness.restart()
    await _setup(harness, "news", thread=True)
    # The thread is created, the answer lost: this attempt fails after the first part.
    harness.fake.drop_next("POST", f"/channels/{news}/messages/{{id}}/threads", apply=True)
    failed = await _deliver(harness)
    assert failed.status == DeliveryStatus.FAILED and len(failed.message_ids) == 1
    sent = await _deliver(harness)
    (thread,) = harness.fake.threads_in(news)
    assert sent.status == DeliveryStatus.SENT
    assert list(sent.message_ids) == [thread.id, *_ids(harness.fake.messages_in(thread.id))]
    assert len(harness.fake.messages_in(news)) == 1


async def test_a_thread_briefing_that_went_to_the_channel_is_finished_in_the_channel(
    harness: BotHarness,
) -> None:
    """Without Create Public Threads the first attempt posts in the channel (with the notice)
    and dies after its first part; the permission is granted meanwhile. The next attempt keeps
    the first one's decision: the rest goes to the channel, no thread is opened late."""
    news = harness.channel_id("news")
    harness.overrides["send_retry_attempts"] = 1
    await harness.restart()
    harness.fake.set_bot_channel_permissions(news, deny=CREATE_PUBLIC_THREADS)
    await _setup(harness, "news", name="threads", thread=True)
    assert "can't open a thread" in await _command(harness, "status", name="threads")

    async def outage_after_the_first_part() -> None:
        await harness.fake.wait_until(lambda: harness.fake.messages_in(news), timeout=60)
        harness.fake.fail_next("POST", "/channels/{id}/messages", status=503, times=None)

    arming = asyncio.create_task(outage_after_the_first_part())
    failed = await _deliver(harness, "threads")
    await arming
    assert failed.status == DeliveryStatus.FAILED and len(failed.message_ids) == 1
    assert failed.notice is not None and "Posted without a thread" in failed.notice

    harness.fake.clear_faults()
    harness.fake.set_bot_channel_permissions(news)  # granted again (events arrive in order:
    assert "can't open a thread" not in await _command(harness, "status", name="threads")
    sent = await _deliver(harness, "threads")  # the bot's cache knows it by now)
    assert sent.status == DeliveryStatus.SENT and len(sent.message_ids) > 1
    assert harness.fake.threads_in(news) == []
    assert list(sent.message_ids) == _ids(harness.fake.messages_in(news))
    assert sent.notice is not None and "Posted without a thread" in sent.notice


async def test_a_day_matching_no_tag_of_a_forum_that_requires_one_gets_its_first_tag(
    world: FakeDiscord, harness: BotHarness
) -> None:
    """A forum that requires a tag (Discord refuses an untagged post, 40067): a day whose
    topics match none of its tags is posted under the first tag the bot may apply, status
    says so, and the briefing is not paused."""
    guild = next(iter(world.guilds))
    staff = ForumTag(new_snowflake(), "Staff picks", moderated=True)
    tags: list[str | ForumTag] = [staff, "General", "Sports"]
    strict = world.add_forum_channel(guild, "strict", tags=tags, require_tag=True)
    reply = await _setup(harness, "strict", name="space", topics="Space")
    assert "requires a tag on every post" in reply and "its first tag" in reply
    sent = await _deliver(harness, "space")
    (post,) = harness.fake.threads_in(strict.id)
    assert sent.status == DeliveryStatus.SENT and post.thread is not None
    names = {tag.id: tag.name for tag in strict.available_tags}
    assert [names[t] for t in post.thread.applied_tags] == ["General"]
    status = await _command(harness, "status", name="space")
    assert "tagged “General”, the first tag I may apply" in status
    assert harness.bot is not None
    schedule = await schedules.schedule_by_id(
        harness.bot.services.db, await schedule_id(harness, "space")
    )
    assert schedule is not None and schedule.active


async def test_a_forum_whose_required_tags_the_bot_may_not_apply_pauses_with_the_reason(
    world: FakeDiscord, harness: BotHarness
) -> None:
    guild = next(iter(world.guilds))
    staff = ForumTag(new_snowflake(), "Staff picks", moderated=True)
    strict = world.add_forum_channel(guild, "strict", tags=[staff], require_tag=True)
    await _setup(harness, "strict", name="space", topics="Space")
    paused = await _deliver(harness, "space")
    assert paused.status == DeliveryStatus.FAILED and harness.fake.threads_in(strict.id) == []
    status = await _command(harness, "status", name="space")
    assert "I may apply none of its tags" in status and "Manage Threads" in status
