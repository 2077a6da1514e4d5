"""Remote article sources: polling the sites' paged JSON APIs over HTTP (aiohttp).

Each URL in ``ARTICLE_SOURCES`` is polled every ``SOURCE_POLL_SECONDS`` with one shared
:class:`aiohttp.ClientSession`:

- **Conditional requests**: the first page is asked with ``If-None-Match`` /
  ``If-Modified-Since`` from the last good answer; a 304 keeps what we have.
- **Cache-Control**: ``max-age`` is honoured (no request before it runs out); ``no-store``
  and ``no-cache`` mean "ask every time".
- **Limits**: a timeout per request, a cap on the response size (checked on
  ``Content-Length`` and while reading), at most ``SOURCE_MAX_PAGES`` pages per poll.
- **Retries**: 5xx answers, timeouts and connection errors are retried a few times with
  exponential backoff; other errors are not.
- **Failure keeps the last good data**: a source that fails (network, HTTP error, a page that
  is not the expected JSON) keeps the articles of its last good poll; its error is shown in
  ``/briefing status`` and ``/healthz``. It never affects the local store.

Items from an API are treated as published (see :mod:`briefings.remote`).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import aiohttp

from bot.timing import Clock
from briefings.model import Article, Problem
from briefings.remote import PageError, parse_page

log = logging.getLogger(__name__)

_MAX_AGE = re.compile(r"max-age\s*=\s*(\d+)", re.IGNORECASE)
USER_AGENT = "briefing-bot/0.1 (+https://github.com/briefing-bot)"


class SourceError(Exception):
    """A poll that failed; ``str(error)`` is the reason shown to admins."""


@dataclass
class SourceState:
    """What we know about one remote source."""

    url: str
    articles: tuple[Article, ...] = ()
    problems: tuple[Problem, ...] = ()
    etag: str | None = None
    last_modified: str | None = None
    last_success: datetime | None = None
    last_attempt: datetime | None = None
    last_error: str | None = None
    fresh_until: datetime | None = None
    polls: int = 0
    not_modified: int = 0

    @property
    def healthy(self) -> bool:
        """True when the last poll worked (or none has failed yet)."""
        return self.last_error is None


@dataclass(frozen=True, slots=True)
class SourceLimits:
    """How patient and how trusting a poll is."""

    timeout_seconds: float = 15.0
    max_bytes: int = 5 * 1024 * 1024
    max_pages: int = 20
    attempts: int = 3
    retry_delay_seconds: float = 1.0


@dataclass(frozen=True, slots=True)
class _Response:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


class SourcePoller:
    """Polls every remote source and keeps each one's last good articles."""

    def __init__(
        self, urls: Sequence[str], *, clock: Clock, limits: SourceLimits = SourceLimits()
    ) -> None:
        self.sources = [SourceState(url) for url in urls]
        self.clock = clock
        self.limits = limits
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        """Open the shared HTTP session."""
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.limits.timeout_seconds),
                headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            )

    async def close(self) -> None:
        """Close the session."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    def articles(self) -> list[Article]:
        """Every source's last good articles."""
        return [article for source in self.sources for article in source.articles]

    async def poll_all(self) -> bool:
        """Poll every source that is due; True when any source's articles changed."""
        await self.start()
        results = await asyncio.gather(*(self.poll(source) for source in self.sources))
        return any(results)

    async def poll(self, source: SourceState) -> bool:
        """Poll one source unless its data is still fresh; True when its articles changed."""
        now = self.clock()
        if source.fresh_until is not None and now < source.fresh_until:
            return False
        source.last_attempt = now
        source.polls += 1
        try:
            changed = await self._refresh(source)
        except SourceError as error:
            source.last_error = str(error)
            log.warning("source %s failed, keeping its last good data: %s", source.url, error)
            return False
        source.last_error = None
        source.last_success = self.clock()
        return changed

    async def _refresh(self, source: SourceState) -> bool:
        conditional: dict[str, str] = {}
        if source.etag:
            conditional["If-None-Match"] = source.etag
        if source.last_modified:
            conditional["If-Modified-Since"] = source.last_modified
        first = await self._fetch(source.url, conditional)
        self._note_freshness(source, first.headers)
        if first.status == 304:
            source.not_modified += 1
            return False
        articles: list[Article] = []
        problems: list[Problem] = []
        url: str | None = source.url
        response: _Response | None = first
        seen: set[str] = set()
        while url is not None and len(seen) < self.limits.max_pages and url not in seen:
            seen.add(url)
            if response is None:
                response = await self._fetch(url, {})
            try:
                page = parse_page(source.url, url, response.body)
            except PageError as error:
                raise SourceError(f"{url}: {error}") from error
            articles.extend(page.articles)
            problems.extend(page.problems)
            url, response = page.next_url, None
        source.etag = first.headers.get("etag")
        source.last_modified = first.headers.get("last-modified")
        changed = tuple(articles) != source.articles
        source.articles, source.problems = tuple(articles), tuple(problems)
        log.info(
            "source %s: %d articles, %d skipped items", source.url, len(articles), len(problems)
        )
        return changed

    def _note_freshness(self, source: SourceState, headers: dict[str, str]) -> None:
        control = headers.get("cache-control", "").lower()
        match = _MAX_AGE.search(control)
        if match and "no-cache" not in control and "no-store" not in control:
            source.fresh_until = self.clock() + timedelta(seconds=int(match.group(1)))
        else:
            source.fresh_until = None

    async def _fetch(self, url: str, headers: dict[str, str]) -> _Response:
        reason = "no attempt"
        for attempt in range(self.limits.attempts):
            try:
                response = await self._get(url, headers)
            except TimeoutError:
                reason = f"timed out after {self.limits.timeout_seconds:g} s"
            except aiohttp.ClientError as error:
                reason = f"connection problem: {type(error).__name__}"
            else:
                if response.status < 500:
                    if response.status not in (200, 304):
                        raise SourceError(f"HTTP {response.status} from {url}")
                    return response
                reason = f"HTTP {response.status}"
            if attempt + 1 < self.limits.attempts:
                await asyncio.sleep(self.limits.retry_delay_seconds * 2**attempt)
        raise SourceError(f"{reason} from {url} (gave up after {self.limits.attempts} attempts)")

    async def _get(self, url: str, headers: dict[str, str]) -> _Response:
        assert self._session is not None, "start() the poller first"
        async with self._session.get(url, headers=headers) as response:
            lowered = {k.lower(): v for k, v in response.headers.items()}
            declared = response.content_length
            if declared is not None and declared > self.limits.max_bytes:
                raise SourceError(
                    f"{url} is too large ({declared} bytes; the cap is {self.limits.max_bytes})"
                )
            body = bytearray()
            async for chunk in response.content.iter_chunked(64 * 1024):
                body.extend(chunk)
                if len(body) > self.limits.max_bytes:
                    raise SourceError(
                        f"{url} is larger than the cap of {self.limits.max_bytes} bytes"
                    )
            return _Response(response.status, bytes(body), lowered)
