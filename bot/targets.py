"""Where a briefing goes (issue 13, part 4): the kind of its channel, what the bot needs there,
the title of a forum post or thread, and the forum tags of a post. No Discord import: the
adapter (:mod:`bot.channels`, :mod:`bot.posting`) reads the channels.

The kind is read from the channel itself, at set-up and again at every delivery (Discord lets
a server turn a text channel into an announcement channel and back):

- **text**: the briefing's messages in the channel; with ``thread`` the first message opens a
  thread (named like a forum post) and the rest of the briefing goes into it.
- **announcement**: as a text channel, then every message is published to the channel's
  followers. Discord lets a bot publish *its own* messages with Send Messages (Manage Messages
  is only needed to publish other people's messages), so nothing more is asked for; when
  publishing fails anyway (Discord's limit on publishes per hour, a permission taken away), the
  post stays and ``/briefing status`` says it was not published.
- **forum**: one post per briefing, titled ``NAME · Weekday DD Month YYYY``, carrying the
  forum's tags for its topics (:func:`forum_tags`); the rest of a long briefing is sent into
  the post. ``thread`` changes nothing (a post is a thread already).

:func:`check_target` decides what set-up accepts: it refuses a channel where the bot cannot post
at all (View Channel, Send Messages — "Create Posts" in a forum —, Embed Links) and names what
is missing for the rest (threads, the rest of a long forum post) as warnings, which the set-up
reply and ``/briefing status`` show.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from enum import StrEnum
from typing import Protocol

from bot.headings import long_date
from briefings.briefing import Briefing
from briefings.model import Catalog, topic_key

MAX_TITLE = 100
"""Discord's longest thread (and forum post) name."""
MAX_TAGS = 5
"""Discord's most tags on one forum post."""


class TargetKind(StrEnum):
    """What kind of channel a briefing goes to."""

    TEXT = "text"
    ANNOUNCEMENT = "announcement"
    FORUM = "forum"


class Allowed(Protocol):
    """The channel permissions :func:`check_target` reads (``discord.Permissions`` has them)."""

    @property
    def view_channel(self) -> bool: ...
    @property
    def send_messages(self) -> bool: ...
    @property
    def embed_links(self) -> bool: ...
    @property
    def send_messages_in_threads(self) -> bool: ...
    @property
    def create_public_threads(self) -> bool: ...


def describe_kind(kind: TargetKind, *, thread: bool) -> str:
    """How a briefing reaches a channel of ``kind``, in a few words for replies and status."""
    if kind is TargetKind.FORUM:
        return "forum: one post per briefing"
    how = "announcement channel: published to followers" if kind is TargetKind.ANNOUNCEMENT else ""
    if thread:
        how = f"{how}, a thread per briefing" if how else "text channel, a thread per briefing"
    return how or "text channel"


@dataclass(frozen=True, slots=True)
class TargetCheck:
    """What set-up found about a channel: its kind, why the bot cannot post there at all
    (``problem``), and what it cannot do there although it can post (``warnings``)."""

    kind: TargetKind | None = None
    problem: str | None = None
    warnings: tuple[str, ...] = ()


def _names(names: Iterable[str]) -> str:
    listed = list(names)
    return listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " and " + listed[-1]


def check_target(
    kind: TargetKind | None,
    allowed: Allowed,
    *,
    mention: str,
    thread: bool,
    requires_tag: bool = False,
) -> TargetCheck:
    """Whether the bot, with the channel permissions ``allowed``, can post a briefing in the
    channel ``mention`` of ``kind`` (see the module docstring)."""
    if kind is None:
        return TargetCheck(problem=f"{mention} is not a text, announcement or forum channel.")
    forum = kind is TargetKind.FORUM
    needed = {
        "View Channel": allowed.view_channel,
        "Create Posts" if forum else "Send Messages": allowed.send_messages,
        # without Send Messages Discord denies Embed Links too: name only the cause
        "Embed Links": allowed.embed_links or not allowed.send_messages,
    }
    missing = [name for name, ok in needed.items() if not ok]
    if missing:
        return TargetCheck(kind, f"I can't post in {mention}: I need {_names(missing)} there.")
    warnings: list[str] = []
    if forum:
        if not allowed.send_messages_in_threads:
            warnings.append(
                f"A briefing longer than one message continues inside its post: I need "
                f"Send Messages in Posts in {mention} for that, or the post stops after its "
                "first message and the briefing is paused."
            )
        if requires_tag:
            warnings.append(
                f"{mention} requires a tag on every post: I apply its tags named like the "
                "post's topics, and its first tag to a briefing matching none of them."
            )
        if thread:
            warnings.append("A forum post is a thread already: `thread` changes nothing there.")
    elif thread:
        lacking = [
            name
            for name, ok in (
                ("Create Public Threads", allowed.create_public_threads),
                ("Send Messages in Threads", allowed.send_messages_in_threads),
            )
            if not ok
        ]
        if lacking:
            warnings.append(
                f"I can't open a thread for each briefing in {mention}: I need "
                f"{_names(lacking)} there. Until then briefings are posted without a thread."
            )
    return TargetCheck(kind, None, tuple(warnings))


def post_title(name: str, due: datetime, zone: tzinfo) -> str:
    """A forum post's or thread's title: the schedule's name and the briefing's local date,
    ``morning · Tuesday 10 March 2026``, within Discord's 100 characters."""
    date = long_date(due, zone)
    room = MAX_TITLE - len(date) - len(" · ")
    short = " ".join(name.split())
    if len(short) > room:
        short = short[: room - 1].rstrip() + "…"
    return f"{short} · {date}"


def post_topics(briefing: Briefing) -> tuple[str, ...]:
    """The topics a briefing covers: its sections in order, then those only top stories have."""
    seen: dict[str, str] = {}
    for name in (
        *(section.topic for section in briefing.sections),
        *(story.topic for story in briefing.top_stories),
    ):
        if name and topic_key(name) not in seen:
            seen[topic_key(name)] = name
    return tuple(seen.values())


@dataclass(frozen=True, slots=True)
class TagChoice:
    """A forum tag as :func:`forum_tags` sees it."""

    id: int
    name: str
    moderated: bool = False


def forum_tags(
    tags: Sequence[TagChoice],
    topics: Sequence[str],
    catalog: Catalog | None = None,
    *,
    can_moderate: bool = False,
) -> tuple[int, ...]:
    """The ids of the forum tags for a post covering ``topics`` (in order), at most 5.

    A topic's tag is the forum tag whose name equals the topic's name or catalog shortname,
    ignoring case and spacing; when there is none, its catalog parent's (and so on up). A
    moderated tag is applied only when the bot may (Manage Threads, ``can_moderate``).
    """
    catalog = catalog if catalog is not None else Catalog()
    usable = [tag for tag in tags if can_moderate or not tag.moderated]
    by_name: dict[str, int] = {}
    for tag in usable:
        by_name.setdefault(topic_key(tag.name), tag.id)
    chosen: list[int] = []
    for name in topics:
        tag_id = _tag_for(name, by_name, catalog)
        if tag_id is not None and tag_id not in chosen:
            chosen.append(tag_id)
        if len(chosen) == MAX_TAGS:
            break
    return tuple(chosen)


def fallback_tag(tags: Sequence[TagChoice], *, can_moderate: bool = False) -> TagChoice | None:
    """The tag a post gets in a forum that requires one when none is named like its topics:
    the forum's first tag the bot may apply (a moderated one only with ``can_moderate``), or
    None when there is none (the forum then refuses every such post: a person must fix it).

    A day whose news matches none of the forum's tags is still posted, under a tag chosen by
    the forum's own order (the first one is usually its general tag), and the delivery's
    notice says so; it does not pause the briefing for the days after.
    """
    return next((tag for tag in tags if can_moderate or not tag.moderated), None)


def _tag_for(name: str, by_name: dict[str, int], catalog: Catalog) -> int | None:
    seen: set[str] = set()
    current: str | None = name
    while current is not None and topic_key(current) not in seen:
        seen.add(topic_key(current))
        topic = catalog.get(current)
        for candidate in (
            current,
            topic.name if topic else None,
            topic.shortname if topic else None,
        ):
            if candidate and topic_key(candidate) in by_name:
                return by_name[topic_key(candidate)]
        current = topic.parent if topic else None
    return None
