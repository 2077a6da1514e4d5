"""Articles as rows of the store index, and back: the exact round trip of every field.

A parsed file travels from a worker process to the writer as a :data:`Parsed` tuple of plain
values (cheap to pickle): the ``articles`` and ``articles_fts`` rows of
:mod:`briefings.search` (without their rowid) plus an ``article_data`` row with the fields
search does not keep. :func:`article_from_row` rebuilds the identical
:class:`~briefings.model.Article` from SQL:

- ``quality`` and ``heat`` keep their Python type (SQLite columns without affinity store an
  ``int`` as an integer and a ``float`` as a real); integers beyond 64 bits are stored as text.
- ``published_at`` comes back from its ISO text (always UTC), ``topics`` and ``related`` from
  JSON; a provider is ``None`` exactly when its name is empty (the parser never makes a
  nameless provider).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Final

from briefings.model import Article, Provider, RelatedArticle
from briefings.search import _search_rows

_Row = tuple[Any, ...]

_INT64: Final = range(-(2**63), 2**63)


Rows = tuple[_Row, _Row, _Row]
"""``(articles row, articles_fts row, article_data row)``, each without the rowid."""

Parsed = tuple[str, bytes | None, Rows | None, str | None]
"""The outcome of reading one file: ``(path, digest, rows, problem)``.

``digest`` is the content hash of the text (``None`` when the file could not be read as
text); ``rows`` the article's rows, ``problem`` the reason it failed, neither for a file that
is not an article. Both ``rows`` and ``problem``: an article with a note (it loaded with a
value replaced, see :attr:`briefings.model.Store.notes`). A plain tuple: it crosses from
worker processes by the thousand.
"""


def _number(value: float) -> float | str:
    if isinstance(value, int) and value not in _INT64:
        return str(value)
    return value


def _number_back(value: object) -> float:
    if isinstance(value, str):
        return int(value)
    assert isinstance(value, int | float)
    return value


def _provider_json(provider: Provider | None) -> list[str | None] | None:
    return None if provider is None else [provider.name, provider.domain]


def article_rows(article: Article) -> Rows:
    """The three rows of ``article`` (raises ``OverflowError`` for a number SQLite can't hold)."""
    search_row, fts_row = _search_rows(article)
    related = [
        [
            item.title,
            item.url,
            _provider_json(item.provider),
            None if item.published_at is None else item.published_at.isoformat(),
        ]
        for item in article.related
    ]
    data_row: _Row = (
        article.excerpt,
        _number(article.quality),
        _number(article.heat),
        article.provider.domain if article.provider else None,
        json.dumps(related, ensure_ascii=False) if related else None,
        article.kind,
        article.image_url,
    )
    return search_row, fts_row, data_row


ARTICLE_COLUMNS: Final = (
    "a.path, a.title, d.excerpt, a.published_at_iso, a.url, d.quality, d.heat, a.published, "
    "a.provider, d.provider_domain, a.topics_json, d.related_json, d.kind, d.image_url"
)
"""The columns :func:`article_from_row` expects (``articles AS a JOIN article_data AS d``)."""


def _related_back(item: list[Any]) -> RelatedArticle:
    title, url, provider, published = item
    return RelatedArticle(
        str(title),
        str(url),
        None if provider is None else Provider(str(provider[0]), provider[1]),
        None if published is None else datetime.fromisoformat(published),
    )


def article_from_row(row: _Row) -> Article:
    """Rebuild the article of a row of :data:`ARTICLE_COLUMNS`."""
    (path, title, excerpt, iso, url, quality, heat, published) = row[:8]
    (provider, domain, topics_json, related_json, kind, image_url) = row[8:]
    return Article(
        path=path,
        title=title,
        excerpt=excerpt,
        published_at=datetime.fromisoformat(iso),
        url=url,
        quality=_number_back(quality),
        heat=_number_back(heat),
        published=bool(published),
        provider=Provider(provider, domain) if provider else None,
        topics=tuple(json.loads(topics_json)),
        related=tuple(_related_back(item) for item in json.loads(related_json))
        if related_json
        else (),
        kind=kind,
        image_url=image_url,
    )
