"""Articles as rows of the index (tables of :mod:`briefings.index.schema`), and back.

:func:`search_rows` makes the ``articles`` and ``articles_fts`` rows of an article (without
their rowid), for a :class:`~briefings.index.search.SearchIndex` and a store index alike.
Filters live inside FTS5, because at 100,000 articles a broad word joined row by row to
SQL-side filters costs tens of milliseconds while FTS5 intersects sorted doclists in one: the
``meta`` column holds hidden tokens, one per provider key and per topic key
(:func:`~briefings.model.topic_key`, hashed: :func:`provider_token`, :func:`topic_token`) and
:data:`UNPUBLISHED_TOKEN` for unpublished articles. The tokens start with a private-use
marker that queries can never contain (see :data:`~briefings.index.schema.RESERVED`), so user
words (and prefixes such as ``p*``) never match them.

A parsed file travels from a worker process to the writer as a :data:`Parsed` tuple of plain
values (cheap to pickle): those two rows plus an ``article_data`` row with the fields search
does not keep. :func:`article_from_row` rebuilds the identical
:class:`~briefings.model.Article` from SQL, the exact round trip of every field:

- ``quality`` and ``heat`` keep their Python type (SQLite columns without affinity store an
  ``int`` as an integer and a ``float`` as a real); integers beyond 64 bits are stored as text.
- ``published_at`` and ``updated_at`` come back from their ISO text (always UTC),
  ``topics`` and ``related`` from JSON; a provider is ``None`` exactly when its name is empty
  (the parser never makes a nameless provider).
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from json.encoder import encode_basestring
from typing import Any, Final

from briefings.index.schema import RESERVED, epoch
from briefings.model import Article, Provider, RelatedArticle, topic_key

_Row = tuple[Any, ...]
_META_MARK: Final = "\ue002"
UNPUBLISHED_TOKEN: Final = f"{_META_MARK}unpublished0"
"""The hidden token of every unpublished article (in the ``meta`` column)."""

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


def _json_list(items: Sequence[str]) -> str:
    """``json.dumps(list(items), ensure_ascii=False)`` for strings, with less overhead."""
    return "[" + ", ".join(map(encode_basestring, items)) + "]"


@functools.lru_cache(maxsize=4096)
def _meta_token(kind: str, key: str) -> str:
    """A hidden token for a filter value: marker, kind, 64-bit hash of the key, then ``0``.

    The private-use marker can never be typed (queries lose it) and the final digit keeps the
    porter stemmer from touching the token.
    """
    digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()
    return f"{_META_MARK}{kind}{digest}0"


@functools.lru_cache(maxsize=4096)
def provider_token(name: str) -> str:
    """The hidden token of a provider name (compared as :func:`~briefings.model.topic_key`)."""
    return _meta_token("p", topic_key(name))


@functools.lru_cache(maxsize=4096)
def topic_token(name: str) -> str:
    """The hidden token of a topic name (compared as :func:`~briefings.model.topic_key`)."""
    return _meta_token("t", topic_key(name))


def _clean_text(text: str) -> str:
    return text if text.isascii() else RESERVED.sub("", text)


def search_rows(article: Article) -> tuple[_Row, _Row]:
    """The ``articles`` and ``articles_fts`` rows of ``article``, without their rowid."""
    seconds, micros = epoch(article.published_at)
    provider = article.provider_name
    meta = [provider_token(provider), *(topic_token(topic) for topic in article.topics)]
    if not article.published:
        meta.append(UNPUBLISHED_TOKEN)
    article_row: _Row = (
        article.path,
        article.title,
        article.url,
        provider,
        float(article.quality),
        float(article.heat),
        seconds,
        micros,
        article.published_at.isoformat(),
        _json_list(article.topics),
        int(article.published),
    )
    fts_row: _Row = (
        _clean_text(article.title),
        _clean_text("\n".join(article.topics)),
        _clean_text(article.excerpt),
        _clean_text(provider),
        " ".join(meta),
    )
    return article_row, fts_row


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
    search_row, fts_row = search_rows(article)
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
        None if article.updated_at is None else article.updated_at.isoformat(),
    )
    return search_row, fts_row, data_row


ARTICLE_COLUMNS: Final = (
    "a.path, a.title, d.excerpt, a.published_at_iso, a.url, d.quality, d.heat, a.published, "
    "a.provider, d.provider_domain, a.topics_json, d.related_json, d.kind, d.image_url, "
    "d.updated_at_iso"
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
    (provider, domain, topics_json, related_json, kind, image_url, updated_iso) = row[8:]
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
        updated_at=None if updated_iso is None else datetime.fromisoformat(updated_iso),
    )
