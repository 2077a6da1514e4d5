"""Point discord.py at a different REST API base and gateway.

discord.py hard-codes ``https://discord.com/api/v10`` (``discord.http.Route.BASE``) and
``wss://gateway.discord.gg/`` (``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY``).
Overriding them lets the bot run behind an API proxy (for example a shared rate-limit
proxy) and lets end-to-end tests connect the unmodified client to a local fake Discord
server.  Both settings are process-wide class attributes, so call this before the client
logs in.  ``reset_discord_endpoints`` restores the values captured when this module was
first imported.
"""

from __future__ import annotations

import discord.gateway
import discord.http
import yarl

__all__ = ["point_discord_at", "reset_discord_endpoints"]

_API_SUFFIX = "/api/v10"

_ORIGINAL_API_BASE: str = discord.http.Route.BASE
_ORIGINAL_GATEWAY: yarl.URL = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY


def point_discord_at(api_base_url: str | None, gateway_url: str | None) -> None:
    """Send discord.py's REST calls to ``api_base_url`` and its gateway to ``gateway_url``.

    ``api_base_url`` must end with ``/api/v10`` (a trailing slash is tolerated).  ``None``
    for either argument selects Discord's own default for that endpoint.  Calling this
    repeatedly with the same arguments is harmless.
    """
    if api_base_url is None:
        base = _ORIGINAL_API_BASE
    else:
        base = api_base_url.rstrip("/")
        if not base.endswith(_API_SUFFIX):
            raise ValueError(f"api_base_url must end with {_API_SUFFIX!r}: {api_base_url!r}")
    gateway = _ORIGINAL_GATEWAY if gateway_url is None else yarl.URL(gateway_url)
    if gateway.scheme not in ("ws", "wss"):
        raise ValueError(f"gateway_url must be a ws:// or wss:// URL: {gateway_url!r}")

    discord.http.Route.BASE = base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = gateway


def reset_discord_endpoints() -> None:
    """Restore the REST base and gateway that discord.py had when this module was imported."""
    discord.http.Route.BASE = _ORIGINAL_API_BASE
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = _ORIGINAL_GATEWAY
