"""What every panel page shares: the panel's services, sign-in and access checks, rendering.

Access rules (each tested in ``tests/bot/test_web.py``):

- A page needs a valid session cookie; without one, a GET is redirected to the sign-in page
  and a POST is refused with 403.
- A server's pages need the user to have Manage Server (or Administrator, or to own it) there
  *and* the bot to be in it. The user's guild list is read from Discord with their own token:
  at most a minute old for a page view, and read again for every change (POST).
- Every POST carries a one-time form token tied to the session (CSRF): a missing, forged or
  other session's token gets 403; a form posted twice changes nothing the second time.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import aiohttp_jinja2
from aiohttp import web

from bot.web.oauth import DiscordOAuth, OAuthError, UserGuild
from bot.web.session import Cookies, FormAlreadySent, FormRefused, WebSession

if TYPE_CHECKING:
    import discord

    from bot.services import Services

log = logging.getLogger(__name__)

GUILDS_FRESH_SECONDS = 60.0
DISCORD_BUSY = "Discord did not answer who may manage what, so nothing was changed. Retry soon."
ALREADY_SENT = "This form was already sent, so nothing more was changed. Reload the page to see."


@dataclass
class Panel:
    """The panel's services, kept on the aiohttp application."""

    client: discord.Client
    services: Services
    oauth: DiscordOAuth
    cookies: Cookies
    _guilds: dict[str, tuple[float, list[UserGuild]]] = field(default_factory=dict)

    async def guilds(self, session: WebSession, *, fresh: bool) -> list[UserGuild]:
        """The user's guilds: re-read from Discord when ``fresh`` or older than a minute."""
        now = time.monotonic()
        cached = self._guilds.get(session.access_token)
        if not fresh and cached is not None and now - cached[0] < GUILDS_FRESH_SECONDS:
            return cached[1]
        guilds = await self.oauth.guilds(session.access_token)
        if len(self._guilds) > 1000:
            self._guilds.clear()
        self._guilds[session.access_token] = (now, guilds)
        return guilds

    def forget(self, session: WebSession) -> None:
        """Drop the cached guild list of a session that ends."""
        self._guilds.pop(session.access_token, None)


PANEL = web.AppKey("panel", Panel)


def panel_of(request: web.Request) -> Panel:
    """The request's :class:`Panel`."""
    return request.app[PANEL]


def signed_in(request: web.Request) -> WebSession:
    """The session, or a redirect to sign-in (GET) / 403 (POST) for a signed-out visitor."""
    session = panel_of(request).cookies.session(request)
    if session is None:
        if request.method == "GET":
            raise web.HTTPFound("/")
        raise forbidden(request, "You are signed out. Sign in again, then retry.")
    return session


async def manageable(request: web.Request, session: WebSession, *, fresh: bool) -> list[UserGuild]:
    """The servers the user may manage here: Manage Server there, and the bot present."""
    panel = panel_of(request)
    try:
        guilds = await panel.guilds(session, fresh=fresh)
    except OAuthError as error:
        if error.status != 401:  # rate-limited, down, unreachable: not the user's fault
            log.warning("user %s: could not read their guilds (%s)", session.user_id, error)
            raise web.HTTPServiceUnavailable(
                text=_page(request, "error.html", {"message": DISCORD_BUSY, "title": "Retry soon"}),
                content_type="text/html",
                headers={"Retry-After": "10"},
            ) from None
        log.info("user %s: token refused (%s); signing out", session.user_id, error)
        response = (
            web.HTTPFound("/")
            if request.method == "GET"
            else forbidden(request, "Your Discord sign-in has expired. Sign in again.")
        )
        panel.cookies.end_session(response)
        raise response from None
    return [g for g in guilds if g.can_manage and panel.client.get_guild(g.id) is not None]


async def managed_guild(request: web.Request, session: WebSession) -> UserGuild:
    """The server of the URL, if the user may manage it (re-checked with Discord for a POST)."""
    try:
        guild_id = int(request.match_info["guild_id"])
    except ValueError:
        raise web.HTTPNotFound from None
    fresh = request.method != "GET"
    for guild in await manageable(request, session, fresh=fresh):
        if guild.id == guild_id:
            return guild
    raise forbidden(
        request,
        "You can't manage this server here: it needs the Manage Server permission there, "
        "and the bot in it.",
    )


async def checked_form(request: web.Request, session: WebSession) -> tuple[dict[str, str], str]:
    """The POSTed form and its nonce, after the CSRF and once-only checks."""
    panel = panel_of(request)
    form = {key: str(value) for key, value in (await request.post()).items()}
    try:
        nonce = panel.cookies.check_form(session, form.get("csrf"))
    except FormRefused:
        raise forbidden(
            request, "This form has expired or was not sent from this page. Reload and retry."
        ) from None
    try:
        panel.cookies.used_forms.take(nonce)
    except FormAlreadySent:
        raise web.HTTPConflict(
            text=_page(request, "error.html", {"message": ALREADY_SENT, "title": "Already sent"}),
            content_type="text/html",
        ) from None
    return form, nonce


def forbidden(request: web.Request, message: str) -> web.HTTPForbidden:
    """A 403 with a page saying why."""
    return web.HTTPForbidden(
        text=_page(request, "error.html", {"message": message}), content_type="text/html"
    )


def _page(request: web.Request, template: str, context: dict[str, Any]) -> str:
    env = aiohttp_jinja2.get_env(request.app)
    cookies = panel_of(request).cookies
    session = cookies.session(request)
    csrf = cookies.form_token(session) if session is not None else ""
    return env.get_template(template).render(session=session, csrf=csrf, **context)


def render(
    request: web.Request,
    template: str,
    session: WebSession | None,
    context: dict[str, Any],
    *,
    status: int = 200,
) -> web.Response:
    """A page, with the signed-in user and a fresh form token for its forms."""
    panel = panel_of(request)
    csrf = panel.cookies.form_token(session) if session is not None else ""
    response = aiohttp_jinja2.render_template(
        template, request, {"session": session, "csrf": csrf, **context}, status=status
    )
    response.headers["Cache-Control"] = "no-store"
    return response
