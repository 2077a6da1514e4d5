"""Role pings, on purpose only (issue 13, part 5), end to end through the fake Discord.

``/briefing ping topic [role] [name]`` sets or clears the role a briefing mentions for a
topic; the post's first message mentions exactly the configured roles of the topics it shows,
with ``allowed_mentions`` naming only them; hostile article text pings nobody; a role deleted
after it was configured is not mentioned; roles the bot cannot mention are refused and change
nothing; ``status``, ``list`` and ``preview`` show the pings, and a preview pings nobody.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.state import pings
from bot.state.deliveries import DeliveryStatus
from bot.usecases import pings as ping_cases
from tests.bot.harness import SAMPLE_MORNING, BotHarness, reply_of, schedule_id, text_of
from tests.conftest import SAMPLE_STORE
from tests.fake_discord import MENTION_EVERYONE, FakeDiscord, FakeRole, MentionRecord

DUE = SAMPLE_MORNING.replace(minute=46)
"""Just after the 08:45 post of the schedules set up below."""


async def _command(harness: BotHarness, subcommand: str, **options: Any) -> str:
    """Run ``/briefing <subcommand>`` as the owner; the ephemeral reply's text."""
    inter = await harness.fake.inject_slash_command(
        "briefing", options, subcommand=subcommand, user_id=harness.user("owner").id
    )
    reply = await reply_of(inter)
    assert reply.ephemeral, reply.data
    assert reply.message_id is not None and not harness.fake.pings(reply.message_id).pinged_anyone
    return text_of(reply)


async def _role(harness: BotHarness, name: str, **options: Any) -> FakeRole:
    """A role added in Discord while the bot runs, once the bot's cache has it."""
    assert harness.bot is not None
    created = harness.bot.wait_for("guild_role_create", check=lambda r: r.name == name, timeout=10)
    role = harness.fake.add_role(harness.guild.id, name, **options)
    await created
    return role


async def _setup_4h(harness: BotHarness, **options: Any) -> int:
    """A briefing at 08:45 UTC of the 4 hours before: AI, Climate, Security (only among the
    top stories) and Open Source; no Space, no Robotics."""
    values = {
        "channel": harness.channel_id("news"),
        "time": "08:45",
        "timezone": "UTC",
        "window": "4h",
        "name": "morning",
        **options,
    }
    assert "Added" in await _command(harness, "setup", **values)
    return await schedule_id(harness, values["name"])


async def _post(harness: BotHarness, schedule: int) -> list[dict[str, Any]]:
    """Deliver the schedule's briefing now; its messages, in order."""
    assert harness.bot is not None
    harness.clock.now = DUE
    outcome = await harness.bot.services.deliverer.deliver_channel(schedule)
    assert outcome.status is DeliveryStatus.SENT, outcome
    return [harness.fake.messages.messages[i] for i in outcome.message_ids]


def _pinged(harness: BotHarness, messages: list[dict[str, Any]]) -> list[MentionRecord]:
    return [harness.fake.pings(int(m["id"])) for m in messages]


def _allowed(harness: BotHarness, messages: list[dict[str, Any]]) -> list[Any]:
    """The ``allowed_mentions`` each of ``messages`` was sent with."""
    sent = {
        r.response["id"]: r.json.get("allowed_mentions")
        for r in harness.fake.requests_to("POST", "/channels/{id}/messages")
        if r.status == 200
    }
    return [sent[m["id"]] for m in messages]


async def test_a_post_mentions_exactly_the_roles_of_the_topics_it_shows(
    harness: BotHarness,
) -> None:
    space = await _role(harness, "Space fans", mentionable=True)
    climate = await _role(harness, "Climate watch", mentionable=True)
    security = await _role(harness, "Security team")  # not mentionable: Mention Everyone
    robots = await _role(harness, "Robot people", mentionable=True)
    schedule = await _setup_4h(harness)
    for topic, role in [("space", space), ("climate & energy", climate), ("Security", security)]:
        reply = await _command(harness, "ping", topic=topic, role=role.id)
        assert f"will mention <@&{role.id}>" in reply and "from its next post" in reply
    # another briefing's pings are its own
    await _command(
        harness, "setup", channel=harness.channel_id("general"), time="09:00", timezone="UTC"
    )
    await _command(harness, "ping", topic="Open Source", role=robots.id, name="daily")

    messages = await _post(harness, schedule)
    assert len(messages) >= 1
    first, *rest = messages
    # Climate has a section; Security only a top story; Space has nothing in this briefing.
    assert first["content"].endswith(f"\n<@&{security.id}> <@&{climate.id}>")
    assert _allowed(harness, messages) == [
        {"parse": [], "roles": [security.id, climate.id]},
        *[{"parse": []}] * len(rest),
    ]
    assert _pinged(harness, [first]) == [
        MentionRecord(pinged_roles=frozenset({climate.id, security.id}))
    ]
    assert all(not record.pinged_anyone for record in _pinged(harness, rest))
    assert f"<@&{space.id}>" not in first["content"] and str(robots.id) not in first["content"]


async def test_without_pings_a_post_mentions_nobody(harness: BotHarness) -> None:
    messages = await _post(harness, await _setup_4h(harness))
    assert "<@&" not in messages[0]["content"]
    assert all(not record.pinged_anyone for record in _pinged(harness, messages))
    assert _allowed(harness, messages) == [{"parse": []}] * len(messages)


def _hostile_article(store: Path, slug: str, title: str, topic: str, quality: int) -> None:
    (store / "news" / f"2026-03-10-{slug}.md").write_text(
        "---\n"
        f"title: {title!r}\n"
        f"excerpt: {(title + ' — read more. ') * 3!r}\n"
        "publishedDateTime: 2026-03-10T08:00:00Z\n"
        f"webUrl: 'https://hostile.example/{slug}'\n"
        f"quality: {quality}\n"
        "published: true\n"
        "provider:\n"
        f"  name: {title!r}\n"
        "  domain: hostile.example\n"
        f"topics:\n  - {topic}\n"
        "---\n",
        encoding="utf-8",
    )


@pytest.fixture
async def hostile(world: FakeDiscord, tmp_path: Path) -> AsyncIterator[BotHarness]:
    """The bot over a copy of the sample store with articles whose every text tries to ping:
    everyone, here, a mentionable role nobody configured, and a member."""
    other = world.add_role(next(iter(world.guilds)), "Other", mentionable=True)
    alice = next(u for u in world.users.values() if u.username == "alice")
    store = tmp_path / "store"
    shutil.copytree(SAMPLE_STORE, store)
    bait = f"@everyone @here <@&{other.id}> <@{alice.id}> <@!{alice.id}>"
    _hostile_article(store, "bait-top", f"{bait} top story", "Climate & Energy", 500)
    for n in range(4):
        _hostile_article(store, f"bait-{n}", f"{bait} #{n}", "Space", 90 - n)
        _hostile_article(store, f"robots-{n}", f"{bait} robots {n}", "Robotics", 80 - n)
    h = BotHarness(world, tmp_path, store=store)
    await h.start()
    try:
        yield h
    finally:
        await h.close()


async def test_hostile_titles_ping_nobody(hostile: BotHarness) -> None:
    harness = hostile
    space = await _role(harness, "Space fans", mentionable=True)
    schedule = await _setup_4h(harness, length="full")
    quiet = await _setup_4h(harness, name="quiet", channel=harness.channel_id("general"))
    await _command(harness, "ping", topic="Space", role=space.id, name="morning")
    messages = await _post(harness, schedule)
    seen = "\n".join(text_of(m) for m in messages)
    assert "top story" in seen and "robots 3" in seen  # the bait is in the post …
    records = _pinged(harness, messages)
    # … and only the configured role of a topic shown is pinged, once, by the first message.
    assert records[0] == MentionRecord(pinged_roles=frozenset({space.id}))
    assert all(not record.pinged_anyone for record in records[1:])
    assert messages[0]["content"].count("<@&") == 1

    # The same hostile post from a briefing without pings pings nobody at all.
    messages = await _post(harness, quiet)
    assert "top story" in "\n".join(text_of(m) for m in messages)
    assert all(not record.pinged_anyone for record in _pinged(harness, messages))


async def test_a_role_deleted_after_it_was_configured_is_not_mentioned(
    harness: BotHarness,
) -> None:
    climate = await _role(harness, "Climate watch", mentionable=True)
    security = await _role(harness, "Security team", mentionable=True)
    schedule = await _setup_4h(harness)
    await _command(harness, "ping", topic="Climate & Energy", role=climate.id)
    await _command(harness, "ping", topic="Security", role=security.id)
    assert harness.bot is not None
    deleted = harness.bot.wait_for(
        "guild_role_delete", check=lambda r: r.id == climate.id, timeout=10
    )
    harness.fake.remove_role(harness.guild.id, climate.id)
    await deleted

    status = await _command(harness, "status")
    assert f"Climate & Energy → <@&{climate.id}>" in status
    assert "That role no longer exists in this server" in status and "not pinged" in status
    messages = await _post(harness, schedule)
    assert messages[0]["content"].endswith(f"\n<@&{security.id}>")
    assert _pinged(harness, messages)[0] == MentionRecord(pinged_roles=frozenset({security.id}))
    assert str(climate.id) not in "".join(m["content"] or "" for m in messages)
    # the configuration is kept (shown in status) until someone clears it
    schedule_pings = await pings.schedule_pings(harness.bot.services.db, schedule)
    assert {p.role_id for p in schedule_pings} == {climate.id, security.id}
    assert "no longer mentions" in await _command(harness, "ping", topic="Climate & Energy")


async def test_roles_the_bot_cannot_mention_are_refused_and_change_nothing(
    harness: BotHarness,
) -> None:
    assert harness.bot is not None
    db = harness.bot.services.db
    quiet = await _role(harness, "Quiet role")  # not mentionable
    managed = await _role(harness, "Server Booster", managed=True, mentionable=True)
    nobody = "No briefing is set up here"
    assert nobody in await _command(harness, "ping", topic="Space", role=quiet.id)
    schedule = await _setup_4h(harness, topics="Space, Security")

    everyone = await _command(harness, "ping", topic="Space", role=harness.guild.id)
    assert "never pings `@everyone`" in everyone
    assert "managed by an integration" in await _command(
        harness, "ping", topic="Space", role=managed.id
    )
    assert "There is no topic “Spcae”. Did you mean Space" in await _command(
        harness, "ping", topic="Spcae", role=quiet.id
    )
    not_posted = await _command(harness, "ping", topic="Robotics", role=quiet.id)
    assert "does not post Robotics" in not_posted and "Space, Security" in not_posted
    unknown = await _command(harness, "ping", topic="Space", role=quiet.id, name="evening")
    assert "no schedule named “evening”" in unknown

    # Not mentionable: fine while the bot has Mention Everyone in the channel, refused without.
    assert "will mention" in await _command(harness, "ping", topic="Space", role=quiet.id)
    updated = harness.bot.wait_for("guild_channel_update", timeout=10)
    harness.fake.set_bot_channel_permissions(harness.channel_id("news"), deny=MENTION_EVERYONE)
    await updated
    refused = await _command(harness, "ping", topic="Security", role=quiet.id)
    assert f"I can't mention <@&{quiet.id}> in <#{harness.channel_id('news')}>" in refused
    assert "Allow anyone to @mention this role" in refused
    status = await _command(harness, "status")
    assert f"Space → <@&{quiet.id}>" in status and "⚠️ Space: I can't mention" in status
    assert [(p.topic, p.role_id) for p in await pings.schedule_pings(db, schedule)] == [
        ("Space", quiet.id)
    ]


async def test_set_replace_clear_list_preview_and_autocomplete(harness: BotHarness) -> None:
    climate = await _role(harness, "Climate watch", mentionable=True)
    energy = await _role(harness, "Energy desk", mentionable=True)
    await _setup_4h(harness)
    await _command(
        harness,
        "setup",
        channel=harness.channel_id("general"),
        time="09:00",
        timezone="UTC",
        name="evening",
    )
    await _command(harness, "ping", topic="Climate & Energy", role=climate.id, name="morning")
    replaced = await _command(
        harness, "ping", topic="climate & energy", role=energy.id, name="morning"
    )
    assert f"will mention <@&{energy.id}> instead of <@&{climate.id}>" in replaced
    listed = await _command(harness, "list")
    assert listed.count("Pings:") == 1 and f"Climate & Energy → <@&{energy.id}>" in listed

    preview = await harness.fake.inject_slash_command(
        "briefing", {"name": "morning"}, subcommand="preview", user_id=harness.user("owner").id
    )
    shown = await reply_of(preview)
    assert f"The post would mention: <@&{energy.id}> (a preview pings nobody)" in text_of(shown)
    # the message naming the role (sent like every reply, with no mentions allowed)
    assert shown.message_id is not None and not harness.fake.pings(shown.message_id).pinged_anyone

    topics = await harness.fake.inject_autocomplete(
        "briefing", focused="topic", value="clim", subcommand="ping"
    )
    await topics.wait_response()
    assert [c["name"] for c in topics.autocomplete_choices or []] == ["Climate & Energy"]
    names = await harness.fake.inject_autocomplete(
        "briefing", focused="name", value="eve", options={"topic": "Space"}, subcommand="ping"
    )
    await names.wait_response()
    assert [c["name"] for c in names.autocomplete_choices or []] == ["evening"]

    cleared = await _command(harness, "ping", topic="Climate & Energy", name="morning")
    assert f"no longer mentions <@&{energy.id}> for **Climate & Energy**" in cleared
    again = await _command(harness, "ping", topic="Climate & Energy", name="morning")
    assert "pinged no role for **Climate & Energy**; nothing changed" in again
    assert "Pings:" not in await _command(harness, "list")


async def test_members_without_manage_server_cannot_set_pings(harness: BotHarness) -> None:
    climate = await _role(harness, "Climate watch", mentionable=True)
    schedule = await _setup_4h(harness)
    inter = await harness.fake.inject_slash_command(
        "briefing",
        {"topic": "Climate & Energy", "role": climate.id},
        subcommand="ping",
        user_id=harness.user("alice").id,
    )
    reply = await reply_of(inter)
    assert reply.ephemeral
    assert reply.content == "You need the Manage Server permission for this command."
    assert harness.bot is not None
    assert await pings.schedule_pings(harness.bot.services.db, schedule) == ()


async def test_a_ping_can_be_cleared_after_its_topic_left_the_briefing(
    harness: BotHarness,
) -> None:
    space = await _role(harness, "Space fans", mentionable=True)
    schedule = await _setup_4h(harness, topics="Space, Security")
    assert "will mention" in await _command(harness, "ping", topic="Space", role=space.id)
    again = await _command(harness, "ping", topic="space", role=space.id)
    assert f"will mention <@&{space.id}> when" in again and "instead of" not in again
    await _command(harness, "edit", name="morning", topics="Security")
    assert "does not post Space" in await _command(harness, "ping", topic="Space", role=space.id)
    cleared = await _command(harness, "ping", topic="SPACE")
    assert f"no longer mentions <@&{space.id}> for **Space**" in cleared
    assert harness.bot is not None
    assert await pings.schedule_pings(harness.bot.services.db, schedule) == ()


async def test_a_briefing_pings_a_bounded_number_of_topics(
    harness: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ping_cases, "MAX_PINGS", 2)  # 25 in production; the store has 8 topics
    role = await _role(harness, "News", mentionable=True)
    other = await _role(harness, "Other news", mentionable=True)
    await _setup_4h(harness)
    for topic in ("Space", "Security"):
        assert "will mention" in await _command(harness, "ping", topic=topic, role=role.id)
    full = await _command(harness, "ping", topic="Robotics", role=role.id)
    assert "already pings roles for 2 topics, the most it can" in full
    assert "instead of" in await _command(harness, "ping", topic="Space", role=other.id)
