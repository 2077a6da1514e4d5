"""Filters as a person reads them in replies and in ``/subscriptions`` (pure, Discord-safe).

Every word, phrase and domain is typed by a person, so each goes through
:func:`~bot._limits.safe_text` (no Markdown, no mentions); a long list is cut with "…and N
more" so the lines always fit a message or an embed field.
"""

from __future__ import annotations

from typing import Final

import discord

from bot._limits import (
    FIELD_VALUE_LIMIT,
    MESSAGE_EMBED_CHARS_LIMIT,
    embed_size,
    safe_text,
    truncate,
)
from briefings.filters import Filters

LINE_LIMIT: Final = (FIELD_VALUE_LIMIT - 2) // 3
"""The longest line: the three lines fit one embed field (and, with room, one message)."""
ITEM_LIMIT: Final = 60
"""The longest word, phrase or domain shown (longer ones end with "…")."""
NO_FILTERS: Final = "No filters: every story of its topics can be shown."


def _listed(items: tuple[str, ...], label: str, *, quoted: bool) -> str:
    shown = [safe_text(item, ITEM_LIMIT) for item in items]
    if quoted:
        shown = [f"“{item}”" for item in shown]
    line = f"{label} {shown[0]}"
    for number, item in enumerate(shown[1:], start=1):
        more = f", …and {len(shown) - number} more"  # what to say when this one does not fit
        later = len(shown) - number - 1  # room to say so for the ones after this one
        if len(line) + 2 + len(item) + (len(more) if later else 0) > LINE_LIMIT:
            return line + more
        line += ", " + item
    return line


def filter_lines(filters: Filters) -> list[str]:
    """One line per list that has items ("Only stories with …", "Leaving out stories with …",
    "Leaving out outlets …"), or one line saying there are no filters."""
    lines = []
    if filters.include:
        lines.append(_listed(filters.include, "Only stories with one of:", quoted=True))
    if filters.exclude:
        lines.append(_listed(filters.exclude, "Leaving out stories with:", quoted=True))
    if filters.outlets:
        lines.append(_listed(filters.outlets, "Leaving out outlets:", quoted=False))
    return lines or [NO_FILTERS]


def add_filters_field(embed: discord.Embed, filters: Filters) -> discord.Embed:
    """``embed`` with a "Filters" field of :func:`filter_lines`, cut to what the embed's
    6,000-character total still allows."""
    name = "Filters"
    room = MESSAGE_EMBED_CHARS_LIMIT - embed_size(embed) - len(name)
    value = truncate("\n".join(filter_lines(filters)), min(FIELD_VALUE_LIMIT, room))
    if value:
        embed.add_field(name=name, value=value)
    return embed
