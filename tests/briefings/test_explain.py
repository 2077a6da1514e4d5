"""``explain``: the stage where an article drops out of a briefing, or why it is in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from briefings.briefing import BriefingRequest, assemble
from briefings.explain import explain
from briefings.filters import Filters
from briefings.model import Store
from briefings.repeats import PostedArticle, PostedLog
from briefings.store import load_store
from briefings.urls import canonical_url
from tests.conftest import SAMPLE_STORE

AT = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
KESTREL_LEAD = "https://circuitreview.test/news/lumen-labs-kestrel-2"
KESTREL_COPY = (
    "https://www.harborledger.test/2026/03/09/lumen-labs-kestrel-2-phone-model?utm_source=x"
)
MERIDIAN = "https://patchworksecurity.test/p/meridian-savings-bank-confirms-breach-affecting-4"


@pytest.fixture(scope="module")
def store() -> Store:
    return load_store(SAMPLE_STORE)


def _why(store: Store, url: str, **request: object) -> tuple[str, list[str]]:
    result = explain(url, store.articles, store.catalog, BriefingRequest(at=AT, **request))  # type: ignore[arg-type]
    failed = [s.name for s in result.stages if not s.passed]
    return result.verdict, failed


def test_not_found(store: Store) -> None:
    verdict, failed = _why(store, "https://nowhere.test/x")
    assert verdict.startswith("Not found") and failed == ["found"]


def test_not_published(store: Store) -> None:
    verdict, failed = _why(store, MERIDIAN)
    assert verdict.startswith("Not published") and failed == ["published"]


def test_outside_the_window(store: Store) -> None:
    verdict, failed = _why(store, KESTREL_LEAD, window=timedelta(hours=1))
    assert verdict.startswith("Outside the window") and failed == ["window"]


def test_below_minimum_quality(store: Store) -> None:
    verdict, failed = _why(store, KESTREL_LEAD, min_quality=130)
    assert "Below the minimum quality (124 < 130)" in verdict and failed == ["quality"]


def test_topic_not_selected(store: Store) -> None:
    verdict, failed = _why(store, KESTREL_LEAD, topics=("Space",))
    assert verdict.startswith("Topic not selected") and failed == ["topic"]


def test_merged_into_another_outlets_copy(store: Store) -> None:
    result = explain(KESTREL_COPY, store.articles, store.catalog, BriefingRequest(at=AT))
    assert (
        result.included
        and "also" in result.verdict
        and "Lumen Labs Unveils Kestrel-2" in result.verdict
    )
    story = next(s for s in result.stages if s.name == "story")
    assert not story.passed and "The Circuit Review" in story.detail


def test_outranked_names_the_stories_ahead(store: Store) -> None:
    briefing = assemble(store.articles, store.catalog, BriefingRequest(at=AT, per_topic=1))
    ai = next(s for s in briefing.sections if s.topic == "Artificial Intelligence")
    assert ai.stories[0].lead.url == KESTREL_LEAD
    second = "https://circuitreview.test/news/inside-the-effort-to-build-an-open"
    result = explain(second, store.articles, store.catalog, BriefingRequest(at=AT, per_topic=1))
    assert not result.included and result.verdict.startswith("Outranked in Artificial Intelligence")
    rank = result.stages[-1]
    assert rank.name == "rank" and "Lumen Labs Unveils Kestrel-2" in rank.detail


def test_included(store: Store) -> None:
    result = explain(KESTREL_LEAD, store.articles, store.catalog, BriefingRequest(at=AT))
    assert result.included and result.verdict == "Included: story 1 in Artificial Intelligence."
    assert all(stage.passed for stage in result.stages)


@pytest.mark.parametrize(
    "request_",
    [
        BriefingRequest(at=AT),
        BriefingRequest(at=AT, per_topic=2),
        BriefingRequest(at=AT, min_quality=70, topics=("Technology",)),
        BriefingRequest(at=AT - timedelta(days=2), window=timedelta(days=3)),
        BriefingRequest(at=AT, top_stories=3, per_topic=2),
        BriefingRequest(
            at=AT,
            top_stories=3,
            filters=Filters.parse(exclude="Kestrel, breach", outlets="harborledger.test"),
            posted=PostedLog((PostedArticle(KESTREL_COPY, AT - timedelta(days=1), 500),)),
        ),
    ],
)
def test_explanation_agrees_with_the_briefing_for_every_article(
    store: Store, request_: BriefingRequest
) -> None:
    briefing = assemble(store.articles, store.catalog, request_)
    shown = {
        canonical_url(m.url)
        for section in briefing.sections
        for story in section.stories
        for m in story.articles
        if m.url
    } | {canonical_url(m.url) for story in briefing.top_stories for m in story.articles if m.url}
    for article in store.articles:
        if article.url:
            result = explain(article.url, store.articles, store.catalog, request_)
            assert result.included == (canonical_url(article.url) in shown), (
                article.path,
                result.verdict,
            )


def test_filtered_out_by_outlet(store: Store) -> None:
    result = explain(
        KESTREL_LEAD,
        store.articles,
        store.catalog,
        BriefingRequest(at=AT, filters=Filters.parse(outlets="www.circuitreview.test")),
    )
    assert result.verdict == "Filtered out by outlet circuitreview.test."
    assert [(s.name, s.passed) for s in result.stages][-1] == ("filters", False)


def test_filtered_out_by_words(store: Store) -> None:
    verdict, failed = _why(store, KESTREL_LEAD, filters=Filters(exclude=("kestrel",)))
    assert verdict == "Filtered out by exclude 'kestrel'." and failed == ["filters"]
    verdict, failed = _why(store, KESTREL_LEAD, filters=Filters(include=("zebra", "llama")))
    assert verdict == "Filtered out by include: contains none of 'zebra', 'llama'."
    assert failed == ["filters"]
    result = explain(
        KESTREL_LEAD,
        store.articles,
        store.catalog,
        BriefingRequest(at=AT, filters=Filters(exclude=("zebra",))),
    )
    assert result.included
    assert ("filters", True, "passes the filters (without 'zebra')") in [
        (s.name, s.passed, s.detail) for s in result.stages
    ]


def test_already_posted_on_a_date(store: Store) -> None:
    # the other outlet's copy was posted yesterday: the story is the one posted
    posted = PostedLog((PostedArticle(KESTREL_COPY, AT - timedelta(days=1), 500),))
    verdict, failed = _why(store, KESTREL_LEAD, posted=posted)
    assert verdict == "Already posted on 2026-03-09." and failed == ["posted"]


def test_posted_and_updated_since(store: Store) -> None:
    posted = PostedLog((PostedArticle(KESTREL_LEAD, AT - timedelta(days=1), 100),))
    result = explain(
        KESTREL_LEAD, store.articles, store.catalog, BriefingRequest(at=AT, posted=posted)
    )
    assert result.included
    stage = next(s for s in result.stages if s.name == "posted")
    assert stage.passed and "changed since: shown again as Updated" in stage.detail


def test_a_top_story(store: Store) -> None:
    request = BriefingRequest(at=AT, top_stories=3)
    briefing = assemble(store.articles, store.catalog, request)
    assert briefing.top_stories[1].lead.url == KESTREL_LEAD
    result = explain(KESTREL_LEAD, store.articles, store.catalog, request)
    assert result.verdict == "Included: top story 2."
    assert result.stages[-1].detail == "top story 2 of 3"
    copy = explain(KESTREL_COPY, store.articles, store.catalog, request)
    assert copy.included and copy.verdict.endswith("in the top stories.")
