"""The web control panel: sign in with Discord, manage a server's briefing, one's own digest.

Served by the bot's own aiohttp server (:mod:`bot.health`) when ``WEB_PORT`` is set, so there
is still one process to run. Server-rendered Jinja2 templates (autoescaped) and one small
stylesheet; no JavaScript. Every change goes through the same use cases as the slash commands
(:mod:`bot.usecases`). Modules: :mod:`.oauth` (Discord OAuth2), :mod:`.session` (signed
cookies, CSRF), :mod:`.panel` (access checks, rendering), the ``views_*`` modules (routes),
:mod:`.discord_view` (channel and role names, targets and pings read from the bot's cache),
:mod:`.markdown` (Discord Markdown as HTML for the preview).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import aiohttp_jinja2
import jinja2
from aiohttp import web

from bot.parsing import format_days
from bot.web import views_auth, views_me, views_servers
from bot.web.markdown import discord_markdown
from bot.web.oauth import DiscordOAuth
from bot.web.panel import PANEL, Panel
from bot.web.session import Cookies

if TYPE_CHECKING:
    import discord

    from bot.services import Services

HERE = Path(__file__).parent
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; style-src-attr 'unsafe-inline'; "
        "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


@web.middleware
async def _security_headers(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException as error:
        error.headers.update(SECURITY_HEADERS)
        raise
    response.headers.update(SECURITY_HEADERS)
    return response


def _colour(value: int | None) -> str:
    return f"#{value:06x}" if value is not None else "#4f545c"  # Discord's bar without a colour


def _local(moment: datetime, zone: str) -> str:
    return f"{moment.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M} {zone}"


def install_panel(app: web.Application, client: discord.Client, services: Services) -> None:
    """Add the panel's routes, templates and services to ``app`` (``client``: the bot's)."""
    settings = services.settings
    assert settings.web_base_url is not None and settings.discord_client_id is not None
    assert settings.discord_client_secret is not None and settings.web_secret_key is not None
    oauth = DiscordOAuth(
        api_base=settings.discord_api_base_url,
        client_id=settings.discord_client_id,
        client_secret=settings.discord_client_secret.get_secret_value(),
        redirect_uri=settings.web_base_url + "/auth/callback",
    )
    cookies = Cookies(
        settings.web_secret_key.get_secret_value(),
        secure=settings.web_base_url.startswith("https://"),
    )
    app[PANEL] = Panel(client, services, oauth, cookies)
    env = aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["markdown"] = discord_markdown
    env.filters["colour"] = _colour
    env.filters["local"] = _local
    env.filters["days"] = format_days
    app.middlewares.append(_security_headers)
    for table in (views_auth.routes, views_servers.routes, views_me.routes):
        app.router.add_routes(table)
    app.router.add_static("/static", HERE / "static")

    async def close(_: web.Application) -> None:
        await oauth.close()

    app.on_cleanup.append(close)
