"""Running a plain discord.py client against the fake Discord (for the fake's own tests).

``running_client`` points discord.py at the fake, starts the client, waits until it is
ready (failing fast if it stops), and closes it and resets the endpoints afterwards;
``plain_client`` is the bare client the surface tests drive (with ``TOKEN``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import TypeVar

import discord

from bot.endpoints import point_discord_at, reset_discord_endpoints
from tests.fake_discord import FakeDiscord

C = TypeVar("C", bound=discord.Client)

TOKEN = "fake-surfaces-token"


def plain_client() -> discord.Client:
    """A bare ``discord.Client`` (default intents, no waiting for more guilds)."""
    return discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.05)


@contextlib.asynccontextmanager
async def fake_server() -> AsyncIterator[FakeDiscord]:
    """A started ``FakeDiscord`` expecting ``TOKEN``; fails if any route was unhandled."""
    async with FakeDiscord(token=TOKEN) as server:
        yield server
        assert server.unhandled == [], "the client called routes the fake does not implement"


@contextlib.asynccontextmanager
async def running_client(fake: FakeDiscord, client: C, token: str) -> AsyncIterator[C]:
    """Start ``client`` against ``fake`` and yield it once READY."""
    point_discord_at(fake.api_base_url, fake.gateway_url)
    runner = asyncio.create_task(client.start(token))
    ready = asyncio.create_task(client.wait_until_ready())
    try:
        done, _ = await asyncio.wait(
            {runner, ready}, timeout=5, return_when=asyncio.FIRST_COMPLETED
        )
        if runner in done:
            runner.result()
            raise AssertionError("client stopped before becoming ready")
        assert ready in done, "client did not become ready"
        yield client
    finally:
        ready.cancel()
        await client.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(runner, 5)
        reset_discord_endpoints()
