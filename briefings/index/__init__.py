"""The search index of a store: SQLite FTS5 search and the persistent, incremental store index.

The package's interface is what it exports here; its modules are its parts, each with one job:

- :mod:`~briefings.index.schema`: every table and statement, and the schema's single version;
- :mod:`~briefings.index.query`: the query translator (any user text to a safe FTS5 MATCH);
- :mod:`~briefings.index.rows`: articles as rows (hidden filter tokens included) and back;
- :mod:`~briefings.index.results`: what a search asks and answers (filters, hits, pages);
- :mod:`~briefings.index.search`: the FTS storage, :class:`SearchIndex`;
- :mod:`~briefings.index.search_page`: running one search (filters, ranking, snippets) on it;
- :mod:`~briefings.index.db`: opening and validating a store index's cache file;
- :mod:`~briefings.index.scan` and :mod:`~briefings.index.sync`: reading the store folder
  (in worker processes) and bringing the cache up to date with it;
- :mod:`~briefings.index.store_queries`: what a store index answers, read in SQL;
- :mod:`~briefings.index.store_index`: :class:`StoreIndex`, which ties them together.

Modules of the package import each other by their own names, never through this module, and
never another module's private (``_x``) names.
"""

from briefings.index.query import translate_query
from briefings.index.results import (
    HIGHLIGHT_END,
    HIGHLIGHT_START,
    SearchFilters,
    SearchHit,
    SearchResults,
)
from briefings.index.search import SearchIndex
from briefings.index.store_index import StoreIndex, SyncReport

__all__ = [
    "HIGHLIGHT_END",
    "HIGHLIGHT_START",
    "SearchFilters",
    "SearchHit",
    "SearchIndex",
    "SearchResults",
    "StoreIndex",
    "SyncReport",
    "translate_query",
]
