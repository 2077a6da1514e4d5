"""Parsing command arguments at the edge: times of day, time zones, topic names, and a
schedule's days, name and window.

Each parser raises :class:`~bot.usecases.UseCaseError` with a sentence the member can act on, so a
bad argument always gets an ephemeral explanation rather than an error.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from datetime import time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.timing import DAY_CODES, EVERY_DAY
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


_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_SETS: dict[str, tuple[int, ...]] = {
    "every day": EVERY_DAY,
    "everyday": EVERY_DAY,
    "daily": EVERY_DAY,
    "all": EVERY_DAY,
    "weekdays": (0, 1, 2, 3, 4),
    "weekends": (5, 6),
}
DAYS_TEXT_LIMIT = 100


def _weekday(word: str) -> int | None:
    word = word.strip().lower().rstrip(".")
    if len(word) >= 2:  # "mo", "tue", "wednes", "friday"; "t" or "s" would be ambiguous
        for number, name in enumerate(_DAY_NAMES):
            if name.startswith(word):
                return number
    return None


def parse_days(text: str | None) -> tuple[int, ...]:
    """``every day`` (or blank), ``weekdays``, ``weekends``, ``mon,wed,fri``, ``weekly friday``
    (one day a week) → the local weekdays (Monday = 0), sorted; an unknown word is refused."""
    cleaned = " ".join((text or "").lower().split())
    if len(cleaned) > DAYS_TEXT_LIMIT:
        raise UseCaseError(f"The days are at most {DAYS_TEXT_LIMIT} characters long.")
    if not cleaned:
        return _DAY_SETS["every day"]
    if cleaned in _DAY_SETS:
        return _DAY_SETS[cleaned]
    weekly = cleaned.startswith("weekly")
    words = [w for w in re.split(r"[,\s/]+", cleaned.removeprefix("weekly")) if w]
    if weekly and words[:1] == ["on"]:  # "weekly on Friday", as format_days writes it
        words = words[1:]
    if weekly and len(words) != 1:
        raise UseCaseError("A weekly briefing posts on one day: say which, e.g. `weekly friday`.")
    chosen: set[int] = set()
    for word in words:
        number = _weekday(word)
        if number is None:
            raise UseCaseError(
                f"“{word[:20]}” is not a day. Use `every day`, `weekdays`, `weekends`, day names "
                "like `mon,wed,fri`, or `weekly friday`."
            )
        chosen.add(number)
    return tuple(sorted(chosen))


def format_days(days: Sequence[int]) -> str:
    """How a schedule's days read: ``every day``, ``weekdays``, ``weekly on Friday``, …"""
    chosen = tuple(sorted(days))
    for name in ("every day", "weekdays", "weekends"):
        if chosen == _DAY_SETS[name]:
            return name
    if len(chosen) == 1:
        return f"weekly on {_DAY_NAMES[chosen[0]].title()}"
    return ", ".join(DAY_CODES[day].title() for day in chosen)


NAME_LIMIT = 32
"""The longest schedule name, in characters."""
_NAME = re.compile(r"^[\w][\w .'-]*$")


def parse_schedule_name(text: str | None, *, default: str = "daily") -> str:
    """A schedule's name: up to 32 letters, digits, spaces, ``-``, ``_``, ``.`` or ``'``."""
    name = " ".join((text or "").split()) or default
    if len(name) > NAME_LIMIT:
        raise UseCaseError(
            f"That name is {len(name):,} characters long; a schedule name is at most "
            f"{NAME_LIMIT} characters."
        )
    if not _NAME.match(name):
        raise UseCaseError(
            "A schedule name uses letters, digits, spaces, `-`, `_`, `.` or `'`, e.g. `morning`."
        )
    return name


_WINDOW = re.compile(r"^\s*(\d{1,3})\s*(h|hours?|d|days?)\s*$", re.IGNORECASE)
MAX_WINDOW = timedelta(days=7)


def parse_window(text: str | None) -> timedelta | None:
    """``12h``, ``2d``, ``7 days`` → a window of at most 7 days; blank → None (the default:
    since the schedule's previous post)."""
    if text is None or not text.strip() or text.strip().lower() in {"auto", "default"}:
        return None
    match = _WINDOW.match(text)
    if match is None:
        raise UseCaseError(
            f"“{text[:20]}” is not a window. Use hours or days, e.g. `12h` or `7d` (blank: since "
            "the previous post)."
        )
    number, unit = int(match.group(1)), match.group(2).lower()
    window = timedelta(days=number) if unit.startswith("d") else timedelta(hours=number)
    if not timedelta(hours=1) <= window <= MAX_WINDOW:
        raise UseCaseError("A window goes from 1 hour to 7 days.")
    return window


def format_window(window: timedelta | None) -> str:
    """``since the previous post`` or ``24h`` / ``7d``."""
    if window is None:
        return "since the previous post"
    hours = int(window.total_seconds() // 3600)
    return f"{hours // 24}d" if hours % 24 == 0 else f"{hours}h"
