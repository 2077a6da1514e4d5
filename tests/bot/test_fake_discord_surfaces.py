"""The fake Discord's threads, forum posts, announcement publishing and DM buttons, driven
through the real discord.py client (``Message.create_thread``, ``TextChannel.create_thread``,
``ForumChannel.create_thread``, ``Message.publish``, views) and checked against Discord's
documented behaviour and limits.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import discord
import pytest
from discord.http import Route

from tests.bot.fake_client import TOKEN, fake_server, plain_client, running_client
from tests.fake_discord import (
    CREATE_PUBLIC_THREADS,
    CROSSPOSTED,
    HAS_THREAD,
    MANAGE_MESSAGES,
    MANAGE_THREADS,
    PUBLIC_THREAD,
    SEND_MESSAGES,
    SEND_MESSAGES_IN_THREADS,
    FakeChannel,
    FakeDiscord,
)


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with fake_server() as server:
        guild = server.add_guild("Newsroom")
        server.add_text_channel(guild.id, "general")
        server.add_announcement_channel(guild.id, "announcements")
        forum = server.add_forum_channel(guild.id, "briefings", tags=["Climate", "Economy"])
        server.add_forum_tag(forum.id, "Staff pick", moderated=True)
        server.add_member(guild.id, username="alice")
        yield server


@pytest.fixture
async def client(fake: FakeDiscord) -> AsyncIterator[discord.Client]:
    async with running_client(fake, plain_client(), TOKEN) as running:
        yield running


def _channel(fake: FakeDiscord, name: str) -> FakeChannel:
    return next(c for c in fake.channels.values() if c.name == name)


def _cached(client: discord.Client, fake: FakeDiscord, name: str) -> Any:
    return client.get_channel(_channel(fake, name).id)


async def _raw(client: discord.Client, method: str, path: str, **kwargs: Any) -> Any:
    return await client.http.request(Route(method, path), **kwargs)


async def test_channel_kinds_reach_the_client(fake: FakeDiscord, client: discord.Client) -> None:
    news = _cached(client, fake, "announcements")
    assert isinstance(news, discord.TextChannel) and news.is_news()
    forum = _cached(client, fake, "briefings")
    assert isinstance(forum, discord.ForumChannel)
    assert [(t.name, t.moderated) for t in forum.available_tags] == [
        ("Climate", False),
        ("Economy", False),
        ("Staff pick", True),
    ]
    created = asyncio.ensure_future(client.wait_for("thread_create", timeout=5))
    existing = fake.add_thread(_channel(fake, "general").id, "Earlier discussion")
    await fake.settle()
    thread = await created
    assert isinstance(thread, discord.Thread) and thread.id == existing.id
    assert client.get_channel(existing.id) is thread and thread.parent_id == existing.parent_id
    guild = forum.guild
    # Discord lists threads apart from channels: not in GET /guilds/{id}/channels.
    assert existing.id not in {c.id for c in await guild.fetch_channels()}
    assert [t.id for t in await guild.active_threads()] == [existing.id]
    fetched = await client.fetch_channel(existing.id)
    assert isinstance(fetched, discord.Thread) and fetched.name == "Earlier discussion"


async def test_thread_from_message_and_sending_into_it(
    fake: FakeDiscord, client: discord.Client
) -> None:
    channel = _cached(client, fake, "general")
    message = await channel.send("Today's briefing")
    thread = await message.create_thread(name="Discuss: today's briefing")
    assert thread.id == message.id and thread.type is discord.ChannelType.public_thread
    assert [t.id for t in fake.threads_in(channel.id)] == [thread.id]
    stored = fake.messages.messages[message.id]
    assert stored["flags"] & HAS_THREAD and stored["thread"]["id"] == str(thread.id)
    reply = await thread.send("First comment")
    assert [m["id"] for m in fake.messages_in(thread.id)] == [str(reply.id)]
    assert fake.channels[thread.id].thread is not None
    assert fake.channels[thread.id].thread.message_count == 1  # type: ignore[union-attr]
    with pytest.raises(discord.HTTPException) as twice:
        await message.create_thread(name="again")
    assert twice.value.code == 160004


async def test_thread_without_message_and_name_limits(
    fake: FakeDiscord, client: discord.Client
) -> None:
    channel = _cached(client, fake, "general")
    thread = await channel.create_thread(name="x" * 100, type=discord.ChannelType.public_thread)
    assert thread.type is discord.ChannelType.public_thread
    # A public thread without a message leaves a "started a thread" system message.
    assert [m["type"] for m in fake.messages_in(channel.id)] == [18]
    for bad in ("", "x" * 101):
        with pytest.raises(discord.HTTPException) as excinfo:
            await channel.create_thread(name=bad, type=discord.ChannelType.public_thread)
        assert excinfo.value.status == 400 and excinfo.value.code == 50035
    # Private threads need Create Private Threads, which @everyone lacks by default.
    with pytest.raises(discord.Forbidden):
        await channel.create_thread(name="private", type=discord.ChannelType.private_thread)
    news = _cached(client, fake, "announcements")
    announcement_thread = await news.create_thread(
        name="On the news", type=discord.ChannelType.news_thread
    )
    assert announcement_thread.type is discord.ChannelType.news_thread


async def test_thread_permissions(fake: FakeDiscord, client: discord.Client) -> None:
    channel = _cached(client, fake, "general")
    message = await channel.send("post")
    thread = await message.create_thread(name="talk")
    fake.set_bot_channel_permissions(channel.id, deny=CREATE_PUBLIC_THREADS)
    other = await channel.send("another post")
    with pytest.raises(discord.Forbidden) as denied:
        await other.create_thread(name="nope")
    assert denied.value.code == 50013
    with pytest.raises(discord.Forbidden):
        await channel.create_thread(name="nope", type=discord.ChannelType.public_thread)
    # A thread's permissions are its parent's; sending needs Send Messages in Threads.
    fake.set_bot_channel_permissions(channel.id, deny=SEND_MESSAGES, allow=SEND_MESSAGES_IN_THREADS)
    await thread.send("still allowed in the thread")
    fake.set_bot_channel_permissions(channel.id, deny=SEND_MESSAGES_IN_THREADS)
    with pytest.raises(discord.Forbidden) as in_thread:
        await thread.send("not allowed")
    assert in_thread.value.code == 50013
    assert [m["content"] for m in fake.messages_in(thread.id)] == ["still allowed in the thread"]


async def test_forum_post_is_a_thread_with_its_first_message(
    fake: FakeDiscord, client: discord.Client
) -> None:
    forum = _cached(client, fake, "briefings")
    climate = next(t for t in forum.available_tags if t.name == "Climate")
    embed = discord.Embed(title="Top stories", description="…")
    created = await forum.create_thread(
        name="Daily briefing, 4 Dec",
        content="Here is today's briefing",
        embed=embed,
        applied_tags=[climate],
        allowed_mentions=discord.AllowedMentions.none(),
    )
    thread, message = created.thread, created.message
    assert thread.id == message.id and thread.parent_id == forum.id
    assert [t.name for t in thread.applied_tags] == ["Climate"]
    post = fake.threads_in(forum.id)[0]
    assert post.name == "Daily briefing, 4 Dec" and post.thread is not None
    assert post.thread.applied_tags == [climate.id]
    first = fake.messages_in(thread.id)[0]
    assert first["content"] == "Here is today's briefing"
    assert first["embeds"][0]["title"] == "Top stories"
    assert fake.messages_in(forum.id) == []


async def test_forum_post_limits(fake: FakeDiscord, client: discord.Client) -> None:
    forum = _cached(client, fake, "briefings")
    path = f"/channels/{forum.id}/threads"
    message = {"content": "hello"}

    async def post(body: dict[str, Any]) -> discord.HTTPException:
        with pytest.raises(discord.HTTPException) as excinfo:
            await _raw(client, "POST", path, json=body)
        return excinfo.value

    assert (await post({"name": "no message"})).code == 50035
    assert (await post({"name": "", "message": message})).code == 50035
    many = [str(t.id) for t in forum.available_tags] * 2
    assert (await post({"name": "tags", "message": message, "applied_tags": many})).code == 50035
    unknown = {"name": "tags", "message": message, "applied_tags": ["123"]}
    assert (await post(unknown)).code == 50035
    staff = next(t for t in forum.available_tags if t.moderated)
    moderated = {"name": "tags", "message": message, "applied_tags": [str(staff.id)]}
    assert (await post(moderated)).status == 403
    fake.set_bot_channel_permissions(forum.id, allow=MANAGE_THREADS)
    await _raw(client, "POST", path, json=moderated)
    fake.channels[forum.id].flags |= 1 << 4  # REQUIRE_TAG
    assert (await post({"name": "untagged", "message": message})).code == 40067
    fake.set_bot_channel_permissions(forum.id, deny=SEND_MESSAGES)
    assert (await post({"name": "denied", "message": message, "applied_tags": []})).code == 50013
    with pytest.raises(discord.HTTPException) as plain:
        await _raw(client, "POST", f"/channels/{forum.id}/messages", json={"content": "hi"})
    assert plain.value.code == 50008  # a forum takes posts, not plain messages
    assert len(fake.threads_in(forum.id)) == 1


async def test_publishing_announcements(fake: FakeDiscord, client: discord.Client) -> None:
    news = _cached(client, fake, "announcements")
    message = await news.send("Briefing for followers")
    await message.publish()
    assert fake.published == [message.id]
    assert fake.messages.messages[message.id]["flags"] & CROSSPOSTED
    assert (await news.fetch_message(message.id)).flags.crossposted
    with pytest.raises(discord.HTTPException) as twice:
        await message.publish()
    assert twice.value.code == 40033
    general = await _cached(client, fake, "general").send("not an announcement")
    with pytest.raises(discord.HTTPException) as wrong_type:
        await general.publish()
    assert wrong_type.value.code == 50024
    # Someone else's message needs Manage Messages as well.
    alice = next(u for u in fake.users.values() if u.username == "alice")
    theirs = fake.messages.create(
        channel_id=news.id, guild_id=news.guild.id, author=alice, body={"content": "mine"}
    )
    path = f"/channels/{news.id}/messages/{theirs['id']}/crosspost"
    with pytest.raises(discord.Forbidden):
        await _raw(client, "POST", path)
    fake.set_bot_channel_permissions(news.id, allow=MANAGE_MESSAGES)
    await _raw(client, "POST", path)
    assert fake.published == [message.id, int(theirs["id"])]


async def test_buttons_work_in_dms_and_threads(fake: FakeDiscord, client: discord.Client) -> None:
    pressed: list[tuple[str, int | None, int]] = []

    def view() -> discord.ui.View:
        v = discord.ui.View(timeout=None)
        for label in ("More like this", "Less like this"):
            button: discord.ui.Button[discord.ui.View] = discord.ui.Button(
                label=label, custom_id=f"digest:{label}"
            )

            async def on_press(interaction: discord.Interaction, label: str = label) -> None:
                pressed.append((label, interaction.guild_id, interaction.user.id))
                await interaction.response.send_message(f"Noted: {label}", ephemeral=True)

            button.callback = on_press  # type: ignore[method-assign]
            v.add_item(button)
        return v

    alice = next(u for u in fake.users.values() if u.username == "alice")
    dm = await (await client.fetch_user(alice.id)).send("Your digest", view=view())
    press = await fake.inject_component(dm.id, "digest:Less like this")
    callback = await press.wait_response()
    assert callback.content == "Noted: Less like this" and callback.ephemeral
    assert "guild_id" not in press.payload and press.payload["user"]["id"] == str(alice.id)
    thread = await (await _cached(client, fake, "general").send("post")).create_thread(name="t")
    in_thread = await thread.send("Vote", view=view())
    press = await fake.inject_component(in_thread.id, "digest:More like this", user_id=alice.id)
    await press.wait_response()
    assert press.payload["channel"]["type"] == PUBLIC_THREAD
    assert pressed == [
        ("Less like this", None, alice.id),
        ("More like this", thread.guild.id, alice.id),
    ]


async def test_removing_the_bot_from_a_guild(fake: FakeDiscord, client: discord.Client) -> None:
    guild = next(iter(fake.guilds.values()))
    alice = next(u for u in fake.users.values() if u.username == "alice")
    assert client.get_guild(guild.id) is not None
    removed = asyncio.get_running_loop().create_future()

    async def on_guild_remove(left: discord.Guild) -> None:
        removed.set_result(left.id)

    client.event(on_guild_remove)  # discord.py: GUILD_DELETE without "unavailable"
    fake.remove_bot(guild.id)
    assert await asyncio.wait_for(removed, 10) == guild.id
    assert client.get_guild(guild.id) is None and not fake.has_bot(guild.id)
    # The bot's own guild list leaves it out; its members still see it in theirs.
    assert await _raw(client, "GET", "/users/@me/guilds") == []
    assert [e["id"] for e in fake.user_guild_entries(alice.id)] == [str(guild.id)]
    # A new session (READY, GUILD_CREATE) does not bring it back.
    session = next(iter(fake.gateway.sessions.values()))
    assert fake.ready_payload(session)["guilds"] == []
    assert fake.guild_create_payloads(session) == []


async def test_publishing_is_limited_to_10_an_hour_per_channel(
    fake: FakeDiscord, client: discord.Client
) -> None:
    news = _cached(client, fake, "announcements")
    client.http.max_ratelimit_timeout = 30.0  # raise instead of waiting out a long limit
    sent = [await news.send(f"update {n}") for n in range(11)]
    for message in sent[:10]:
        await message.publish()
    with pytest.raises(discord.RateLimited) as limited:
        await sent[10].publish()
    assert 3590 < limited.value.retry_after <= 3600  # until the oldest leaves the hour
    assert fake.published == [m.id for m in sent[:10]]
    assert not fake.messages.messages[sent[10].id]["flags"] & CROSSPOSTED
    # Another channel has its own limit; an hour later this one publishes again.
    other = await client.fetch_channel(
        fake.add_announcement_channel(next(iter(fake.guilds)), "more-news").id
    )
    assert isinstance(other, discord.TextChannel)
    await (await other.send("elsewhere")).publish()
    fake.messages.published_at[news.id] = [t - 3600 for t in fake.messages.published_at[news.id]]
    await sent[10].publish()
    assert fake.published[-1] == sent[10].id


def _row(*children: dict[str, Any]) -> dict[str, Any]:
    return {"type": 1, "components": list(children)}


def _select(custom_id: str = "pick", count: int = 2, **extra: Any) -> dict[str, Any]:
    options = [{"label": f"Item {n}", "value": f"v{n}"} for n in range(count)]
    return {"type": 3, "custom_id": custom_id, "options": options, **extra}


def _button(custom_id: str, label: str = "Go") -> dict[str, Any]:
    return {"type": 2, "style": 1, "custom_id": custom_id, "label": label}


@pytest.mark.parametrize(
    ("components", "path"),
    [
        ([_row(_button(f"b{n}")) for n in range(6)], "components"),  # 6 action rows
        ([_row(*(_button(f"b{n}") for n in range(6)))], "components.0.components"),
        ([_row(_select(), _button("b"))], "components.0.components"),  # a select shares a row
        ([_row(_button("x" * 101))], "components.0.components.0.custom_id"),
        ([_row(_button("same")), _row(_button("same"))], "components.1.components.0.custom_id"),
        ([_row(_button("b", "L" * 81))], "components.0.components.0.label"),
        ([_row(_select(count=26))], "components.0.components.0.options"),
        ([_row(_select(count=0))], "components.0.components.0.options"),
        ([_row(_select(placeholder="p" * 151))], "components.0.components.0.placeholder"),
        ([{"type": 2, "style": 1, "custom_id": "loose"}], "components.0"),  # not in a row
    ],
)
async def test_components_out_of_discords_limits_are_refused(
    fake: FakeDiscord, client: discord.Client, components: list[Any], path: str
) -> None:
    channel = _channel(fake, "general")
    with pytest.raises(discord.HTTPException) as refused:
        await _raw(
            client,
            "POST",
            f"/channels/{channel.id}/messages",
            json={"content": "x", "components": components},
        )
    assert refused.value.status == 400 and refused.value.code == 50035
    assert f"In {path}:" in refused.value.text  # discord.py flattens Discord's nested errors
    assert fake.messages_in(channel.id) == []


async def test_select_values_and_option_texts_are_checked(
    fake: FakeDiscord, client: discord.Client
) -> None:
    channel = _channel(fake, "general")
    long_value = _select()
    long_value["options"][1]["value"] = "v" * 101
    duplicated = _select()
    duplicated["options"][1]["value"] = "v0"
    for bad in (long_value, duplicated):
        with pytest.raises(discord.HTTPException):
            await _raw(
                client,
                "POST",
                f"/channels/{channel.id}/messages",
                json={"content": "x", "components": [_row(bad)]},
            )
    full = _select(count=25, placeholder="p" * 150, max_values=25)
    sent = await _raw(
        client,
        "POST",
        f"/channels/{channel.id}/messages",
        json={
            "content": "x",
            "components": [_row(full), *(_row(_button(f"b{n}")) for n in range(4))],
        },
    )
    assert len(fake.messages.messages[int(sent["id"])]["components"]) == 5


def _alice(fake: FakeDiscord) -> int:
    return next(u.id for u in fake.users.values() if u.username == "alice")


async def _dm_alice(fake: FakeDiscord, client: discord.Client, *rows: dict[str, Any]) -> int:
    """The id of a DM to alice carrying ``rows`` of components, sent as the bot."""
    dm = await (await client.fetch_user(_alice(fake))).create_dm()
    sent = await _raw(
        client,
        "POST",
        f"/channels/{dm.id}/messages",
        json={"content": "digest", "components": list(rows)},
    )
    return int(sent["id"])


async def test_a_select_click_reaches_the_client_with_its_values_and_only_real_clicks_are_made(
    fake: FakeDiscord, client: discord.Client
) -> None:
    chosen: list[list[str]] = []

    async def pick(item: Any, interaction: discord.Interaction[Any]) -> None:
        chosen.append(list(item.values))
        await interaction.response.send_message("ok", ephemeral=True)

    client.add_dynamic_items(_dynamic(r"pick", pick))
    message_id = await _dm_alice(fake, client, _row(_select()))
    press = await fake.inject_component(message_id, "pick", component_type=3, values=["v1"])
    assert (await press.wait_response()).ephemeral
    assert chosen == [["v1"]]
    with pytest.raises(LookupError):
        await fake.inject_component(message_id, "other", component_type=3, values=["v1"])
    with pytest.raises(LookupError):
        await fake.inject_component(message_id, "pick", component_type=3, values=["nope"])
    with pytest.raises(LookupError):
        await fake.inject_component(message_id, "pick", component_type=3, values=["v0", "v1"])


async def test_an_ephemeral_reply_with_a_select_can_be_chosen_in_and_updated(
    fake: FakeDiscord, client: discord.Client
) -> None:
    """Discord: an ephemeral message may carry components; a click on one sends the message
    (flag 64) with the interaction, and UPDATE_MESSAGE (7) edits it for its recipient only:
    it is in no channel history and no gateway event announces it."""
    seen: list[tuple[str, bool]] = []

    async def open_picker(item: Any, interaction: discord.Interaction[Any]) -> None:
        view = discord.ui.View(timeout=None)
        view.add_item(discord.ui.Select(custom_id="pick", options=_options("a", "b")))
        view.stop()
        await interaction.response.send_message("Which one?", view=view, ephemeral=True)

    async def pick(item: Any, interaction: discord.Interaction[Any]) -> None:
        assert interaction.message is not None
        seen.append((item.values[0], interaction.message.flags.ephemeral))
        await interaction.response.edit_message(content="Chose it", view=None)

    client.add_dynamic_items(_dynamic(r"open", open_picker), _dynamic(r"pick", pick))
    sent_id = await _dm_alice(fake, client, _row(_button("open")))
    dm_id = int(fake.messages.messages[sent_id]["channel_id"])
    opened = await (await fake.inject_component(sent_id, "open")).wait_response()
    assert opened.ephemeral and opened.message_id is not None
    picker = fake.messages.messages[opened.message_id]
    assert picker["components"][0]["components"][0]["custom_id"] == "pick"
    assert opened.message_id not in {int(m["id"]) for m in fake.messages.in_channel(dm_id)}

    choice = await fake.inject_component(
        opened.message_id, "pick", component_type=3, values=["b"], user_id=_alice(fake)
    )
    assert choice.payload["message"]["flags"] & 64
    update = await choice.wait_response()
    assert update.callback_type == 7 and update.message_id == opened.message_id
    assert seen == [("b", True)]
    assert picker["content"] == "Chose it" and picker["components"] == []
    await fake.settle()
    updates = [p["d"]["id"] for p in fake.gateway.sent if p.get("t") == "MESSAGE_UPDATE"]
    assert str(opened.message_id) not in updates
    with pytest.raises(LookupError):  # the picker is gone from the message
        await fake.inject_component(opened.message_id, "pick", component_type=3, values=["a"])


def _dynamic(
    template: str, handler: Callable[[Any, discord.Interaction[Any]], Awaitable[None]]
) -> type[discord.ui.DynamicItem[Any]]:
    """A ``DynamicItem`` class for ``template`` whose clicks call ``handler(item, interaction)``."""

    class Clicked(discord.ui.DynamicItem[Any], template=template):
        @classmethod
        async def from_custom_id(
            cls, interaction: discord.Interaction[Any], item: Any, match: Any
        ) -> Clicked:
            return cls(item)

        async def callback(self, interaction: discord.Interaction[Any]) -> None:
            await handler(self.item, interaction)

    return Clicked


def _options(*values: str) -> list[discord.SelectOption]:
    return [discord.SelectOption(label=value, value=value) for value in values]
