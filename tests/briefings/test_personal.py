"""Personal digests: readable examples plus hypothesis properties of the ranking's invariants."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefings.briefing import Briefing, BriefingRequest, Story, assemble
from briefings.model import Article, Catalog, Provider
from briefings.personal import (
    KEY_LIMIT,
    WEIGHT_LIMIT,
    Change,
    Feedback,
    ItemRef,
    SignalKind,
    Signals,
    apply_feedback,
    article_outlet,
    item_ref,
    personalize,
    signal_key,
)
from tests.briefings.factories import AT, article
from tests.briefings.test_briefing import CATALOG, FILTERS, articles, posted_logs

UNCAPPED = 10_000


def _full(items: list[Article], catalog: Catalog, request: BriefingRequest) -> Briefing:
    return assemble(items, catalog, replace(request, per_topic=UNCAPPED))


def _order(briefing: Briefing) -> list[Story]:
    return [story for section in briefing.sections for story in section.stories]


def _identity(story: Story) -> tuple[str | None, str]:
    return story.lead.url, story.lead.path


SAMPLE = [
    article("Rover finds ice", url="https://orbit.test/1", quality=90, topics=("Space",),
            provider="Orbit"),
    article("Probe launched", url="https://ledger.test/2", quality=80, topics=("Space",),
            provider="Ledger"),
    article("Robot walks", url="https://ledger.test/3", quality=70, topics=("Robotics",),
            provider="Ledger"),
    article("Arm picks fruit", url="https://servo.test/4", quality=95, topics=("Robotics",),
            provider="Servo"),
]  # fmt: skip


def _digest(signals: Signals, per_topic: int = 5) -> Briefing:
    full = assemble(SAMPLE, CATALOG, BriefingRequest(at=AT, per_topic=UNCAPPED))
    return personalize(full, signals, per_topic=per_topic).briefing


# --- examples --------------------------------------------------------------------------------


def test_no_signals_keep_the_channel_order() -> None:
    digest = _digest(Signals())
    assert [s.topic for s in digest.sections] == ["Robotics", "Space"]  # catalog order
    assert [s.lead.title for s in _order(digest)] == [
        "Arm picks fruit",
        "Robot walks",
        "Rover finds ice",
        "Probe launched",
    ]


def test_less_like_this_moves_a_topic_down_and_more_moves_an_outlet_up() -> None:
    signals = Signals.of(topics={"robotics": -1}, outlets={"ledger.test": 1})
    personal = personalize(
        assemble(SAMPLE, CATALOG, BriefingRequest(at=AT, per_topic=UNCAPPED)),
        signals,
        per_topic=5,
    )
    assert [s.lead.title for s in _order(personal.briefing)] == [
        "Probe launched",  # Space first: Robotics was asked for less; Ledger up within Space
        "Rover finds ice",
        "Robot walks",  # Ledger up within Robotics, despite a lower quality
        "Arm picks fruit",
    ]
    probe, _, robot, arm = _order(personal.briefing)
    assert personal.explanation(probe) == "ranked up: you asked for more from Ledger"
    assert personal.explanation(robot) == (
        "ranked up: you asked for more from Ledger; ranked down: you asked for less of Robotics"
    )
    assert personal.explanation(arm) == "ranked down: you asked for less of Robotics"


def test_a_hidden_outlet_is_gone_even_as_an_also_link() -> None:
    copy = article("Rover finds ice!", url="https://ledger.test/ice", quality=10,
                   topics=("Space",), provider="Ledger")  # fmt: skip
    lead_hidden = article("Orbit alone", url="https://orbit.test/9", quality=99,
                          topics=("Space",), provider="Orbit")  # fmt: skip
    full = assemble([*SAMPLE, copy, lead_hidden], CATALOG, BriefingRequest(at=AT, per_topic=99))
    rover = next(s for s in _order(full) if s.lead.title == "Rover finds ice")
    assert [a.url for a in rover.also] == ["https://ledger.test/ice"]
    digest = personalize(full, Signals.of(hidden=["orbit.test"]), per_topic=5).briefing
    shown = [a for story in _order(digest) for a in story.articles]
    assert all("orbit.test" not in (a.url or "") for a in shown)
    # the story comes through the other outlet, which now leads it
    assert "Rover finds ice!" in [s.lead.title for s in _order(digest)]


def test_a_hidden_domain_hides_its_subdomains_and_provider_domains_count() -> None:
    aggregated = article("Copy", url="https://agg.test/x", provider=None, topics=("Space",))
    aggregated = replace(aggregated, provider=Provider("News", domain="www.news.example.com"))
    signals = Signals.of(hidden=["example.com"])
    assert signals.hides(aggregated)
    assert article_outlet(aggregated) == "news.example.com"
    assert not Signals.of(hidden=["ample.com"]).hides(aggregated)


def test_weights_are_bounded_and_clicks_past_the_bound_change_nothing() -> None:
    item = ItemRef("space", "orbit.test")
    signals = Signals()
    for _ in range(WEIGHT_LIMIT):
        signals, _ = apply_feedback(signals, Feedback.MORE, item)
    assert signals.topic_weight("Space") == signals.outlet_weight("orbit.test") == WEIGHT_LIMIT
    again, changes = apply_feedback(signals, Feedback.MORE, item)
    assert again == signals
    assert changes == (
        Change(SignalKind.TOPIC, "space", 3, 3),
        Change(SignalKind.OUTLET, "orbit.test", 3, 3),
    )
    back, _ = apply_feedback(signals, Feedback.LESS, item)
    assert back.topic_weight("space") == 2
    hidden, changes = apply_feedback(back, Feedback.HIDE, item)
    assert hidden.hidden == ("orbit.test",) and changes == (
        Change(SignalKind.HIDDEN, "orbit.test", 0, 1),
    )
    assert apply_feedback(hidden, Feedback.HIDE, ItemRef("space"))[1] == ()


def test_signal_keys_are_short_and_stable() -> None:
    long_topic = "A very long topic name " * 10
    key = signal_key(long_topic)
    assert len(key) == KEY_LIMIT and key == signal_key(long_topic.upper())
    assert key != signal_key(long_topic + "x") and signal_key(key) == key
    assert signal_key(" Climate  & Energy") == "climate & energy"
    with pytest.raises(ValueError, match="normalised"):
        Signals(topics=(("Space", 1),))
    with pytest.raises(ValueError, match="signal key"):
        ItemRef("Space")


def test_item_ref_names_the_section_and_the_lead_outlet() -> None:
    story = _order(_digest(Signals()))[0]
    assert item_ref(story) == ItemRef("robotics", "servo.test")


def test_top_stories_are_refused() -> None:
    full = assemble(SAMPLE, CATALOG, BriefingRequest(at=AT, top_stories=1))
    with pytest.raises(ValueError, match="top stories"):
        personalize(full, Signals(), per_topic=5)


# --- properties ------------------------------------------------------------------------------

KEYS = ["technology", "robotics", "space", "rockets", "zoo", "general"]
OUTLETS = ["a.test", "b.test", "c.test", "d.test"]
signals_strategy = st.builds(
    lambda topics, outlets, hidden: Signals.of(topics=topics, outlets=outlets, hidden=hidden),
    st.dictionaries(st.sampled_from(KEYS), st.integers(-5, 5)),
    st.dictionaries(st.sampled_from(OUTLETS), st.integers(-5, 5)),
    st.lists(st.sampled_from(OUTLETS), max_size=2),
)
digest_requests = st.builds(
    BriefingRequest,
    at=st.just(AT),
    topics=st.sampled_from([(), (), ("Space",), ("robotics", "Zoo"), ("Technology",)]),
    per_topic=st.just(UNCAPPED),
    filters=st.sampled_from([*FILTERS[:1] * 4, *FILTERS]),
    posted=st.one_of(*[st.just(BriefingRequest(at=AT).posted)] * 3, posted_logs),
)
TOPIC_NAMES = ["Technology", "Robotics", "Space", "Orbit", "Rockets", "Gardening", "Zoo"]


@st.composite
def digest_articles(draw: st.DrawFn) -> Article:
    """Articles of many distinct stories over several topics and outlets (some merge)."""
    number = draw(st.integers(0, 10**6))
    host = draw(st.sampled_from(OUTLETS))
    made = article(
        f"Story {draw(st.integers(0, 40))}",
        path=f"news/{number}.md",
        url=draw(st.sampled_from([f"https://{host}/{number}", f"https://www.{host}/{number}"])),
        published_at=AT - timedelta(minutes=draw(st.integers(1, 20 * 60))),
        quality=draw(st.integers(0, 5)),
        heat=draw(st.integers(-1, 3)),
        provider=draw(st.sampled_from(["A", "B", None])),
        topics=tuple(draw(st.lists(st.sampled_from(TOPIC_NAMES), max_size=2))),
    )
    domain = draw(st.sampled_from([None, host, f"news.{host}"]))
    if made.provider is not None and domain is not None:
        made = replace(made, provider=Provider(made.provider.name, domain))
    return made


item_lists = st.lists(  # mostly distinct stories, plus the hard cases of the channel tests
    st.one_of(digest_articles(), digest_articles(), articles()),
    max_size=25,
    unique_by=lambda a: a.path,
)
catalogs = st.sampled_from([CATALOG, Catalog()])


@settings(max_examples=200, deadline=None)
@given(item_lists, catalogs, digest_requests, st.integers(1, 4))
def test_without_signals_the_digest_is_the_channel_briefing(
    items: list[Article], catalog: Catalog, request: BriefingRequest, per_topic: int
) -> None:
    full = assemble(items, catalog, request)
    personal = personalize(full, Signals(), per_topic=per_topic)
    assert personal.briefing == assemble(items, catalog, replace(request, per_topic=per_topic))
    assert personal.explanations == ()


@settings(max_examples=200, deadline=None)
@given(item_lists, catalogs, digest_requests, signals_strategy, st.integers(1, 4))
def test_personal_order_invariants(
    items: list[Article],
    catalog: Catalog,
    request: BriefingRequest,
    signals: Signals,
    per_topic: int,
) -> None:
    full = assemble(items, catalog, request)
    personal = personalize(full, signals, per_topic=per_topic)
    digest = personal.briefing
    shown = _order(digest)
    # hidden outlets never appear, not even as "also" links or related coverage
    for story in shown:
        assert not any(signals.hides(a) for a in story.articles)
        assert not any(signals.hides(r) for r in story.related)
    # nothing is invented: every shown article was in the channel selection
    before = {(a.url, a.path) for story in _order(full) for a in story.articles}
    assert {(a.url, a.path) for story in shown for a in story.articles} <= before
    # sections: no repeats, each within the cap, counts add up
    assert len({s.topic for s in digest.sections}) == len(digest.sections)
    kept = sum(1 for story in _order(full) if not all(signals.hides(a) for a in story.articles))
    assert sum(len(s.stories) + s.omitted for s in digest.sections) == kept
    for section in digest.sections:
        assert 1 <= len(section.stories) <= per_topic
        weights = [signals.outlet_weight(article_outlet(s.lead)) for s in section.stories]
        assert weights == sorted(weights, reverse=True)
    topic_weights = [signals.topic_weight(s.topic) for s in digest.sections]
    assert topic_weights == sorted(topic_weights, reverse=True)
    # every moved story says why, and only those
    for story in shown:
        moved = signals.topic_weight(story.topic) or signals.outlet_weight(
            article_outlet(story.lead)
        )
        assert bool(personal.explanation(story)) == bool(moved)


@settings(max_examples=200, deadline=None)
@given(
    item_lists,
    catalogs,
    digest_requests,
    signals_strategy,
    st.sampled_from([Feedback.MORE, Feedback.LESS]),
    st.integers(0, 30),
)
def test_more_never_moves_an_item_down_and_less_never_up(
    items: list[Article],
    catalog: Catalog,
    request: BriefingRequest,
    signals: Signals,
    feedback: Feedback,
    pick: int,
) -> None:
    full = assemble(items, catalog, request)
    order = _order(personalize(full, signals, per_topic=UNCAPPED).briefing)
    if not order:
        return
    story = order[pick % len(order)]
    after, changes = apply_feedback(signals, feedback, item_ref(story))
    for change in changes:  # bounded, one step at most
        assert -WEIGHT_LIMIT <= change.after <= WEIGHT_LIMIT
        assert abs(change.after - change.before) <= 1
    new_order = [
        _identity(s) for s in _order(personalize(full, after, per_topic=UNCAPPED).briefing)
    ]
    old_rank, new_rank = order.index(story), new_order.index(_identity(story))
    if feedback is Feedback.MORE:
        assert new_rank <= old_rank
    else:
        assert new_rank >= old_rank


@settings(max_examples=300, deadline=None)
@given(signals_strategy, st.lists(st.tuples(st.sampled_from(list(Feedback)), st.sampled_from(KEYS),
                                            st.sampled_from([*OUTLETS, None]))))  # fmt: skip
def test_any_clicks_keep_weights_bounded(
    signals: Signals, clicks: list[tuple[Feedback, str, str | None]]
) -> None:
    for feedback, topic, outlet in clicks:
        signals, _ = apply_feedback(signals, feedback, ItemRef(topic, outlet))
    for _, weight in (*signals.topics, *signals.outlets):
        assert weight != 0 and -WEIGHT_LIMIT <= weight <= WEIGHT_LIMIT
    assert Signals.of(topics=signals.topics, outlets=signals.outlets, hidden=signals.hidden) == (
        signals
    )
