"""Remote article sources: polling the sites' paged JSON APIs over HTTP (aiohttp).

Each URL in ``ARTICLE_SOURCES`` is polled every ``SOURCE_POLL_SECONDS`` with one shared
:class:`aiohttp.ClientSession`:

- **Every poll follows ``nextPage``** from the first page to the last (at most
  ``SOURCE_MAX_PAGES``), so an article that appears on any page is picked up by the next poll.
  Only links on the source's own origin (scheme, host and port of the configured URL) are
  followed: a page may not send the bot to another site, or to an address inside its own
  network. A link to another origin is logged once (again only when the link changes) and ends
  the poll there; the pages read so far count.
- **Conditional requests**: each page is asked with ``If-None-Match`` / ``If-Modified-Since``
  from its last good answer; a 304 reuses that page (and its ``nextPage`` link), so an
  unchanged source costs one small request per page.
- **Cache-Control**: ``max-age`` is honoured (no request before it runs out); ``no-store``
  and ``no-cache`` mean "ask every time".
- **Limits**: a timeout per request, a cap on the response size (checked on
  ``Content-Length`` and while reading), at most ``SOURCE_MAX_PAGES`` pages per poll.
- **Retries**: 5xx answers, timeouts and connection errors are retried a few times with
  exponential backoff; other errors are not.
- **Failure keeps the last good data**: a source that fails (network, HTTP error, a page that
  is not the expected JSON) keeps the articles of its last good poll; its error is shown in
  ``/briefing status`` and ``/healthz`` (``stale`` with the time of the last good poll). It
  never affects the local store.
- **Kept on disk**: each good poll's pages are saved (:mod:`bot.source_snapshot`) and
  :meth:`SourcePoller.restore` loads them at start, so the last good articles are served at
  once after a restart, even while the source is still down.

Items from an API are treated as published (see :mod:`briefings.remote`).
"""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import aiohttp

from bot.source_snapshot import SourceSnapshot, StoredPage
from bot.timing import Clock
from briefings.model import Article, Problem
from briefings.remote import ApiPage, PageError, parse_page
from briefings.urls import redacted_url, same_origin

log = logging.getLogger(__name__)

_MAX_AGE = re.compile(r"max-age\s*=\s*(\d+)", re.IGNORECASE)
USER_AGENT = "briefing-bot/0.1 (+https://github.com/briefing-bot)"


class SourceError(Exception):
    """A poll that failed; ``str(error)`` is the reason shown to admins."""


@dataclass(frozen=True, slots=True)
class GoodPage:
    """One page of the last good poll: as received (for validators and the disk) and parsed."""

    stored: StoredPage
    parsed: ApiPage


@dataclass
class SourceState:
    """What we know about one remote source."""

    url: str
    articles: tuple[Article, ...] = ()
    problems: tuple[Problem, ...] = ()
    pages: tuple[GoodPage, ...] = ()
    last_success: datetime | None = None
    """When the articles served were last confirmed (may come from before a restart)."""
    last_attempt: datetime | None = None
    last_error: str | None = None
    fresh_until: datetime | None = None
    polls: int = 0
    not_modified: int = 0
    confirmed: bool = False
    """Whether a poll of this process has worked (False while serving restored data)."""
    foreign_link: str | None = None
    """The last ``nextPage`` link to another origin, logged when it first appeared."""

    @property
    def shown_url(self) -> str:
        """The URL as logs, ``/healthz``, ``/briefing status`` and the panel show it: without
        a user, password, query or fragment, which may hold a secret."""
        return redacted_url(self.url)

    @property
    def healthy(self) -> bool:
        """True when the last poll worked (or none has failed yet)."""
        return self.last_error is None

    @property
    def stale(self) -> bool:
        """True when the articles served come from an earlier good poll not renewed since.

        That is, the latest poll failed, or none has worked yet since a restart restored them.
        """
        return self.last_success is not None and (self.last_error is not None or not self.confirmed)


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
        self,
        urls: Sequence[str],
        *,
        clock: Clock,
        limits: SourceLimits = SourceLimits(),
        snapshot: SourceSnapshot | None = None,
    ) -> None:
        self.sources = [SourceState(url) for url in urls]
        self.clock = clock
        self.limits = limits
        self.snapshot = snapshot
        self._session: aiohttp.ClientSession | None = None

    async def restore(self) -> bool:
        """Load each source's last good poll from the snapshot; True when any was found."""
        if self.snapshot is None or not self.sources:
            return False
        try:
            stored = await asyncio.to_thread(self.snapshot.load, [s.url for s in self.sources])
        except (OSError, sqlite3.Error) as error:
            log.warning("cannot read the source snapshot %s: %s", self.snapshot.path, error)
            return False
        restored = False
        for source in self.sources:
            kept = stored.get(source.url)
            if kept is None:
                continue
            try:
                pages = [
                    GoodPage(page, parse_page(source.url, page.url, page.body))
                    for page in kept.pages
                ]
            except PageError as error:
                log.warning("source %s: its saved poll is unusable: %s", source.shown_url, error)
                continue
            self._keep(source, pages)
            source.last_success = kept.last_success
            restored = True
            log.info(
                "source %s: %d articles restored from its last good poll at %s",
                source.shown_url,
                len(source.articles),
                kept.last_success.isoformat(),
            )
        return restored

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
            changed, pages_changed = await self._refresh(source)
        except SourceError as error:
            source.last_error = str(error)
            log.warning("source %s failed, keeping its last good data: %s", source.shown_url, error)
            return False
        source.last_error = None
        source.last_success = self.clock()
        source.confirmed = True
        await self._save(source, pages_changed)
        return changed

    async def _save(self, source: SourceState, pages_changed: bool) -> None:
        if self.snapshot is None or source.last_success is None:
            return
        pages = [page.stored for page in source.pages] if pages_changed else None
        try:
            await asyncio.to_thread(self.snapshot.save, source.url, source.last_success, pages)
        except (OSError, sqlite3.Error) as error:
            log.warning(
                "cannot save source %s to %s: %s", source.shown_url, self.snapshot.path, error
            )

    async def _refresh(self, source: SourceState) -> tuple[bool, bool]:
        """Read every page; (articles changed, pages changed). Raises :class:`SourceError`."""
        known = {page.stored.url: page for page in source.pages}
        pages: list[GoodPage] = []
        url: str | None = source.url
        seen: set[str] = set()
        while url is not None and len(seen) < self.limits.max_pages and url not in seen:
            seen.add(url)
            cached = known.get(url)
            response = await self._fetch(url, _validators(cached.stored) if cached else {})
            if url == source.url:
                self._note_freshness(source, response.headers)
            if response.status == 304:
                if cached is None:
                    raise SourceError(
                        f"{redacted_url(url)}: 304 Not Modified for a page we do not have"
                    )
                page = cached
            else:
                try:
                    parsed = parse_page(source.url, url, response.body)
                except PageError as error:
                    raise SourceError(f"{redacted_url(url)}: {error}") from error
                headers = response.headers
                stored = StoredPage(
                    url, headers.get("etag"), headers.get("last-modified"), response.body
                )
                page = GoodPage(stored, parsed)
            pages.append(page)
            url = self._followed(source, page.parsed.next_url)
        pages_changed = [p.stored for p in pages] != [p.stored for p in source.pages]
        if not pages_changed:
            source.not_modified += 1
        before = source.articles
        self._keep(source, pages)
        log.info(
            "source %s: %d articles, %d skipped items",
            source.shown_url,
            len(source.articles),
            len(source.problems),
        )
        return source.articles != before, pages_changed

    @staticmethod
    def _followed(source: SourceState, link: str | None) -> str | None:
        """``link`` when it is on the source's origin; else None (the poll ends there)."""
        if link is None or same_origin(link, source.url):
            return link
        if link != source.foreign_link:
            source.foreign_link = link
            log.warning(
                "source %s: not following its nextPage link to another origin, %s; "
                "the poll stops at the pages read so far",
                source.shown_url,
                redacted_url(link),
            )
        return None

    @staticmethod
    def _keep(source: SourceState, pages: Sequence[GoodPage]) -> None:
        source.pages = tuple(pages)
        source.articles = tuple(a for page in pages for a in page.parsed.articles)
        source.problems = tuple(p for page in pages for p in page.parsed.problems)

    def _note_freshness(self, source: SourceState, headers: dict[str, str]) -> None:
        control = headers.get("cache-control", "").lower()
        match = _MAX_AGE.search(control)
        if match and "no-cache" not in control and "no-store" not in control:
            source.fresh_until = self.clock() + timedelta(seconds=int(match.group(1)))
        else:
            source.fresh_until = None

    async def _fetch(self, url: str, headers: dict[str, str]) -> _Response:
        """GET ``url``: a 200 or 304, with retries (see the module docstring)."""
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
                        raise SourceError(f"HTTP {response.status} from {redacted_url(url)}")
                    return response
                reason = f"HTTP {response.status}"
            if attempt + 1 < self.limits.attempts:
                await asyncio.sleep(self.limits.retry_delay_seconds * 2**attempt)
        raise SourceError(
            f"{reason} from {redacted_url(url)} (gave up after {self.limits.attempts} attempts)"
        )

    async def _get(self, url: str, headers: dict[str, str]) -> _Response:
        assert self._session is not None, "start() the poller first"
        cap, shown = self.limits.max_bytes, redacted_url(url)
        async with self._session.get(url, headers=headers) as response:
            lowered = {k.lower(): v for k, v in response.headers.items()}
            declared = response.content_length
            if declared is not None and declared > cap:
                raise SourceError(f"{shown} is too large ({declared} bytes; the cap is {cap})")
            body = bytearray()
            async for chunk in response.content.iter_chunked(64 * 1024):
                body.extend(chunk)
                if len(body) > cap:
                    raise SourceError(f"{shown} is larger than the cap of {cap} bytes")
            return _Response(response.status, bytes(body), lowered)


def _validators(page: StoredPage) -> dict[str, str]:
    """The conditional-request headers that ask for ``page`` only if it changed."""
    headers: dict[str, str] = {}
    if page.etag:
        headers["If-None-Match"] = page.etag
    if page.last_modified:
        headers["If-Modified-Since"] = page.last_modified
    return headers
