"""Fixtures for the bot's end-to-end tests: a fake Discord world and the real bot in it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.bot.harness import TOKEN, BotHarness
from tests.bot.web_world import panel  # the web panel's fixture
from tests.fake_discord import FakeDiscord


@pytest.fixture
async def world() -> AsyncIterator[FakeDiscord]:
    """A guild with #general and #news, an owner (all permissions) and a plain member."""
    async with FakeDiscord(token=TOKEN, bot_name="briefing-bot") as fake:
        owner = fake.add_user("owner")
        guild = fake.add_guild("Newsroom", owner_id=owner.id)
        fake.add_text_channel(guild.id, "general")
        fake.add_text_channel(guild.id, "news")
        fake.add_member(guild.id, username="alice")
        fake.add_member(guild.id, username="bob")
        yield fake
        assert fake.unhandled == [], "the bot called routes the fake does not implement"


@pytest.fixture
async def harness(world: FakeDiscord, tmp_path: Path) -> AsyncIterator[BotHarness]:
    """The bot, started and ready; stopped at the end of the test."""
    h = BotHarness(world, tmp_path)
    await h.start()
    try:
        yield h
    finally:
        await h.close()


__all__ = ["harness", "panel", "world"]
