"""Pure rendering of a page of search results (``/search``) to one Discord embed.

Under the rules of :mod:`bot.rendering`: the page's hits share the description evenly so the
embed always fits, untrusted text goes through :func:`~bot._limits.safe_text`, and a hit's
highlighted terms (the index's private-use sentinels) become bold without ever leaving a
``**`` open or letting a mention or invite form across pieces.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import tzinfo
from typing import Final

import discord

from bot._limits import (
    DESCRIPTION_LIMIT,
    TITLE_LIMIT,
    ZWSP,
    fit_highlighted,
    inert,
    markdown_link,
    safe_text,
)
from bot.rendering import PROVIDER_LIMIT, STORY_TITLE_LIMIT, in_zone, iso_day, plural
from briefings.index import HIGHLIGHT_END, HIGHLIGHT_START, SearchHit, SearchResults

MAX_SEARCH_PAGE_SIZE: Final = 25


def page_count(total: int, page_size: int) -> int:
    """How many pages ``total`` results fill; at least 1, so page 0 always exists."""
    if page_size < 1:
        raise ValueError("page_size must be at least 1")
    return max(1, math.ceil(max(0, total) / page_size))


def render_search_page(
    results: SearchResults, *, page: int, page_size: int, zone: tzinfo
) -> discord.Embed:
    """Page ``page`` (0-based) of a search; ``results.hits`` are that page's hits.

    At most ``page_size`` hits are shown (1 to :data:`MAX_SEARCH_PAGE_SIZE`); the description
    is shared evenly between them so the embed always fits.
    """
    if not 1 <= page_size <= MAX_SEARCH_PAGE_SIZE:
        raise ValueError(f"page_size must be between 1 and {MAX_SEARCH_PAGE_SIZE}")
    query = safe_text(results.query, TITLE_LIMIT - len("Search: "))
    embed = discord.Embed(title=f"Search: {query}" if query else "Search")
    pages = page_count(results.total, page_size)
    if results.message:
        embed.description = safe_text(results.message, DESCRIPTION_LIMIT)
        return embed
    hits = results.hits[:page_size]
    if not hits:
        embed.description = (
            "No articles match this search."
            if results.total <= 0
            else f"There is nothing on page {page + 1}; the results end on page {pages}."
        )
    else:
        budget = (DESCRIPTION_LIMIT - 2 * (len(hits) - 1)) // len(hits)
        first = max(0, page) * page_size + 1
        embed.description = "\n\n".join(
            _hit_block(hit, first + index, budget, zone) for index, hit in enumerate(hits)
        )
    if results.total > 0:
        count = plural(results.total, "result", "results")
        embed.set_footer(text=f"Page {page + 1}/{pages} · {count}")
    return embed


def _hit_block(hit: SearchHit, number: int, budget: int, zone: tzinfo) -> str:
    provider = safe_text(hit.provider, min(PROVIDER_LIMIT, budget // 4))
    meta = " · ".join(part for part in (provider, iso_day(in_zone(hit.published_at, zone))) if part)
    prefix = f"**{number}.** "
    room = budget - len(meta) - 1 - len(prefix)
    title = prefix + markdown_link(
        hit.title, hit.url, limit=room, label_limit=STORY_TITLE_LIMIT, bold=True
    )
    lines = [title, meta]
    snippet = _snippet(hit, budget - len(title) - len(meta) - 2)
    if len(snippet) >= 8:
        lines.append(snippet)
    return "\n".join(lines)


def _snippet(hit: SearchHit, limit: int) -> str:
    """The snippet with highlights in bold, truncated between whole pieces, never left open."""
    # Balanced markers put "**" between every two escaped pieces, so no mention or invite can
    # form across a piece boundary; stripping first keeps line-start markup escaped.
    balanced: list[str] = []
    bold = False
    for char in hit.snippet.strip():
        if char in (HIGHLIGHT_START, HIGHLIGHT_END):
            if (char == HIGHLIGHT_START) == bold:
                continue
            bold = not bold
            if not bold and balanced[-1] == HIGHLIGHT_START:  # an empty highlight
                balanced[-1] = ZWSP
                continue
        balanced.append(char)
    if bold and balanced[-1] == HIGHLIGHT_START:
        balanced.pop()
    elif bold:
        balanced.append(HIGHLIGHT_END)
    cleaned = replace(hit, snippet="".join(balanced))
    text = cleaned.snippet_with(HIGHLIGHT_START, HIGHLIGHT_END, escape=inert)
    return fit_highlighted(text, limit, HIGHLIGHT_START, HIGHLIGHT_END)
