"""What a store index answers, read in SQL from one snapshot of its cache file.

Plain functions over a reader connection that is inside one read transaction (see
:class:`~briefings.index.store_index.StoreIndex`, which holds it and caches what is worth
caching): the state of one generation of the cache (catalog, problems, notes, article count),
the articles of a time window (by rowid range, never a full scan), the articles of a URL, and
the topic counts.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from briefings.briefing import BriefingRequest
from briefings.index import db
from briefings.index.rows import ARTICLE_COLUMNS, article_from_row
from briefings.index.schema import SEQ_BITS, SEQ_MASK, epoch
from briefings.model import Article, Catalog, Problem, topic_key
from briefings.topics import TopicSummary
from briefings.urls import canonical_url

_TOPIC_COUNTS: Final = """
    SELECT a.topics_json, count(*), sum(a.published), min(d.walk_key)
    FROM articles AS a JOIN article_data AS d ON d.id = a.id
    GROUP BY a.topics_json
"""
"""Per distinct topic list (a few thousand at 100,000 articles): how many, published, first."""
POSTED_URLS_PER_QUERY: Final = 500
"""URLs of a posted log looked up per query (SQLite allows 999 parameters in old builds)."""


@dataclass(frozen=True, slots=True)
class IndexState:
    """What readers cache per generation of the index (see :func:`read_state`)."""

    generation: int
    catalog: Catalog
    problems: tuple[Problem, ...]
    notes: tuple[Problem, ...]
    article_count: int


def read_state(conn: sqlite3.Connection, generation: int) -> IndexState:
    """The catalog, problems, notes and article count of ``generation`` of the cache."""
    meta = dict(
        conn.execute(
            "SELECT key, value FROM meta WHERE key IN ('catalog', 'catalog_problems')"
        ).fetchall()
    )
    problems = db.problems_from_json(str(meta["catalog_problems"]))
    notes: list[Problem] = []
    for path, reason, article_id in conn.execute(
        "SELECT path, problem, article_id FROM files WHERE problem IS NOT NULL ORDER BY walk_key"
    ):
        (problems if article_id is None else notes).append(Problem(path, reason))
    count = int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
    return IndexState(
        generation,
        db.catalog_from_json(str(meta["catalog"])),
        tuple(problems),
        tuple(notes),
        count,
    )


def articles_between(
    conn: sqlite3.Connection, start: datetime, end: datetime, *, eligible_only: bool
) -> list[Article]:
    """Every article published in ``(start, end]``, oldest first, read by rowid range (never a
    full scan); ``eligible_only`` skips early the rows a briefing could not show."""
    low, high = epoch(start), epoch(end)
    if low >= high:
        return []
    sql = (
        f"SELECT {ARTICLE_COLUMNS} FROM articles AS a JOIN article_data AS d ON d.id = a.id "  # noqa: S608
        "WHERE a.id BETWEEN ? AND ? "
        "AND (a.published_at, a.published_at_us) > (?, ?) "
        "AND (a.published_at, a.published_at_us) <= (?, ?)"
    )
    if eligible_only:  # assemble() checks eligibility again; this only skips rows early
        sql += " AND a.published = 1 AND a.url IS NOT NULL"
    rows = conn.execute(
        sql + " ORDER BY a.id",
        (low[0] << SEQ_BITS, (high[0] << SEQ_BITS) | SEQ_MASK, *low, *high),
    ).fetchall()
    return [article_from_row(row) for row in rows]


def articles_with_url(conn: sqlite3.Connection, url: str) -> list[Article]:
    """Articles whose URL is ``url`` up to :func:`~briefings.urls.canonical_url` form.

    The longest path segment of the canonical URL narrows the rows in SQL, the canonical
    comparison decides.
    """
    key = canonical_url(url)
    host, *path = key.split("?", 1)[0].split("/")
    segment = max(path or [host], key=len)
    pattern = "%" + segment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    sql = (
        f"SELECT {ARTICLE_COLUMNS} FROM articles AS a "  # noqa: S608
        "JOIN article_data AS d ON d.id = a.id WHERE a.url LIKE ? ESCAPE '\\'"
    )
    rows = conn.execute(sql, (pattern,)).fetchall()
    articles = (article_from_row(row) for row in rows)
    return [a for a in articles if a.url and canonical_url(a.url) == key]


def topic_summaries(conn: sqlite3.Connection, catalog: Catalog) -> list[TopicSummary]:
    """Same as :func:`~briefings.topics.summarize_topics` over all articles, from SQL: the
    catalog's topics in order, then the others by key, each spelled as in the first file (in
    walk order) that names it."""
    rows = conn.execute(_TOPIC_COUNTS).fetchall()
    total: dict[str, int] = {}
    published: dict[str, int] = {}
    spelled: dict[str, tuple[str, str]] = {}
    keys: dict[str, str] = {}
    for topics_json, count, published_count, first in rows:
        for name in json.loads(topics_json):
            key = keys.get(name)
            if key is None:
                entry = catalog.get(name)
                key = keys[name] = topic_key(entry.name if entry else name)
            total[key] = total.get(key, 0) + int(count)
            published[key] = published.get(key, 0) + int(published_count)
            if key not in spelled or (first, name) < spelled[key]:
                spelled[key] = (first, name)  # the spelling of the first file in walk order
    listed = {topic_key(topic.name) for topic in catalog.topics}
    summaries = [
        TopicSummary(
            topic.name,
            topic.parent,
            topic.description,
            total.get(topic_key(topic.name), 0),
            published.get(topic_key(topic.name), 0),
        )
        for topic in catalog.topics
    ]
    summaries.extend(
        TopicSummary(spelled[key][1], None, "", total[key], published[key])
        for key in sorted(total)
        if key not in listed
    )
    return summaries


def posted_before(conn: sqlite3.Connection, request: BriefingRequest) -> list[Article]:
    """The articles of ``request``'s posted log published before its window, oldest first
    (looked up by the exact URLs the log recorded, through the ``url`` index)."""
    urls = sorted({posted.url for posted in request.posted.articles})
    high = epoch(request.start)
    found: list[tuple[Any, ...]] = []
    for first in range(0, len(urls), POSTED_URLS_PER_QUERY):
        chunk = urls[first : first + POSTED_URLS_PER_QUERY]
        sql = (
            f"SELECT a.id, {ARTICLE_COLUMNS} FROM articles AS a "  # noqa: S608
            "JOIN article_data AS d ON d.id = a.id "
            f"WHERE a.url IN ({', '.join('?' * len(chunk))}) AND a.published = 1 "
            "AND (a.published_at, a.published_at_us) <= (?, ?)"
        )
        found += conn.execute(sql, (*chunk, *high)).fetchall()
    found.sort(key=lambda row: row[0])  # by rowid: by time, as the window's articles
    return [article_from_row(row[1:]) for row in found]
