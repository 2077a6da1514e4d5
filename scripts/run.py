"""``make run``: the main job.

With ``DISCORD_TOKEN`` set (in the environment or ``.env``) it runs the bot. Without it, it
prints today's briefing of the bundled sample store (a fresh copy whose dates end now, see
``scripts/sample_store.py``) and says how to run the bot. When ``ARTICLE_STORE`` is not set,
the bot also serves that fresh sample copy, so every command has something to show.
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.__main__ import main as bot_main
from bot.settings import SettingsError, load_settings
from briefings.cli import main as briefings_main
from scripts.sample_store import refresh

HOW_TO_RUN_THE_BOT = """
That was the sample store's briefing for right now (its dates are moved to end today).
To run the Discord bot:
  1. cp .env.example .env
  2. set DISCORD_TOKEN in .env to your bot's token (and ARTICLE_STORE to your own store)
  3. invite the bot with the applications.commands and bot scopes, then run: make run
"""


def _has_token() -> bool:
    return load_settings(require_token=False).discord_token is not None


def main() -> int:
    try:
        with_bot = _has_token()
    except SettingsError as error:
        sys.stderr.write(f"briefing-bot: {error}\n")
        return 2
    now = datetime.now(UTC)
    store = refresh(now)
    if with_bot:
        if "article_store" not in load_settings().model_fields_set:
            os.environ["ARTICLE_STORE"] = str(store)
        return bot_main()
    code = briefings_main(["build", str(store), "--at", now.isoformat(), "--no-cache"])
    print(HOW_TO_RUN_THE_BOT)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
