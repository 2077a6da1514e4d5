"""Which roles a briefing mentions (:mod:`bot.pings`), how the mention line is rendered, and
the ``allowed_mentions`` each message is sent with: examples and properties."""

from __future__ import annotations

import re

import discord
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot._limits import CONTENT_LIMIT
from bot.pings import MAX_PINGS, mention_line, roles_to_ping, shown_topics
from bot.rendering import render_briefing
from bot.sending import allowed_mentions
from bot.state.pings import RolePing
from briefings.briefing import Briefing, Section, Story
from briefings.model import Catalog, Topic
from tests.bot.test_rendering import (
    END,
    PARIS,
    PROPERTY,
    START,
    all_texts,
    art,
    assert_inert,
    briefings,
    check_messages,
)

CATALOG = Catalog(
    (
        Topic("Technology"),
        Topic("Space", parent="Technology"),
        Topic("Climate & Energy", parent="Technology", shortname="Climate"),
        Topic("Rockets", parent="Space"),
    )
)
SPACE, CLIMATE, TECH, ROCKETS = 101, 102, 103, 104


def _story(topic: str) -> Story:
    return Story(art(f"News of {topic}"), topic=topic)


def _briefing(*sections: str, top: tuple[str, ...] = ()) -> Briefing:
    return Briefing(
        START,
        END,
        tuple(Section(name, (_story(name),)) for name in sections),
        tuple(_story(name) for name in top),
    )


def _ping(topic: str, role: int) -> RolePing:
    return RolePing(1, topic, role)


PINGS = (_ping("Space", SPACE), _ping("climate", CLIMATE))


def test_only_the_roles_of_the_sections_shown_are_mentioned() -> None:
    assert roles_to_ping(_briefing("Space"), PINGS, CATALOG) == (SPACE,)
    assert roles_to_ping(_briefing("Climate & Energy", "Space"), PINGS, CATALOG) == (
        CLIMATE,
        SPACE,
    )  # in the order of the post
    assert roles_to_ping(_briefing("Robotics", "General"), PINGS, CATALOG) == ()
    assert roles_to_ping(_briefing(), PINGS, CATALOG) == ()
    assert roles_to_ping(_briefing("Space"), (), CATALOG) == ()


def test_a_topic_only_among_the_top_stories_counts_and_empty_sections_do_not() -> None:
    assert roles_to_ping(_briefing("Robotics", top=("Space",)), PINGS, CATALOG) == (SPACE,)
    empty = Briefing(START, END, (Section("Space", (), omitted=3),))
    assert shown_topics(empty) == [] and roles_to_ping(empty, PINGS, CATALOG) == ()


def test_a_topic_covers_its_descendants_not_its_parent() -> None:
    pings = (_ping("Technology", TECH), _ping("Rockets", ROCKETS))
    assert roles_to_ping(_briefing("Space"), pings, CATALOG) == (TECH,)
    assert roles_to_ping(_briefing("Rockets"), pings, CATALOG) == (TECH, ROCKETS)
    assert roles_to_ping(_briefing("Space"), (_ping("Rockets", ROCKETS),), CATALOG) == ()
    # without a catalog a topic covers itself only
    assert roles_to_ping(_briefing("Space"), pings, Catalog()) == ()


def test_a_role_is_mentioned_once_and_deleted_roles_not_at_all() -> None:
    same = (_ping("Space", SPACE), _ping("Climate", SPACE))
    assert roles_to_ping(_briefing("Space", "Climate & Energy"), same, CATALOG) == (SPACE,)
    both = _briefing("Space", "Climate & Energy")
    assert roles_to_ping(both, PINGS, CATALOG, existing={CLIMATE, 999}) == (CLIMATE,)
    assert roles_to_ping(both, PINGS, CATALOG, existing=set()) == ()


TOPICS = ["Space", "Climate & Energy", "Robotics", "General", "AI"]


@given(
    st.lists(st.sampled_from(TOPICS), unique=True, max_size=5),
    st.lists(st.sampled_from(TOPICS), unique=True, max_size=3),
    st.lists(st.tuples(st.sampled_from(TOPICS), st.integers(1, 6)), max_size=8),
)
def test_property_a_role_is_mentioned_iff_one_of_its_topics_is_shown(
    sections: list[str], top: list[str], configured: list[tuple[str, int]]
) -> None:
    pings = tuple(_ping(topic, role) for topic, role in configured)
    roles = roles_to_ping(_briefing(*sections, top=tuple(top)), pings, Catalog())
    shown = set(sections) | set(top)
    assert len(roles) == len(set(roles))
    assert set(roles) == {role for topic, role in configured if topic in shown}


def test_the_mention_line_follows_the_heading_on_the_first_message_only() -> None:
    briefing = Briefing(
        START, END, tuple(Section(f"T{i}", tuple(_story("x") for _ in range(30))) for i in range(6))
    )
    messages = render_briefing(
        briefing, heading="**Daily briefing**", zone=PARIS, ping_roles=[7, 8, 7]
    )
    assert len(messages) > 1
    assert messages[0].content == "**Daily briefing**\n<@&7> <@&8>"
    assert messages[0].ping_roles == (7, 8)
    assert all(m.ping_roles == () and m.content is None for m in messages[1:])
    plain = render_briefing(briefing, heading="**Daily briefing**", zone=PARIS)
    assert plain[0].content == "**Daily briefing**" and plain[0].ping_roles == ()
    assert render_briefing(_briefing(), heading="h", zone=PARIS, ping_roles=[7]) == []
    with pytest.raises(ValueError, match="too many"):
        render_briefing(briefing, heading="h", zone=PARIS, ping_roles=range(1, 200))


def test_a_long_heading_is_shortened_never_the_mentions() -> None:
    roles = [10**18 + i for i in range(MAX_PINGS)]  # snowflakes of today's length
    line = mention_line(roles)
    messages = render_briefing(_briefing("Space"), heading="H" * 5000, zone=PARIS, ping_roles=roles)
    content = messages[0].content
    assert content is not None and len(content) == CONTENT_LIMIT
    assert content.endswith("…\n" + line) and messages[0].ping_roles == tuple(roles)


@PROPERTY
@given(briefings(), st.lists(st.integers(1, 2**63 - 1), max_size=MAX_PINGS), st.text())
def test_property_only_the_mention_line_can_mention_anyone(
    briefing: Briefing, roles: list[int], heading: str
) -> None:
    heading = "**Briefing** " + re.sub(r"[<@]", "", heading)  # a heading is ours, never hostile
    messages = render_briefing(briefing, heading=heading, zone=PARIS, ping_roles=roles)
    if not messages:
        return
    check_messages(messages)
    wanted = tuple(dict.fromkeys(roles))
    assert messages[0].ping_roles == wanted
    assert all(not m.ping_roles for m in messages[1:])
    first = messages[0].content or ""
    if wanted:
        assert first.endswith("\n" + mention_line(wanted))
        first = first[: -len(mention_line(wanted))]
    for text in [first, *all_texts(messages)[1:]]:
        assert_inert(text)


def test_allowed_mentions_name_exactly_the_message_roles() -> None:
    [first, *_] = render_briefing(_briefing("Space"), heading="h", zone=PARIS, ping_roles=[5, 6])
    # no "everyone"/"users" in parse, and no replied_user (Discord's default: false)
    assert dict(allowed_mentions(first).to_dict()) == {"parse": [], "roles": [5, 6]}
    [plain] = render_briefing(_briefing("Space"), heading="h", zone=PARIS)
    assert allowed_mentions(plain).to_dict() == discord.AllowedMentions.none().to_dict()
