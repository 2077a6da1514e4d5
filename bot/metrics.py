"""Prometheus metrics of one bot process (``/metrics`` on the health endpoint).

Metrics live in the bot's own :class:`~prometheus_client.CollectorRegistry`, not the global
one, so several bots (tests, or shards in one process) never share counters. Names:

- ``briefing_articles_indexed`` / ``briefing_store_skipped_files`` (gauges, set on each reload)
- ``briefing_deliveries_total{kind, status}`` (counter: kind ``channel``/``digest``; status
  ``sent``, ``empty``, ``failed``, ``paused``)
- ``briefing_command_seconds{command, outcome}`` (histogram: from Discord creating the
  interaction to the bot finishing it)
- ``briefing_discord_rate_limits_total`` (counter: HTTP 429 answers from Discord)
"""

from __future__ import annotations

from types import SimpleNamespace

import aiohttp
import discord
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from bot.state.deliveries import DeliveryKind, DeliveryStatus

COUNTED_DELIVERY_STATUSES = frozenset(
    {DeliveryStatus.SENT, DeliveryStatus.EMPTY, DeliveryStatus.FAILED, DeliveryStatus.PAUSED}
)


class Metrics:
    """The process's metrics and the aiohttp trace that counts Discord's 429s."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.articles = Gauge(
            "briefing_articles_indexed", "Articles loaded from the store", registry=self.registry
        )
        self.skipped_files = Gauge(
            "briefing_store_skipped_files", "Store files skipped as broken", registry=self.registry
        )
        self.deliveries = Counter(
            "briefing_deliveries_total",
            "Briefing deliveries by kind and result",
            ["kind", "status"],
            registry=self.registry,
        )
        self.command_seconds = Histogram(
            "briefing_command_seconds",
            "Slash command latency from interaction creation to completion",
            ["command", "outcome"],
            buckets=(0.1, 0.25, 0.5, 1, 2, 3, 5, 10),
            registry=self.registry,
        )
        self.rate_limits = Counter(
            "briefing_discord_rate_limits", "HTTP 429 answers from Discord", registry=self.registry
        )

    def count_delivery(self, kind: DeliveryKind, status: DeliveryStatus) -> None:
        """Count a delivery attempt that did something (not "already" or "not-due")."""
        if status in COUNTED_DELIVERY_STATUSES:
            self.deliveries.labels(kind=kind, status=status).inc()

    def render(self) -> bytes:
        """The Prometheus text exposition of every metric."""
        return generate_latest(self.registry)

    def http_trace(self) -> aiohttp.TraceConfig:
        """An aiohttp trace for discord.py's HTTP session that counts 429 answers."""
        trace = aiohttp.TraceConfig()

        async def on_request_end(
            session: aiohttp.ClientSession,
            context: SimpleNamespace,
            params: aiohttp.TraceRequestEndParams,
        ) -> None:
            if params.response.status == 429:
                self.rate_limits.inc()

        trace.on_request_end.append(on_request_end)
        return trace


def observe_command(metrics: Metrics, interaction: discord.Interaction, outcome: str) -> None:
    """Record how long a command took, from Discord creating the interaction until now."""
    command = interaction.command.qualified_name if interaction.command else "unknown"
    seconds = (discord.utils.utcnow() - interaction.created_at).total_seconds()
    metrics.command_seconds.labels(command=command, outcome=outcome).observe(max(0.0, seconds))
