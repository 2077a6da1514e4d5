"""The panel's front door: the home page, sign-in with Discord, its callback, sign-out."""

from __future__ import annotations

import logging
import secrets

from aiohttp import web

from bot.web.oauth import OAuthError
from bot.web.panel import checked_form, forbidden, panel_of, render
from bot.web.session import STATE_COOKIE, WebSession

log = logging.getLogger(__name__)

routes = web.RouteTableDef()


@routes.get("/")
async def home(request: web.Request) -> web.Response:
    """Signed in: the servers list; otherwise a page with the sign-in button."""
    session = panel_of(request).cookies.session(request)
    if session is not None:
        raise web.HTTPFound("/servers")
    return render(request, "home.html", None, {})


@routes.get("/login")
async def login(request: web.Request) -> web.Response:
    """Send the browser to Discord's consent page with a fresh ``state``."""
    panel = panel_of(request)
    response = web.HTTPFound("/")  # location set below, once the state cookie is made
    state = panel.cookies.new_state(response)
    response.headers["Location"] = panel.oauth.authorize_url(state)
    raise response


@routes.get("/auth/callback")
async def callback(request: web.Request) -> web.Response:
    """Discord's redirect: check ``state``, exchange the code, start the session."""
    panel = panel_of(request)
    query = request.query
    if not panel.cookies.state_matches(request, query.get("state")):
        raise forbidden(request, "That sign-in link is not from this browser, or too old. Retry.")
    if "error" in query or not query.get("code"):
        return render(
            request,
            "home.html",
            None,
            {"error": "Sign-in was cancelled on Discord, so you are not signed in."},
            status=401,
        )
    try:
        identity = await panel.oauth.sign_in(query["code"])
    except OAuthError as error:
        log.warning("sign-in failed: %s", error)
        return render(
            request, "home.html", None, {"error": "Discord refused the sign-in. Retry."}, status=401
        )
    session = WebSession(
        identity.user_id, identity.username, identity.access_token, secrets.token_urlsafe(24)
    )
    response = web.HTTPFound("/servers")
    panel.cookies.start_session(response, session)
    response.del_cookie(STATE_COOKIE, path="/")
    log.info("user %s signed in to the web panel", identity.user_id)
    raise response


@routes.post("/logout")
async def logout(request: web.Request) -> web.Response:
    """Revoke the token and delete the session cookie."""
    panel = panel_of(request)
    session = panel.cookies.session(request)
    if session is not None:
        await checked_form(request, session)
        await panel.oauth.revoke(session.access_token)
        panel.forget(session)
    response = web.HTTPFound("/")
    panel.cookies.end_session(response)
    raise response
