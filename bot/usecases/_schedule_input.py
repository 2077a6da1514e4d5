"""Checking a schedule's inputs: topics, minimum quality, days, name, window, length.

Every function raises :class:`~bot.usecases.errors.UseCaseError` naming the field, so a command
replies with the message and the web panel shows it next to the input.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

from bot.parsing import (
    parse_days,
    parse_schedule_name,
    parse_time_of_day,
    parse_timezone,
    parse_window,
    resolve_topic,
)
from bot.state.schedules import ChannelSchedule
from bot.targets import TargetCheck
from bot.usecases.errors import UseCaseError, parse_field
from briefings.excerpts import BriefingLength
from briefings.filters import Filters

TOPICS_TEXT_LIMIT = 1000
"""The longest topics list accepted, in characters (a list of every topic fits easily)."""
URL_LIMIT = 2000
MAX_QUALITY = 10_000.0
MAX_PER_TOPIC = 10

ChannelCheck = Callable[[int, int, bool], TargetCheck]
"""``(guild_id, channel_id, thread)`` → the channel's kind, why the bot cannot post there
(None when it can, or when it cannot tell yet: the first post then tells, and pauses the
schedule with the reason) and what it cannot do there (see :mod:`bot.targets`)."""


def parse_topics(text: str | None, known: list[str]) -> tuple[str, ...]:
    """A comma-separated topics list → the known names (empty: all topics)."""
    text = text or ""
    if len(text) > TOPICS_TEXT_LIMIT:
        raise UseCaseError(
            f"That topics list is {len(text):,} characters long; the limit is "
            f"{TOPICS_TEXT_LIMIT:,}. Leave it empty for all topics.",
            field="topics",
        )
    names = [part for part in text.split(",") if part.strip()]
    return tuple(parse_field("topics", lambda name: resolve_topic(name, known), n) for n in names)


def parse_min_quality(value: float | str | None) -> float:
    """A minimum quality between 0 and 10,000 (blank: 0)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0.0
    try:
        number = float(value)
    except ValueError:
        raise UseCaseError(
            f"“{str(value)[:40]}” is not a number. Use a quality like 0 or 2.5.",
            field="min_quality",
        ) from None
    if not math.isfinite(number) or not 0 <= number <= MAX_QUALITY:
        raise UseCaseError("The minimum quality goes from 0 to 10,000.", field="min_quality")
    return number


def parse_length(value: str | None, default: BriefingLength) -> BriefingLength:
    """``headlines``, ``short`` or ``full`` (blank: ``default``)."""
    if value is None or not value.strip():
        return default
    try:
        return BriefingLength(value.strip().lower())
    except ValueError:
        raise UseCaseError(
            f"“{value[:20]}” is not a length. Use `headlines`, `short` or `full`.", field="length"
        ) from None


def parse_per_topic(value: int | str | None) -> int | None:
    """Stories per topic, 1 to 10 (blank: the bot's default)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = int(value)
    except ValueError:
        raise UseCaseError(
            "Stories per topic is a whole number from 1 to 10.", field="per_topic"
        ) from None
    if not 1 <= number <= MAX_PER_TOPIC:
        raise UseCaseError("Stories per topic goes from 1 to 10.", field="per_topic")
    return number


@dataclass(frozen=True, slots=True)
class ScheduleInput:
    """A schedule's inputs as a command or a form gives them; None: not given (keep as is)."""

    channel_id: int | None = None
    time: str | None = None
    timezone: str | None = None
    topics: str | None = None
    min_quality: float | str | None = None
    days: str | None = None
    name: str | None = None
    window: str | None = None
    per_topic: int | str | None = None
    length: str | None = None
    thread: bool | None = None
    filters: Filters | None = None
    """Already parsed (see :mod:`bot.usecases.filters`): they replace the schedule's."""


def apply_input(
    schedule: ChannelSchedule, given: ScheduleInput, known_topics: list[str]
) -> ChannelSchedule:
    """``schedule`` with every given input parsed and set; the first bad one raises."""
    changes: dict[str, object] = {}
    if given.name is not None and given.name.strip():
        changes["name"] = parse_field("name", parse_schedule_name, given.name)
    if given.channel_id is not None:
        changes["channel_id"] = given.channel_id
    if given.time is not None:
        changes["post_time"] = parse_field("time", parse_time_of_day, given.time)
    if given.timezone is not None:
        changes["timezone"] = parse_field("timezone", parse_timezone, given.timezone)
    if given.days is not None:
        changes["days"] = parse_field("days", parse_days, given.days)
    if given.topics is not None:
        changes["topics"] = parse_topics(given.topics, known_topics)
    if given.min_quality is not None:
        changes["min_quality"] = parse_min_quality(given.min_quality)
    if given.window is not None:
        changes["window"] = parse_field("window", parse_window, given.window)
    if given.per_topic is not None:
        changes["per_topic"] = parse_per_topic(given.per_topic)
    if given.length is not None:
        changes["length"] = parse_length(given.length, schedule.length)
    if given.thread is not None:
        changes["thread"] = given.thread
    if given.filters is not None:
        changes["filters"] = given.filters
    return replace(schedule, **changes)  # type: ignore[arg-type]
