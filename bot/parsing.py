"""Parsing command arguments at the edge: times of day, time zones and topic names.

Each parser raises :class:`~bot.usecases.UseCaseError` with a sentence the member can act on, so a
bad argument always gets an ephemeral explanation rather than an error.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from datetime import time
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.usecases.errors import UseCaseError
from briefings.model import topic_key

_TIME = re.compile(r"^\s*(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm)?\s*$", re.IGNORECASE)


def parse_time_of_day(text: str) -> time:
    """``08:00``, ``8:30``, ``7pm``, ``19.45`` → a time; ``25:99`` is refused."""
    match = _TIME.match(text)
    if match is None:
        raise UseCaseError(
            f"“{text[:40]}” is not a time of day. Use 24-hour HH:MM, for example 08:00."
        )
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    suffix = (match.group(3) or "").lower()
    if suffix:
        if not 1 <= hour <= 12:
            raise UseCaseError(f"“{text[:40]}” is not a time of day: with am/pm the hour is 1–12.")
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    if hour > 23 or minute > 59:
        raise UseCaseError(f"“{text[:40]}” is not a time of day: hours go to 23 and minutes to 59.")
    return time(hour, minute)


def format_time_of_day(value: time) -> str:
    """The canonical ``HH:MM`` form."""
    return f"{value.hour:02d}:{value.minute:02d}"


@cache
def _zone_names() -> tuple[str, ...]:
    return tuple(sorted(available_timezones()))


def parse_timezone(text: str) -> str:
    """An IANA zone name (case-insensitive); unknown names get suggestions."""
    name = text.strip()
    lookup = {zone.casefold(): zone for zone in _zone_names()}
    canonical = lookup.get(name.casefold())
    if canonical is not None:
        try:
            ZoneInfo(canonical)
            return canonical
        except (ZoneInfoNotFoundError, ValueError):
            pass
    suggestions = difflib.get_close_matches(name, _zone_names(), n=3, cutoff=0.6)
    hint = (
        f" Did you mean {', '.join(suggestions)}?"
        if suggestions
        else " Use a name like Europe/Paris."
    )
    raise UseCaseError(f"“{name[:60]}” is not a time zone I know.{hint}")


def timezone_names() -> tuple[str, ...]:
    """Every IANA zone name, sorted (for a form's suggestions)."""
    return _zone_names()


def timezone_choices(current: str, limit: int = 25) -> list[str]:
    """Zone names for autocomplete: those containing what was typed, shortest first."""
    typed = current.strip().casefold()
    matches = [zone for zone in _zone_names() if typed in zone.casefold()] if typed else ["UTC"]
    return sorted(
        matches, key=lambda zone: (not zone.casefold().startswith(typed), len(zone), zone)
    )[:limit]


def resolve_topic(text: str, known: Sequence[str]) -> str:
    """The known topic ``text`` names (case-insensitive), or a "did you mean" error."""
    wanted = topic_key(text)
    if not wanted:
        raise UseCaseError("Please name a topic. `/topics` lists them.")
    for name in known:
        if topic_key(name) == wanted:
            return name
    keys = {topic_key(name): name for name in known}
    close = difflib.get_close_matches(wanted, list(keys), n=3, cutoff=0.5)
    hint = (
        f" Did you mean {', '.join(keys[c] for c in close)}?" if close else " `/topics` lists them."
    )
    raise UseCaseError(f"There is no topic “{text[:60]}”.{hint}")


def topic_choices(current: str, known: Sequence[str], limit: int = 25) -> list[str]:
    """Topic names for autocomplete, those starting with what was typed first."""
    typed = topic_key(current)
    matches = [name for name in known if typed in topic_key(name)]
    return sorted(matches, key=lambda name: not topic_key(name).startswith(typed))[:limit]
