"""Selecting and assembling the daily briefing: pure functions over articles.

The briefing of a moment ``at`` is built in these steps, each a pure function so that a person
(or :func:`briefings.explain.explain`) can follow why an article is in or out:

1. **Eligible** (:func:`is_eligible`): ``published: true``, in the window (:func:`in_window`:
   published in ``(at - window, at]``, or posted before and changed since, see
   :mod:`briefings.repeats`), quality at least the minimum, and a URL to link to.
2. **Topic selection** (:func:`topic_selection`): with no topics requested, everything; else
   the requested topics and, through the catalog, all their descendants (asking for a root
   such as "AI" means every AI sub-topic). An article is kept when one of its topics is
   selected.
3. **Outlets** (:func:`briefings.filters.article_rejection`): articles of an outlet the
   request's :class:`~briefings.filters.Filters` leave out are dropped, before merging, so
   they are never shown, not even as an "also" link.
4. **One story once** (:func:`merge_stories`): articles sharing a canonical URL
   (:func:`~briefings.urls.canonical_url`) or a normalised title
   (:func:`~briefings.text.title_key`), or linked by an article's ``related`` list (which names
   other outlets' coverage of the same story), are one story. The best-ranked copy leads; the
   others become "also" links (one per distinct page); the lead's ``related`` list, minus
   pages already shown, is its related coverage.
5. **Words** (:func:`briefings.filters.story_rejection`): a story is left out when any of its
   copies' title or excerpt contains an excluded word, or, with ``include`` words, when none
   contains one of them (judged on the whole story, so the verdict does not depend on which
   outlet leads).
6. **No repeats** (:func:`briefings.repeats.find_repeat`): a story the schedule posted before
   (the request's ``posted`` log) is left out, unless one of its articles changed since: then
   it is shown once more with ``updated=True``.
7. **Top stories and sections** (:func:`assemble`): the ``top_stories`` best stories of the
   whole briefing (by :func:`rank_key` of their leads: quality desc, heat desc, newest
   first, then URL) open it and are not repeated below; every other story goes to one
   section, its primary topic (:func:`primary_topic`, restricted to the selected topics
   when some were requested). Sections follow catalog order, then topics outside the
   catalog alphabetically, then stories without any topic under "General". Each section
   holds its next ``per_topic`` best stories and counts the ones it left out. Empty sections
   are not produced; a briefing without stories is valid and callers may choose not to post
   it. Every shown story knows its section's name (``Story.topic``), top stories too.

The request's defaults (no top stories, no filters, nothing posted before) give the plain
per-topic briefing of the CLI. Nothing here reads the clock: ``at`` is always passed in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Protocol

from briefings.filters import Filters, article_rejection, story_rejection
from briefings.model import Article, Catalog, RelatedArticle, topic_key
from briefings.repeats import PostedArticle, PostedLog, Repeat, find_repeat, was_updated
from briefings.text import title_key
from briefings.urls import canonical_url

DEFAULT_WINDOW = timedelta(hours=24)
DEFAULT_PER_TOPIC = 5
DEFAULT_TOP_STORIES = 3
"""How many top stories a scheduled briefing opens with (a request's own default is 0)."""
NO_FILTERS = Filters()
"""Filters that let everything through."""
GENERAL_SECTION = "General"
"""The section of stories whose articles name no topic at all."""


@dataclass(frozen=True, slots=True)
class BriefingRequest:
    """What to build: the moment, the look-back window and the editorial knobs.

    ``top_stories`` (default 0: none) opens the briefing with that many best stories;
    ``filters`` leave out words and outlets; ``posted`` is what this schedule posted before
    (stories in it are not shown again unless updated).
    """

    at: datetime
    window: timedelta = DEFAULT_WINDOW
    topics: tuple[str, ...] = ()
    per_topic: int = DEFAULT_PER_TOPIC
    min_quality: float = 0
    top_stories: int = 0
    filters: Filters = field(default_factory=Filters)
    posted: PostedLog = field(default_factory=PostedLog)

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise ValueError("the briefing moment must be timezone-aware")
        if self.window <= timedelta(0):
            raise ValueError("the window must be positive")
        if self.per_topic < 1:
            raise ValueError("per_topic must be at least 1")
        if self.top_stories < 0:
            raise ValueError("top_stories cannot be negative")

    @property
    def start(self) -> datetime:
        """The exclusive start of the window."""
        return self.at - self.window


@dataclass(frozen=True, slots=True)
class Story:
    """One story: the best-ranked article and the other outlets' copies of it.

    :func:`assemble` fills in ``topic``, the name of the section the story belongs to (for a
    top story too), and ``updated``: it was posted before and shown again because an article
    of it changed since.
    """

    lead: Article
    also: tuple[Article, ...] = ()
    related: tuple[RelatedArticle, ...] = ()
    topic: str = ""
    updated: bool = False

    @property
    def articles(self) -> tuple[Article, ...]:
        """The lead and its copies."""
        return (self.lead, *self.also)


@dataclass(frozen=True, slots=True)
class Section:
    """The stories of one topic, best first; ``omitted`` counts stories cut by the cap."""

    topic: str
    stories: tuple[Story, ...]
    omitted: int = 0


@dataclass(frozen=True, slots=True)
class Briefing:
    """An assembled briefing of the window ``(start, end]``: top stories, then sections."""

    start: datetime
    end: datetime
    sections: tuple[Section, ...]
    top_stories: tuple[Story, ...] = ()

    @property
    def is_empty(self) -> bool:
        """True when there is nothing to post."""
        return not self.sections and not self.top_stories

    @property
    def stories(self) -> tuple[Story, ...]:
        """Every story shown, in order: the top stories, then section by section."""
        return (*self.top_stories, *(story for s in self.sections for story in s.stories))

    @property
    def story_count(self) -> int:
        """How many stories the briefing shows."""
        return len(self.top_stories) + sum(len(section.stories) for section in self.sections)

    def posted_articles(self, posted_at: datetime) -> tuple[PostedArticle, ...]:
        """What to record once this briefing is posted at ``posted_at`` (see
        :mod:`briefings.repeats`): every shown story's lead and "also" copies."""
        return tuple(
            PostedArticle(article.url, posted_at, article.quality, article.updated_at)
            for story in self.stories
            for article in story.articles
            if article.url
        )


def rank_key(article: Article) -> tuple[float, float, float, str, str]:
    """Sort key: higher quality, then higher heat, then newer, then URL and path (stable)."""
    return (
        -article.quality,
        -article.heat,
        -article.published_at.timestamp(),
        article.url or "",
        article.path,
    )


def in_window(article: Article, request: BriefingRequest) -> bool:
    """Published inside ``(start, at]``, or before but posted already and changed since."""
    if request.start < article.published_at <= request.at:
        return True
    if not request.posted.articles or article.published_at > request.at or not article.url:
        return False
    posted = request.posted.get(article.url)
    return posted is not None and was_updated(article, posted, request.at)


def is_eligible(article: Article, request: BriefingRequest) -> bool:
    """Whether ``article`` may appear in the briefing of ``request`` (step 1)."""
    return (
        article.published
        and article.quality >= request.min_quality
        and bool(article.url)
        # the common case inline; in_window() adds the posted articles that changed since
        and (request.start < article.published_at <= request.at or in_window(article, request))
    )


def is_selected(article: Article, selected: frozenset[str] | None, catalog: Catalog) -> bool:
    """Whether one of the article's topics is selected (step 2); ``None`` selects all."""
    return selected is None or any(_canonical_topic(t, catalog) in selected for t in article.topics)


def topic_selection(requested: Iterable[str], catalog: Catalog) -> frozenset[str] | None:
    """Topic keys selected by ``requested`` with their catalog descendants; None means all."""
    wanted = {topic_key(name) for name in requested if name.strip()}
    if not wanted:
        return None
    # Requested names may be shortnames: use the catalog's own name where there is one.
    selected = {topic_key(t.name) if (t := catalog.get(key)) else key for key in wanted}
    children: dict[str, list[str]] = {}
    for topic in catalog.topics:
        if topic.parent:
            children.setdefault(topic_key(topic.parent), []).append(topic_key(topic.name))
    pending = list(selected)
    while pending:
        for child in children.get(pending.pop(), ()):
            if child not in selected:
                selected.add(child)
                pending.append(child)
    return frozenset(selected)


def _canonical_topic(name: str, catalog: Catalog) -> str:
    """The topic key under the catalog's own name (so a shortname and a name are one key)."""
    topic = catalog.get(name)
    return topic_key(topic.name if topic else name)


def primary_topic(
    topics: Sequence[str], catalog: Catalog, selected: frozenset[str] | None = None
) -> str | None:
    """The section a story with ``topics`` goes to.

    The first topic that is not a root of the catalog; when every topic is a root (or there
    is no catalog), the first topic. With a selection, only selected topics are considered.
    ``None`` when no topic qualifies.
    """
    candidates = [
        name for name in topics if selected is None or _canonical_topic(name, catalog) in selected
    ]
    for name in candidates:
        if not catalog.is_root(name):
            return name
    return candidates[0] if candidates else None


def merge_stories(articles: Iterable[Article]) -> list[Story]:
    """Group copies of one story (step 3); stories come back in rank order of their leads."""
    ranked = sorted(articles, key=rank_key)
    parent = list(range(len(ranked)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for index, article in enumerate(ranked):
        for key in _story_keys(article):
            if key in owner:
                a, b = find(owner[key]), find(index)
                parent[max(a, b)] = min(a, b)  # the better-ranked article stays the root
            else:
                owner[key] = index
    groups: dict[int, list[Article]] = {}
    for index, article in enumerate(ranked):
        groups.setdefault(find(index), []).append(article)
    return [_story(members) for _, members in sorted(groups.items())]


def _story_keys(article: Article) -> list[str]:
    keys = [f"url:{canonical_url(article.url)}"] if article.url else []
    # An article's `related` entries are other outlets' coverage of the same story.
    keys.extend(f"url:{canonical_url(item.url)}" for item in article.related)
    title = title_key(article.title)
    if title:
        keys.append(f"title:{title}")
    return keys


def _story(members: list[Article]) -> Story:
    lead, *others = members
    shown = {canonical_url(lead.url)} if lead.url else set()
    also: list[Article] = []
    for article in others:
        key = canonical_url(article.url) if article.url else None
        if key is not None and key not in shown:
            shown.add(key)
            also.append(article)
    related: list[RelatedArticle] = []
    for item in lead.related:
        key = canonical_url(item.url)
        if key not in shown:
            shown.add(key)
            related.append(item)
    return Story(lead, tuple(also), tuple(related))


def candidates(
    articles: Iterable[Article], catalog: Catalog, request: BriefingRequest
) -> list[Article]:
    """The articles that go into merging: eligible, selected, of no excluded outlet (1-3)."""
    selected = topic_selection(request.topics, catalog)
    outlets = bool(request.filters.outlets)
    return [
        article
        for article in articles
        if is_eligible(article, request)
        and (selected is None or is_selected(article, selected, catalog))
        and (not outlets or article_rejection(article, request.filters) is None)
    ]


def repeat_of(story: Story, request: BriefingRequest) -> Repeat | None:
    """Whether ``story`` was posted before by the schedule of ``request`` (step 6)."""
    related = (item.url for article in story.articles for item in article.related)
    return find_repeat(story.articles, request.posted, request.at, related)


def shown_stories(
    articles: Iterable[Article], catalog: Catalog, request: BriefingRequest
) -> list[Story]:
    """Every story that passes steps 1-6, best first, with its ``topic`` and ``updated``."""
    selected = topic_selection(request.topics, catalog)
    words = bool(request.filters.include or request.filters.exclude)
    posted = bool(request.posted.articles)
    stories = []
    for story in merge_stories(candidates(articles, catalog, request)):
        if words and story_rejection(story.articles, request.filters) is not None:
            continue
        repeat = repeat_of(story, request) if posted else None
        if repeat is not None and not repeat.updated:
            continue
        topic = primary_topic(story.lead.topics, catalog, selected)
        name = _display_name(topic, catalog) if topic is not None else GENERAL_SECTION
        # (the constructor, not dataclasses.replace: this runs for every story of the window)
        stories.append(Story(story.lead, story.also, story.related, name, repeat is not None))
    return stories


def assemble(articles: Iterable[Article], catalog: Catalog, request: BriefingRequest) -> Briefing:
    """Build the briefing of ``request`` from ``articles`` (all the steps)."""
    stories = shown_stories(articles, catalog, request)
    top = tuple(stories[: request.top_stories])
    by_section: dict[str, list[Story]] = {}
    names: dict[str, str] = {}
    for story in stories[request.top_stories :]:
        key = topic_key(story.topic)
        names.setdefault(key, story.topic)
        by_section.setdefault(key, []).append(story)

    def section_order(key: str) -> tuple[int, int, str]:
        position = catalog.position(key)
        if position is not None:
            return (0, position, key)
        return (2 if key == topic_key(GENERAL_SECTION) else 1, 0, key)

    sections = tuple(
        Section(
            topic=names[key],
            stories=tuple(by_section[key][: request.per_topic]),
            omitted=max(0, len(by_section[key]) - request.per_topic),
        )
        for key in sorted(by_section, key=section_order)
    )
    return Briefing(request.start, request.at, sections, top)


class TopicBriefings(Protocol):
    """The briefings of one window for any topics and filters (see :func:`by_topics`)."""

    def __call__(self, topics: Sequence[str], filters: Filters | None = ..., /) -> Briefing: ...


def by_topics(
    articles: Sequence[Article], catalog: Catalog, request: BriefingRequest
) -> TopicBriefings:
    """``assemble`` of ``articles`` (the window's, read once) for any topics and filters.

    ``by_topics(articles, catalog, request)(topics, filters)`` equals ``assemble(articles,
    catalog, replace(request, topics=topics, filters=filters))`` (without ``filters``: the
    request's own); DM fan-out assembles many subscribers' digests this way.
    """

    def briefing(topics: Sequence[str], filters: Filters | None = None, /) -> Briefing:
        chosen = request.filters if filters is None else filters
        return assemble(articles, catalog, replace(request, topics=tuple(topics), filters=chosen))

    return briefing


def _display_name(topic: str, catalog: Catalog) -> str:
    entry = catalog.get(topic)
    return entry.name if entry else topic
