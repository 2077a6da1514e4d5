"""What a search asks and answers: :class:`SearchFilters`, then :class:`SearchResults` of
:class:`SearchHit`.

Plain frozen values, shared by the in-memory :class:`~briefings.index.search.SearchIndex`,
the persistent :class:`~briefings.index.store_index.StoreIndex` and their callers (the CLI,
the bot). A hit's snippet marks matched terms with the private-use sentinels
:data:`HIGHLIGHT_START` and :data:`HIGHLIGHT_END`; reserved private-use characters
(U+E000-U+E00F) are stripped from indexed text and from queries, so sentinels can only come
from highlighting, and :meth:`SearchHit.snippet_with` swaps them for markup, escaping only
text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

HIGHLIGHT_START: Final = "\ue000"
"""Put before each matched term in :attr:`SearchHit.snippet` (a private-use character)."""
HIGHLIGHT_END: Final = "\ue001"
"""Put after each matched term in :attr:`SearchHit.snippet` (a private-use character)."""


_SENTINEL_SPLIT: Final = re.compile(f"({HIGHLIGHT_START}|{HIGHLIGHT_END})")


@dataclass(frozen=True, slots=True)
class SearchFilters:
    """Restrictions applied on top of the text match.

    ``topic`` matches one of an article's topics exactly, compared with
    :func:`~briefings.model.topic_key` (case- and spacing-insensitive); ``provider`` matches
    the provider's name the same way. ``since``/``until`` bound ``published_at`` inclusively
    (naive datetimes are taken as UTC). ``published_only`` (the default) keeps only articles
    with ``published: true``.
    """

    topic: str | None = None
    provider: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    published_only: bool = True


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One matching article, with a highlighted snippet."""

    path: str
    title: str
    url: str | None
    provider: str
    quality: float
    heat: float
    published_at: datetime
    topics: tuple[str, ...]
    published: bool
    snippet: str
    """A short excerpt (or title) fragment; matched terms sit between the sentinels."""

    def snippet_with(self, start: str, end: str, escape: Callable[[str], str] = lambda s: s) -> str:
        """The snippet with the sentinels replaced by ``start``/``end``.

        ``escape`` (for example a Discord markdown escaper) is applied to the text pieces
        only, never to ``start``/``end``, so the highlight markup survives escaping.
        """
        parts: list[str] = []
        for piece in _SENTINEL_SPLIT.split(self.snippet):
            if piece == HIGHLIGHT_START:
                parts.append(start)
            elif piece == HIGHLIGHT_END:
                parts.append(end)
            elif piece:
                parts.append(escape(piece))
        return "".join(parts)


@dataclass(frozen=True, slots=True)
class SearchResults:
    """A page of hits. ``total`` counts every match with the filters, not just this page.

    ``message`` is a sentence for the user when the query had nothing searchable in it (then
    ``total`` is 0 and there are no hits); it is ``None`` otherwise, including for a valid
    query that simply matched nothing.
    """

    query: str
    total: int
    hits: tuple[SearchHit, ...]
    message: str | None = None
