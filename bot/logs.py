"""Logging set-up: one line per event, as text or as JSON (``LOG_FORMAT=json``).

Log calls that concern a guild, channel, user, interaction or scheduler job pass those ids as
``extra`` fields (``guild_id``, ``channel_id``, ``user_id``, ``interaction_id``, ``job_id``,
``kind``, ``day``) as well as in the message, so JSON logs can be filtered by them. JSON lines
are written by `python-json-logger`, a small, well-kept formatter.
"""

from __future__ import annotations

import logging
import sys
from typing import Literal

from pythonjsonlogger.json import JsonFormatter

LogFormat = Literal["text", "json"]
TEXT_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def configure_logging(level: str, fmt: LogFormat = "text") -> None:
    """Send every log record to stderr, one line each, in ``fmt``."""
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
                timestamp=False,
            )
        )
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # discord.py's voice-support notices are noise for a bot that never joins voice.
    logging.getLogger("discord.client").addFilter(
        lambda record: "voice will NOT be supported" not in record.getMessage()
    )
