"""Filters of a server's briefings and of a member's digest (issue 13, part 6).

A filter (see :mod:`briefings.filters`) has three lists: words or phrases a story must contain
one of (``include``), words or phrases it must not contain (``exclude``), and outlet domains to
leave out (``outlets``). Each list is typed as comma-separated items (double quotes keep a
phrase with commas together) and holds at most :data:`~briefings.filters.MAX_TERMS` items of
at most :data:`~briefings.filters.MAX_TERM_LENGTH` characters, typed in at most
:data:`~briefings.filters.MAX_INPUT_LENGTH` characters. Input past a limit, an unclosed quote,
an item without letters or digits, something that is not a domain, or a word both included and
excluded is refused with a message naming the list, and nothing changes.

- **A schedule** (``/briefing filter``, the web panel's schedule form): each list given
  *replaces* that list (``None`` keeps it, an empty text empties it); ``clear`` first empties
  one list or all of them. Asking for no change shows the current filters.
- **A member's digest** (``/subscribe … exclude: include: outlets:``): the items given are
  *added* to the digest's lists, which apply to the whole digest (every topic followed, not
  only the one subscribed to in that command); ``/subscriptions clear_filters: True`` empties
  them. They go with the member's digest: unsubscribing from the last topic or "Forget me"
  deletes them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING

from bot.state import filters as store
from bot.state.schedules import ChannelSchedule
from bot.usecases._schedule_lookup import pick
from bot.usecases.errors import UseCaseError
from briefings.filters import FilterError, Filters, parse_outlets, parse_terms

if TYPE_CHECKING:
    from bot.services import Services


class FilterPart(StrEnum):
    """What ``clear`` empties."""

    ALL = "all"
    INCLUDE = "include"
    EXCLUDE = "exclude"
    OUTLETS = "outlets"


@dataclass(frozen=True, slots=True)
class ScheduleFilters:
    """A schedule and its filters now; ``changed`` says whether this call changed them."""

    schedule: ChannelSchedule
    changed: bool

    @property
    def filters(self) -> Filters:
        """The schedule's filters."""
        return self.schedule.filters


def parse_filters(
    *, include: str | None = None, exclude: str | None = None, outlets: str | None = None
) -> Filters:
    """The lists given, parsed (a missing one is empty); :class:`UseCaseError` naming the list
    when one cannot be used."""
    with _about("include"):
        wanted = parse_terms(include or "", what="include")
    with _about("exclude"):
        unwanted = parse_terms(exclude or "", what="exclude")
    with _about("outlets"):
        domains = parse_outlets(outlets or "")
    return Filters(wanted, unwanted, domains)


@contextmanager
def _about(field: str) -> Iterator[None]:
    """Turn a :class:`FilterError` into a :class:`UseCaseError` about ``field``."""
    try:
        yield
    except FilterError as error:
        raise UseCaseError(str(error), field=field) from None


def changed_filters(
    current: Filters,
    *,
    include: str | None = None,
    exclude: str | None = None,
    outlets: str | None = None,
    clear: str | None = None,
) -> Filters:
    """``current`` with ``clear`` applied, then each list given replacing its own."""
    parts = {part.value for part in FilterPart}
    if clear is not None and clear not in parts:
        raise UseCaseError(
            f"“{clear[:40]}” is not something to clear: use {', '.join(sorted(parts))}.",
            field="clear",
        )
    given = parse_filters(include=include, exclude=exclude, outlets=outlets)
    new = Filters(
        given.include if include is not None else _kept(current.include, "include", clear),
        given.exclude if exclude is not None else _kept(current.exclude, "exclude", clear),
        given.outlets if outlets is not None else _kept(current.outlets, "outlets", clear),
    )
    with _about("include"):  # a word both included and excluded
        return new.validated()


def as_text(items: tuple[str, ...]) -> str:
    """A list as a person types it (what :func:`parse_filters` reads back): comma-separated,
    an item with a comma in double quotes.

    >>> as_text(("AI", "machine learning, deep"))
    'AI, "machine learning, deep"'
    """
    return ", ".join(f'"{item}"' if "," in item else item for item in items)


def _kept(items: tuple[str, ...], part: str, clear: str | None) -> tuple[str, ...]:
    return () if clear in (FilterPart.ALL, part) else items


async def schedule_filters(
    services: Services,
    guild_id: int,
    name: str | None = None,
    *,
    include: str | None = None,
    exclude: str | None = None,
    outlets: str | None = None,
    clear: str | None = None,
) -> ScheduleFilters:
    """Show or change the filters of the server's schedule ``name`` (``/briefing filter``).

    Without any change asked, the schedule and its filters as they are.
    """
    schedule = await pick(services, guild_id, name)
    if schedule is None or schedule.id is None:
        raise UseCaseError("No briefing is set up here. Use `/briefing setup`.", field="name")
    if include is None and exclude is None and outlets is None and clear is None:
        return ScheduleFilters(schedule, changed=False)
    new = changed_filters(
        schedule.filters, include=include, exclude=exclude, outlets=outlets, clear=clear
    )
    if new != schedule.filters and not await store.set_schedule_filters(
        services.db, schedule.id, new
    ):
        raise UseCaseError("That briefing was just removed.", field="name")
    return ScheduleFilters(replace(schedule, filters=new), changed=new != schedule.filters)


def added_filters(
    current: Filters,
    *,
    include: str | None = None,
    exclude: str | None = None,
    outlets: str | None = None,
) -> Filters:
    """``current`` with the items given added (``/subscribe``); checked against the limits."""
    given = parse_filters(include=include, exclude=exclude, outlets=outlets)
    with _about("exclude" if exclude else "include" if include else "outlets"):
        return current.adding(given)


async def clear_digest_filters(services: Services, user_id: int) -> bool:
    """Empty the filters of the member's digest; False when they follow nothing."""
    return await store.set_digest_filters(services.db, user_id, Filters())
