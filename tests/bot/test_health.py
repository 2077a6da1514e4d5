"""The health endpoint, Prometheus metrics and JSON logs, against the running bot."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.client import BriefingBot
from bot.logs import configure_logging
from bot.state.deliveries import DeliveryStatus
from tests.bot.harness import SAMPLE_MORNING, BotHarness, reply_of
from tests.fake_discord import FakeDiscord


@pytest.fixture
async def monitored(world: FakeDiscord, tmp_path: Path) -> AsyncIterator[BotHarness]:
    harness = BotHarness(world, tmp_path, overrides={"health_port": 0})
    await harness.start()
    try:
        yield harness
    finally:
        await harness.close()


def _url(harness: BotHarness, path: str) -> str:
    bot = harness.bot
    assert isinstance(bot, BriefingBot) and bot.health is not None
    assert bot.health.host == "127.0.0.1"  # local only unless an operator says otherwise
    return f"http://127.0.0.1:{bot.health.port}{path}"


async def test_healthz_reports_every_part(monitored: BotHarness) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.get(_url(monitored, "/healthz")) as response,
    ):
        body = await response.json()
        assert response.status == 200, body
    assert body["status"] == "ok"
    assert body["gateway"]["connected"] is True
    assert body["scheduler"]["running"] is True
    assert body["database"]["reachable"] is True
    assert body["store"]["articles"] == 60 and body["store"]["skipped_files"] == 0
    assert body["store"]["age_seconds"] >= 0
    assert "e2e-secret-token" not in json.dumps(body)


async def test_healthz_degrades_when_a_part_is_down(monitored: BotHarness) -> None:
    assert monitored.bot is not None
    await monitored.bot.services.scheduler.stop()
    async with (
        aiohttp.ClientSession() as session,
        session.get(_url(monitored, "/healthz")) as response,
    ):
        assert response.status == 503
        body = await response.json()
    assert body["status"] == "degraded" and body["scheduler"]["running"] is False


async def test_metrics_count_deliveries_commands_and_rate_limits(monitored: BotHarness) -> None:
    fake, bot = monitored.fake, monitored.bot
    assert bot is not None
    owner = monitored.user("owner")
    monitored.clock.now = SAMPLE_MORNING.replace(hour=7)
    options = {"channel": monitored.channel_id(), "time": "08:00", "timezone": "UTC"}
    await reply_of(
        await fake.inject_slash_command("briefing", options, subcommand="setup", user_id=owner.id)
    )
    monitored.clock.now = SAMPLE_MORNING
    fake.rate_limit_next("POST", "/channels/{id}/messages", retry_after=0.05)
    assert (
        await bot.services.deliverer.deliver_channel(monitored.guild.id)
    ).status == DeliveryStatus.SENT
    await reply_of(await fake.inject_slash_command("topics"))

    async with (
        aiohttp.ClientSession() as session,
        session.get(_url(monitored, "/metrics")) as response,
    ):
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain")
        text = await response.text()
    assert "briefing_articles_indexed 60.0" in text
    assert "briefing_store_skipped_files 0.0" in text
    assert 'briefing_deliveries_total{kind="channel",status="sent"} 1.0' in text
    assert 'briefing_command_seconds_count{command="topics",outcome="ok"} 1.0' in text
    assert 'briefing_command_seconds_count{command="briefing setup",outcome="ok"} 1.0' in text
    assert "briefing_discord_rate_limits_total 1.0" in text


def test_json_logs_are_one_object_per_line_with_ids(capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure_logging("INFO", "json")
        logging.getLogger("bot.delivery").info(
            "channel briefing guild=%s",
            42,
            extra={"guild_id": 42, "channel_id": 7, "job_id": "channel:42"},
        )
        logging.getLogger("bot.x").debug("hidden at INFO")
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["message"] == "channel briefing guild=42"
    assert (record["level"], record["logger"]) == ("INFO", "bot.delivery")
    assert (record["guild_id"], record["channel_id"], record["job_id"]) == (42, 7, "channel:42")
    assert "time" in record
