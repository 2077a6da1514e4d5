"""Domain values of the article store: articles, topics, the catalog and load problems.

Everything here is a frozen dataclass built by the parser (:mod:`briefings.articles`,
:mod:`briefings.catalog`) from validated front matter. Datetimes are always timezone-aware
(UTC). Nothing here does I/O.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Provider:
    """The outlet that published an article (``provider`` in the front matter)."""

    name: str
    domain: str | None = None


@dataclass(frozen=True, slots=True)
class RelatedArticle:
    """An entry of an article's ``related`` list: other coverage of the same story."""

    title: str
    url: str
    provider: Provider | None = None
    published_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Article:
    """One validated article of the store.

    ``path`` is the file's path relative to the store root, with ``/`` separators; it is the
    article's identity inside one store. ``url`` is ``webUrl``, else ``originalUrl``, else
    ``None`` (an article without a URL is never put in a briefing). ``quality`` and ``heat``
    default to 0 when missing; only ``published: true`` makes ``published`` true.
    ``updated_at`` is ``updatedDateTime`` (``None`` when missing or malformed): a story posted
    before is posted again, marked "Updated", when it is later than at posting time.
    The opaque ``secured`` blob is deliberately not kept.
    """

    path: str
    title: str
    excerpt: str
    published_at: datetime
    url: str | None
    quality: float = 0
    heat: float = 0
    published: bool = False
    provider: Provider | None = None
    topics: tuple[str, ...] = ()
    related: tuple[RelatedArticle, ...] = ()
    kind: str = "article"
    image_url: str | None = None
    updated_at: datetime | None = None

    @property
    def provider_name(self) -> str:
        """The provider's name, or an empty string when the article names none."""
        return self.provider.name if self.provider else ""


@dataclass(frozen=True, slots=True)
class Topic:
    """An entry of the topic catalog (``topics/*.yaml``)."""

    name: str
    parent: str | None = None
    shortname: str | None = None
    description: str = ""
    keywords: tuple[str, ...] = ()
    hashtags: tuple[str, ...] = ()

    @property
    def is_root(self) -> bool:
        """A root topic has no parent (for example the site-wide "AI" topic)."""
        return self.parent is None


@functools.lru_cache(maxsize=4096)  # pure; called for every topic of every article
def topic_key(name: str) -> str:
    """The key topics are compared by: case- and surrounding-whitespace-insensitive."""
    return " ".join(name.split()).casefold()


@dataclass(frozen=True, slots=True)
class Catalog:
    """The ordered topic catalog. An empty catalog means the store has none."""

    topics: tuple[Topic, ...] = ()
    _by_key: dict[str, int] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        index: dict[str, int] = {}
        for position, topic in enumerate(self.topics):
            index.setdefault(topic_key(topic.name), position)
            if topic.shortname:
                index.setdefault(topic_key(topic.shortname), position)
        object.__setattr__(self, "_by_key", index)

    def __bool__(self) -> bool:
        return bool(self.topics)

    def get(self, name: str) -> Topic | None:
        """The catalog entry named ``name`` (or with that shortname), ignoring case."""
        position = self._by_key.get(topic_key(name))
        return None if position is None else self.topics[position]

    def position(self, name: str) -> int | None:
        """Where ``name`` stands in catalog order, or ``None`` for a topic not in it."""
        return self._by_key.get(topic_key(name))

    def is_root(self, name: str) -> bool:
        """True when ``name`` is a catalog topic without a parent."""
        topic = self.get(name)
        return topic is not None and topic.is_root


@dataclass(frozen=True, slots=True)
class Problem:
    """A file that could not be loaded (or, as a note, loaded with a value replaced): its path
    and a one-line reason a person can act on."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Store:
    """The result of loading a store folder: good articles, the catalog and every problem.

    ``notes`` are files that loaded but not as written (a bad ``webUrl`` replaced by
    ``originalUrl``): worth a look, not skipped.
    """

    root: str
    articles: tuple[Article, ...]
    catalog: Catalog = Catalog()
    problems: tuple[Problem, ...] = ()
    notes: tuple[Problem, ...] = ()
