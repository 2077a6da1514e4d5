"""The ``briefings`` command's argument values, and the options several commands share.

Each parser turns one argument into a value or raises :class:`UsageError` (one line on stderr,
exit 2): :func:`parse_duration` (``--window``), :func:`parse_zone` (``--tz``),
:func:`parse_moment` (``--at``), :func:`positive_int` and :func:`finite_number` (argparse
types). :func:`add_briefing_options` and :func:`add_cache_option` add the options of
``build``/``explain`` and of every command; :func:`briefing_request` reads the former back
into a :class:`~briefings.briefing.BriefingRequest`, ``--at`` defaulting to now (the CLI may
read the clock; the core is then handed the moment).
"""

from __future__ import annotations

import argparse
import re
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from briefings.briefing import DEFAULT_PER_TOPIC, BriefingRequest
from briefings.filters import Filters

_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([wdhms])", re.IGNORECASE)
_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes", "s": "seconds"}


class UsageError(Exception):
    """A bad argument value: shown as one line, exit code 2."""


def parse_duration(text: str) -> timedelta:
    """Parse ``24h``, ``90m``, ``1d12h``, ``2w`` into a positive timedelta."""
    compact = text.replace(" ", "")
    parts = _DURATION.findall(compact)
    if not parts or "".join(f"{n}{u}" for n, u in parts).lower() != compact.lower():
        raise UsageError(f"invalid duration {text!r}: use forms like 24h, 90m, 1d12h or 2w")
    duration = timedelta()
    for number, unit in parts:
        duration += timedelta(**{_UNITS[unit.lower()]: float(number)})
    if duration <= timedelta(0):
        raise UsageError("the window must be longer than zero")
    return duration


def parse_zone(name: str) -> tzinfo:
    """An IANA time zone such as ``Europe/Paris`` (``UTC`` works too)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise UsageError(
            f"unknown time zone {name!r}: use an IANA name such as Europe/Paris"
        ) from error


def parse_moment(text: str, zone: tzinfo) -> datetime:
    """An ISO 8601 moment; without an offset it is read in ``zone``."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError as error:
        raise UsageError(
            f"invalid --at {text!r}: use ISO 8601, e.g. 2024-04-12T08:00:00Z"
        ) from error
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


def positive_int(text: str) -> int:
    """A whole number of at least 1 (an argparse ``type``)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def finite_number(text: str) -> float:
    """A finite number (an argparse ``type``)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise argparse.ArgumentTypeError("must be a finite number")
    return value


def add_cache_option(command: argparse.ArgumentParser) -> None:
    """``--cache PATH`` or ``--no-cache`` (see :func:`briefings.cli.store_access.store_index`)."""
    choice = command.add_mutually_exclusive_group()
    choice.add_argument(
        "--cache",
        metavar="PATH",
        help="keep the store's persistent index in this file (default: one file per store "
        "in $XDG_CACHE_HOME/briefings, else ~/.cache/briefings)",
    )
    choice.add_argument(
        "--no-cache",
        action="store_true",
        help="parse the whole store in memory and write no cache",
    )


def add_briefing_options(command: argparse.ArgumentParser) -> None:
    """The options that describe a briefing (``build`` and ``explain``)."""
    command.add_argument(
        "--at", help="the moment of the briefing (ISO 8601; default: now)", metavar="MOMENT"
    )
    command.add_argument("--window", default="24h", help="how far back to look (default 24h)")
    command.add_argument("--per-topic", type=positive_int, default=DEFAULT_PER_TOPIC, metavar="N")
    command.add_argument("--min-quality", type=finite_number, default=0.0, metavar="Q")
    command.add_argument(
        "--topic", action="append", metavar="T", help="only this topic (repeatable)"
    )
    command.add_argument(
        "--tz", default="UTC", metavar="ZONE", help="time zone for --at and output"
    )
    command.add_argument(
        "--include",
        metavar="WORDS",
        help='only stories with one of these (comma-separated, "a phrase")',
    )
    command.add_argument(
        "--exclude", metavar="WORDS", help="leave out stories with any of these (comma-separated)"
    )
    command.add_argument(
        "--exclude-outlets", metavar="DOMAINS", help="leave out these outlets (comma-separated)"
    )


def briefing_request(args: argparse.Namespace, zone: tzinfo) -> BriefingRequest:
    """The briefing that ``add_briefing_options``' options describe, its moment in ``zone``."""
    return BriefingRequest(
        at=datetime.now(UTC) if args.at is None else parse_moment(args.at, zone),
        window=parse_duration(args.window),
        topics=tuple(args.topic or ()),
        per_topic=args.per_topic,
        min_quality=args.min_quality,
        filters=Filters.parse(
            include=args.include or "",
            exclude=args.exclude or "",
            outlets=args.exclude_outlets or "",
        ),
    )
