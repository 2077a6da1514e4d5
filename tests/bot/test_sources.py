"""Remote sources against a real aiohttp server on 127.0.0.1 serving the sites' JSON API format.

The pages are built from our own sample store (converted to the API's item shape); one test also
serves the real API pages of ../shared/corpus when it is there.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.library import ArticleLibrary
from bot.source_snapshot import SourceSnapshot, StoredPage, StoredSource, snapshot_path
from bot.sources import SourceLimits, SourcePoller
from briefings.briefing import BriefingRequest
from briefings.remote import parse_page
from briefings.store import load_store
from tests.bot.harness import BotHarness, SettableClock, reply_of, text_of
from tests.bot.web_world import PanelWorld, panel_settings
from tests.conftest import CORPUS, SAMPLE_STORE
from tests.fake_discord import FakeDiscord

FAST = SourceLimits(
    timeout_seconds=0.5, max_bytes=200_000, max_pages=10, attempts=3, retry_delay_seconds=0.01
)


def _remote_item(
    slug: str, title: str, when: str = "2026-03-10T06:00:00Z", topic: str = "Climate & Energy"
) -> dict[str, object]:
    return {
        "path": f"_news/{slug}.md",
        "title": title,
        "excerpt": f"{title}: a story that exists only in the remote API.",
        "webUrl": f"https://remote.test/{slug}",
        "publishedDateTime": when,
        "provider": {"name": "Remote Wire"},
        "topics": [topic],
    }


def _api_items() -> list[object]:
    items: list[object] = []
    for article in load_store(SAMPLE_STORE).articles:
        items.append(
            {
                "path": f"_news/{Path(article.path).name}",
                "title": article.title,
                "excerpt": article.excerpt,
                "webUrl": article.url,
                "publishedDateTime": article.published_at.isoformat().replace("+00:00", "Z"),
                "heat": article.heat,
                "provider": {"name": article.provider_name, "domain": "example.test"},
                "topics": list(article.topics),
                "type": article.kind,
            }
        )
    return items


@dataclass
class Api:
    """A tiny site serving ``/api/news/`` in pages of 25, with switches for each misbehaviour."""

    items: list[object] = field(default_factory=_api_items)
    etag: str = '"v1"'
    cache_control: str = "no-cache"
    hits: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    behaviour: Callable[[web.Request], web.StreamResponse | None] | None = None
    delay: float = 0.0
    url: str = ""

    def page(self, number: int) -> dict[str, object]:
        chunk = self.items[(number - 1) * 25 : number * 25]
        more = number * 25 < len(self.items)
        return {"page": number, "value": chunk, "nextPage": number + 1 if more else None}

    def page_etag(self, number: int) -> str:
        """Page 1's ETag is ``etag``; later pages' also change with their content."""
        if number == 1:
            return self.etag
        digest = hashlib.sha1(json.dumps(self.page(number)).encode()).hexdigest()[:8]
        return f'{self.etag[:-1]}-{number}-{digest}"'

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.hits.append((request.path, dict(request.headers)))
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.behaviour is not None and (special := self.behaviour(request)) is not None:
            return special
        number = int(request.match_info.get("n", "1"))
        headers = {"ETag": self.page_etag(number), "Cache-Control": self.cache_control}
        if request.headers.get("If-None-Match") == headers["ETag"]:
            return web.Response(status=304, headers=headers)
        return web.json_response(self.page(number), headers=headers)


async def _serve(site: Api, port: int = 0) -> web.AppRunner:
    """Serve ``site`` on 127.0.0.1 (``port`` 0: a free one); sets ``site.url``."""
    app = web.Application()
    app.router.add_get("/api/news/", site.handle)
    app.router.add_get("/api/news/page/{n}/index.json", site.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    site.url = f"http://127.0.0.1:{runner.addresses[0][1]}/api/news/"
    return runner


@pytest.fixture
async def api() -> AsyncIterator[Api]:
    site = Api()
    runner = await _serve(site)
    yield site
    await runner.cleanup()


@pytest.fixture
async def poller(api: Api) -> AsyncIterator[SourcePoller]:
    poller = SourcePoller(
        [api.url], clock=SettableClock(datetime(2026, 3, 10, 8, tzinfo=UTC)), limits=FAST
    )
    yield poller
    await poller.close()


async def test_follows_pages_and_treats_items_as_published(api: Api, poller: SourcePoller) -> None:
    assert await poller.poll_all()
    (source,) = poller.sources
    assert len(source.articles) == len(api.items) == 60
    assert [path for path, _ in api.hits] == [
        "/api/news/",
        "/api/news/page/2/index.json",
        "/api/news/page/3/index.json",
    ]
    assert all(a.published for a in source.articles)
    assert source.healthy and source.last_success is not None


async def test_etags_make_the_second_poll_304s(api: Api, poller: SourcePoller) -> None:
    await poller.poll_all()
    before = poller.articles()
    assert not await poller.poll_all()
    assert len(api.hits) == 6  # 3 pages, then the same 3 pages asked conditionally
    assert [headers.get("If-None-Match") for _, headers in api.hits[3:]] == [
        api.page_etag(n) for n in (1, 2, 3)
    ]
    assert poller.sources[0].not_modified == 1 and poller.articles() == before


async def test_every_poll_follows_next_page_even_when_page_one_is_a_304(
    api: Api, poller: SourcePoller
) -> None:
    await poller.poll_all()
    api.items.append(_remote_item("late", "Late addition about glacier drones"))
    assert await poller.poll_all()  # page 1 unchanged (304); page 3 has the new item
    paths = [(path, headers.get("If-None-Match")) for path, headers in api.hits[3:]]
    assert paths[0] == ("/api/news/", '"v1"')
    assert [path for path, _ in paths] == [
        "/api/news/",
        "/api/news/page/2/index.json",
        "/api/news/page/3/index.json",
    ]
    titles = [article.title for article in poller.articles()]
    assert len(titles) == 61 and titles[-1] == "Late addition about glacier drones"

    api.items.extend(_remote_item(f"more-{n}", f"Page four item {n}") for n in range(15))
    assert await poller.poll_all()  # page 3 now links to a page 4 the last poll never saw
    assert api.hits[-1][0] == "/api/news/page/4/index.json"
    assert len(poller.articles()) == 76


async def test_next_page_links_to_another_origin_are_not_followed(
    api: Api, poller: SourcePoller, caplog: pytest.LogCaptureFixture
) -> None:
    """Page 1 links to page 2 by a full URL on its own origin (followed); page 2 links to
    another server (another port of 127.0.0.1: another origin): never asked, logged once,
    and the poll keeps pages 1 and 2."""
    other = Api()
    runner = await _serve(other)
    foreign = other.url + "page/3/index.json?key=K3y"
    links = {"/api/news/": api.url + "page/2/index.json", "/api/news/page/2/index.json": foreign}

    def linked(request: web.Request) -> web.Response:
        number = int(request.match_info.get("n", "1"))
        page = {**api.page(number), "nextPage": links[request.path]}
        return web.json_response(page, headers={"ETag": api.page_etag(number)})

    api.behaviour = linked
    caplog.set_level(logging.INFO, logger="bot.sources")
    try:
        assert await poller.poll_all()
        assert not await poller.poll_all()  # the same link again: not logged again
    finally:
        await runner.cleanup()
    assert [path for path, _ in api.hits] == ["/api/news/", "/api/news/page/2/index.json"] * 2
    assert other.hits == []
    (source,) = poller.sources
    assert source.healthy and len(source.articles) == 50  # pages 1 and 2 count
    refused = [r.getMessage() for r in caplog.records if "another origin" in r.getMessage()]
    assert refused == [
        f"source {api.url}: not following its nextPage link to another origin, "
        f"{other.url}page/3/index.json; the poll stops at the pages read so far"
    ]


async def test_cache_control_max_age_is_respected(api: Api, poller: SourcePoller) -> None:
    api.cache_control = "public, max-age=600"
    await poller.poll_all()
    hits = len(api.hits)
    await poller.poll_all()
    assert len(api.hits) == hits  # still fresh: not asked
    clock = poller.clock
    assert isinstance(clock, SettableClock)
    clock.now += timedelta(minutes=11)
    await poller.poll_all()
    assert len(api.hits) == hits + 3  # every page, each asked conditionally


async def test_slow_source_times_out_and_keeps_its_last_good_data(
    api: Api, poller: SourcePoller
) -> None:
    await poller.poll_all()
    good = poller.articles()
    api.etag, api.delay = '"v2"', 2.0
    assert not await poller.poll_all()
    (source,) = poller.sources
    assert source.last_error is not None and "timed out" in source.last_error
    assert poller.articles() == good


async def test_server_errors_are_retried_then_reported(api: Api, poller: SourcePoller) -> None:
    failures = iter([True])
    api.behaviour = lambda request: web.Response(status=503) if next(failures, False) else None
    assert await poller.poll_all()  # one 503, then the retry works
    assert poller.sources[0].healthy and len(poller.articles()) == 60

    api.etag = '"v2"'
    api.behaviour = lambda request: web.Response(status=500)
    assert not await poller.poll_all()
    source = poller.sources[0]
    assert source.last_error == f"HTTP 500 from {api.url} (gave up after 3 attempts)"
    assert len(poller.articles()) == 60  # last good data kept


async def test_client_errors_are_not_retried(api: Api, poller: SourcePoller) -> None:
    api.behaviour = lambda request: web.Response(status=404)
    await poller.poll_all()
    assert len(api.hits) == 1 and poller.sources[0].last_error == f"HTTP 404 from {api.url}"


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "streamed"])
async def test_oversized_responses_are_refused(
    api: Api, poller: SourcePoller, declared: bool
) -> None:
    api.behaviour = lambda request: _huge_response(declared)
    await poller.poll_all()
    error = poller.sources[0].last_error
    assert error is not None and ("too large" in error or "larger than the cap" in error)
    assert poller.articles() == []


def _huge_response(declared: bool) -> web.Response:
    body = b"[" + b" " * 300_000 + b"]"
    response = web.Response(body=body, content_type="application/json")
    if not declared:
        response.enable_chunked_encoding()
    return response


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<html>not json</html>", "not JSON"),
        (b"[1, 2, 3]", "not a JSON object"),
        (b'{"page": 1}', "no 'value' list"),
    ],
)
async def test_malformed_pages_keep_the_last_good_data(
    api: Api, poller: SourcePoller, body: bytes, reason: str
) -> None:
    await poller.poll_all()
    api.etag = '"v2"'
    api.behaviour = lambda request: web.Response(body=body, content_type="application/json")
    await poller.poll_all()
    error = poller.sources[0].last_error
    assert error is not None and reason in error
    assert len(poller.articles()) == 60


async def test_malformed_items_are_skipped_one_by_one(api: Api, poller: SourcePoller) -> None:
    api.items = [
        *api.items[:3],
        {"title": ["not", "text"]},
        "not an object",
        {"excerpt": "no title"},
    ]
    await poller.poll_all()
    source = poller.sources[0]
    assert len(source.articles) == 3 and len(source.problems) == 3 and source.healthy


async def test_real_corpus_api_pages() -> None:
    folder = CORPUS / "powerapps" / "api" / "news"
    if not folder.is_dir():
        pytest.skip("../shared/corpus is not present")
    pages = [folder / "index.json", *(folder / "page" / str(n) / "index.json" for n in (2, 3))]

    async def serve(request: web.Request) -> web.StreamResponse:
        number = int(request.match_info.get("n", "1"))
        document = json.loads(pages[number - 1].read_text(encoding="utf-8"))
        if number == len(pages):
            document["nextPage"] = None  # the copy holds three pages of the site's many
        return web.json_response(document)

    app = web.Application()
    app.router.add_get("/api/news/", serve)
    app.router.add_get("/api/news/page/{n}/index.json", serve)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/api/news/"
    poller = SourcePoller([url], clock=SettableClock(), limits=SourceLimits(max_bytes=5_000_000))
    try:
        await poller.poll_all()
    finally:
        await poller.close()
        await runner.cleanup()
    source = poller.sources[0]
    assert source.healthy, source.last_error
    assert len(source.articles) == 75 and source.problems == ()
    assert all(a.published and a.url for a in source.articles)


async def test_bot_serves_remote_articles_and_reports_failing_sources(
    world: FakeDiscord, tmp_path: Path, api: Api
) -> None:
    api.items = [
        {
            "path": "_news/remote-only.md",
            "title": "Remote-only report on tidal kites",
            "excerpt": "A story that exists only in the remote API.",
            "webUrl": "https://remote.test/tidal-kites",
            "publishedDateTime": "2026-03-10T06:00:00Z",
            "provider": {"name": "Remote Wire"},
            "topics": ["Climate & Energy"],
            "published": False,  # API items are published whatever they say
        },
        *api.items[:5],  # copies of local articles: not shown twice
    ]
    harness = BotHarness(
        world, tmp_path, overrides={"article_sources": (api.url,), "health_port": 0}
    )
    await harness.start()
    try:
        assert harness.bot is not None
        services = harness.bot.services
        await services.scheduler.poll_sources()
        owner = harness.user("owner")

        search = await reply_of(
            await world.inject_slash_command("search", {"query": "tidal kites"})
        )
        assert "Remote-only report on tidal kites" in text_of(search)
        preview = await reply_of(
            await world.inject_slash_command("briefing", subcommand="preview", user_id=owner.id)
        )
        assert "Remote-only report on tidal kites" in text_of(preview)
        assert len(services.library.topics) >= 8

        status = await reply_of(
            await world.inject_slash_command("briefing", subcommand="status", user_id=owner.id)
        )
        assert f"Source {api.url}: 6 articles, ok." in (status.content or "")

        api.etag = '"v2"'
        api.behaviour = lambda request: web.Response(status=502)
        await services.scheduler.poll_sources()
        status = await reply_of(
            await world.inject_slash_command("briefing", subcommand="status", user_id=owner.id)
        )
        assert "failing (HTTP 502" in (status.content or "") and "keeping its last good data" in (
            status.content or ""
        )
        search = await reply_of(
            await world.inject_slash_command("search", {"query": "tidal kites"})
        )
        assert "Remote-only report on tidal kites" in text_of(search)  # last good data kept

        health = harness.bot.health
        assert health is not None
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"http://127.0.0.1:{health.port}/healthz") as response,
        ):
            body = await response.json()
        assert body["sources"][0]["ok"] is False and "HTTP 502" in body["sources"][0]["error"]
        assert body["store"]["articles"] == 60  # the local store is untouched
    finally:
        await harness.close()


async def test_a_source_urls_secrets_are_never_shown_or_logged(
    world: FakeDiscord, tmp_path: Path, api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    """A source URL with a user, password, query token and fragment: it is fetched as given,
    but ``/briefing status``, ``/healthz``, the panel and the logs show ``api.url`` only."""
    caplog.set_level(logging.DEBUG)
    api.items = api.items[:5]  # one page
    configured = api.url.replace("://", "://reader:Pa55word@") + "?token=T0ken#F4agment"
    elsewhere = world.add_guild("Elsewhere")
    base_url, panel_on = panel_settings(world)
    harness = BotHarness(
        world,
        tmp_path,
        overrides={"article_sources": (configured,), "health_port": 0, **panel_on},
    )
    await harness.start()
    try:
        assert harness.bot is not None and harness.bot.health is not None
        await harness.bot.services.scheduler.poll_sources()
        assert harness.bot.services.sources.sources[0].healthy
        path, headers = api.hits[0]
        assert path == "/api/news/" and headers["Authorization"].startswith("Basic ")
        api.etag, api.behaviour = '"v2"', lambda request: web.Response(status=502)
        await harness.bot.services.scheduler.poll_sources()

        owner = harness.user("owner")
        status = await reply_of(
            await world.inject_slash_command("briefing", subcommand="status", user_id=owner.id)
        )
        text = status.content or ""
        assert f"Source {api.url}: 5 articles, failing (HTTP 502 from {api.url} (gave up" in text
        health = await _health_source(harness)
        assert health["url"] == api.url and f"from {api.url} " in health["error"]
        panel = PanelWorld(harness, base_url, elsewhere)
        async with panel.client() as http:
            await panel.sign_in(http, "owner")
            async with http.get(panel.url(f"/servers/{harness.guild.id}")) as response:
                page = await response.text()
        assert f"<td>{api.url}</td>" in page
    finally:
        await harness.close()
    logged = "\n".join(
        r.getMessage()
        for r in caplog.records
        if r.name != "aiohttp.access"  # the site's own log
    )
    assert f"source {api.url} failed" in logged
    for shown in (text, json.dumps(health), page, logged):
        for secret in ("Pa55word", "T0ken", "F4agment"):
            assert secret not in shown


# --- the last good poll on disk ----------------------------------------------------------------


async def test_last_good_poll_survives_a_restart_while_the_source_is_down(
    api: Api, tmp_path: Path
) -> None:
    snapshot = SourceSnapshot(tmp_path / "index.sources.sqlite3")
    clock = SettableClock(datetime(2026, 3, 10, 8, tzinfo=UTC))
    first = SourcePoller([api.url], clock=clock, limits=FAST, snapshot=snapshot)
    try:
        assert await first.poll_all()
    finally:
        await first.close()
    good, polled_at = first.articles(), clock.now
    assert not first.sources[0].stale

    clock.now += timedelta(hours=1)
    api.behaviour = lambda request: web.Response(status=503)
    second = SourcePoller([api.url], clock=clock, limits=FAST, snapshot=snapshot)
    try:
        assert await second.restore()
        (source,) = second.sources
        assert second.articles() == good and source.last_success == polled_at
        assert source.stale and source.healthy  # restored, not renewed yet
        assert not await second.poll_all()
        assert second.articles() == good and source.last_success == polled_at
        assert source.stale and not source.healthy and "HTTP 503" in (source.last_error or "")

        api.behaviour = None  # back: the restored validators make the poll 3 cheap 304s
        hits = len(api.hits)
        assert not await second.poll_all()
        assert len(api.hits) == hits + 3
        assert all(headers.get("If-None-Match") for _, headers in api.hits[hits:])
        assert source.not_modified == 1 and not source.stale
        assert source.last_success == clock.now
    finally:
        await second.close()
    assert snapshot.load([api.url])[api.url].last_success == clock.now


async def test_snapshot_forgets_removed_sources_and_survives_damage(tmp_path: Path) -> None:
    path = tmp_path / "index.sources.sqlite3"
    snapshot = SourceSnapshot(path)
    when = datetime(2026, 3, 10, 8, tzinfo=UTC)
    page = StoredPage("https://a.test/api/", '"e"', None, b'{"value": [], "nextPage": null}')
    snapshot.save("https://a.test/api/", when, [page])
    snapshot.save("https://b.test/api/", when, [page])
    snapshot.save("https://a.test/api/", when + timedelta(minutes=5))  # a 304 poll: pages kept
    kept = snapshot.load(["https://a.test/api/"])
    assert kept == {"https://a.test/api/": StoredSource(when + timedelta(minutes=5), (page,))}
    assert set(snapshot.load(["https://a.test/api/", "https://b.test/api/"])) == {
        "https://a.test/api/"
    }
    path.write_bytes(b"this is not a database" * 100)
    assert snapshot.load(["https://a.test/api/"]) == {}  # logged, replaced by an empty one
    snapshot.save("https://a.test/api/", when, [page])
    assert snapshot.load(["https://a.test/api/"])["https://a.test/api/"].pages == (page,)
    assert snapshot_path(tmp_path / "index-cache.sqlite3") == path.with_name(
        "index-cache.sources.sqlite3"
    )
    assert snapshot_path(None) is None


# --- end to end: the bot, a real API server that stops, a restart, the server back -------------


async def _titles_found(harness: BotHarness, query: str) -> list[str]:
    assert harness.bot is not None
    results = await harness.bot.services.library.search(query, topic=None, limit=10)
    return [hit.title for hit in results.hits]


async def _until(condition: Callable[[], Awaitable[bool]], what: str, deadline: float) -> None:
    """Wait until ``condition()`` holds (checked every 0.1 s), at most ``deadline`` seconds."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + deadline
    while not await condition():
        if loop.time() > give_up:
            raise AssertionError(f"not within {deadline} s: {what}")
        await asyncio.sleep(0.1)


async def _health_source(harness: BotHarness) -> dict[str, Any]:
    assert harness.bot is not None and harness.bot.health is not None
    url = f"http://127.0.0.1:{harness.bot.health.port}/healthz"
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        body = await response.json()
    (source,) = body["sources"]
    return dict(source)


def _in_briefing(harness: BotHarness, title: str) -> bool:
    assert harness.bot is not None
    briefing = harness.bot.services.library.briefing(BriefingRequest(harness.clock()))
    return any(
        story.lead.title == title for section in briefing.sections for story in section.stories
    )


async def test_sources_are_read_at_start_kept_across_restarts_and_followed_when_back(
    world: FakeDiscord, tmp_path: Path
) -> None:
    kites = "Remote-only report on tidal kites"
    site = Api(items=[_remote_item("tidal-kites", kites), *_api_items()[:30]])  # two pages
    runner = await _serve(site)
    port = int(runner.addresses[0][1])
    harness = BotHarness(
        world,
        tmp_path,
        overrides={
            "article_sources": (site.url,),
            "health_port": 0,
            "source_poll_seconds": 3600,  # only the poll at start can find anything
            "source_timeout_seconds": 2,
        },
    )
    await harness.start()
    try:
        # 1. Read at start, not one interval (an hour) later.
        await _until(
            lambda: _has(harness, "tidal kites", kites), "the first poll at start", deadline=30
        )
        search = await reply_of(
            await world.inject_slash_command("search", {"query": "tidal kites"})
        )
        assert kites in text_of(search) and _in_briefing(harness, kites)
        assert [path for path, _ in site.hits[:2]] == ["/api/news/", "/api/news/page/2/index.json"]
        health = await _health_source(harness)
        assert health["ok"] is True and health["stale"] is False and health["articles"] == 31
        polled_at = health["last_success"]
        assert polled_at == harness.clock().isoformat()

        # 2. The source stops (connection refused); the bot restarts while it is down.
        await runner.cleanup()
        await harness.stop()
        harness.clock.now += timedelta(minutes=30)
        harness.overrides["source_poll_seconds"] = 10
        await harness.start()
        assert kites in await _titles_found(harness, "tidal kites")  # from disk, at once
        assert _in_briefing(harness, kites)
        assert harness.bot is not None
        source = harness.bot.services.sources.sources[0]
        await _until(_async(lambda: source.last_error is not None), "the failed poll", 30)
        health = await _health_source(harness)
        assert health["ok"] is False and health["stale"] is True
        assert health["last_success"] == polled_at and health["articles"] == 31
        assert "connection problem" in health["error"]
        search = await reply_of(
            await world.inject_slash_command("search", {"query": "tidal kites"})
        )
        assert kites in text_of(search)

        # 3. Back, with a new article on its last page: searchable and in the briefing within
        #    SOURCE_POLL_SECONDS + 5 s, by following nextPage from the unchanged first page.
        drones = "Glacier drones map the meltwater"
        site.items.append(_remote_item("glacier-drones", drones, topic="Glaciology"))
        hits_before = len(site.hits)
        runner = await _serve(site, port)
        loop = asyncio.get_running_loop()
        back = loop.time()
        await _until(lambda: _has(harness, "glacier drones", drones), "the new article", 60)
        assert loop.time() - back < 10 + 5
        assert _in_briefing(harness, drones)
        assert site.hits[hits_before][1].get("If-None-Match") == site.page_etag(1)
        health = await _health_source(harness)
        assert health["ok"] is True and health["stale"] is False and health["articles"] == 32
        assert health["last_success"] == harness.clock().isoformat() != polled_at
    finally:
        await harness.close()
        await runner.cleanup()


async def _has(harness: BotHarness, query: str, title: str) -> bool:
    return title in await _titles_found(harness, query)


def _async(check: Callable[[], bool]) -> Callable[[], Awaitable[bool]]:
    async def condition() -> bool:
        return check()

    return condition


async def test_remote_articles_do_not_wait_for_a_running_store_sync(tmp_path: Path) -> None:
    library = ArticleLibrary(SAMPLE_STORE, cache_path=tmp_path / "index.sqlite3")
    try:
        await library.refresh()
        page = {"value": [_remote_item("tidal-kites", "Remote-only report on tidal kites")]}
        articles = parse_page("https://r.test/", "https://r.test/", json.dumps(page).encode())
        async with library._lock:  # what a long first sync of a large store holds
            swap = asyncio.create_task(library.set_remote(articles.articles))

            async def found() -> bool:
                results = await library.search("tidal kites", topic=None, limit=5)
                return bool(results.hits)

            await _until(found, "remote articles searchable during the sync", 30)
            assert not swap.done()  # only the topic counts wait for the sync
        await asyncio.wait_for(swap, 30)
        assert any(t.name == "Climate & Energy" for t in library.topics)
    finally:
        library.close()
