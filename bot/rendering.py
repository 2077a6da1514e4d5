"""Pure rendering of briefings (and ``explain``'s answer) to Discord messages.

No I/O, no clock, no client: every function maps values to :class:`discord.Embed` objects or
:class:`OutgoingMessage` payloads, and the same input always gives the same output.

The rules (each is tested in ``tests/bot/test_rendering.py``):

1. **Discord's limits always hold** (the constants in :mod:`bot._limits`): embed title 256,
   description 4096, 25 fields of 256/1024, footer 2048, author 256, at most 6000 embed
   characters and 10 embeds per message, content 2000. Long output is split, never silently
   cut: a section too long for one embed continues in "<Topic> (continued)" embeds, embeds are
   grouped into as many messages as needed, and only over-long single texts are shortened
   with "…" (a story title is shortened, its link kept). Every story of a briefing appears;
   stories a section left out are announced as "+N more in <topic>".
2. **Untrusted text is inert.** Article titles, providers, snippets, topic names and queries
   go through :func:`safe_text`: whitespace and newlines collapse to one space, Markdown is
   escaped, mentions (``@everyone``, ``@here``, ``<@1>``, ``<@!1>``, ``<@&1>``, ``<#1>``) and
   invite links (``discord.gg/…``, ``discord.com/invite/…``) are broken with a zero-width
   space. Link targets are only absolute http(s) URLs, with ``)`` and other delimiters
   percent-encoded (:func:`bot._limits.link_target`); anything else is shown unlinked.
   Sending with ``AllowedMentions.none()`` remains the first line of defence.
3. **Deterministic.** Times are formatted in the zone passed in, without locale-dependent names.

The same rules hold for search pages (:mod:`bot.search_rendering`) and the topic and
subscription lists (:mod:`bot.topic_rendering`), which share :class:`OutgoingMessage`,
:func:`pack_embeds` and the small formatting helpers here.

**A briefing's layout.** "Top stories" first (when the briefing has them), then one embed per
section. Each item is its linked title (bold), a line with the outlet and time (a top story
also names its section; a story posted before and shown again says "**Updated**", with the
update's time when the article has one), then, per the schedule's
:class:`~briefings.excerpts.BriefingLength`, nothing (``headlines``), the first sentence
(``short``) or the first two sentences (``full``) of the excerpt (cut by
:func:`briefings.excerpts.excerpt` at a sentence end, else at a word with "…"; an excerpt
that only repeats the title is left out), then "also: Outlet, Outlet" links to the other
outlets' copies and "related:" coverage.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, tzinfo
from typing import Final

import discord

from bot._limits import (
    CONTENT_LIMIT,
    DESCRIPTION_LIMIT,
    FOOTER_LIMIT,
    TITLE_LIMIT,
    group_embeds,
    host_of,
    label_lines,
    markdown_link,
    pack_blocks_placed,
    safe_text,
    truncate,
)
from bot.digest_menus import MAX_FEEDBACK_ITEMS, FeedbackItem
from bot.digest_reading import outlet_link
from bot.pings import mention_line
from briefings.briefing import Briefing, Story
from briefings.excerpts import BriefingLength, excerpt
from briefings.explain import Explanation
from briefings.model import topic_key
from briefings.personal import item_ref
from briefings.text import title_key

__all__ = [
    "OutgoingMessage",
    "pack_embeds",
    "render_briefing",
    "render_explanation",
    "safe_text",
]

STORY_TITLE_LIMIT: Final = 256
RELATED_TITLE_LIMIT: Final = 150
PROVIDER_LIMIT: Final = 100
TOPIC_NAME_LIMIT: Final = 100
EXCERPT_LIMITS: Final = {BriefingLength.SHORT: 300, BriefingLength.FULL: 500}
"""The most characters of excerpt an item shows (before escaping), per length."""
NOTE_LIMIT: Final = 300
"""The most characters of a story's note (a personal digest's "ranked up: …")."""
EXCERPT_SHOWN_LIMIT: Final = 700
"""The most characters of an excerpt line once escaped (rarely reached: "…" when it is)."""
TOP_STORIES: Final = "Top stories"
CONTINUED: Final = " (continued)"
"""Added to the title of an embed that goes on where the previous one stopped."""
_MONTHS: Final = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec"


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """One message to send: optional content and up to ten embeds, all within limits.

    ``ping_roles`` are the roles its content mentions on purpose (a briefing's role pings):
    the only ones it may ping. Every other message pings nobody.
    ``feedback``: the stories a DM digest message shows (its feedback buttons go with them,
    :func:`bot.digest_menus.feedback_view`); empty for every other message.
    """

    content: str | None
    embeds: tuple[discord.Embed, ...]
    ping_roles: tuple[int, ...] = ()
    feedback: tuple[FeedbackItem, ...] = ()


def pack_embeds(
    embeds: Sequence[discord.Embed], *, content: str | None = None
) -> list[OutgoingMessage]:
    """Group ``embeds`` in order into messages within the embed count and 6000-character rules.

    ``content`` (truncated to 2000 characters) goes on the first message.
    """
    groups = group_embeds(embeds)
    first = truncate(content, CONTENT_LIMIT) if content else None
    return [
        OutgoingMessage(first if number == 0 else None, tuple(group))
        for number, group in enumerate(groups)
    ]


def _titled(name: str, continued: bool, fallback: str) -> str:
    if not continued:
        return safe_text(name, TITLE_LIMIT) or fallback
    return (safe_text(name, TITLE_LIMIT - len(CONTINUED)) or fallback) + CONTINUED


def plural(count: int, one: str, many: str) -> str:
    """``1 story``, ``2 stories``."""
    return f"{count} {one if count == 1 else many}"


def in_zone(moment: datetime, zone: tzinfo) -> datetime:
    """``moment`` in ``zone`` (a naive one is taken as UTC)."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(zone)


def iso_day(moment: datetime) -> str:
    """``2026-03-10``, without locale."""
    return f"{moment.year}-{moment.month:02d}-{moment.day:02d}"


# --------------------------------------------------------------------------- briefings


def render_briefing(
    briefing: Briefing,
    *,
    heading: str,
    zone: tzinfo,
    length: BriefingLength = BriefingLength.HEADLINES,
    ping_roles: Sequence[int] = (),
    notes: Mapping[str, str] | None = None,
    feedback: bool = False,
) -> list[OutgoingMessage]:
    """A briefing as messages: "Top stories", then one embed per section (more when long).

    ``[]`` when the briefing is empty. ``heading`` (trusted, not escaped) is the first
    message's content; the last embed carries the footer "N stories in M topics · window
    start–end". ``length`` chooses how much of each excerpt is shown (the default,
    ``headlines``, shows none). ``ping_roles`` (see :mod:`bot.pings`) are mentioned on a line
    of their own after the heading (which is shortened, never the mentions, to keep the
    content within 2000 characters) and become the first message's ``ping_roles``.
    ``notes`` (lead URL → text) add an italic last line to those stories (a personal digest
    says why a story moved). With ``feedback`` (DM digests, which never ping: ``ping_roles``
    is then ignored) each outlet's name links to its domain (:mod:`bot.digest_reading`
    reads the stories back from it), and each message lists the stories it shows in
    :attr:`OutgoingMessage.feedback` and holds at most
    :data:`~bot.digest_menus.MAX_FEEDBACK_ITEMS` of them.
    """
    today = in_zone(briefing.end, zone).date()
    parts = [(TOP_STORIES, briefing.top_stories, 0, True)] if briefing.top_stories else []
    parts += [(s.topic, s.stories, s.omitted, False) for s in briefing.sections]
    embeds: list[discord.Embed] = []
    embed_stories: list[list[Story]] = []
    stories = 0
    topics: set[str] = set()
    for name, shown, omitted, top in parts:
        blocks = [
            _story_lines(
                story, zone, today, length, top=top, note=_note(story, notes), outlet=feedback
            )
            for story in shown
        ]
        if omitted > 0:
            blocks.append([f"+{omitted} more in {safe_text(name, TITLE_LIMIT) or 'Untitled'}"])
        texts, placed = pack_blocks_placed(blocks, DESCRIPTION_LIMIT)
        first = len(embeds)
        for number, text in enumerate(texts):
            title = _titled(name, number > 0, "Untitled")
            embeds.append(discord.Embed(title=title, description=text))
            embed_stories.append([])
        for story, where in zip(shown, placed, strict=False):  # the "+N more" block is last
            if where >= 0:
                embed_stories[first + where].append(story)
        if texts:
            stories += len(shown)
            topics |= {topic_key(s.topic) for s in shown if s.topic} if top else {topic_key(name)}
    if not embeds:
        return []
    start, end = in_zone(briefing.start, zone), in_zone(briefing.end, zone)
    zone_name = f" {end.tzname()}" if end.tzname() else ""
    window = f"{iso_day(start)} {start:%H:%M}–{iso_day(end)} {end:%H:%M}{zone_name}"
    footer = f"{plural(stories, 'story', 'stories')} in {plural(len(topics), 'topic', 'topics')}"
    embeds[-1].set_footer(text=truncate(f"{footer} · window {window}", FOOTER_LIMIT))
    if feedback:  # a DM digest: feedback buttons, never pings
        return _with_feedback(embeds, embed_stories, heading)
    roles = tuple(dict.fromkeys(ping_roles))
    mentions = mention_line(roles)
    if len(mentions) >= CONTENT_LIMIT // 2:
        raise ValueError(f"{len(roles)} roles are too many to mention in one message")
    if not mentions:
        return pack_embeds(embeds, content=heading)
    content = f"{truncate(heading, CONTENT_LIMIT - len(mentions) - 1)}\n{mentions}".lstrip()
    opening, *rest = pack_embeds(embeds, content=content)
    return [replace(opening, ping_roles=roles), *rest]


def _with_feedback(
    embeds: list[discord.Embed], embed_stories: list[list[Story]], heading: str
) -> list[OutgoingMessage]:
    counts = [len(shown) for shown in embed_stories]
    groups = group_embeds(embeds, items=counts, max_items=MAX_FEEDBACK_ITEMS)
    messages: list[OutgoingMessage] = []
    index = 0
    for number, group in enumerate(groups):
        shown = [
            story for stories in embed_stories[index : index + len(group)] for story in stories
        ]
        index += len(group)
        items = tuple(
            FeedbackItem(story.lead.title, story.topic, story.lead.provider_name, item_ref(story))
            for story in shown
        )
        content = truncate(heading, CONTENT_LIMIT) if number == 0 and heading else None
        messages.append(OutgoingMessage(content, tuple(group), feedback=items))
    return messages


def _note(story: Story, notes: Mapping[str, str] | None) -> str:
    return notes.get(story.lead.url or "", "") if notes else ""


def _clock(moment: datetime, zone: tzinfo, today: date) -> str:
    local = in_zone(moment, zone)
    if local.date() == today:
        return f"{local:%H:%M}"
    month = _MONTHS[4 * (local.month - 1) : 4 * local.month - 1]
    return f"{month} {local.day}, {local:%H:%M}"


def _excerpt_line(story: Story, length: BriefingLength) -> str:
    if length is BriefingLength.HEADLINES or not story.lead.excerpt:
        return ""
    text = excerpt(story.lead.excerpt, sentences=length.sentences, limit=EXCERPT_LIMITS[length])
    if title_key(text) == title_key(story.lead.title):
        return ""  # an excerpt that only repeats the headline
    return safe_text(text, EXCERPT_SHOWN_LIMIT)


def _story_lines(
    story: Story,
    zone: tzinfo,
    today: date,
    length: BriefingLength,
    *,
    top: bool = False,
    note: str = "",
    outlet: bool = False,
) -> list[str]:
    lead = story.lead
    title = markdown_link(
        lead.title, lead.url, limit=DESCRIPTION_LIMIT, label_limit=STORY_TITLE_LIMIT, bold=True
    )
    meta_parts = [
        safe_text(story.topic, TOPIC_NAME_LIMIT) if top else "",
        outlet_link(lead) if outlet else safe_text(lead.provider_name, PROVIDER_LIMIT),
        _clock(lead.published_at, zone, today),
    ]
    if story.updated:
        when = lead.updated_at
        meta_parts.append("**Updated**" + (f" {_clock(when, zone, today)}" if when else ""))
    meta = " · ".join(part for part in meta_parts if part)
    also = [
        markdown_link(
            other.provider_name or host_of(other.url), other.url, limit=2400, label_limit=100
        )
        for other in story.also
    ]
    related = []
    for item in story.related:
        text = markdown_link(item.title, item.url, limit=2400, label_limit=RELATED_TITLE_LIMIT)
        name = safe_text(item.provider.name, PROVIDER_LIMIT) if item.provider else ""
        related.append(f"{text} ({name})" if name else text)
    return [
        title,
        meta,
        _excerpt_line(story, length),
        *label_lines("also", also),
        *label_lines("related", related),
        f"*{safe_text(note, NOTE_LIMIT)}*" if note.strip() else "",
    ]


def render_explanation(result: Explanation) -> discord.Embed:
    """``/briefing explain``: the verdict, then one line per checked stage."""
    marks = {True: "✅", False: "❌"}
    lines = [
        f"{marks[stage.passed]} **{safe_text(stage.name, 40)}**: {safe_text(stage.detail, 600)}"
        for stage in result.stages
    ]
    return discord.Embed(
        title=safe_text(result.verdict, TITLE_LIMIT),
        description="\n".join(lines)[:DESCRIPTION_LIMIT],
        colour=discord.Colour.green() if result.included else discord.Colour.orange(),
    )
