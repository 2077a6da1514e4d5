"""The first line of a posted briefing or digest: its heading, as message content.

Pure and deterministic like :mod:`bot.rendering`: dates are written with English day and
month names whatever the process's locale (``%A``/``%B`` would follow ``LC_TIME``), and the
topic names of a digest, which come from the store, go through
:func:`~bot._limits.safe_text` like every other untrusted text (Markdown escaped, mentions
and invites broken).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import Final

from bot._limits import safe_text

WEEKDAYS: Final = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS: Final = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
TOPIC_NAME_LIMIT: Final = 100


def long_date(moment: datetime, zone: tzinfo) -> str:
    """``Tuesday 10 March 2026``: the local date of ``moment`` in ``zone``, in English."""
    local = moment.astimezone(zone)
    return f"{WEEKDAYS[local.weekday()]} {local.day:02d} {MONTHS[local.month - 1]} {local.year}"


def daily_heading(due: datetime, zone: tzinfo) -> str:
    """The heading of a server's daily briefing due at ``due``."""
    return f"**Daily briefing** · {long_date(due, zone)}"


def schedule_heading(
    due: datetime, zone: tzinfo, *, name: str, days: Sequence[int], default_name: str = "daily"
) -> str:
    """The heading of a schedule's briefing: ``**Daily briefing**`` (every day), ``**Weekly
    briefing**`` (one day) or ``**Briefing**``, then the schedule's name unless it is the
    default one, then the date: ``**Weekly briefing** · recap · Friday 13 March 2026``."""
    kind = (
        "Daily briefing"
        if len(set(days)) == 7
        else "Weekly briefing"
        if len(days) == 1
        else "Briefing"
    )
    named = "" if name.casefold() == default_name else f" · {safe_text(name, TOPIC_NAME_LIMIT)}"
    return f"**{kind}**{named} · {long_date(due, zone)}"


def digest_heading(topics: Sequence[str]) -> str:
    """The heading of a member's DM digest of ``topics`` (untrusted names, made inert)."""
    return "**Your daily digest** · " + ", ".join(
        safe_text(name, TOPIC_NAME_LIMIT) for name in topics
    )
