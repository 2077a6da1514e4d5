"""Articles from a site's paged JSON API (the format the corpus sites publish).

A page is ``{"page": 1, "value": [article, ...], "nextPage": 2}``; articles have the same
fields as the front matter. ``nextPage`` is a page number — page *n* lives at
``SOURCE/page/n/index.json`` (page 1 is ``SOURCE/index.json`` or ``SOURCE`` itself) — or a URL
relative to the page, or ``null`` on the last page. Items from an API are published by
definition, so they are taken as ``published: true`` whatever they say.

Parsing is pure (bytes in, values out); fetching lives in the bot (``bot/sources.py``). A
malformed item is a :class:`~briefings.model.Problem` and never takes the page with it; a
malformed page raises :class:`PageError` with a one-line reason.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from briefings.articles import article_from_mapping
from briefings.frontmatter import InvalidFile
from briefings.model import Article, Problem

MAX_ITEMS_PER_PAGE = 1000


class PageError(Exception):
    """A page that cannot be used at all; ``str(error)`` says why."""


@dataclass(frozen=True, slots=True)
class ApiPage:
    """One parsed page: its articles, the items it had to skip, and where the next page is."""

    articles: tuple[Article, ...]
    problems: tuple[Problem, ...]
    next_url: str | None


def source_name(url: str) -> str:
    """A short, stable name for a source URL (host and path), used in article paths."""
    parts = urlsplit(url)
    return f"{parts.hostname or 'source'}{parts.path.rstrip('/')}"


def page_url(source_url: str, page: int) -> str:
    """Where page ``page`` of the API at ``source_url`` (its folder or its index.json) lives."""
    if page <= 1:
        return source_url
    path = urlsplit(source_url).path
    if path.endswith(".json"):
        root = source_url.rsplit("/", 1)[0] + "/"
    else:
        root = source_url if source_url.endswith("/") else source_url + "/"
    return urljoin(root, f"page/{page}/index.json")


def parse_page(source_url: str, current_url: str, body: bytes) -> ApiPage:
    """Parse one page fetched from ``current_url`` of the API at ``source_url``."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise PageError(f"not JSON: {error}") from error
    if not isinstance(data, Mapping):
        raise PageError("the page is not a JSON object")
    items = data.get("value")
    if not isinstance(items, list):
        raise PageError("the page has no 'value' list of articles")
    name = source_name(source_url)
    articles: list[Article] = []
    problems: list[Problem] = []
    for index, item in enumerate(items[:MAX_ITEMS_PER_PAGE]):
        where = f"{current_url}#item{index}"
        if not isinstance(item, Mapping):
            problems.append(Problem(where, "item is not an object"))
            continue
        key = item.get("path") if isinstance(item.get("path"), str) else item.get("webUrl")
        path = f"{name}/{key}" if isinstance(key, str) and key else where
        try:
            article = article_from_mapping(path, {**item, "published": True})
        except InvalidFile as error:
            problems.append(Problem(path, str(error)))
            continue
        if article is not None:
            articles.append(article)
    return ApiPage(
        tuple(articles), tuple(problems), _next_url(source_url, current_url, data.get("nextPage"))
    )


def _next_url(source_url: str, current_url: str, next_page: object) -> str | None:
    if next_page is None or next_page == "" or isinstance(next_page, bool):
        return None
    if isinstance(next_page, int):
        return page_url(source_url, next_page) if next_page > 1 else None
    if isinstance(next_page, str):
        candidate = urljoin(current_url, next_page)
        return candidate if candidate.startswith(("http://", "https://")) else None
    return None
