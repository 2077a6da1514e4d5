"""When daily things are due: local wall-clock times in IANA zones, correct across DST.

Pure functions over aware datetimes; the bot's clock is passed in. A daily post at 08:00
Europe/Paris is due at 07:00 UTC in winter and 06:00 UTC in summer. On the day the clocks
jump forward over the chosen time (02:30 in a 02:00→03:00 gap), the post is due at the first
moment after the gap; on the day they fall back, at the first of the two 01:30s.

A schedule may post on some weekdays only (``days``: local weekdays, Monday = 0); the
functions taking ``days`` skip the other days.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

Clock = Callable[[], datetime]
"""Returns the current moment as an aware datetime; tests pass their own."""


def system_clock() -> datetime:
    """The real clock (UTC)."""
    return datetime.now(UTC)


def due_on(day: date, at: time, zone: str) -> datetime:
    """The UTC moment the local clock of ``zone`` shows ``at`` on ``day``."""
    tz = ZoneInfo(zone)
    wall = datetime.combine(day, at)
    first = wall.replace(tzinfo=tz).astimezone(UTC)  # fold=0: the first of two ambiguous times
    if first.astimezone(tz).replace(tzinfo=None) == wall:
        return first
    # `at` does not exist that day (spring-forward gap): due when the gap ends, the first
    # minute whose local time is at or after `at`.
    other = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
    moment, limit = min(first, other), max(first, other)
    while moment < limit and moment.astimezone(tz).replace(tzinfo=None) < wall:
        moment += timedelta(minutes=1)
    return moment


EVERY_DAY: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)
"""Every local weekday, Monday (0) to Sunday (6)."""
DAY_CODES: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""Weekday codes, Monday first (APScheduler's ``day_of_week`` names)."""


def latest_due(at: time, zone: str, now: datetime, days: Sequence[int] = EVERY_DAY) -> datetime:
    """The most recent moment at or before ``now`` when ``at`` was due on one of ``days``."""
    today = now.astimezone(ZoneInfo(zone)).date()
    for back in range(9):
        day = today - timedelta(days=back)
        if day.weekday() in days and (moment := due_on(day, at, zone)) <= now:
            return moment
    raise ValueError(f"no weekday to post on in {tuple(days)!r}")


def next_due(at: time, zone: str, now: datetime, days: Sequence[int] = EVERY_DAY) -> datetime:
    """The first moment after ``now`` when ``at`` is due on one of ``days``."""
    today = now.astimezone(ZoneInfo(zone)).date()
    for offset in range(9):
        day = today + timedelta(days=offset)
        if day.weekday() in days and (moment := due_on(day, at, zone)) > now:
            return moment
    raise ValueError(f"no weekday to post on in {tuple(days)!r}")


def previous_due(at: time, zone: str, due: datetime, days: Sequence[int] = EVERY_DAY) -> datetime:
    """The slot before the one due at ``due``: where a default window starts."""
    return latest_due(at, zone, due - timedelta(microseconds=1), days)


def local_day(moment: datetime, zone: str) -> date:
    """The date the local clock of ``zone`` shows at ``moment``: a delivery's day."""
    return moment.astimezone(ZoneInfo(zone)).date()
