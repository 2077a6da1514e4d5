"""``python -m bot`` as a real process: clear start-up errors, and the token never shows."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

import pytest

from tests.bot.harness import TOKEN
from tests.bot.processes import clean_environment, start_bot
from tests.conftest import SAMPLE_STORE
from tests.fake_discord import FakeDiscord


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return clean_environment(
        ARTICLE_STORE=str(SAMPLE_STORE),
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}",
        LOG_LEVEL="DEBUG",
        PYTHONFAULTHANDLER="1",
        **extra,
    )


async def _run(env: dict[str, str], tmp_path: Path) -> asyncio.subprocess.Process:
    return await start_bot(env, tmp_path, capture_output=True)


async def test_missing_token_is_one_clear_line(tmp_path: Path) -> None:
    process = await _run(_env(tmp_path), tmp_path)
    out, _ = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 2
    assert out.decode() == "briefing-bot: DISCORD_TOKEN is not set (see .env.example)\n"


async def test_invalid_setting_is_named(tmp_path: Path) -> None:
    process = await _run(
        _env(tmp_path, DISCORD_TOKEN="x", DEFAULT_DIGEST_TIMEZONE="Moon/Base"), tmp_path
    )
    out, _ = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 2
    assert (
        out.decode().strip()
        == "briefing-bot: DEFAULT_DIGEST_TIMEZONE is invalid: unknown time zone 'Moon/Base'"
    )


async def test_rejected_token_is_reported_without_showing_it(tmp_path: Path) -> None:
    async with FakeDiscord(token=TOKEN) as fake:
        wrong = "wrong-token-value-123"
        env = _env(
            tmp_path,
            DISCORD_TOKEN=wrong,
            DISCORD_API_BASE_URL=fake.api_base_url,
            DISCORD_GATEWAY_URL=fake.gateway_url,
        )
        process = await _run(env, tmp_path)
        out, _ = await asyncio.wait_for(process.communicate(), 60)
    text = out.decode()
    assert process.returncode == 2
    assert "Discord rejected DISCORD_TOKEN" in text
    assert wrong not in text


async def test_bot_process_runs_and_never_logs_the_token(tmp_path: Path) -> None:
    async with FakeDiscord(token=TOKEN) as fake:
        owner = fake.add_user("owner")
        guild = fake.add_guild("Newsroom", owner_id=owner.id)
        fake.add_text_channel(guild.id, "news")
        env = _env(
            tmp_path,
            DISCORD_TOKEN=TOKEN,
            DISCORD_API_BASE_URL=fake.api_base_url,
            DISCORD_GATEWAY_URL=fake.gateway_url,
        )
        process = await _run(env, tmp_path)
        assert process.stdout is not None
        lines: list[str] = []
        try:
            async with asyncio.timeout(60):
                while not any("connected as" in line for line in lines):
                    line = (await process.stdout.readline()).decode()
                    assert line, "the bot exited early:\n" + "".join(lines)
                    lines.append(line)
            await fake.wait_until(lambda: fake.commands, timeout=10)
            inter = await fake.inject_slash_command("topics", user_id=owner.id)
            await inter.wait_response(timeout=10)
        finally:
            process.send_signal(signal.SIGINT)
            rest = await _output_after_stop(process)
    text = "".join(lines) + rest.decode()
    assert TOKEN not in text
    assert "registered 6 global commands" in text
    assert (tmp_path / "bot.sqlite3").exists()  # state lives in the configured database


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
async def test_a_stop_signal_shuts_the_bot_down_in_order(
    tmp_path: Path, stop_signal: signal.Signals
) -> None:
    """SIGINT and SIGTERM stop the bot cleanly even when it inherited SIGINT as ignored.

    That is how ``bot &`` in a script (or a test run started in the background) starts it; the
    bot used to keep running after SIGINT then, which was the rare "did not exit within 30 s"
    hang of the test above.
    """
    async with FakeDiscord(token=TOKEN) as fake:
        owner = fake.add_user("owner")
        fake.add_guild("Newsroom", owner_id=owner.id)
        env = _env(
            tmp_path,
            DISCORD_TOKEN=TOKEN,
            DISCORD_API_BASE_URL=fake.api_base_url,
            DISCORD_GATEWAY_URL=fake.gateway_url,
        )
        process = await start_bot(env, tmp_path, capture_output=True, sigint_ignored=True)
        assert process.stdout is not None
        lines: list[str] = []
        try:
            async with asyncio.timeout(60):
                while not any("connected as" in line for line in lines):
                    line = (await process.stdout.readline()).decode()
                    assert line, "the bot exited early:\n" + "".join(lines)
                    lines.append(line)
        finally:
            process.send_signal(stop_signal)
            rest = (await _output_after_stop(process)).decode()
    assert process.returncode == 0, rest[-3000:]
    order = [
        "stopping: received a stop signal",
        "Scheduler has been shut down",
        "shut down",
    ]
    positions = [rest.find(line) for line in order]
    assert -1 not in positions and positions == sorted(positions), rest[-3000:]
    assert "did not stop in time" not in rest


async def _output_after_stop(process: asyncio.subprocess.Process) -> bytes:
    """The rest of the output once the stopped process exits; if it hangs, where it hangs.

    The bot runs with ``PYTHONFAULTHANDLER=1``, so SIGABRT makes it print every thread's
    stack before it dies: a hang at shutdown fails with the stacks that show its cause.
    """
    communicating = asyncio.ensure_future(process.communicate())
    done, _ = await asyncio.wait({communicating}, timeout=30)
    if not done:
        process.send_signal(signal.SIGABRT)
        stacks, _ = await asyncio.wait_for(communicating, 30)
        pytest.fail("the bot did not exit within 30 s of SIGINT:\n" + stacks.decode()[-6000:])
    return communicating.result()[0]


def test_console_scripts_are_installed() -> None:
    bin_dir = Path(sys.executable).parent
    assert (bin_dir / "briefings").exists() and (bin_dir / "briefing-bot").exists()
