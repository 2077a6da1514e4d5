"""No repeats across days: what a schedule posted before, and whether a story changed since.

A schedule remembers every article it posted (:class:`PostedArticle`: the URL, when, and the
article's quality and ``updatedDateTime`` at that moment) and hands them back as a
:class:`PostedLog` in the next :class:`~briefings.briefing.BriefingRequest`. Then
:func:`~briefings.briefing.assemble`:

- leaves out a story that was posted before (:func:`find_repeat`). A story is the one posted
  when one of its articles' URLs, or a URL its articles list as ``related`` coverage, is in the
  log, compared canonically (:func:`~briefings.urls.canonical_url`). Headlines are not compared
  across days: a recurring column ("This week in AI") is a new story every week;
- shows it once more, marked ``updated``, when one of its posted articles changed since
  (:func:`was_updated`): a later ``updatedDateTime`` (not after the briefing's moment), or a
  higher quality. Recording the new post (with the new values) keeps it from coming back
  again. Such an article takes part even when it was published before the window.

What to record after posting is :meth:`briefings.briefing.Briefing.posted_articles`: every
shown story's lead and "also" copies (related links are not articles and are not recorded).
How far back the log reaches is the caller's choice (the bot keeps the days a window can
cover); nothing here reads the clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from briefings.model import Article
from briefings.urls import canonical_url


@dataclass(frozen=True, slots=True)
class PostedArticle:
    """One article a schedule posted: where, when, and its quality and update time then."""

    url: str
    posted_at: datetime
    quality: float = 0
    updated_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.posted_at.tzinfo is None:
            raise ValueError("the posting time must be timezone-aware")


@dataclass(frozen=True, slots=True)
class PostedLog:
    """What a schedule posted before, looked up by canonical URL.

    Of several posts of one page the latest counts (of equal times, the one given last).
    """

    articles: tuple[PostedArticle, ...] = ()
    _by_url: dict[str, PostedArticle] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        latest: dict[str, PostedArticle] = {}
        for posted in self.articles:
            key = canonical_url(posted.url)
            if key not in latest or latest[key].posted_at <= posted.posted_at:
                latest[key] = posted
        object.__setattr__(self, "_by_url", latest)

    def __bool__(self) -> bool:
        return bool(self.articles)

    def __len__(self) -> int:
        return len(self._by_url)

    def get(self, url: str) -> PostedArticle | None:
        """The latest post of the page at ``url`` (in any of its spellings), else ``None``."""
        return self._by_url.get(canonical_url(url))


@dataclass(frozen=True, slots=True)
class Repeat:
    """A story posted before: its latest post, and whether an article changed since."""

    posted: PostedArticle
    updated: bool


def was_updated(article: Article, posted: PostedArticle, at: datetime) -> bool:
    """Whether ``article`` changed since ``posted``, as known at ``at``.

    A higher quality, or an ``updated_at`` later than the one posted (or, when none was
    recorded, later than the post itself) and not after ``at``.
    """
    if article.quality > posted.quality:
        return True
    if article.updated_at is None or article.updated_at > at:
        return False
    return article.updated_at > (posted.updated_at or posted.posted_at)


def find_repeat(
    articles: Sequence[Article], log: PostedLog, at: datetime, related: Iterable[str] = ()
) -> Repeat | None:
    """Whether the story of ``articles`` (lead and copies) was posted before, per ``log``.

    ``related`` are further URLs of the same story (the articles' ``related`` coverage): a
    post of one of them makes the story a repeat too (never an updated one: they are not
    articles of the store whose changes are known).
    """
    if not log:
        return None
    own = [(article, log.get(article.url)) for article in articles if article.url]
    posts = [posted for _, posted in own if posted is not None]
    posts += [posted for url in related if (posted := log.get(url)) is not None]
    if not posts:
        return None
    updated = any(posted is not None and was_updated(a, posted, at) for a, posted in own)
    return Repeat(max(posts, key=lambda posted: posted.posted_at), updated)
