"""OAuth2 provider half of the fake Discord: the authorization-code flow a web panel signs in with.

https://discord.com/developers/docs/topics/oauth2, RFC 6749 and RFC 7009:

- ``GET /oauth2/authorize`` stands for the page a browser sees on discord.com (Discord's
  documented authorization URL is ``https://discord.com/oauth2/authorize``, on the site, not
  under ``/api/v10``: the fake serves that path only). The browser is signed in as
  ``OAuth2Provider.signed_in_user_id`` (a test setting) who has already consented
  (``prompt=none`` semantics): it redirects (302) at once to
  ``redirect_uri?code=...&state=...``, or ``?error=access_denied&state=...`` when ``deny``
  is set. A bad ``response_type`` or ``scope`` is also reported on the redirect;
  an unknown ``client_id`` or unregistered ``redirect_uri`` gets a 400 page (never a
  redirect), and nobody signed in a 401 page.
- ``POST /api/v10/oauth2/token`` (form-encoded; client credentials in the body or HTTP
  Basic): ``authorization_code`` (codes are single-use, expire after ``code_lifetime``
  seconds and must match ``client_id`` and ``redirect_uri``) and ``refresh_token`` (rotates
  both tokens). Answers ``{access_token, token_type: "Bearer", expires_in, refresh_token,
  scope}`` or RFC 6749 errors (``invalid_client`` 401, ``invalid_grant`` /
  ``unsupported_grant_type`` / ``invalid_request`` 400).
- ``POST /api/v10/oauth2/token/revoke``: revokes the grant the token belongs to (both
  tokens); 200 even for unknown tokens.
- ``GET /users/@me`` (scope ``identify``) and ``GET /users/@me/guilds`` (scope ``guilds``)
  with ``Authorization: Bearer``; a missing, unknown, expired or revoked token, or one
  without the scope, gets ``401: Unauthorized`` like Discord.

Time is the provider's own clock (``advance(seconds)``), so expiry is tested without sleeping.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

from aiohttp import web

from ._http import DiscordError, Reply, RestContext, ok

KNOWN_SCOPES = frozenset(
    {"identify", "email", "guilds", "guilds.join", "guilds.members.read", "connections"}
)
UNAUTHORIZED = DiscordError(401, 0, "401: Unauthorized")


@dataclass
class AuthorizationCode:
    code: str
    user_id: int
    redirect_uri: str
    scopes: tuple[str, ...]
    expires_at: float
    used: bool = False


@dataclass
class OAuthGrant:
    """One user's authorization: the current access/refresh token pair and its scopes."""

    user_id: int
    scopes: tuple[str, ...]
    access_token: str
    refresh_token: str
    expires_at: float
    revoked: bool = False


@dataclass
class AuthorizeRecord:
    """One visit of the authorize page: its query and where the browser was sent."""

    query: dict[str, str]
    status: int
    location: str | None


@dataclass
class OAuth2Provider:
    """Test settings and state of the fake's OAuth2 provider (``FakeDiscord.oauth``)."""

    client_id: int
    client_secret: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    redirect_uris: list[str] = field(default_factory=list)
    """Registered redirect URIs (exact match, like Discord)."""
    signed_in_user_id: int | None = None
    """Who the browser is signed in to Discord as (None: nobody)."""
    deny: bool = False
    """When true the signed-in user clicks "Cancel": the redirect carries access_denied."""
    token_lifetime: int = 604_800
    code_lifetime: int = 600
    codes: dict[str, AuthorizationCode] = field(default_factory=dict)
    grants: list[OAuthGrant] = field(default_factory=list)
    authorizations: list[AuthorizeRecord] = field(default_factory=list)
    _offset: float = 0.0

    def now(self) -> float:
        return time.monotonic() + self._offset

    def advance(self, seconds: float) -> None:
        """Move the provider's clock forward (codes and access tokens expire)."""
        self._offset += seconds

    def grant_for_access_token(self, token: str) -> OAuthGrant | None:
        for grant in self.grants:
            if grant.access_token == token and not grant.revoked:
                return grant if self.now() < grant.expires_at else None
        return None

    # -- authorize page -----------------------------------------------------------------

    async def authorize(self, request: web.Request) -> web.Response:
        query = dict(request.query)
        response = self._authorize(query)
        self.authorizations.append(
            AuthorizeRecord(query, response.status, response.headers.get("Location"))
        )
        return response

    def _authorize(self, query: dict[str, str]) -> web.Response:
        if query.get("client_id") != str(self.client_id):
            return _page(400, "Unknown application (client_id).")
        redirect_uri = query.get("redirect_uri")
        if redirect_uri is None and len(self.redirect_uris) == 1:
            redirect_uri = self.redirect_uris[0]
        if redirect_uri not in self.redirect_uris:
            return _page(400, "Invalid OAuth2 redirect_uri.")
        state = {"state": query["state"]} if "state" in query else {}
        scopes = tuple(query.get("scope", "").split())
        error = None
        if query.get("response_type") != "code":
            error = "unsupported_response_type"
        elif not scopes or not set(scopes) <= KNOWN_SCOPES:
            error = "invalid_scope"
        elif self.deny:
            error = "access_denied"
        if error is not None:
            return _redirect(redirect_uri, {"error": error, **state})
        if self.signed_in_user_id is None:
            return _page(401, "Not signed in to (fake) Discord.")
        code = secrets.token_urlsafe(24)
        self.codes[code] = AuthorizationCode(
            code, self.signed_in_user_id, redirect_uri, scopes, self.now() + self.code_lifetime
        )
        return _redirect(redirect_uri, {"code": code, **state})

    # -- token endpoints ----------------------------------------------------------------

    def _form(self, ctx: RestContext) -> dict[str, str]:
        if ctx.request.content_type != "application/x-www-form-urlencoded":
            raise OAuthError(400, "invalid_request", "Expected a form-encoded body.")
        body = ctx.body if isinstance(ctx.body, str) else ""
        form = dict(parse_qsl(body, keep_blank_values=True))
        client_id, secret = form.get("client_id"), form.get("client_secret")
        header = ctx.request.headers.get("Authorization", "")
        if header.startswith("Basic "):
            try:
                client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                raise OAuthError(401, "invalid_client") from None
        if client_id != str(self.client_id) or secret != self.client_secret:
            raise OAuthError(401, "invalid_client")
        return form

    async def token(self, ctx: RestContext) -> Reply:
        form = self._form(ctx)
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            code = self.codes.get(form.get("code", ""))
            if (
                code is None
                or code.used
                or self.now() >= code.expires_at
                or form.get("redirect_uri") != code.redirect_uri
            ):
                raise OAuthError(400, "invalid_grant", 'Invalid "code" in request.')
            code.used = True
            grant = OAuthGrant(code.user_id, code.scopes, "", "", 0.0)
            self.grants.append(grant)
        elif grant_type == "refresh_token":
            found = next(
                (
                    g
                    for g in self.grants
                    if g.refresh_token == form.get("refresh_token") and not g.revoked
                ),
                None,
            )
            if found is None or not form.get("refresh_token"):
                raise OAuthError(400, "invalid_grant")
            grant = found
        else:
            raise OAuthError(400, "unsupported_grant_type")
        grant.access_token = secrets.token_urlsafe(30)
        grant.refresh_token = secrets.token_urlsafe(30)
        grant.expires_at = self.now() + self.token_lifetime
        return ok(
            {
                "access_token": grant.access_token,
                "token_type": "Bearer",
                "expires_in": self.token_lifetime,
                "refresh_token": grant.refresh_token,
                "scope": " ".join(grant.scopes),
            }
        )

    async def revoke(self, ctx: RestContext) -> Reply:
        token = self._form(ctx).get("token")
        if not token:
            raise OAuthError(400, "invalid_request", 'Missing "token".')
        for grant in self.grants:
            if token in (grant.access_token, grant.refresh_token):
                grant.revoked = True
        return ok({})

    def bearer_handler(
        self, scope: str, render: Callable[[int], Any]
    ) -> Callable[[RestContext], Any]:
        """A handler answering ``render(user_id)`` for a valid Bearer token with ``scope``."""

        async def handler(ctx: RestContext) -> Reply:
            header = ctx.request.headers.get("Authorization", "")
            grant = self.grant_for_access_token(header[7:]) if header[:7] == "Bearer " else None
            if grant is None or scope not in grant.scopes:
                raise UNAUTHORIZED
            return ok(render(grant.user_id))

        return handler


class OAuthError(DiscordError):
    """An RFC 6749 error body ``{"error", "error_description"}`` instead of Discord's."""

    def __init__(self, status: int, error: str, description: str | None = None) -> None:
        super().__init__(status, 0, error)
        self.error = error
        self.description = description

    def body(self) -> dict[str, Any]:
        body = {"error": self.error}
        if self.description is not None:
            body["error_description"] = self.description
        return body


def _redirect(uri: str, params: dict[str, str]) -> web.Response:
    separator = "&" if "?" in uri else "?"
    return web.Response(status=302, headers={"Location": uri + separator + urlencode(params)})


def _page(status: int, message: str) -> web.Response:
    html = f"<!doctype html><title>Discord</title><p>{message}</p>"
    return web.Response(status=status, text=html, content_type="text/html")
