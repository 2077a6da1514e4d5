"""Discord OAuth2 for the web panel: the authorize URL, the code exchange, the user's guilds.

Authorization-code flow with the ``identify guilds`` scopes against ``DISCORD_API_BASE_URL``
(Discord's API unless set; tests point it at the fake Discord), as documented at
https://discord.com/developers/docs/topics/oauth2.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import aiohttp

DISCORD_API = "https://discord.com/api/v10"
SCOPES = "identify guilds"
MANAGE_GUILD = 1 << 5
ADMINISTRATOR = 1 << 3


class OAuthError(Exception):
    """Discord refused the code or the token (expired, revoked) or could not be reached.

    ``status`` is Discord's HTTP status (401: the token is no longer valid), None when
    Discord could not be reached.
    """

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class Identity:
    """The signed-in user and their access token."""

    user_id: int
    username: str
    access_token: str


@dataclass(frozen=True, slots=True)
class UserGuild:
    """A server the user is in, as ``/users/@me/guilds`` tells it."""

    id: int
    name: str
    owner: bool
    permissions: int

    @property
    def can_manage(self) -> bool:
        """Owner, Administrator or Manage Server: what the ``/briefing`` commands require."""
        return self.owner or bool(self.permissions & (MANAGE_GUILD | ADMINISTRATOR))


_API_PATH = re.compile(r"/api(?:/v\d+)?/?$")


def _site_of(api: str) -> str:
    """The site an API base belongs to: ``https://discord.com/api/v10`` → ``https://discord.com``
    (a proxy's prefix before ``/api`` is kept)."""
    return _API_PATH.sub("", api).rstrip("/")


class DiscordOAuth:
    """The OAuth2 client of one application (``DISCORD_CLIENT_ID``/``_SECRET``)."""

    def __init__(
        self, *, api_base: str | None, client_id: int, client_secret: str, redirect_uri: str
    ) -> None:
        self.api = (api_base or DISCORD_API).rstrip("/")
        self.client_id = client_id
        self._secret = client_secret
        self.redirect_uri = redirect_uri
        self._http: aiohttp.ClientSession | None = None

    def _session(self) -> aiohttp.ClientSession:
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15))
        return self._http

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._http is not None:
            await self._http.close()

    def authorize_url(self, state: str) -> str:
        """Where the browser is sent to sign in: Discord's documented authorization URL,
        ``https://discord.com/oauth2/authorize`` — on the site, not under ``/api/v10`` like the
        token endpoints — or the same path on the host of ``DISCORD_API_BASE_URL``.

        ``prompt=none``: a user who already authorized the app (the same scopes) goes straight
        back, signed in, without the consent screen; a first visit still shows it."""
        query = {
            "client_id": str(self.client_id),
            "redirect_uri": self.redirect_uri,
            "response_type": "code",
            "scope": SCOPES,
            "state": state,
            "prompt": "none",
        }
        return f"{_site_of(self.api)}/oauth2/authorize?{urlencode(query)}"

    async def sign_in(self, code: str) -> Identity:
        """Exchange the callback's ``code`` for a token and read who signed in."""
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.redirect_uri,
            "client_id": str(self.client_id),
            "client_secret": self._secret,
        }
        token = await self._call("POST", "/oauth2/token", data=form)
        access = str(token.get("access_token") or "")
        if not access:
            raise OAuthError("Discord gave no access token")
        me = await self._call("GET", "/users/@me", token=access)
        name = str(me.get("global_name") or me.get("username") or "someone")
        return Identity(int(me["id"]), name, access)

    async def guilds(self, access_token: str) -> list[UserGuild]:
        """The user's servers, with their permissions there."""
        body = await self._call("GET", "/users/@me/guilds", token=access_token)
        return [
            UserGuild(
                int(item["id"]),
                str(item.get("name") or ""),
                bool(item.get("owner")),
                int(item.get("permissions") or 0),
            )
            for item in body
        ]

    async def revoke(self, access_token: str) -> None:
        """Revoke the token (sign-out); failures are ignored, the cookie goes anyway."""
        form = {
            "token": access_token,
            "token_type_hint": "access_token",
            "client_id": str(self.client_id),
            "client_secret": self._secret,
        }
        with contextlib.suppress(OAuthError):
            await self._call("POST", "/oauth2/token/revoke", data=form)

    async def _call(
        self, method: str, path: str, *, data: dict[str, str] | None = None, token: str = ""
    ) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            async with self._session().request(
                method, self.api + path, data=data, headers=headers
            ) as response:
                if response.status >= 400:
                    raise OAuthError(
                        f"{method} {path}: HTTP {response.status}", status=response.status
                    )
                return await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            raise OAuthError(f"{method} {path}: {type(error).__name__}") from None
