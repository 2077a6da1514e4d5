"""DM fan-out: many subscribers, each distinct digest selected and rendered once."""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.digests import UNCAPPED, DigestComposer
from bot.rendering import OutgoingMessage, render_briefing
from briefings.briefing import NO_FILTERS, Briefing, BriefingRequest, TopicBriefings, assemble
from briefings.filters import Filters, contains
from briefings.model import topic_key
from briefings.personal import Signals
from briefings.store import load_store
from tests.bot.test_rendering import all_texts
from tests.conftest import SAMPLE_STORE

AT = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
ZONES = ("UTC", "Europe/Berlin", "America/New_York")


def test_ten_thousand_subscribers_share_their_digests() -> None:
    store = load_store(SAMPLE_STORE)
    names = [t.name for t in store.catalog.topics if t.parent]
    topic_sets = [combo for size in (1, 2) for combo in itertools.combinations(names, size)]
    windows: list[datetime] = []
    selections: list[tuple[str, ...]] = []

    def briefings_at(due: datetime) -> TopicBriefings:
        windows.append(due)

        def briefing(topics: Sequence[str], filters: Filters | None = None, /) -> Briefing:
            assert filters in (None, NO_FILTERS)
            selections.append(tuple(topics))
            request = BriefingRequest(at=due, topics=tuple(topics))
            return assemble(store.articles, store.catalog, request)

        return briefing

    composer = DigestComposer(briefings_at)
    rng = random.Random(7)
    digests = {}
    chosen = {}
    for user in range(10_000):
        topics = list(rng.choice(topic_sets))
        rng.shuffle(topics)  # the same set in another order is the same digest
        zone = rng.choice(ZONES)
        chosen[user] = (tuple(topics), zone)
        digests[user] = composer.compose(tuple(topics), AT, zone)
    assert windows == [AT]
    assert composer.selected == len(selections) == len(set(selections)) <= len(topic_sets)
    pairs = {(frozenset(picked), zone) for picked, zone in chosen.values()}
    assert composer.distinct == len(pairs) > composer.selected
    for user in rng.sample(sorted(digests), 50):
        picked, zone = chosen[user]
        ordered = tuple(sorted(picked, key=topic_key))
        expected = render_briefing(
            assemble(store.articles, store.catalog, BriefingRequest(at=AT, topics=ordered)),
            heading=f"**Your daily digest** · {', '.join(ordered)}",
            zone=ZoneInfo(zone),
            feedback=True,
        )
        assert digests[user] == expected
    some_user = next(u for u, d in digests.items() if d)
    heading = digests[some_user][0].content
    assert heading is not None and heading.startswith("**Your daily digest** · ")


def test_subscribers_share_a_digest_only_with_the_same_filters() -> None:
    store = load_store(SAMPLE_STORE)
    selections: list[tuple[tuple[str, ...], Filters]] = []

    def briefings_at(due: datetime) -> TopicBriefings:
        def briefing(topics: Sequence[str], filters: Filters | None = None, /) -> Briefing:
            chosen = filters or NO_FILTERS
            selections.append((tuple(topics), chosen))
            request = BriefingRequest(at=due, topics=tuple(topics), filters=chosen)
            return assemble(store.articles, store.catalog, request)

        return briefing

    composer = DigestComposer(briefings_at)
    no_robots = Filters.parse(exclude="robot, robots")
    plain = composer.compose(("Robotics",), AT, "UTC")
    filtered = composer.compose(("Robotics",), AT, "UTC", no_robots)
    again = composer.compose(("Robotics",), AT, "UTC", Filters.parse(exclude="robot, robots"))
    assert again is filtered and plain != filtered
    assert selections == [(("Robotics",), NO_FILTERS), (("Robotics",), no_robots)]
    shown, before = "\n".join(all_texts(filtered)), "\n".join(all_texts(plain))
    assert contains(before, "robot") or contains(before, "robots")
    assert not contains(shown, "robot") and not contains(shown, "robots")


def test_signals_give_a_subscriber_their_own_order_and_the_others_share_theirs() -> None:
    store = load_store(SAMPLE_STORE)
    selected: list[tuple[str, ...]] = []

    def briefings_at(due: datetime) -> TopicBriefings:
        def briefing(topics: Sequence[str], filters: Filters | None = None, /) -> Briefing:
            selected.append(tuple(topics))
            request = BriefingRequest(
                at=due, topics=tuple(topics), per_topic=UNCAPPED, filters=filters or NO_FILTERS
            )
            return assemble(store.articles, store.catalog, request)

        return briefing

    composer = DigestComposer(briefings_at, per_topic=2)
    topics = ("Robotics", "Space")
    plain = composer.compose(topics, AT, "UTC")
    assert composer.compose(topics, AT, "UTC", signals=Signals()) is plain  # no signals: shared
    less_space = Signals.of(topics={"space": -1})
    personal = composer.compose(topics, AT, "UTC", signals=less_space)
    assert composer.compose(topics, AT, "UTC", signals=Signals.of(topics={"Space": -1})) is personal
    assert selected == [topics]  # one selection for all three
    assert composer.distinct == 2

    def section_titles(messages: list[OutgoingMessage]) -> list[str]:
        return [e.title or "" for m in messages for e in m.embeds]

    assert section_titles(plain) == ["Space", "Robotics"]  # the catalog's order
    assert section_titles(personal) == ["Robotics", "Space"]
    text = "\n".join(e.description or "" for m in personal for e in m.embeds)
    assert "*ranked down: you asked for less of Space*" in text
    # capped after the personal order, as the channel caps: 2 per topic, the rest counted
    plain_items = [item.title for m in plain for item in m.feedback]
    expected = assemble(
        store.articles, store.catalog, BriefingRequest(at=AT, topics=topics, per_topic=2)
    )
    assert plain_items == [story.lead.title for story in expected.stories]
