"""The optional health and metrics endpoint (aiohttp), for operators and their monitoring.

Enabled by ``HEALTH_PORT``; bound to ``HEALTH_HOST`` (127.0.0.1 unless an operator opens it).

- ``GET /healthz``: JSON with the gateway connection, the scheduler, the database, the age
  of the loaded store and each remote source (``ok``: its last poll worked; ``stale``: the
  articles served are from an earlier good poll, at ``last_success``, that the latest poll
  could not renew, or that no poll has renewed yet since a restart); HTTP 200 when all is
  well, 503 when any part is down. A failing source does not make it 503: the bot still works
  with the source's last good articles.
- ``GET /metrics``: every :mod:`bot.metrics` metric in the Prometheus text format.

Nothing here reveals the token or any message content.

The web control panel (:mod:`bot.web`) is served by this same server: with ``WEB_PORT`` set,
it also listens on ``WEB_HOST:WEB_PORT`` and the panel's routes are added to the one
application, so there is still one server and one process. ``/healthz`` and ``/metrics`` then
answer on both ports (a monitor can keep using ``HEALTH_PORT``, left on 127.0.0.1).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

if TYPE_CHECKING:
    import discord

    from bot.services import Services
    from bot.settings import Settings

log = logging.getLogger(__name__)


class HealthServer:
    """Serves ``/healthz`` and ``/metrics`` for one bot (its gateway client and services), and
    the web panel when configured."""

    def __init__(
        self,
        client: discord.AutoShardedClient,
        services: Services,
        *,
        host: str,
        port: int | None,
        web_host: str = "127.0.0.1",
        web_port: int | None = None,
    ) -> None:
        self.client = client
        self.services = services
        self.host = host
        self.port = port
        self.web_host = web_host
        self.web_port = web_port
        self._runner: web.AppRunner | None = None

    @classmethod
    def for_settings(
        cls, client: discord.AutoShardedClient, services: Services
    ) -> HealthServer | None:
        """The server ``HEALTH_PORT`` and ``WEB_PORT`` ask for, or None when neither is set."""
        settings: Settings = services.settings
        if settings.health_port is None and settings.web_port is None:
            return None
        return cls(
            client,
            services,
            host=settings.health_host,
            port=settings.health_port,
            web_host=settings.web_host,
            web_port=settings.web_port,
        )

    async def start(self) -> None:
        """Listen (port 0 picks a free port; :attr:`port`/:attr:`web_port` then tell which)."""
        app = web.Application()
        app.router.add_get("/healthz", self._wrap(self.healthz))
        app.router.add_get("/metrics", self._wrap(self.metrics))
        if self.web_port is not None:
            from bot.web import install_panel  # templates and sessions only when asked for

            install_panel(app, self.client, self.services)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        if self.port is not None:
            self.port = await self._listen(self.host, self.port)
            log.info("health endpoint on http://%s:%d/healthz and /metrics", self.host, self.port)
        if self.web_port is not None:
            self.web_port = await self._listen(self.web_host, self.web_port)
            log.info("web panel on http://%s:%d/", self.web_host, self.web_port)

    async def _listen(self, host: str, port: int) -> int:
        assert self._runner is not None
        before = len(self._runner.addresses)
        await web.TCPSite(self._runner, host, port).start()
        added = self._runner.addresses[before:]  # the bound address tells which port 0 picked
        return int(added[0][1]) if added else port

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @staticmethod
    def _wrap(
        handler: Callable[[], Awaitable[web.Response]],
    ) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def route(request: web.Request) -> web.Response:
            return await handler()

        return route

    async def healthz(self) -> web.Response:
        """The health report."""
        bot = self.client
        services = self.services
        shards = list(bot.shards.values())
        gateway = (
            bot.is_ready()
            and not bot.is_closed()
            and bool(shards)
            and not any(shard.is_closed() for shard in shards)
        )
        scheduler = services.scheduler.running
        database = await services.db.ping()
        library = services.library
        loaded_at = library.loaded_at
        now = services.clock()
        store: dict[str, object] = {"loaded": loaded_at is not None}
        if loaded_at is not None:
            store.update(
                articles=library.article_count,
                skipped_files=len(library.problems),
                loaded_at=loaded_at.isoformat(),
                age_seconds=round((now - loaded_at).total_seconds(), 1),
            )
        healthy = gateway and scheduler and database and loaded_at is not None
        sources = [
            {
                "url": source.shown_url,
                "ok": source.healthy,
                "stale": source.stale,
                "articles": len(source.articles),
                "last_success": source.last_success.isoformat() if source.last_success else None,
                "error": source.last_error,
            }
            for source in services.sources.sources
        ]
        body = {
            "status": "ok" if healthy else "degraded",
            "gateway": {"connected": gateway, "latency_ms": _latency(bot)},
            "scheduler": {"running": scheduler},
            "database": {"reachable": database},
            "store": store,
            "sources": sources,
        }
        return web.json_response(body, status=200 if healthy else 503)

    async def metrics(self) -> web.Response:
        """The Prometheus exposition."""
        services = self.services
        if services.library.loaded_at is not None:
            services.metrics.articles.set(services.library.article_count)
            services.metrics.skipped_files.set(len(services.library.problems))
        return web.Response(
            body=services.metrics.render(), headers={"Content-Type": CONTENT_TYPE_LATEST}
        )


def _latency(bot: discord.Client) -> float | None:
    latency = bot.latency
    return None if latency != latency or latency == float("inf") else round(latency * 1000, 1)
