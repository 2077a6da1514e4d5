"""``python -m bot`` / ``briefing-bot``: run the Discord bot with settings from the environment."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import threading
import time

import discord

from bot.app import run_bot
from bot.logs import configure_logging
from bot.settings import SettingsError, load_settings

log = logging.getLogger("bot")


def main() -> int:
    """Load settings (one clear line on error), set up logging and run until stopped."""
    try:
        settings = load_settings()
    except SettingsError as error:
        sys.stderr.write(f"briefing-bot: {error}\n")
        return 2
    configure_logging(settings.log_level, settings.log_format)
    try:
        asyncio.run(run_bot(settings))
    except discord.LoginFailure:
        sys.stderr.write("briefing-bot: Discord rejected DISCORD_TOKEN; check the token in .env\n")
        return 2
    except discord.PrivilegedIntentsRequired as error:
        sys.stderr.write(f"briefing-bot: {error}\n")
        return 2
    except KeyboardInterrupt:
        log.info("stopped")
    _exit_if_threads_linger(settings.shutdown_timeout_seconds)
    return 0


def _exit_if_threads_linger(timeout: float) -> None:
    """Give threads that would keep the interpreter alive ``timeout`` seconds, then exit anyway.

    Shutdown closes everything in order, but a library thread that is not a daemon (a database
    driver's connection thread left open by a step that overran, say) would make the
    interpreter wait for it forever at exit. Such threads are named in the log and the
    process ends regardless, so a stop signal always stops the bot.
    """
    deadline = time.monotonic() + timeout
    for thread in threading.enumerate():
        if thread is threading.main_thread() or thread.daemon:
            continue
        thread.join(max(deadline - time.monotonic(), 0))
    lingering = [
        t.name
        for t in threading.enumerate()
        if t.is_alive() and not t.daemon and t is not threading.main_thread()
    ]
    if lingering:
        log.error(
            "threads still running %.0f s after shutdown: %s; exiting anyway", timeout, lingering
        )
        logging.shutdown()
        os._exit(1)


if __name__ == "__main__":
    raise SystemExit(main())
