"""End-to-end checks that the fake Discord server works with the real discord.py client.

A plain ``discord.Client`` with an ``app_commands.CommandTree`` (defined here, not the
project's bot) connects through ``bot.endpoints.point_discord_at``; nothing is mocked.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator

import aiohttp
import discord
import pytest
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.endpoints import point_discord_at, reset_discord_endpoints
from tests.bot.fake_client import running_client
from tests.fake_discord import (
    EPHEMERAL_FLAG,
    SEND_MESSAGES,
    FakeDiscord,
    FakeGuild,
)

TOKEN = "test-token"
TOPICS = ["Climate", "Economy", "Elections", "Science"]


class E2EClient(discord.Client):
    """A minimal bot: a few slash commands, autocomplete, a button, a subcommand group."""

    def __init__(self) -> None:
        super().__init__(intents=discord.Intents.default(), guild_ready_timeout=0.05)
        self.tree = app_commands.CommandTree(self)
        self.pressed: list[int] = []
        self.invocations: list[tuple[str, dict[str, object]]] = []
        self._register()

    def _register(self) -> None:
        tree = self.tree

        @tree.command(description="Reply privately")
        async def ping(interaction: discord.Interaction) -> None:
            self.invocations.append(("ping", {"guild": interaction.guild_id}))
            await interaction.response.send_message("pong", ephemeral=True)

        @tree.command(description="Answer too late")
        async def late(interaction: discord.Interaction) -> None:
            await asyncio.sleep(0.3)
            await interaction.response.send_message("too late")

        @tree.command(description="Defer, then follow up")
        async def slow(interaction: discord.Interaction) -> None:
            await interaction.response.defer(thinking=True)
            await interaction.followup.send("done slowly")

        @tree.command(description="Pick a topic")
        async def pick(interaction: discord.Interaction, topic: str) -> None:
            await interaction.response.send_message(f"picked {topic}")

        @pick.autocomplete("topic")
        async def pick_topic(
            interaction: discord.Interaction, current: str
        ) -> list[app_commands.Choice[str]]:
            return [
                app_commands.Choice(name=t, value=t.lower())
                for t in TOPICS
                if current.lower() in t.lower()
            ]

        @tree.command(description="Echo typed options")
        async def echo(
            interaction: discord.Interaction,
            text: str,
            count: int,
            loud: bool,
            where: discord.TextChannel,
            ratio: float,
        ) -> None:
            self.invocations.append(
                (
                    "echo",
                    {"text": text, "count": count, "loud": loud, "where": where.id, "ratio": ratio},
                )
            )
            await interaction.response.send_message(f"{text} x{count}")

        @tree.command(description="Post a message with a button")
        async def buttons(interaction: discord.Interaction) -> None:
            assert isinstance(interaction.channel, discord.TextChannel)
            await interaction.response.send_message("posting", ephemeral=True)
            await interaction.channel.send("Press it", view=self.make_view())

        feed = app_commands.Group(name="feed", description="Manage feeds")

        @feed.command(name="add", description="Add a feed")
        async def feed_add(interaction: discord.Interaction, url: str) -> None:
            self.invocations.append(("feed add", {"url": url}))
            await interaction.response.send_message(f"added {url}", ephemeral=True)

        tree.add_command(feed)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        # discord.py sleeps 5 s before every re-IDENTIFY to respect Discord's identify
        # rate limit; the fake has none, so skip it to keep the tests fast.
        return None

    def make_view(self) -> discord.ui.View:
        view = discord.ui.View(timeout=None)
        button: discord.ui.Button[discord.ui.View] = discord.ui.Button(
            label="Press", custom_id="press-me"
        )

        async def on_press(interaction: discord.Interaction) -> None:
            assert interaction.message is not None
            self.pressed.append(interaction.message.id)
            await interaction.response.edit_message(content="Pressed!", view=None)

        button.callback = on_press  # type: ignore[method-assign]
        view.add_item(button)
        return view


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(token=TOKEN, bot_name="e2e-bot") as server:
        guild = server.add_guild("Test Guild")
        server.add_text_channel(guild.id, "general")
        server.add_text_channel(guild.id, "news")
        server.add_member(guild.id, username="alice")
        yield server
        assert server.unhandled == [], "the bot called routes the fake does not implement"


@pytest.fixture
async def client(fake: FakeDiscord) -> AsyncIterator[E2EClient]:
    async with running_client(fake, E2EClient(), TOKEN) as bot:
        yield bot


def _endpoints() -> tuple[str, yarl.URL]:
    return Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY


def test_point_discord_at_is_idempotent_and_resettable() -> None:
    original = _endpoints()
    fake_endpoints = ("http://127.0.0.1:1/api/v10", yarl.URL("ws://127.0.0.1:1/gateway"))
    try:
        for _ in range(2):
            point_discord_at("http://127.0.0.1:1/api/v10/", "ws://127.0.0.1:1/gateway")
            assert _endpoints() == fake_endpoints
        point_discord_at(None, None)
        assert _endpoints() == original
        with pytest.raises(ValueError):
            point_discord_at("http://127.0.0.1:1/api", None)
    finally:
        reset_discord_endpoints()
    assert _endpoints() == original


def _guild(fake: FakeDiscord) -> FakeGuild:
    return next(iter(fake.guilds.values()))


def _channel_id(fake: FakeDiscord, name: str = "general") -> int:
    return next(c.id for c in fake.channels.values() if c.name == name)


async def test_client_logs_in_and_caches_world(fake: FakeDiscord, client: E2EClient) -> None:
    guild = _guild(fake)
    assert client.user is not None and client.user.id == fake.bot_user.id
    assert client.application_id == fake.application_id
    cached = client.get_guild(guild.id)
    assert cached is not None and cached.name == "Test Guild"
    channel = client.get_channel(_channel_id(fake))
    assert isinstance(channel, discord.TextChannel) and channel.name == "general"
    assert cached.me is not None
    assert channel.permissions_for(cached.me).send_messages
    assert cached.member_count == 3
    assert fake.identify_count == 1
    assert fake.unhandled == []


async def test_tree_sync_registers_global_commands(fake: FakeDiscord, client: E2EClient) -> None:
    synced = await client.tree.sync()
    names = sorted(c["name"] for c in fake.commands)
    assert names == ["buttons", "echo", "feed", "late", "pick", "ping", "slow"]
    assert sorted(c.name for c in synced) == names
    assert all(int(c["application_id"]) == fake.application_id for c in fake.commands)
    echo = next(c for c in fake.commands if c["name"] == "echo")
    assert [o["type"] for o in echo["options"]] == [3, 4, 5, 7, 10]
    # Re-syncing keeps ids stable, like Discord's bulk overwrite.
    again = await client.tree.sync()
    assert {c.id for c in again} == {c.id for c in synced}
    assert fake.unhandled == []


async def test_slash_command_ephemeral_response(fake: FakeDiscord, client: E2EClient) -> None:
    await client.tree.sync()
    inter = await fake.inject_slash_command("ping")
    callback = await inter.wait_response()
    assert callback.callback_type == 4
    assert callback.content == "pong"
    assert callback.flags == EPHEMERAL_FLAG and callback.ephemeral
    assert fake.interaction_responses(inter.id) == [callback]
    # Ephemeral messages are not part of the channel's history.
    assert fake.messages_in(inter.channel_id) == []
    assert client.invocations == [("ping", {"guild": _guild(fake).id})]


async def test_deferred_response_then_followup(fake: FakeDiscord, client: E2EClient) -> None:
    inter = await fake.inject_slash_command("slow")
    followup = await inter.wait_followup()
    kinds = [(r.kind, r.callback_type) for r in fake.interaction_responses(inter.id)]
    assert kinds == [("callback", 5), ("followup", None)]
    assert followup.content == "done slowly"
    assert followup.message is not None and followup.message["content"] == "done slowly"


async def test_late_initial_response_is_unknown_interaction(
    fake: FakeDiscord, client: E2EClient
) -> None:
    fake.initial_response_timeout = 0.1
    inter = await fake.inject_slash_command("late")
    request = await fake.wait_for_request("POST", f"/interactions/{inter.id}/{{token}}/callback")
    assert request.status == 404
    assert request.response == {"message": "Unknown interaction", "code": 10062}
    assert not inter.acknowledged


async def test_autocomplete_returns_choices(fake: FakeDiscord, client: E2EClient) -> None:
    await client.tree.sync()
    inter = await fake.inject_autocomplete("pick", focused="topic", value="el")
    callback = await inter.wait_response()
    assert callback.callback_type == 8
    assert inter.autocomplete_choices == [{"name": "Elections", "value": "elections"}]


async def test_typed_options_and_subcommand_group(fake: FakeDiscord, client: E2EClient) -> None:
    await client.tree.sync()
    news = _channel_id(fake, "news")
    inter = await fake.inject_slash_command(
        "echo", {"text": "hi", "count": 3, "loud": True, "where": news, "ratio": 0.5}
    )
    assert (await inter.wait_response()).content == "hi x3"
    option_types = [o["type"] for o in inter.payload["data"]["options"]]
    assert option_types == [3, 4, 5, 7, 10]
    assert str(news) in inter.payload["data"]["resolved"]["channels"]
    # Interaction responses are messages too: who they ping is recorded. This client sets
    # no allowed_mentions, so Discord parses the content and the role is pinged.
    role = fake.add_role(_guild(fake).id, "Readers")
    ping = await fake.inject_slash_command(
        "echo", {"text": f"<@&{role.id}>", "count": 1, "loud": False, "where": news, "ratio": 1.0}
    )
    response = await ping.wait_response()
    assert response.message_id is not None
    assert fake.pings(response.message_id).pinged_roles == {role.id}
    sub = await fake.inject_slash_command("feed", {"url": "https://x.test/rss"}, subcommand="add")
    await sub.wait_response()
    assert client.invocations == [
        ("echo", {"text": "hi", "count": 3, "loud": True, "where": news, "ratio": 0.5}),
        (
            "echo",
            {"text": f"<@&{role.id}>", "count": 1, "loud": False, "where": news, "ratio": 1.0},
        ),
        ("feed add", {"url": "https://x.test/rss"}),
    ]


async def test_slash_command_in_dm(fake: FakeDiscord, client: E2EClient) -> None:
    await client.tree.sync()
    alice = next(u for u in fake.users.values() if u.username == "alice")
    inter = await fake.inject_slash_command("ping", dm=True, user_id=alice.id)
    assert "guild_id" not in inter.payload
    assert (await inter.wait_response()).content == "pong"
    assert client.invocations[-1] == ("ping", {"guild": None})


async def test_button_press_invokes_view_callback(fake: FakeDiscord, client: E2EClient) -> None:
    channel_id = _channel_id(fake)
    inter = await fake.inject_slash_command("buttons", channel_id=channel_id)
    await inter.wait_response()
    posted = await fake.wait_until(lambda: fake.messages_in(channel_id))
    message = posted[-1]
    assert message["components"][0]["components"][0]["custom_id"] == "press-me"
    press = await fake.inject_component(int(message["id"]), "press-me")
    callback = await press.wait_response()
    assert callback.callback_type == 7
    assert client.pressed == [int(message["id"])]
    assert fake.messages_in(channel_id)[-1]["content"] == "Pressed!"
    assert fake.messages_in(channel_id)[-1]["components"] == []


async def test_channel_send_and_dm_are_recorded(fake: FakeDiscord, client: E2EClient) -> None:
    channel = client.get_channel(_channel_id(fake))
    assert isinstance(channel, discord.TextChannel)
    sent = await channel.send("briefing", allowed_mentions=discord.AllowedMentions.none())
    request = await fake.wait_for_request("POST", "/channels/{id}/messages")
    assert request.json["allowed_mentions"] == {"parse": []}
    assert [m["id"] for m in fake.messages_in(channel.id)] == [str(sent.id)]

    alice = next(u for u in fake.users.values() if u.username == "alice")
    user = await client.fetch_user(alice.id)
    await user.send("your daily briefing")
    assert [m["content"] for m in fake.dms_to(alice.id)] == ["your daily briefing"]
    assert fake.unhandled == []


async def test_file_upload_is_multipart(fake: FakeDiscord, client: E2EClient) -> None:
    channel = client.get_channel(_channel_id(fake))
    assert isinstance(channel, discord.TextChannel)
    message = await channel.send("report", file=discord.File(io.BytesIO(b"hello"), "report.txt"))
    assert message.attachments[0].filename == "report.txt"
    request = fake.requests_to("POST", "/channels/{id}/messages")[-1]
    assert request.json["content"] == "report"
    assert [(f.filename, f.data) for f in request.files] == [("report.txt", b"hello")]


async def test_missing_permissions_is_forbidden(fake: FakeDiscord, client: E2EClient) -> None:
    channel_id = _channel_id(fake, "news")
    fake.set_bot_channel_permissions(channel_id, deny=SEND_MESSAGES)
    channel = client.get_channel(channel_id)
    assert isinstance(channel, discord.TextChannel)
    with pytest.raises(discord.Forbidden) as excinfo:
        await channel.send("nope")
    assert excinfo.value.code == 50013
    assert fake.messages_in(channel_id) == []


async def test_rate_limited_send_is_retried_once(fake: FakeDiscord, client: E2EClient) -> None:
    channel = client.get_channel(_channel_id(fake))
    assert isinstance(channel, discord.TextChannel)
    rule = fake.rate_limit_next("POST", "/channels/{id}/messages", retry_after=0.05)
    await channel.send("after the limit")
    assert rule.hits == 1
    statuses = [r.status for r in fake.requests_to("POST", f"/channels/{channel.id}/messages")]
    assert statuses == [429, 200]
    assert [m["content"] for m in fake.messages_in(channel.id)] == ["after the limit"]


async def test_nonce_deduplicates_after_dropped_connection(
    fake: FakeDiscord, client: E2EClient
) -> None:
    channel = client.get_channel(_channel_id(fake))
    assert isinstance(channel, discord.TextChannel)
    # A FIN (not RST) drop: discord.py never retries ServerDisconnectedError, on any OS.
    fake.drop_next("POST", "/channels/{id}/messages", reset=False)
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await channel.send("exactly once", nonce=424242)
    # The dropped request was processed; a retry with the same nonce returns that message.
    retry = await channel.send("exactly once", nonce=424242)
    stored = fake.messages_in(channel.id)
    assert [m["id"] for m in stored] == [str(retry.id)]
    # Every POST of the nonce is counted, the one answered with the existing message too;
    # the same text under a second nonce is a second message, and shows as a second nonce.
    assert fake.messages.nonces_in(channel.id) == {"424242": 2}
    assert fake.messages.nonce_duplicates == 1
    await channel.send("exactly once", nonce=434343)
    assert len(fake.messages_in(channel.id)) == 2
    assert fake.messages.nonces_in(channel.id) == {"424242": 2, "434343": 1}
    assert fake.messages.nonce_duplicates == 1


async def test_gateway_drop_resumes_and_keeps_answering(
    fake: FakeDiscord, client: E2EClient
) -> None:
    await client.tree.sync()
    await fake.drop_gateway(4000)
    await fake.wait_until(lambda: fake.resume_count == 1)
    await fake.wait_for_gateway()
    inter = await fake.inject_slash_command("ping")
    assert (await inter.wait_response()).content == "pong"
    assert fake.identify_count == 1

    await fake.drop_gateway(4000, invalidate_session=True)
    await fake.wait_until(lambda: fake.identify_count == 2)
    inter = await fake.inject_slash_command("ping")
    assert (await inter.wait_response()).content == "pong"
    assert fake.unhandled == []
