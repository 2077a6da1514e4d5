"""Validation of one article file's front matter into an :class:`~briefings.model.Article`.

Real stores vary, so the rules are lenient where the meaning is clear and strict where a value
would be misused:

- ``title`` (text) and ``publishedDateTime`` (a YAML timestamp or an ISO 8601 string) are
  required. A time without a zone is taken as UTC; a bare date as midnight UTC.
- ``quality`` and ``heat`` are numbers, 0 when missing; ``published`` is a boolean and only
  ``true`` publishes; ``webUrl`` falls back to ``originalUrl`` (videos often have only that).
  URLs are read as a browser reads them (:func:`briefings.urls.repair_url`: spaces and other
  characters a URL may not hold are percent-encoded, hosts turned to IDNA form) and kept in
  that repaired form. A ``webUrl`` that has no http(s) scheme or no host even then is not
  fatal when ``originalUrl`` is a good URL: that one is used and the file gets a *note*
  (``parse_article(..., notes=...)``); with no usable URL at all the file is a problem.
- ``provider`` is a mapping with a ``name`` (a plain string is taken as the name);
  ``topics`` a list of names (a single name is accepted).
- ``updatedDateTime`` is optional and parsed like ``publishedDateTime``; a malformed value is
  dropped with a note (the article keeps ``updated_at = None``) rather than costing the
  article, since it only decides whether a story posted before is shown again as "Updated".
- ``images`` and ``related`` are decoration: malformed entries are skipped, not fatal.
- A file whose front matter has a ``taxonomy`` other than ``news`` (a Jekyll site's
  organization or people pages) is not an article: :func:`parse_article` returns ``None``
  and the store skips it without reporting a problem.

Every type is checked before a value is used as text, so a YAML alias bomb is rejected cheaply.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from typing import Final

from briefings.frontmatter import InvalidFile, Keep, load_yaml, split_front_matter
from briefings.model import Article, Provider, RelatedArticle, topic_key
from briefings.text import clean_text
from briefings.urls import repair_url

_SCALARS: Final = (str, int, float)

_RELATED_FIELDS: Final[Keep] = {
    "title": None,
    "webUrl": None,
    "originalUrl": None,
    "provider": None,
    "publishedDateTime": None,
}
FIELDS: Final[Keep] = {
    "taxonomy": None,
    "title": None,
    "excerpt": None,
    "publishedDateTime": None,
    "updatedDateTime": None,
    "webUrl": None,
    "originalUrl": None,
    "type": None,
    "quality": None,
    "heat": None,
    "published": None,
    "provider": None,
    "topics": None,
    "images": {"url": None},
    "related": _RELATED_FIELDS,
}
"""The front-matter keys :func:`article_from_mapping` reads; others (``secured``, image sizes)
are never constructed (a broken value there does not cost the article)."""
MAX_TOPICS: Final = 50
MAX_RELATED: Final = 50


def parse_article(path: str, text: str, notes: list[str] | None = None) -> Article | None:
    """Parse the text of the article file at store-relative ``path``.

    Returns ``None`` for a file that is not an article (see the module docstring); raises
    :class:`InvalidFile` with a one-line reason for a broken one. A file that loads but had
    a value replaced (a bad ``webUrl`` with a good ``originalUrl``) appends a one-line reason
    to ``notes`` when given.
    """
    front_matter, first_line = split_front_matter(text)
    data = load_yaml(front_matter, first_line=first_line, keep=FIELDS)
    if not isinstance(data, Mapping):
        raise InvalidFile(f"front matter is {_kind(data)}, not a mapping of fields")
    return article_from_mapping(path, data, notes)


def article_from_mapping(
    path: str, data: Mapping[object, object], notes: list[str] | None = None
) -> Article | None:
    """Validate already-parsed front matter (also used for articles from a JSON API)."""
    taxonomy = data.get("taxonomy")
    if isinstance(taxonomy, str) and taxonomy.strip().lower() not in ("news", "article"):
        return None
    title = _text(data, "title")
    if not title:
        raise InvalidFile("missing title")
    published_at = parse_datetime(data.get("publishedDateTime"), "publishedDateTime", required=True)
    assert published_at is not None
    return Article(
        path=path,
        title=title,
        excerpt=_text(data, "excerpt"),
        published_at=published_at,
        url=_article_url(data, notes),
        quality=_number(data, "quality"),
        heat=_number(data, "heat"),
        published=_boolean(data, "published"),
        provider=_provider(data.get("provider")),
        topics=_topics(data.get("topics")),
        related=_related(data.get("related")),
        kind=_text(data, "type") or "article",
        image_url=_first_image(data.get("images")),
        updated_at=_optional_datetime(data.get("updatedDateTime"), "updatedDateTime", notes),
    )


def _kind(value: object) -> str:
    if value is None:
        return "empty"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "plain text"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, Mapping):
        return "a mapping"
    return f"a {type(value).__name__}"


def _text(data: Mapping[object, object], field: str) -> str:
    value = data.get(field)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, _SCALARS):
        raise InvalidFile(f"field '{field}' must be text, not {_kind(value)}")
    return clean_text(str(value))


def _number(data: Mapping[object, object], field: str) -> float:
    value = data.get(field)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidFile(f"field '{field}' must be a number, not {_kind(value)}")
    if value != value or value in (float("inf"), float("-inf")):
        raise InvalidFile(f"field '{field}' must be a finite number")
    return value


def _boolean(data: Mapping[object, object], field: str) -> bool:
    value = data.get(field)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise InvalidFile(f"field '{field}' must be true or false, not {_kind(value)}")
    return value


def _url(data: Mapping[object, object], field: str) -> str | None:
    value = data.get(field)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InvalidFile(f"field '{field}' must be a URL, not {_kind(value)}")
    url = repair_url(value)
    if url is None:
        raise InvalidFile(f"field '{field}' is not an http(s) URL: {value.strip()[:80]!r}")
    return url


def _article_url(data: Mapping[object, object], notes: list[str] | None) -> str | None:
    """``webUrl``, else ``originalUrl``; a bad ``webUrl`` gives way to a good ``originalUrl``."""
    try:
        return _url(data, "webUrl") or _url(data, "originalUrl")
    except InvalidFile as error:
        try:
            fallback = _url(data, "originalUrl")
        except InvalidFile:
            fallback = None
        if fallback is None:
            raise
        if notes is not None:
            notes.append(f"{error}; using originalUrl")
        return fallback


def parse_datetime(value: object, field: str, *, required: bool = False) -> datetime | None:
    """Turn a YAML timestamp, date or ISO 8601 string into an aware UTC datetime."""
    if value is None or value == "":
        if required:
            raise InvalidFile(f"missing {field}")
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time(0))
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError as error:
            raise InvalidFile(f"field '{field}' is not a date and time: {value[:40]!r}") from error
    else:
        raise InvalidFile(f"field '{field}' must be a date and time, not {_kind(value)}")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _optional_datetime(value: object, field: str, notes: list[str] | None) -> datetime | None:
    """An optional date and time: a malformed one is dropped with a note, never fatal."""
    try:
        return parse_datetime(value, field)
    except InvalidFile as error:
        if notes is not None:
            notes.append(f"{error}; ignored")
        return None


def _provider(value: object) -> Provider | None:
    if value is None:
        return None
    if isinstance(value, str):
        name = clean_text(value)
        return Provider(name) if name else None
    if not isinstance(value, Mapping):
        raise InvalidFile(f"field 'provider' must be a mapping with a name, not {_kind(value)}")
    name = _text(value, "name")
    if not name:
        return None
    domain = value.get("domain")
    return Provider(name, clean_text(domain) if isinstance(domain, str) and domain else None)


def _topics(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        items: list[object] = [value]
    elif isinstance(value, list):
        items = value
    else:
        raise InvalidFile(f"field 'topics' must be a list of names, not {_kind(value)}")
    topics: list[str] = []
    seen: set[str] = set()
    for item in items[:MAX_TOPICS]:
        if isinstance(item, bool) or not isinstance(item, _SCALARS):
            raise InvalidFile(f"field 'topics' must be a list of names, found {_kind(item)}")
        name = clean_text(str(item))
        if name and topic_key(name) not in seen:
            seen.add(topic_key(name))
            topics.append(name)
    return tuple(topics)


def _first_image(value: object) -> str | None:
    if not isinstance(value, list):
        return None
    for item in value[:10]:
        url = item.get("url") if isinstance(item, Mapping) else item
        repaired = repair_url(url) if isinstance(url, str) else None
        if repaired is not None:
            return repaired
    return None


def _related(value: object) -> tuple[RelatedArticle, ...]:
    if not isinstance(value, list):
        return ()
    related: list[RelatedArticle] = []
    for item in value[:MAX_RELATED]:
        if not isinstance(item, Mapping):
            continue
        try:
            title = _text(item, "title")
            url = _article_url(item, None)
            provider = _provider(item.get("provider"))
            published_at = parse_datetime(item.get("publishedDateTime"), "publishedDateTime")
        except InvalidFile:
            continue  # decoration only: a malformed related entry is skipped, not fatal
        if title and url:
            related.append(RelatedArticle(title, url, provider, published_at))
    return tuple(related)
