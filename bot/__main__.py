"""``python -m bot`` / ``briefing-bot``: run the Discord bot with settings from the environment."""

from __future__ import annotations

import asyncio
import logging
import sys

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
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
