"""Who a message really pings on the fake Discord: ``allowed_mentions`` rules, mentionable
roles, Mention Everyone, channel visibility, replies and DMs; pure rules property-tested,
the rest through the real discord.py client.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import discord
import pytest
from discord.http import Route
from hypothesis import given
from hypothesis import strategies as st

from tests.bot.fake_client import TOKEN, fake_server, plain_client, running_client
from tests.fake_discord import (
    MENTION_EVERYONE,
    VIEW_CHANNEL,
    FakeDiscord,
    FakeRole,
    FakeUser,
    MentionRecord,
)
from tests.fake_discord._http import DiscordError
from tests.fake_discord._mentions import AllowedMentions, resolve_mentions

# Content built from mention syntax and noise, so every kind of mention shows up often.
_piece = st.one_of(
    st.sampled_from(
        ["@everyone", "@here", "<@1>", "<@!2>", "<@&3>", "<@&4>", "\\<@&3>", "`@here`"]
    ),
    st.text(max_size=8),
)
_content = st.lists(_piece, max_size=12).map(" ".join)
_ids = st.lists(st.sampled_from([1, 2, 3, 4]), max_size=4)


def _resolve(content: str, allowed: AllowedMentions) -> MentionRecord:
    return resolve_mentions(
        content,
        allowed,
        guild_roles={3: True, 4: False},
        can_mention_everyone=True,
        can_see=lambda user_id: True,
    )


@given(_content)
def test_allowed_mentions_none_pings_nobody(content: str) -> None:
    assert _resolve(content, AllowedMentions.parse_body({"parse": []})) == MentionRecord()


@given(_content, _ids, _ids)
def test_explicit_lists_bound_the_pings(content: str, users: list[int], roles: list[int]) -> None:
    allowed = AllowedMentions.parse_body({"users": users, "roles": roles})
    pings = _resolve(content, allowed)
    assert pings.pinged_users <= set(users) and pings.pinged_roles <= set(roles)
    assert not pings.pinged_everyone


@given(_content)
def test_absent_allowed_mentions_parses_everything(content: str) -> None:
    pings = _resolve(content, AllowedMentions.parse_body(None))
    assert (1 in pings.pinged_users) == ("<@1>" in content)
    assert (3 in pings.pinged_roles) == ("<@&3>" in content)
    assert pings.pinged_everyone == ("@everyone" in content or "@here" in content)


@pytest.mark.parametrize(
    "raw",
    [
        {"parse": ["users"], "users": ["1"]},
        {"parse": ["roles"], "roles": ["3"]},
        {"parse": ["channels"]},
        {"roles": [str(i) for i in range(101)]},
        {"users": ["not-a-snowflake"]},
    ],
)
def test_invalid_allowed_mentions_are_400(raw: dict[str, Any]) -> None:
    with pytest.raises(DiscordError) as excinfo:
        AllowedMentions.parse_body(raw)
    assert (excinfo.value.status, excinfo.value.code) == (400, 50035)
    assert excinfo.value.errors is not None and "allowed_mentions" in excinfo.value.errors


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with fake_server() as server:
        guild = server.add_guild("Newsroom")
        channel = server.add_text_channel(guild.id, "briefings")
        server.add_role(guild.id, "Climate", mentionable=True)
        server.add_role(guild.id, "Economy")
        server.add_member(guild.id, username="alice")
        bob = server.add_member(guild.id, username="bob")
        server.set_overwrite(channel.id, bob.user.id, deny=VIEW_CHANNEL)
        yield server


@pytest.fixture
async def client(fake: FakeDiscord) -> AsyncIterator[discord.Client]:
    async with running_client(fake, plain_client(), TOKEN) as running:
        yield running


def _role(fake: FakeDiscord, name: str) -> FakeRole:
    guild = next(iter(fake.guilds.values()))
    return next(r for r in guild.roles.values() if r.name == name)


def _user(fake: FakeDiscord, name: str) -> FakeUser:
    return next(u for u in fake.users.values() if u.username == name)


def _everything(fake: FakeDiscord) -> str:
    climate, economy = _role(fake, "Climate").id, _role(fake, "Economy").id
    alice, bob = _user(fake, "alice").id, _user(fake, "bob").id
    return f"<@&{climate}> <@&{economy}> <@{alice}> <@!{bob}> @everyone"


def _channel(client: discord.Client, fake: FakeDiscord) -> Any:
    return client.get_channel(next(c for c in fake.channels.values() if c.name == "briefings").id)


async def test_roles_list_pings_exactly_those_roles(
    fake: FakeDiscord, client: discord.Client
) -> None:
    channel = _channel(client, fake)
    climate = channel.guild.get_role(_role(fake, "Climate").id)
    only_climate = discord.AllowedMentions(everyone=False, users=False, roles=[climate])
    message = await channel.send(_everything(fake), allowed_mentions=only_climate)
    assert fake.pings(message.id) == MentionRecord(pinged_roles=frozenset({climate.id}))
    assert [r.id for r in message.role_mentions] == [climate.id] and message.mentions == []
    hostile = await channel.send(_everything(fake), allowed_mentions=discord.AllowedMentions.none())
    assert not fake.pings(hostile.id).pinged_anyone
    embed_only = await channel.send(embed=discord.Embed(description=_everything(fake)))
    assert not fake.pings(embed_only.id).pinged_anyone


async def test_default_parses_everything_within_permissions(
    fake: FakeDiscord, client: discord.Client
) -> None:
    channel = _channel(client, fake)
    route = Route("POST", "/channels/{channel_id}/messages", channel_id=channel.id)
    raw = await client.http.request(route, json={"content": _everything(fake)})
    pings = fake.pings(int(raw["id"]))
    roles = {_role(fake, "Climate").id, _role(fake, "Economy").id}
    # bob cannot see the channel, so he is not pinged.
    assert pings == MentionRecord(frozenset({_user(fake, "alice").id}), frozenset(roles), True)
    fake.set_bot_channel_permissions(channel.id, deny=MENTION_EVERYONE)
    raw = await client.http.request(route, json={"content": _everything(fake)})
    # Without Mention Everyone: no @everyone and no non-mentionable role.
    limited = fake.pings(int(raw["id"]))
    assert limited.pinged_roles == {_role(fake, "Climate").id} and not limited.pinged_everyone
    bad = {"content": "x", "allowed_mentions": {"parse": ["roles"], "roles": ["1"]}}
    with pytest.raises(discord.HTTPException) as excinfo:
        await client.http.request(route, json=bad)
    assert excinfo.value.code == 50035


async def test_replies_and_dms(fake: FakeDiscord, client: discord.Client) -> None:
    channel = _channel(client, fake)
    alice = _user(fake, "alice")
    stored = fake.messages.create(
        channel_id=channel.id, guild_id=channel.guild.id, author=alice, body={"content": "hi"}
    )
    original = await channel.fetch_message(int(stored["id"]))
    quiet = await original.reply("thanks", mention_author=False)
    assert not fake.pings(quiet.id).pinged_anyone
    loud = await original.reply("thanks", mention_author=True)
    assert fake.pings(loud.id).pinged_users == {alice.id}
    dm = await (await client.fetch_user(alice.id)).send(_everything(fake))
    assert fake.pings(dm.id) == MentionRecord(pinged_users=frozenset({alice.id}))


async def test_roles_carry_the_mentionable_flag(fake: FakeDiscord, client: discord.Client) -> None:
    guild = _channel(client, fake).guild
    mentionable = {r.name: r.mentionable for r in await guild.fetch_roles()}
    assert mentionable == {"@everyone": False, "Climate": True, "Economy": False}
    fake.set_role_mentionable(guild.id, _role(fake, "Economy").id, True)
    assert {r.name for r in await guild.fetch_roles() if r.mentionable} == {"Climate", "Economy"}


async def test_interaction_responses_record_pings_once(
    fake: FakeDiscord, client: discord.Client
) -> None:
    # The test answers the interaction itself (this client has no commands), like a bot
    # that defers, then fills in its response, then edits it again.
    climate = _role(fake, "Climate").id
    inter = await fake.inject_interaction(2, {"id": "1", "name": "briefing", "type": 1})
    base = f"/interactions/{inter.id}/{inter.token}/callback"
    await client.http.request(Route("POST", base), json={"type": 5})
    original = Route("PATCH", f"/webhooks/{fake.application_id}/{inter.token}/messages/@original")
    body = {"content": f"<@&{climate}> news", "allowed_mentions": {"roles": [str(climate)]}}
    filled = await client.http.request(original, json=body)
    assert fake.pings(int(filled["id"])).pinged_roles == {climate}
    assert filled["mention_roles"] == [str(climate)]
    again = {"content": f"<@{_user(fake, 'alice').id}> edited", "allowed_mentions": {}}
    await client.http.request(original, json=again)
    assert fake.pings(int(filled["id"])).pinged_roles == {climate}  # edits never ping


async def test_a_deleted_role_pings_nobody_and_leaves_the_cache(
    fake: FakeDiscord, client: discord.Client
) -> None:
    channel = _channel(client, fake)
    climate = _role(fake, "Climate")
    alice = next(
        m for m in fake.guilds[channel.guild.id].members.values() if m.user.username == "alice"
    )
    alice.role_ids.append(climate.id)
    deleted = client.wait_for("guild_role_delete", check=lambda r: r.id == climate.id, timeout=10)
    fake.remove_role(channel.guild.id, climate.id)
    await deleted  # GUILD_ROLE_DELETE reached the client's cache
    assert channel.guild.get_role(climate.id) is None and climate.id not in alice.role_ids
    listed = discord.AllowedMentions(
        everyone=False, users=False, roles=[discord.Object(climate.id)]
    )
    message = await channel.send(f"<@&{climate.id}> news", allowed_mentions=listed)
    assert not fake.pings(message.id).pinged_anyone
    with pytest.raises(ValueError, match="everyone"):
        fake.remove_role(channel.guild.id, channel.guild.id)


async def test_managed_roles_and_a_roles_list_never_reach_everyone(
    fake: FakeDiscord, client: discord.Client
) -> None:
    channel = _channel(client, fake)
    created = client.wait_for("guild_role_create", timeout=10)
    booster = fake.add_role(channel.guild.id, "Server Booster", managed=True, mentionable=True)
    await created
    cached = channel.guild.get_role(booster.id)
    assert cached is not None and cached.managed and cached.mentionable
    # A roles list allows those roles only: @everyone, @here, users and other roles stay quiet,
    # even with Mention Everyone (the bot has it by default here).
    climate = _role(fake, "Climate").id
    listed = discord.AllowedMentions(everyone=False, users=False, roles=[discord.Object(climate)])
    content = f"{_everything(fake)} @here <@&{booster.id}>"
    message = await channel.send(content, allowed_mentions=listed)
    assert fake.pings(message.id) == MentionRecord(pinged_roles=frozenset({climate}))
