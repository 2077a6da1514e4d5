"""The daily briefing: readable examples plus hypothesis properties of its invariants."""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefings.briefing import (
    GENERAL_SECTION,
    BriefingRequest,
    Story,
    assemble,
    is_eligible,
    merge_stories,
    primary_topic,
    rank_key,
    repeat_of,
    topic_selection,
)
from briefings.explain import explain
from briefings.filters import Filters, outlet_of, story_rejection
from briefings.model import Article, Catalog, Provider, RelatedArticle, Topic, topic_key
from briefings.repeats import PostedArticle, PostedLog
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
    updated = draw(st.sampled_from([None, None, -30, 60, 26 * 60]))
    made = article(
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
        excerpt=draw(st.sampled_from(["", "Crypto soars.", "The AI said so.", "Café robots."])),
    )
    if updated is None:
        return made
    return replace(made, updated_at=AT - timedelta(minutes=updated))


FILTERS = [
    Filters(),
    Filters(exclude=("crypto",)),
    Filters(include=("ai", "robot walks")),
    Filters(outlets=("a.test",)),
    Filters(include=("cafe",), exclude=("rain",), outlets=("c.test",)),
]
posted_logs = st.lists(
    st.builds(
        PostedArticle,
        url=st.sampled_from([u for u in URLS if u]),
        posted_at=st.sampled_from([AT - timedelta(hours=h) for h in (2, 20, 30)]),
        quality=st.integers(0, 5),
        updated_at=st.sampled_from([None, AT - timedelta(hours=3)]),
    ),
    max_size=4,
).map(lambda posted: PostedLog(tuple(posted)))

requests = st.builds(
    BriefingRequest,
    at=st.just(AT),
    window=st.sampled_from([timedelta(hours=24), timedelta(hours=6)]),
    topics=st.sampled_from([(), ("Space",), ("robotics", "Zoo"), ("Technology",)]),
    per_topic=st.integers(1, 4),
    min_quality=st.sampled_from([0, 2]),
    top_stories=st.sampled_from([0, 0, 1, 3]),
    filters=st.sampled_from(FILTERS),
    posted=st.one_of(st.just(PostedLog()), posted_logs),
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


@settings(max_examples=300, deadline=None)
@given(st.lists(articles(), max_size=25, unique_by=lambda a: a.path), catalogs, requests)
def test_top_stories_filters_and_repeats_invariants(
    items: list[Article], catalog: Catalog, request: BriefingRequest
) -> None:
    briefing = assemble(items, catalog, request)
    top = briefing.top_stories
    below = [story for section in briefing.sections for story in section.stories]

    # the top stories are the best of all, in order, and are not repeated below
    assert len(top) <= request.top_stories
    assert [rank_key(s.lead) for s in top] == sorted(rank_key(s.lead) for s in top)
    if top and below:
        assert max(rank_key(s.lead) for s in top) < min(rank_key(s.lead) for s in below)
    if len(top) < request.top_stories:
        assert not briefing.sections
    assert not {s.lead for s in top} & {s.lead for s in below}
    assert briefing.story_count == len(briefing.stories) == len(top) + len(below)

    selected = topic_selection(request.topics, catalog)
    for story in briefing.stories:
        # every story knows its section, top stories too
        topic = primary_topic(story.lead.topics, catalog, selected)
        entry = catalog.get(topic) if topic else None
        assert story.topic == (entry.name if entry else topic or GENERAL_SECTION)
        # nothing the filters leave out
        assert all(outlet_of(member, request.filters) is None for member in story.articles)
        assert story_rejection(story.articles, request.filters) is None
        # a story posted before is shown only when updated, and then marked so
        repeat = repeat_of(story, request)
        assert story.updated == (repeat is not None)
        assert repeat is None or repeat.updated

    # once recorded as posted, a page comes back only in an updated story (a higher quality
    # or a later update of it than was recorded), and after that not again
    def pages(stories: Iterable[Story]) -> set[str]:
        return {canonical_url(m.url) for story in stories for m in story.articles if m.url}

    log = PostedLog(request.posted.articles + briefing.posted_articles(AT))
    again = assemble(items, catalog, replace(request, posted=log))
    assert pages(briefing.stories) & pages(again.stories) <= pages(
        s for s in again.stories if s.updated
    )
    log = PostedLog(log.articles + again.posted_articles(AT))
    third = assemble(items, catalog, replace(request, posted=log))
    assert not pages(third.stories) & (pages(briefing.stories) | pages(again.stories))


@settings(max_examples=100, deadline=None)
@given(st.lists(articles(), max_size=15, unique_by=lambda a: a.path), catalogs, requests)
def test_explain_agrees_with_the_briefing(
    items: list[Article], catalog: Catalog, request: BriefingRequest
) -> None:
    briefing = assemble(items, catalog, request)
    shown = {canonical_url(m.url) for story in briefing.stories for m in story.articles if m.url}
    for url in {item.url for item in items if item.url}:
        result = explain(url, items, catalog, request)
        assert result.included == (canonical_url(url) in shown), result


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


# --- top stories, filters and repeats: examples ----------------------------------------------


def _titles(stories: Iterable[Story]) -> list[str]:
    return [story.lead.title for story in stories]


def test_top_stories_are_the_best_overall_and_not_repeated_below() -> None:
    items = [
        article("r1", url="https://x.test/r1", quality=90, topics=("Robotics",)),
        article("r2", url="https://x.test/r2", quality=40, topics=("Robotics",)),
        article("r3", url="https://x.test/r3", quality=30, topics=("Robotics",)),
        article("s1", url="https://x.test/s1", quality=80, topics=("Space",)),
        article("s2", url="https://x.test/s2", quality=70, topics=("Space",)),
        article("z1", url="https://x.test/z1", quality=60, topics=("Zoo",)),
    ]
    briefing = assemble(items, CATALOG, BriefingRequest(at=AT, top_stories=3, per_topic=1))
    assert _titles(briefing.top_stories) == ["r1", "s1", "s2"]
    assert [story.topic for story in briefing.top_stories] == ["Robotics", "Space", "Space"]
    # each section shows its next best; Space gave all of its stories to the top
    assert [(s.topic, _titles(s.stories), s.omitted) for s in briefing.sections] == [
        ("Robotics", ["r2"], 1),
        ("Zoo", ["z1"], 0),
    ]
    assert briefing.story_count == 5
    assert _titles(briefing.stories) == ["r1", "s1", "s2", "r2", "z1"]
    # without top stories (the default) the briefing is the plain per-topic one
    plain = assemble(items, CATALOG, BriefingRequest(at=AT, per_topic=1))
    assert plain.top_stories == () and _titles(plain.stories) == ["r1", "s1", "z1"]
    with pytest.raises(ValueError, match="top_stories"):
        BriefingRequest(at=AT, top_stories=-1)


def test_an_excluded_outlet_is_never_shown_but_its_story_is() -> None:
    lead = article("Dock captures satellite", url="https://spam.test/d", quality=90)
    copy = article("Dock captures satellite", url="https://axis.test/d", quality=50)
    only = article("Rain", url="https://news.spam.test/r", quality=99)
    filters = Filters(outlets=("spam.test",))
    briefing = assemble([lead, copy, only], CATALOG, BriefingRequest(at=AT, filters=filters))
    (story,) = briefing.stories
    assert story.lead == copy and story.also == ()


def test_word_filters_judge_the_whole_story() -> None:
    lead = article("Markets rally", url="https://a.test/m", quality=90, excerpt="Stocks up.")
    copy = article("Markets rally as crypto soars", url="https://b.test/m", quality=10)
    copy = replace(copy, title="Markets rally", excerpt="Crypto soars too.")
    robots = article("Robots walk", url="https://a.test/r", excerpt="A café of robots.")

    def shown(**filters: tuple[str, ...]) -> list[str]:
        request = BriefingRequest(at=AT, filters=Filters(**filters))
        return sorted(_titles(assemble([lead, copy, robots], CATALOG, request).stories))

    assert shown() == ["Markets rally", "Robots walk"]
    assert shown(exclude=("CRYPTO",)) == ["Robots walk"]  # found in the other copy
    assert shown(include=("cafe",)) == ["Robots walk"]  # in the excerpt, without the accent
    assert shown(include=("robot",)) == []  # whole words only
    assert shown(include=("stocks", "robots"), exclude=("café",)) == ["Markets rally"]


def _posted(*items: Article, at: datetime = AT - timedelta(days=1)) -> PostedLog:
    return PostedLog(tuple(PostedArticle(a.url or "", at, a.quality, a.updated_at) for a in items))


def test_a_story_posted_before_is_not_posted_again() -> None:
    old = article("Dock captures satellite", url="https://www.a.test/d?utm_source=x")
    new = article("Rain", url="https://a.test/rain")
    request = BriefingRequest(at=AT, posted=_posted(replace(old, url="http://a.test/d")))
    assert _titles(assemble([old, new], CATALOG, request).stories) == ["Rain"]
    # a copy from another outlet is the same story
    copy = article("Dock captures satellite", url="https://b.test/d", quality=99)
    assert _titles(assemble([old, copy, new], CATALOG, request).stories) == ["Rain"]
    # and so is a new article that names the posted one as related coverage
    follow = article(
        "Satellite docked, say officials",
        url="https://c.test/f",
        related=(RelatedArticle("x", "https://a.test/d"),),
    )
    assert _titles(assemble([follow, new], CATALOG, request).stories) == ["Rain"]


def test_an_updated_story_comes_back_once_marked_updated() -> None:
    posted_at = AT - timedelta(days=1)
    old = article("Dock", url="https://a.test/d", published_at=posted_at - timedelta(hours=2))
    log = _posted(old, at=posted_at)
    request = BriefingRequest(at=AT, posted=log)
    assert assemble([old], CATALOG, request).is_empty  # outside the window and unchanged

    for changed in (
        replace(old, updated_at=AT - timedelta(hours=3)),  # a later updatedDateTime
        replace(old, quality=old.quality + 1),  # a higher quality
    ):
        briefing = assemble([changed], CATALOG, request)
        (story,) = briefing.stories
        assert story.updated and story.lead == changed
        # recorded once posted, it does not come back again
        again = BriefingRequest(
            at=AT + timedelta(days=1),
            posted=PostedLog(log.articles + briefing.posted_articles(AT)),
        )
        assert assemble([changed], CATALOG, again).is_empty

    # an update after the briefing's moment is not known yet; a lower quality is no update
    later = replace(old, updated_at=AT + timedelta(minutes=1), quality=old.quality - 5)
    assert assemble([later], CATALOG, request).is_empty


def test_posted_articles_are_every_lead_and_copy() -> None:
    lead = article("Dock", url="https://a.test/d", quality=90)
    copy = replace(article("Dock", url="https://b.test/d", quality=50), updated_at=AT)
    briefing = assemble([lead, copy], CATALOG, BriefingRequest(at=AT, top_stories=1))
    assert briefing.posted_articles(AT) == (
        PostedArticle("https://a.test/d", AT, 90, None),
        PostedArticle("https://b.test/d", AT, 50, AT),
    )
    with pytest.raises(ValueError, match="timezone-aware"):
        PostedArticle("https://a.test/d", datetime(2026, 3, 10))
