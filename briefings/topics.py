"""The topic overview: every topic with its description and how many articles name it.

Catalog topics come first in catalog order (also those no article names yet), then topics that
articles use but the catalog does not list, alphabetically. Counts are per topic as written in
the articles (case-insensitive); ``published`` counts only articles people can be shown.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from briefings.model import Article, Catalog, topic_key


@dataclass(frozen=True, slots=True)
class TopicSummary:
    """One line of the overview."""

    name: str
    parent: str | None
    description: str
    articles: int
    published: int


def summarize_topics(articles: Iterable[Article], catalog: Catalog) -> list[TopicSummary]:
    """Count the articles of every topic (see the module docstring for the order)."""
    total: Counter[str] = Counter()
    published: Counter[str] = Counter()
    spelled: dict[str, str] = {}
    for article in articles:
        for name in article.topics:
            entry = catalog.get(name)
            key = topic_key(entry.name if entry else name)
            spelled.setdefault(key, name)
            total[key] += 1
            if article.published:
                published[key] += 1
    summaries = [
        TopicSummary(
            topic.name,
            topic.parent,
            topic.description,
            total[topic_key(topic.name)],
            published[topic_key(topic.name)],
        )
        for topic in catalog.topics
    ]
    listed = {topic_key(topic.name) for topic in catalog.topics}
    summaries.extend(
        TopicSummary(spelled[key], None, "", total[key], published[key])
        for key in sorted(total)
        if key not in listed
    )
    return summaries
