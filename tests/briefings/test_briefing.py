"""The daily briefing: readable examples plus hypothesis properties of its invariants."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefings.briefing import (
    GENERAL_SECTION,
    BriefingRequest,
    assemble,
    is_eligible,
    merge_stories,
    primary_topic,
    rank_key,
    topic_selection,
)
from briefings.model import Article, Catalog, Provider, RelatedArticle, Topic, topic_key
from briefings.text import title_key
from briefings.urls import canonical_url
from tests.briefings.factories import AT, article

CATALOG = Catalog(
    (
        Topic("Technology"),
        Topic("Robotics", parent="Technology"),
        Topic("Space", parent="Technology", shortname="Orbit"),
        Topic("Rockets", parent="Space"),
    )
)


# --- examples --------------------------------------------------------------------------------


def test_eligibility_window_is_half_open() -> None:
    request = BriefingRequest(at=AT)
    assert is_eligible(article(published_at=AT), request)
    assert not is_eligible(article(published_at=AT - timedelta(hours=24)), request)
    assert is_eligible(
        article(published_at=AT - timedelta(hours=24) + timedelta(seconds=1)), request
    )
    assert not is_eligible(article(published_at=AT + timedelta(seconds=1)), request)
    assert not is_eligible(article(published=False), request)
    assert not is_eligible(article(url=None), request)
    assert not is_eligible(article(quality=9), BriefingRequest(at=AT, min_quality=10))


def test_same_story_from_several_outlets_is_shown_once() -> None:
    lead = article(
        "Dock captures satellite",
        url="https://www.ledger.test/dock?utm_source=rss",
        quality=90,
        provider="Ledger",
    )
    amp = article(
        "Dock captures satellite",
        url="http://ledger.test/dock/amp",
        quality=40,
        provider="Ledger AMP",
    )
    other = article(
        "DOCK captures satellite!", url="https://axis.test/d", quality=60, provider="Axis"
    )
    briefing = assemble([amp, other, lead], CATALOG, BriefingRequest(at=AT))
    (section,) = briefing.sections
    (story,) = section.stories
    assert story.lead == lead
    # the AMP copy is the lead's own page: only the other outlet is an "also" link
    assert [a.provider_name for a in story.also] == ["Axis"]


def test_related_coverage_merges_and_lists_the_rest() -> None:
    elsewhere = RelatedArticle("Analysis", "https://third.test/x", Provider("Third"))
    in_store = RelatedArticle("Their take", "https://second.test/y", Provider("Second"))
    lead = article(
        "Grid battery", url="https://first.test/z", quality=90, related=(in_store, elsewhere)
    )
    copy = article("Big battery goes live", url="https://second.test/y", quality=70)
    (story,) = merge_stories([copy, lead])
    assert story.lead == lead and story.also == (copy,)
    assert story.related == (elsewhere,)


def test_primary_topic_skips_catalog_roots() -> None:
    assert primary_topic(["Technology", "Space"], CATALOG) == "Space"
    assert primary_topic(["Technology"], CATALOG) == "Technology"
    assert primary_topic(["Unknown", "Space"], CATALOG) == "Unknown"
    assert primary_topic(["Technology", "Space"], Catalog()) == "Technology"
    assert primary_topic([], CATALOG) is None


def test_sections_follow_catalog_then_alphabet_then_general() -> None:
    items = [
        article("a", url="https://x.test/1", topics=("Zebra",)),
        article("b", url="https://x.test/2", topics=("Apple",)),
        article("c", url="https://x.test/3", topics=()),
        article("d", url="https://x.test/4", topics=("Space",)),
        article("e", url="https://x.test/5", topics=("Technology", "robotics")),
    ]
    briefing = assemble(items, CATALOG, BriefingRequest(at=AT))
    assert [s.topic for s in briefing.sections] == [
        "Robotics",
        "Space",
        "Apple",
        "Zebra",
        GENERAL_SECTION,
    ]


def test_topic_selection_includes_descendants_and_shortnames() -> None:
    items = [
        article("a", url="https://x.test/1", topics=("Technology", "Rockets")),
        article("b", url="https://x.test/2", topics=("Robotics",)),
        article("c", url="https://x.test/3", topics=("Technology", "Robotics", "Space")),
    ]
    briefing = assemble(items, CATALOG, BriefingRequest(at=AT, topics=("orbit",)))
    assert [(s.topic, [st.lead.title for st in s.stories]) for s in briefing.sections] == [
        ("Space", ["c"]),
        ("Rockets", ["a"]),
    ]


def test_cap_and_ranking_within_a_section() -> None:
    items = [
        article(f"t{i}", url=f"https://x.test/{i}", quality=q, heat=h)
        for i, (q, h) in enumerate([(10, 0), (50, 1), (50, 9), (30, 0), (70, 0), (20, 0)])
    ]
    briefing = assemble(items, CATALOG, BriefingRequest(at=AT, per_topic=3))
    (section,) = briefing.sections
    assert [s.lead.title for s in section.stories] == ["t4", "t2", "t1"]
    assert section.omitted == 3


def test_empty_briefing_is_valid() -> None:
    briefing = assemble([article(published=False)], CATALOG, BriefingRequest(at=AT))
    assert briefing.is_empty and briefing.story_count == 0


def test_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        BriefingRequest(at=datetime(2026, 3, 10, 8, 0))


# --- properties ------------------------------------------------------------------------------

TOPICS = ["Technology", "Robotics", "robotics", "Space", "Orbit", "Rockets", "Gardening", "Zoo"]
TITLES = [
    "Dock captures satellite",
    "dock captures satellite!",
    "Robot walks",
    "Rain",
    "Rain.",
    "Chips",
]
URLS = [
    "https://www.a.test/1",
    "http://a.test/1/amp",
    "https://a.test/1?utm_source=x",
    "https://b.test/2",
    "https://c.test/3",
    "https://c.test/3#frag",
    "https://d.test/4",
    None,
]


@st.composite
def articles(draw: st.DrawFn) -> Article:
    related = draw(st.lists(st.sampled_from([u for u in URLS if u]), max_size=2))
    return article(
        draw(st.sampled_from(TITLES)) + draw(st.sampled_from(["", "", " 2", " 3"])),
        path=f"news/{draw(st.integers(0, 10**6))}.md",
        url=draw(st.sampled_from(URLS)),
        published_at=AT - timedelta(minutes=draw(st.integers(-120, 30 * 60))),
        quality=draw(st.integers(0, 5)),
        heat=draw(st.integers(-1, 3)),
        published=draw(st.booleans()),
        provider=draw(st.sampled_from(["A", "B", None])),
        topics=tuple(draw(st.lists(st.sampled_from(TOPICS), max_size=3))),
        related=tuple(RelatedArticle("r", u) for u in related),
    )


requests = st.builds(
    BriefingRequest,
    at=st.just(AT),
    window=st.sampled_from([timedelta(hours=24), timedelta(hours=6)]),
    topics=st.sampled_from([(), ("Space",), ("robotics", "Zoo"), ("Technology",)]),
    per_topic=st.integers(1, 4),
    min_quality=st.sampled_from([0, 2]),
)
catalogs = st.sampled_from([CATALOG, Catalog()])


@settings(max_examples=300, deadline=None)
@given(st.lists(articles(), max_size=25, unique_by=lambda a: a.path), catalogs, requests)
def test_briefing_invariants(
    items: list[Article], catalog: Catalog, request: BriefingRequest
) -> None:
    briefing = assemble(items, catalog, request)
    stories = [story for section in briefing.sections for story in section.stories]

    # only eligible items, leads and "also" copies alike
    for story in stories:
        for member in (story.lead, *story.also):
            assert is_eligible(member, request)

    # no story twice: no page and no headline appears twice in the whole briefing
    pages = [canonical_url(m.url) for s in stories for m in (s.lead, *s.also) if m.url]
    assert len(pages) == len(set(pages))
    headlines = [title_key(s.lead.title) for s in stories]
    assert len(headlines) == len(set(headlines))

    # sections are non-empty, distinct, sorted by rank and capped
    assert len({topic_key(s.topic) for s in briefing.sections}) == len(briefing.sections)
    for section in briefing.sections:
        assert 1 <= len(section.stories) <= request.per_topic
        keys = [rank_key(s.lead) for s in section.stories]
        assert keys == sorted(keys)
        for story in section.stories:  # a lead is the best copy of its story
            assert all(rank_key(story.lead) <= rank_key(other) for other in story.also)

    # each story sits in its primary-topic section (or General when it has no topic);
    # with a topic filter every story still carries a selected topic
    for section in briefing.sections:
        for story in section.stories:
            if not request.topics:
                expected = primary_topic(story.lead.topics, catalog)
                entry = catalog.get(expected) if expected else None
                name = entry.name if entry else expected or GENERAL_SECTION
                assert topic_key(section.topic) == topic_key(name)
            else:
                selected = topic_selection(request.topics, catalog)
                expected = primary_topic(story.lead.topics, catalog, selected)
                assert expected is not None
                entry = catalog.get(expected)
                assert topic_key(section.topic) == topic_key(entry.name if entry else expected)

    # pure: the order of the input does not matter
    shuffled = list(items)
    random.Random(len(items)).shuffle(shuffled)
    assert assemble(shuffled, catalog, request) == briefing


def _section_key(lead: Article) -> str:
    topic = primary_topic(lead.topics, CATALOG)
    entry = CATALOG.get(topic) if topic else None
    return topic_key(entry.name if entry else topic or GENERAL_SECTION)


@settings(max_examples=200, deadline=None)
@given(st.lists(articles(), max_size=25, unique_by=lambda a: a.path), requests)
def test_every_eligible_story_is_accounted_for(
    items: list[Article], request: BriefingRequest
) -> None:
    """Shown plus omitted stories equal the merged eligible stories (with no topic filter)."""
    request = BriefingRequest(at=request.at, window=request.window, per_topic=request.per_topic)
    briefing = assemble(items, CATALOG, request)
    merged = merge_stories(a for a in items if is_eligible(a, request))
    assert sum(len(s.stories) + s.omitted for s in briefing.sections) == len(merged)
    shown_leads = {s.lead for section in briefing.sections for s in section.stories}
    for story in merged:
        if story.lead not in shown_leads:
            section = next(
                s for s in briefing.sections if topic_key(s.topic) == _section_key(story.lead)
            )
            # a story left out ranks below every story its section shows
            assert len(section.stories) == request.per_topic
            assert all(rank_key(s.lead) < rank_key(story.lead) for s in section.stories)
