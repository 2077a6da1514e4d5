"""Small builders of domain values for tests."""

from __future__ import annotations

from datetime import UTC, datetime
from hashlib import sha1
from pathlib import Path

from briefings.model import Article, Provider, RelatedArticle

AT = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)


def article(
    title: str = "A title",
    *,
    path: str | None = None,
    url: str | None = "https://example.test/a",
    published_at: datetime = datetime(2026, 3, 10, 6, 0, tzinfo=UTC),
    quality: float = 50,
    heat: float = 10,
    published: bool = True,
    provider: str | None = "Example",
    topics: tuple[str, ...] = ("Robotics",),
    related: tuple[RelatedArticle, ...] = (),
    excerpt: str = "",
) -> Article:
    return Article(
        path=path or f"news/{sha1(repr((title, url, published_at)).encode()).hexdigest()[:12]}.md",
        title=title,
        excerpt=excerpt,
        published_at=published_at,
        url=url,
        quality=quality,
        heat=heat,
        published=published,
        provider=Provider(provider) if provider else None,
        topics=topics,
        related=related,
    )


GOOD_FRONT_MATTER = """---
title: "A good article"
excerpt: "It loads."
publishedDateTime: 2026-03-10T07:00:00Z
webUrl: "https://example.test/good"
quality: 50
heat: 5
published: true
provider:
  name: Example
  domain: example.test
topics:
  - Robotics
---
"""


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path
