"""When daily things are due: local wall-clock times in IANA zones, correct across DST.

Pure functions over aware datetimes; the bot's clock is passed in. A daily post at 08:00
Europe/Paris is due at 07:00 UTC in winter and 06:00 UTC in summer. On the day the clocks
jump forward over the chosen time (02:30 in a 02:00→03:00 gap), the post is due at the first
moment after the gap; on the day they fall back, at the first of the two 01:30s.
"""

from __future__ import annotations

from collections.abc import Callable
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


def latest_due(at: time, zone: str, now: datetime) -> datetime:
    """The most recent moment at or before ``now`` when the daily time ``at`` was due."""
    today = now.astimezone(ZoneInfo(zone)).date()
    for day in (today, today - timedelta(days=1), today - timedelta(days=2)):
        moment = due_on(day, at, zone)
        if moment <= now:
            return moment
    raise AssertionError("unreachable: a daily time is due at least once in two days")


def next_due(at: time, zone: str, now: datetime) -> datetime:
    """The first moment after ``now`` when the daily time ``at`` is due."""
    today = now.astimezone(ZoneInfo(zone)).date()
    for offset in range(3):
        moment = due_on(today + timedelta(days=offset), at, zone)
        if moment > now:
            return moment
    raise AssertionError("unreachable: a daily time is due at least once in two days")


def local_day(moment: datetime, zone: str) -> date:
    """The date the local clock of ``zone`` shows at ``moment``: a delivery's day."""
    return moment.astimezone(ZoneInfo(zone)).date()
