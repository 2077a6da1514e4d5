"""``/search``: one page of full-text results over the store and the remote sources.

Any text is a valid query (see :mod:`briefings.index.query`); only a blank one is refused. Queries
are cut to :data:`MAX_QUERY` characters. Pages are ``SEARCH_PAGE_SIZE`` results, numbered
from 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.usecases import topics
from bot.usecases.errors import UseCaseError
from briefings.index import SearchResults

if TYPE_CHECKING:
    from bot.services import Services

MAX_QUERY = 500


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of a search: the query as run, the topic (its catalog name) and the hits."""

    query: str
    topic: str | None
    page: int
    page_size: int
    results: SearchResults

    @property
    def pages(self) -> int:
        """How many pages the whole result has (at least one)."""
        return max(1, math.ceil(max(0, self.results.total) / self.page_size))


async def search(
    services: Services, query: str, *, topic: str | None = None, page: int = 0
) -> SearchPage:
    """Page ``page`` (0-based) of the published articles matching ``query``, in ``topic``."""
    if not query.strip():
        raise UseCaseError("Type something to search for.", field="query")
    query = query[:MAX_QUERY]
    chosen = topics.resolve(services, topic) if topic else None
    size = services.settings.search_page_size
    page = max(0, page)
    results = await services.library.search(query, topic=chosen, limit=size, offset=page * size)
    return SearchPage(query, chosen, page, size, results)
