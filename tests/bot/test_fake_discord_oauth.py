"""The fake Discord's OAuth2 provider, driven with plain aiohttp requests like a web panel
(and its browser) would: authorize redirect, code exchange, refresh, revoke, Bearer routes.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest

from tests.fake_discord import MANAGE_GUILD, FakeDiscord, FakeUser

REDIRECT = "http://127.0.0.1:9/auth/callback"
TOKEN = "bot-token"


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(token=TOKEN) as server:
        alice = server.add_user("alice")
        managed = server.add_guild("Managed")
        role = server.add_role(managed.id, "Admins", MANAGE_GUILD)
        server.add_member(managed.id, alice, roles=[role.id])
        server.add_guild("Owned", owner_id=alice.id)
        server.add_guild("Elsewhere")
        server.oauth.redirect_uris.append(REDIRECT)
        server.oauth.signed_in_user_id = alice.id
        yield server


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def _alice(fake: FakeDiscord) -> FakeUser:
    return next(u for u in fake.users.values() if u.username == "alice")


async def _authorize(
    fake: FakeDiscord, http: aiohttp.ClientSession, **overrides: str
) -> tuple[int, dict[str, list[str]]]:
    """Visit the authorize page; the status and the redirect's query (empty if none)."""
    params = {
        "client_id": str(fake.oauth.client_id),
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "scope": "identify guilds",
        "state": "s-123",
        "prompt": "none",
        **overrides,
    }
    async with http.get(fake.oauth_authorize_url, params=params, allow_redirects=False) as r:
        location = r.headers.get("Location")
        if location is not None:
            assert location.startswith(REDIRECT + "?")
        return r.status, parse_qs(urlsplit(location).query) if location else {}


async def _token(
    fake: FakeDiscord, http: aiohttp.ClientSession, form: dict[str, str], *, basic: bool = False
) -> tuple[int, Any]:
    data = dict(form)
    headers = {}
    creds = f"{fake.oauth.client_id}:{fake.oauth.client_secret}"
    if basic:
        headers["Authorization"] = "Basic " + base64.b64encode(creds.encode()).decode()
    else:
        data.update(client_id=str(fake.oauth.client_id), client_secret=fake.oauth.client_secret)
    url = fake.api_base_url + "/oauth2/token"
    async with http.post(url, data=data, headers=headers) as r:
        return r.status, await r.json()


async def _get(http: aiohttp.ClientSession, url: str, access_token: str) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {access_token}"}
    async with http.get(url, headers=headers) as r:
        return r.status, await r.json()


async def _sign_in(fake: FakeDiscord, http: aiohttp.ClientSession) -> dict[str, Any]:
    status, query = await _authorize(fake, http)
    assert status == 302
    form = {"grant_type": "authorization_code", "code": query["code"][0], "redirect_uri": REDIRECT}
    status, body = await _token(fake, http, form)
    assert status == 200, body
    return dict(body)


async def test_code_flow_identifies_the_user_and_lists_guilds(
    fake: FakeDiscord, http: aiohttp.ClientSession
) -> None:
    status, query = await _authorize(fake, http)
    assert status == 302 and query["state"] == ["s-123"]
    code = query["code"][0]
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    status, token = await _token(fake, http, form, basic=True)
    assert status == 200
    assert token["token_type"] == "Bearer" and token["scope"] == "identify guilds"
    assert token["expires_in"] == fake.oauth.token_lifetime and token["refresh_token"]
    status, me = await _get(http, fake.api_base_url + "/users/@me", token["access_token"])
    assert status == 200 and me["id"] == str(_alice(fake).id) and me["username"] == "alice"
    status, guilds = await _get(
        http, fake.api_base_url + "/users/@me/guilds", token["access_token"]
    )
    assert status == 200
    by_name = {g["name"]: g for g in guilds}
    assert set(by_name) == {"Managed", "Owned"}
    assert by_name["Owned"]["owner"] is True and by_name["Managed"]["owner"] is False
    assert int(by_name["Managed"]["permissions"]) & MANAGE_GUILD
    assert isinstance(by_name["Managed"]["permissions"], str)
    # Codes are single-use.
    assert await _token(fake, http, form) == (
        400,
        {"error": "invalid_grant", "error_description": 'Invalid "code" in request.'},
    )


async def test_code_exchange_checks_client_redirect_and_expiry(
    fake: FakeDiscord, http: aiohttp.ClientSession
) -> None:
    _, query = await _authorize(fake, http)
    form = {"grant_type": "authorization_code", "code": query["code"][0], "redirect_uri": REDIRECT}
    url = fake.api_base_url + "/oauth2/token"
    bad_client = {**form, "client_id": str(fake.oauth.client_id), "client_secret": "nope"}
    async with http.post(url, data=bad_client) as r:
        assert (r.status, await r.json()) == (401, {"error": "invalid_client"})
    other_redirect = {**form, "redirect_uri": "http://127.0.0.1:9/elsewhere"}
    assert (await _token(fake, http, other_redirect))[1]["error"] == "invalid_grant"
    _, query = await _authorize(fake, http)
    fake.oauth.advance(fake.oauth.code_lifetime + 1)
    expired = {**form, "code": query["code"][0]}
    assert (await _token(fake, http, expired))[1]["error"] == "invalid_grant"
    assert (await _token(fake, http, {"grant_type": "password"}))[1] == {
        "error": "unsupported_grant_type"
    }


async def test_authorize_errors(fake: FakeDiscord, http: aiohttp.ClientSession) -> None:
    fake.oauth.deny = True
    assert await _authorize(fake, http) == (
        302,
        {"error": ["access_denied"], "state": ["s-123"]},
    )
    fake.oauth.deny = False
    assert (await _authorize(fake, http, scope="identify bogus"))[1]["error"] == ["invalid_scope"]
    assert (await _authorize(fake, http, response_type="token"))[1]["error"] == [
        "unsupported_response_type"
    ]
    # Never redirect to an unregistered URI or for an unknown application.
    assert await _authorize(fake, http, redirect_uri="http://127.0.0.1:9/evil") == (400, {})
    assert await _authorize(fake, http, client_id="1") == (400, {})
    fake.oauth.signed_in_user_id = None
    assert await _authorize(fake, http) == (401, {})
    assert [a.status for a in fake.oauth.authorizations] == [302, 302, 302, 400, 400, 401]


async def test_refresh_expiry_and_revoke(fake: FakeDiscord, http: aiohttp.ClientSession) -> None:
    me = fake.api_base_url + "/users/@me"
    first = await _sign_in(fake, http)
    refresh = {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    status, second = await _token(fake, http, refresh)
    assert status == 200 and second["access_token"] != first["access_token"]
    assert (await _get(http, me, first["access_token"]))[0] == 401
    assert (await _get(http, me, second["access_token"]))[0] == 200
    assert (await _token(fake, http, refresh))[0] == 400  # the old refresh token is spent
    fake.oauth.advance(fake.oauth.token_lifetime)
    assert (await _get(http, me, second["access_token"])) == (
        401,
        {"message": "401: Unauthorized", "code": 0},
    )
    third = await _sign_in(fake, http)
    creds = {"client_id": str(fake.oauth.client_id), "client_secret": fake.oauth.client_secret}
    url = fake.api_base_url + "/oauth2/token/revoke"
    async with http.post(url, data={"token": third["access_token"], **creds}) as r:
        assert r.status == 200
    assert (await _get(http, me, third["access_token"]))[0] == 401
    again = {"grant_type": "refresh_token", "refresh_token": third["refresh_token"]}
    assert (await _token(fake, http, again))[0] == 400


async def test_bearer_scopes_and_bot_routes(fake: FakeDiscord, http: aiohttp.ClientSession) -> None:
    _, query = await _authorize(fake, http, scope="identify")
    form = {"grant_type": "authorization_code", "code": query["code"][0], "redirect_uri": REDIRECT}
    _, token = await _token(fake, http, form)
    access = token["access_token"]
    assert (await _get(http, fake.api_base_url + "/users/@me", access))[0] == 200
    assert (await _get(http, fake.api_base_url + "/users/@me/guilds", access))[0] == 401
    guild = next(iter(fake.guilds))
    assert (await _get(http, fake.api_base_url + f"/guilds/{guild}", access))[0] == 401
    bot = {"Authorization": f"Bot {TOKEN}"}
    async with http.get(fake.api_base_url + "/users/@me/guilds", headers=bot) as r:
        assert r.status == 200
        assert {g["name"] for g in await r.json()} == {"Managed", "Owned", "Elsewhere"}
