"""DM fan-out: many subscribers, each distinct digest selected and rendered once."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime

from bot.digests import DigestComposer
from briefings.briefing import Briefing, BriefingRequest, assemble
from briefings.store import load_store
from tests.conftest import SAMPLE_STORE

AT = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)


def test_ten_thousand_subscribers_share_their_digests() -> None:
    store = load_store(SAMPLE_STORE)
    names = [t.name for t in store.catalog.topics if t.parent]
    topic_sets = [combo for size in (1, 2) for combo in itertools.combinations(names, size)]
    calls: list[tuple[str, ...]] = []

    def briefing_for(due: datetime, topics: tuple[str, ...]) -> Briefing:
        calls.append(topics)
        return assemble(store.articles, store.catalog, BriefingRequest(at=due, topics=topics))

    composer = DigestComposer(briefing_for)
    rng = random.Random(7)
    digests = {}
    for user in range(10_000):
        topics = list(rng.choice(topic_sets))
        rng.shuffle(topics)  # the same set in another order is the same digest
        digests[user] = composer.compose(tuple(topics), AT, "UTC")
    assert composer.distinct == len(calls) <= len(topic_sets)
    assert len(calls) == len(set(calls))
    some_user = next(u for u, d in digests.items() if d)
    heading = digests[some_user][0].content
    assert heading is not None and heading.startswith("**Your daily digest** · ")
