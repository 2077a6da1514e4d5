"""The web panel under test: the real bot (composition root) with ``WEB_PORT`` on, the fake
Discord as OAuth2 provider, and an HTTP client that signs in like a browser would.
"""

from __future__ import annotations

import re
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.bot.harness import BotHarness
from tests.fake_discord import FakeDiscord, FakeGuild, FakeRole, FakeUser

SECRET_KEY = "k" * 48
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def free_port() -> int:
    """A port nothing listens on now (WEB_BASE_URL must be known before the bot starts)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class PanelWorld:
    harness: BotHarness
    base_url: str
    elsewhere: FakeGuild
    """A guild the bot is in but the owner of Newsroom is not."""

    @property
    def fake(self) -> FakeDiscord:
        return self.harness.fake

    @property
    def newsroom(self) -> FakeGuild:
        return self.harness.guild

    def user(self, name: str) -> FakeUser:
        return self.harness.user(name)

    def url(self, path: str) -> str:
        return self.base_url + path

    async def bot_sees(self, event: str, change: Callable[[], object]) -> None:
        """Make ``change`` in the fake Discord; return once the bot's cache has had ``event``."""
        assert self.harness.bot is not None
        seen = self.harness.bot.wait_for(event, timeout=10)
        change()
        await seen

    async def add_role(self, name: str, **options: Any) -> FakeRole:
        """A role added to Newsroom while the bot runs, once the bot's cache has it."""
        role: list[FakeRole] = []
        await self.bot_sees(
            "guild_role_create",
            lambda: role.append(self.fake.add_role(self.newsroom.id, name, **options)),
        )
        return role[0]

    def client(self) -> aiohttp.ClientSession:
        """A browser-like client: its own cookie jar (cookies of 127.0.0.1 kept)."""
        return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))

    async def sign_in(self, http: aiohttp.ClientSession, username: str) -> str:
        """Sign ``http`` in as ``username`` through Discord's OAuth2; the page it lands on."""
        self.fake.oauth.signed_in_user_id = self.user(username).id
        async with http.get(self.url("/login")) as response:
            assert response.status == 200, await response.text()
            assert response.url.path == "/servers"
            return await response.text()


def csrf_of(page: str) -> str:
    """The first form token on ``page``."""
    match = _CSRF.search(page)
    assert match is not None, "the page has no form token"
    return match.group(1)


async def get(http: aiohttp.ClientSession, url: str) -> tuple[int, str]:
    """GET without following a redirect: status and page."""
    async with http.get(url, allow_redirects=False) as response:
        return response.status, await response.text()


async def post(
    http: aiohttp.ClientSession, url: str, form: dict[str, str]
) -> tuple[int, str, str | None]:
    """POST ``form`` without following a redirect: status, page and ``Location``."""
    async with http.post(url, data=form, allow_redirects=False) as response:
        return response.status, await response.text(), response.headers.get("Location")


def schedule_form(panel: PanelWorld, csrf: str, **changes: str) -> dict[str, str]:
    """The server page's schedule form, filled in for ``#news`` at 07:30 Europe/Paris."""
    form = {
        "csrf": csrf,
        "channel": str(panel.harness.channel_id("news")),
        "time": "07:30",
        "timezone": "Europe/Paris",
        "topics": "space, robotics",
        "min_quality": "0",
        "include": "",
        "exclude": "",
        "outlets": "",
    }
    form.update(changes)
    return form


def panel_settings(world: FakeDiscord) -> tuple[str, dict[str, object]]:
    """The panel's base URL and the settings that turn it on (the fake's OAuth2 app knows it)."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    world.oauth.redirect_uris.append(base_url + "/auth/callback")
    return base_url, {
        "web_port": port,
        "web_base_url": base_url,
        "discord_client_id": world.oauth.client_id,
        "discord_client_secret": world.oauth.client_secret,
        "web_secret_key": SECRET_KEY,
    }


@pytest.fixture
async def panel(world: FakeDiscord, tmp_path: Path) -> AsyncIterator[PanelWorld]:
    """The bot with the panel on, a second guild, and the fake's OAuth2 app registered."""
    elsewhere = world.add_guild("Elsewhere")
    world.add_text_channel(elsewhere.id, "general")
    base_url, settings = panel_settings(world)
    harness = BotHarness(world, tmp_path, overrides=settings)
    await harness.start()
    try:
        yield PanelWorld(harness, base_url, elsewhere)
    finally:
        await harness.close()
