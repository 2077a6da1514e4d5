"""The search and topic use cases and the schedule → briefing request mapping, called directly
(as the slash commands call them): domain values in and out, no Discord interaction."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.services import Services
from bot.state.schedules import ChannelSchedule
from bot.usecases import UseCaseError
from bot.usecases import search as search_cases
from bot.usecases import topics as topic_cases
from bot.usecases.requests import briefing_request
from tests.bot.harness import BotHarness

AT = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)


def _services(harness: BotHarness) -> Services:
    assert harness.bot is not None
    return harness.bot.services


@pytest.mark.parametrize("query", ["", "   ", "\n\t"])
async def test_a_blank_query_is_refused(harness: BotHarness, query: str) -> None:
    with pytest.raises(UseCaseError, match="Type something") as caught:
        await search_cases.search(_services(harness), query)
    assert caught.value.field == "query"


async def test_search_pages_cover_every_hit_once(harness: BotHarness) -> None:
    services = _services(harness)
    first = await search_cases.search(services, "the")
    assert first.page == 0 and first.page_size == services.settings.search_page_size
    assert first.results.total > first.page_size  # enough for several pages
    assert first.pages == -(-first.results.total // first.page_size)
    urls: list[str | None] = []
    for page in range(first.pages):
        found = await search_cases.search(services, "the", page=page)
        assert found.page == page and found.results.total == first.results.total
        urls += [hit.url for hit in found.results.hits]
    assert len(urls) == len(set(urls)) == first.results.total


async def test_search_resolves_the_topic_to_its_catalog_name(harness: BotHarness) -> None:
    services = _services(harness)
    found = await search_cases.search(services, "the", topic="  sPACE ")
    assert found.topic == "Space"
    everything = await search_cases.search(services, "the")
    assert 0 < found.results.total < everything.results.total
    assert found.results == (await search_cases.search(services, "the", topic="Space")).results


async def test_search_with_an_unknown_topic_suggests_one(harness: BotHarness) -> None:
    with pytest.raises(UseCaseError, match="Did you mean Space") as caught:
        await search_cases.search(_services(harness), "rocket", topic="Spcae")
    assert caught.value.field == "topic"


async def test_a_long_query_is_cut_not_refused(harness: BotHarness) -> None:
    found = await search_cases.search(_services(harness), "moon " * 400)
    assert len(found.query) == search_cases.MAX_QUERY


async def test_topics_are_the_catalogs_then_the_articles(harness: BotHarness) -> None:
    services = _services(harness)
    listed = await topic_cases.topics(services)
    names = [summary.name for summary in listed]
    assert names[:3] == ["Technology", "Artificial Intelligence", "Space"]
    assert topic_cases.known_topics(services) == names
    assert topic_cases.suggest(services, "spa") == ["Space"]
    assert topic_cases.resolve(services, "open source") == "Open Source"


def test_no_schedule_asks_for_every_topic_without_a_minimum() -> None:
    request = briefing_request(None, AT, per_topic=4)
    assert (request.at, request.topics, request.per_topic, request.min_quality) == (AT, (), 4, 0)
    only = briefing_request(None, AT, per_topic=4, topics=["Space"])
    assert only.topics == ("Space",)


@given(
    topics=st.lists(st.sampled_from(["Space", "Robotics", "Open Source"]), unique=True),
    min_quality=st.floats(min_value=0, max_value=10_000),
    per_topic=st.integers(min_value=1, max_value=20),
    override=st.none() | st.lists(st.sampled_from(["Space", "Security"]), max_size=1),
)
def test_a_schedule_asks_for_its_topics_and_quality(
    topics: list[str], min_quality: float, per_topic: int, override: list[str] | None
) -> None:
    schedule = ChannelSchedule(
        1, 2, time(8, 0), "Europe/Paris", topics=tuple(topics), min_quality=min_quality
    )
    request = briefing_request(schedule, AT, per_topic=per_topic, topics=override)
    assert request.at == AT and request.per_topic == per_topic
    assert request.min_quality == min_quality  # an override changes the topics only
    assert request.topics == (tuple(override) if override is not None else tuple(topics))
