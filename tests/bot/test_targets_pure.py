"""The pure parts of where a briefing goes (:mod:`bot.targets`): what set-up refuses or warns
about, forum post titles, and which forum tags a post gets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import discord
from hypothesis import given
from hypothesis import strategies as st

from bot.targets import (
    MAX_TAGS,
    MAX_TITLE,
    TagChoice,
    TargetKind,
    check_target,
    describe_kind,
    fallback_tag,
    forum_tags,
    post_title,
)
from briefings.model import Catalog, Topic

CATALOG = Catalog(
    (
        Topic("Technology"),
        Topic("Artificial Intelligence", parent="Technology", shortname="AI"),
        Topic("Climate & Energy", parent="Technology", shortname="Climate"),
        Topic("Space", parent="Technology"),
    )
)
ALL = discord.Permissions.all()


def _without(**denied: bool) -> discord.Permissions:
    allowed = discord.Permissions.all()
    allowed.update(**dict.fromkeys(denied, False))
    return allowed


def test_what_setup_refuses_and_what_it_only_warns_about() -> None:
    assert check_target(TargetKind.TEXT, ALL, mention="#n", thread=True).warnings == ()
    assert check_target(None, ALL, mention="#v", thread=False).problem == (
        "#v is not a text, announcement or forum channel."
    )
    forum = check_target(TargetKind.FORUM, _without(send_messages=True), mention="#f", thread=False)
    assert forum.problem == "I can't post in #f: I need Create Posts there."
    text = check_target(
        TargetKind.TEXT, _without(view_channel=True, embed_links=True), mention="#n", thread=False
    )
    assert text.problem == "I can't post in #n: I need View Channel and Embed Links there."
    threads = check_target(
        TargetKind.ANNOUNCEMENT,
        _without(create_public_threads=True, send_messages_in_threads=True),
        mention="#a",
        thread=True,
    )
    assert threads.problem is None and len(threads.warnings) == 1
    assert "I need Create Public Threads and Send Messages in Threads there" in threads.warnings[0]
    long_post = check_target(
        TargetKind.FORUM,
        _without(send_messages_in_threads=True),
        mention="#f",
        thread=True,
        requires_tag=True,
    )
    assert long_post.problem is None and len(long_post.warnings) == 3
    assert "Send Messages in Posts" in long_post.warnings[0]
    assert "requires a tag" in long_post.warnings[1] and "changes nothing" in long_post.warnings[2]


def test_kinds_described() -> None:
    assert describe_kind(TargetKind.TEXT, thread=False) == "text channel"
    assert describe_kind(TargetKind.TEXT, thread=True) == "text channel, a thread per briefing"
    assert describe_kind(TargetKind.ANNOUNCEMENT, thread=True) == (
        "announcement channel: published to followers, a thread per briefing"
    )
    assert describe_kind(TargetKind.FORUM, thread=True) == "forum: one post per briefing"


def test_titles_name_the_schedule_and_the_local_date() -> None:
    due = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)
    assert post_title("morning", due, ZoneInfo("UTC")) == "morning · Tuesday 10 March 2026"
    assert post_title("morning", due, ZoneInfo("Asia/Tokyo")).endswith("Wednesday 11 March 2026")


@given(st.text(min_size=1, max_size=300))
def test_titles_stay_within_discords_100_characters(name: str) -> None:
    title = post_title(name, datetime(2026, 9, 30, tzinfo=UTC), ZoneInfo("UTC"))
    assert 1 <= len(title) <= MAX_TITLE and title.endswith("Wednesday 30 September 2026")


def test_tags_are_named_like_topics_shortnames_or_parents() -> None:
    tags = [TagChoice(1, "space"), TagChoice(2, "CLIMATE"), TagChoice(3, "Technology")]
    # exact name (any case), catalog shortname, then the parent topic's tag
    assert forum_tags(tags, ["Space", "Climate & Energy"], CATALOG) == (1, 2)
    assert forum_tags(tags, ["Artificial Intelligence"], CATALOG) == (3,)
    assert forum_tags(tags[:2], ["Artificial Intelligence", "General"], CATALOG) == ()
    moderated = [TagChoice(9, "Space", moderated=True)]
    assert forum_tags(moderated, ["Space"], CATALOG) == ()
    assert forum_tags(moderated, ["Space"], CATALOG, can_moderate=True) == (9,)


def test_a_forum_that_requires_a_tag_falls_back_to_its_first_tag_the_bot_may_apply() -> None:
    tags = [TagChoice(9, "Staff picks", moderated=True), TagChoice(1, "General"), TagChoice(2, "x")]
    assert fallback_tag(tags) == TagChoice(1, "General")
    assert fallback_tag(tags, can_moderate=True) == TagChoice(9, "Staff picks", moderated=True)
    assert fallback_tag(tags[:1]) is None and fallback_tag([]) is None


@dataclass(frozen=True)
class _Case:
    tags: list[TagChoice]
    topics: list[str]
    can_moderate: bool


_names = st.sampled_from(["Space", "space", "AI", "Climate", "Technology", "Robots", "Ünïcode"])
_cases = st.builds(
    _Case,
    tags=st.lists(
        st.builds(TagChoice, st.integers(1, 30), _names, st.booleans()),
        max_size=20,
        unique_by=lambda t: t.id,
    ),
    topics=st.lists(_names | st.text(max_size=10), max_size=12),
    can_moderate=st.booleans(),
)


@given(_cases)
def test_tags_are_few_distinct_offered_and_allowed(case: _Case) -> None:
    chosen = forum_tags(case.tags, case.topics, CATALOG, can_moderate=case.can_moderate)
    by_id = {tag.id: tag for tag in case.tags}
    assert len(chosen) <= MAX_TAGS and len(set(chosen)) == len(chosen)
    assert all(t in by_id and (case.can_moderate or not by_id[t].moderated) for t in chosen)

    # each tag is some topic's own tag, in the order of the topics; below the cap, every
    # topic that has a tag got it
    def own(topic: str) -> tuple[int, ...]:
        return forum_tags(case.tags, [topic], CATALOG, can_moderate=case.can_moderate)

    firsts = [own(topic) for topic in case.topics]
    expected = list(dict.fromkeys(tag for tags in firsts for tag in tags))[:MAX_TAGS]
    assert list(chosen) == expected
