"""Pure rendering of the topic overview (``/topics``) and a member's subscriptions.

Under the rules of :mod:`bot.rendering`: topics are listed with children under their parent
(a parent cycle never loses a topic), split over "Topics (continued)" embeds when long; a
subscriber's list says how many topics did not fit instead of cutting silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import discord

from bot._limits import DESCRIPTION_LIMIT, FIELD_VALUE_LIMIT, pack_blocks, safe_text
from bot.rendering import CONTINUED, TOPIC_NAME_LIMIT, plural
from briefings.model import topic_key
from briefings.topics import TopicSummary

TOPIC_DESCRIPTION_LIMIT: Final = 200


def render_topics(summaries: Sequence[TopicSummary]) -> list[discord.Embed]:
    """The topic overview: children under their parent, with article counts."""
    if not summaries:
        return [discord.Embed(title="Topics", description="There are no topics yet.")]
    lines = [[_topic_line(summary, depth)] for summary, depth in _tree_order(summaries)]
    texts = pack_blocks(lines, DESCRIPTION_LIMIT, separator="\n")
    return [
        discord.Embed(title="Topics" + (CONTINUED if number else ""), description=text)
        for number, text in enumerate(texts)
    ]


def _tree_order(summaries: Sequence[TopicSummary]) -> list[tuple[TopicSummary, int]]:
    keys = {topic_key(summary.name) for summary in summaries}
    children: dict[str, list[TopicSummary]] = {}
    roots: list[TopicSummary] = []
    for summary in summaries:
        parent = topic_key(summary.parent) if summary.parent else None
        if parent is not None and parent in keys and parent != topic_key(summary.name):
            children.setdefault(parent, []).append(summary)
        else:
            roots.append(summary)
    ordered: list[tuple[TopicSummary, int]] = []
    seen: set[int] = set()

    def visit(summary: TopicSummary, depth: int) -> None:
        if id(summary) in seen:
            return
        seen.add(id(summary))
        ordered.append((summary, depth))
        for child in children.get(topic_key(summary.name), ()):
            visit(child, depth + 1)

    for summary in roots:
        visit(summary, 0)
    for summary in summaries:  # parent cycles: show what is left at the top level
        visit(summary, 0)
    return ordered


def _topic_line(summary: TopicSummary, depth: int) -> str:
    marker = "\u2003" * (depth - 1) + "└ " if depth else ""
    name = safe_text(summary.name, TOPIC_NAME_LIMIT) or "Untitled"
    counts = f"{plural(summary.articles, 'article', 'articles')}, {summary.published} published"
    description = safe_text(summary.description, TOPIC_DESCRIPTION_LIMIT)
    return f"{marker}**{name}** · {counts}" + (f" — {description}" if description else "")


def render_subscriptions(
    topics: Sequence[str], digest_time: str, timezone: str, paused_reason: str | None
) -> discord.Embed:
    """A subscriber's settings: topics (listed in order), digest time and whether paused."""
    lines = [f"• {safe_text(topic, TOPIC_NAME_LIMIT) or 'Untitled'}" for topic in topics]
    shown: list[str] = []
    used = 0  # characters of the shown lines, one newline each
    for number, line in enumerate(lines):
        later = len(lines) - number - 1  # keep room to say how many lines did not fit
        reserve = len(f"…and {later} more") + 1 if later else 0
        if used + len(line) + reserve > DESCRIPTION_LIMIT:
            shown.append(f"…and {len(lines) - number} more")
            break
        shown.append(line)
        used += len(line) + 1
    embed = discord.Embed(
        title="Subscriptions",
        description="\n".join(shown) if shown else "Not subscribed to any topic.",
    )
    when = f"{safe_text(digest_time, 50)} ({safe_text(timezone, 100)})"
    embed.add_field(name="Daily digest", value=when, inline=True)
    status = (
        "Active"
        if paused_reason is None
        else "Paused — " + (safe_text(paused_reason, FIELD_VALUE_LIMIT - 9) or "no reason given")
    )
    embed.add_field(name="Status", value=status, inline=True)
    return embed
