"""Tests of bot.rendering, bot.search_rendering and bot.topic_rendering:
Discord's limits, inert untrusted text, determinism and the layout."""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import discord
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot._limits import (
    AUTHOR_NAME_LIMIT,
    CONTENT_LIMIT,
    DESCRIPTION_LIMIT,
    EMBEDS_PER_MESSAGE_LIMIT,
    FIELD_COUNT_LIMIT,
    FIELD_NAME_LIMIT,
    FIELD_VALUE_LIMIT,
    FOOTER_LIMIT,
    MESSAGE_EMBED_CHARS_LIMIT,
    TITLE_LIMIT,
    URL_LIMIT,
    ZWSP,
    link_target,
)
from bot.rendering import OutgoingMessage, pack_embeds, render_briefing, safe_text
from bot.search_rendering import page_count, render_search_page
from bot.topic_rendering import render_subscriptions, render_topics
from briefings.briefing import Briefing, Section, Story
from briefings.excerpts import BriefingLength
from briefings.index import HIGHLIGHT_END, HIGHLIGHT_START, SearchHit, SearchResults
from briefings.model import Article, Provider, RelatedArticle
from briefings.topics import TopicSummary

END = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
START = END - timedelta(hours=24)
PARIS = ZoneInfo("Europe/Paris")
S, E = HIGHLIGHT_START, HIGHLIGHT_END

# --------------------------------------------------------------------------- builders


def art(
    title: str = "A title",
    url: str | None = "https://news.example/a",
    provider: str | None = "Example News",
    published_at: datetime = datetime(2026, 3, 10, 6, 45, tzinfo=UTC),
    excerpt: str = "",
    updated_at: datetime | None = None,
) -> Article:
    return Article(
        path="news/a.md",
        title=title,
        excerpt=excerpt,
        published_at=published_at,
        url=url,
        published=True,
        provider=Provider(provider) if provider else None,
        updated_at=updated_at,
    )


def brief(*sections: Section) -> Briefing:
    return Briefing(START, END, tuple(sections))


def hit(
    title: str = "Robots",
    snippet: str = f"the {S}robots{E} are here",
    url: str | None = "https://news.example/r",
    provider: str = "Example",
) -> SearchHit:
    return SearchHit(
        path="p.md",
        title=title,
        url=url,
        provider=provider,
        quality=1,
        heat=1,
        published_at=datetime(2026, 3, 9, 23, 30, tzinfo=UTC),
        topics=("AI",),
        published=True,
        snippet=snippet,
    )


# --------------------------------------------------------------------------- checkers


def embed_texts(embed: discord.Embed) -> list[str]:
    data = embed.to_dict()
    texts = [data.get("title", ""), data.get("description", "")]
    for field in data.get("fields", []):
        texts += [field["name"], field["value"]]
    texts.append(data.get("footer", {}).get("text", ""))
    texts.append(data.get("author", {}).get("name", ""))
    return texts


def discord_total(embeds: Iterable[discord.Embed]) -> int:
    """Discord's 6000-character rule, computed independently of the code under test."""
    total = 0
    for embed in embeds:
        data = embed.to_dict()
        total += len(data.get("title", "")) + len(data.get("description", ""))
        total += sum(len(f["name"]) + len(f["value"]) for f in data.get("fields", []))
        total += len(data.get("footer", {}).get("text", ""))
        total += len(data.get("author", {}).get("name", ""))
    return total


def check_embed(embed: discord.Embed) -> None:
    data = embed.to_dict()
    assert len(data.get("title", "")) <= TITLE_LIMIT
    assert len(data.get("description", "")) <= DESCRIPTION_LIMIT
    assert len(data.get("fields", [])) <= FIELD_COUNT_LIMIT
    for field in data.get("fields", []):
        assert 0 < len(field["name"]) <= FIELD_NAME_LIMIT
        assert 0 < len(field["value"]) <= FIELD_VALUE_LIMIT
    assert len(data.get("footer", {}).get("text", "")) <= FOOTER_LIMIT
    assert len(data.get("author", {}).get("name", "")) <= AUTHOR_NAME_LIMIT
    assert discord_total([embed]) <= MESSAGE_EMBED_CHARS_LIMIT
    assert data.get("title") or data.get("description"), "an embed must show something"


def check_messages(messages: Sequence[OutgoingMessage]) -> None:
    for message in messages:
        assert message.content is None or 0 < len(message.content) <= CONTENT_LIMIT
        assert 1 <= len(message.embeds) <= EMBEDS_PER_MESSAGE_LIMIT
        assert discord_total(message.embeds) <= MESSAGE_EMBED_CHARS_LIMIT
        for embed in message.embeds:
            check_embed(embed)


LINK = re.compile(r"\]\((https?://[^)\s]*)\)")
UNESCAPED_LINK_START = re.compile(r"(?<!\\)(?:\\\\)*\]\(")
MENTION = re.compile(r"<[@#/]|@(?:everyone|here)", re.IGNORECASE)
INVITE = re.compile(r"(?:discord(?:app)?|dsc)\s*\.\s*(?:gg|com|io|me|li|new)\b", re.IGNORECASE)


def assert_inert(text: str) -> None:
    """No mention or invite outside link targets; every unescaped link goes to http(s)."""
    for match in UNESCAPED_LINK_START.finditer(text):
        assert LINK.match(text, match.end() - 2), f"a link that is not ours: {text!r}"
    visible = LINK.sub("](URL)", text)
    assert not MENTION.search(visible), visible
    assert not INVITE.search(visible), visible


def all_texts(messages: Sequence[OutgoingMessage]) -> list[str]:
    texts = [m.content for m in messages if m.content]
    for message in messages:
        for embed in message.embeds:
            texts += embed_texts(embed)
    return texts


def desc(embed: discord.Embed) -> str:
    return embed.description or ""


def foot(embed: discord.Embed) -> str:
    return embed.footer.text or ""


def snapshot(messages: Sequence[OutgoingMessage]) -> list[tuple[str | None, list[object]]]:
    return [(m.content, [e.to_dict() for e in m.embeds]) for m in messages]


# --------------------------------------------------------------------------- example tests


def test_a_story_renders_title_link_provider_time_also_and_related() -> None:
    story = Story(
        art("Robots learn to walk", "https://news.example/robots"),
        also=(art("Same", "https://other.example/r", provider="Other Daily"),),
        related=(
            RelatedArticle("Background piece", "https://third.example/bg", Provider("Third")),
        ),
    )
    [message] = render_briefing(brief(Section("Robotics", (story,))), heading="Hi", zone=PARIS)
    assert message.content == "Hi"
    [embed] = message.embeds
    assert embed.title == "Robotics"
    assert embed.description == (
        "[**Robots learn to walk**](https://news.example/robots)\n"
        "Example News · 07:45\n"
        "also: [Other Daily](https://other.example/r)\n"
        "related: [Background piece](https://third.example/bg) (Third)"
    )
    assert embed.footer.text == "1 story in 1 topic · window 2026-03-09 09:00–2026-03-10 09:00 CET"


EXCERPT = "Dr. Lee's team built it in Ohio. It walks 3.5 km. Nobody expected that."


def test_top_stories_come_first_then_sections_with_excerpts_per_length() -> None:
    top = Story(
        art("Robots learn to walk", "https://news.example/robots", excerpt=EXCERPT),
        also=(
            art("Same", "https://other.example/r", provider="Other Daily"),
            art("Same", "https://third.example/r", provider=None),
        ),
        topic="Robotics",
    )
    below = Story(art("Rain", "https://news.example/rain", excerpt="Rain."), topic="Weather")
    briefing = Briefing(START, END, (Section("Weather", (below,)),), (top,))

    def descriptions(length: BriefingLength) -> list[tuple[str | None, str]]:
        [message] = render_briefing(briefing, heading="Hi", zone=PARIS, length=length)
        return [(embed.title, desc(embed)) for embed in message.embeds]

    also = "also: [Other Daily](https://other.example/r), [third.example](https://third.example/r)"
    assert descriptions(BriefingLength.HEADLINES) == [
        (
            "Top stories",
            "[**Robots learn to walk**](https://news.example/robots)\n"
            f"Robotics · Example News · 07:45\n{also}",
        ),
        # an excerpt that only repeats the title is never shown
        ("Weather", "[**Rain**](https://news.example/rain)\nExample News · 07:45"),
    ]
    short = descriptions(BriefingLength.SHORT)[0][1].splitlines()
    assert short[2] == "Dr. Lee's team built it in Ohio."
    full = descriptions(BriefingLength.FULL)[0][1].splitlines()
    assert full[2] == "Dr. Lee's team built it in Ohio. It walks 3.5 km."
    assert full[3] == also
    [message] = render_briefing(briefing, heading="Hi", zone=PARIS)
    assert foot(message.embeds[-1]).startswith("2 stories in 2 topics")
    assert message.embeds[0].footer.text is None


def test_a_long_first_sentence_is_cut_at_a_word_and_escaped() -> None:
    long = "The *bold* claim " + "goes on " * 80 + "and ends."
    story = Story(art("T", "https://news.example/t", excerpt=long))
    [message] = render_briefing(
        brief(Section("AI", (story,))), heading="h", zone=UTC, length=BriefingLength.SHORT
    )
    line = desc(message.embeds[0]).splitlines()[2]
    assert line.startswith(r"The \*bold\* claim goes on") and line.endswith("on…")
    assert len(line) <= 310


def test_an_updated_story_says_so_with_its_update_time() -> None:
    updated = art(updated_at=datetime(2026, 3, 10, 7, 10, tzinfo=UTC))
    stories = (Story(updated, updated=True), Story(art("B", "https://b.example/"), updated=True))
    [message] = render_briefing(brief(Section("AI", stories)), heading="h", zone=PARIS)
    lines = desc(message.embeds[0]).splitlines()
    assert lines[1] == "Example News · 07:45 · **Updated** 08:10"
    assert lines[4] == "Example News · 07:45 · **Updated**"


def test_an_empty_briefing_renders_nothing() -> None:
    assert render_briefing(brief(), heading="Hi", zone=UTC) == []


def test_an_older_story_shows_its_date_and_a_missing_provider_is_left_out() -> None:
    lead = art(provider=None, published_at=datetime(2026, 3, 9, 22, 30, tzinfo=UTC))
    [message] = render_briefing(brief(Section("AI", (Story(lead),))), heading="h", zone=PARIS)
    assert desc(message.embeds[0]).splitlines()[1] == "Mar 9, 23:30"


def test_omitted_stories_are_announced_and_counts_pluralise() -> None:
    sections = (
        Section("AI", (Story(art("One", "https://a.example/1")),), omitted=3),
        Section("Space", (Story(art("Two", "https://a.example/2")),)),
    )
    [message] = render_briefing(brief(*sections), heading="h", zone=UTC)
    assert desc(message.embeds[0]).endswith("\n\n+3 more in AI")
    assert foot(message.embeds[-1]).startswith("2 stories in 2 topics · window ")
    assert message.embeds[0].footer.text is None


def test_a_long_section_continues_in_further_embeds_and_messages() -> None:
    stories = tuple(
        Story(art(f"Story {i} " + "x" * 200, f"https://news.example/{i}")) for i in range(120)
    )
    messages = render_briefing(brief(Section("AI", stories)), heading="Daily", zone=UTC)
    check_messages(messages)
    embeds = [e for m in messages for e in m.embeds]
    assert len(messages) > 1
    assert embeds[0].title == "AI"
    assert all(e.title == "AI (continued)" for e in embeds[1:])
    assert [m.content for m in messages] == ["Daily"] + [None] * (len(messages) - 1)
    text = "\n".join(desc(e) for e in embeds)
    positions = [text.index(f"](https://news.example/{i})") for i in range(120)]
    assert positions == sorted(positions), "stories keep their order"
    assert foot(embeds[-1]).startswith("120 stories in 1 topic")
    assert all(e.footer.text is None for e in embeds[:-1])


def test_the_heading_is_truncated_to_the_content_limit() -> None:
    section = Section("AI", (Story(art()),))
    [message] = render_briefing(brief(section), heading="h" * 5000, zone=UTC)
    assert message.content is not None
    assert len(message.content) == CONTENT_LIMIT
    assert message.content.endswith("…")


def test_markdown_in_titles_is_escaped_and_newlines_collapse() -> None:
    title = "**Bold** _it_ ~~s~~ ||spoiler|| `code`\n# heading\n> quote [x](https://evil.example)"
    [message] = render_briefing(
        brief(Section("AI", (Story(art(title, "https://ok.example/a")),))), heading="h", zone=UTC
    )
    line = desc(message.embeds[0]).splitlines()[0]
    assert line == (
        r"[**\*\*Bold\*\* \_it\_ \~\~s\~\~ \|\|spoiler\|\| \`code\` # heading > quote "
        r"\[x\](https://evil.example)**](https://ok.example/a)"
    )
    assert_inert(line)


def test_mentions_and_invites_in_article_text_are_broken_but_the_article_link_is_kept() -> None:
    title = "@everyone @here <@123> <@!5> <@&77> <#9> join discord.gg/abc discord.com/invite/x"
    lead = art(title, "https://discord.gg/official", provider="@everyone news")
    [message] = render_briefing(brief(Section("<@&1>", (Story(lead),))), heading="h", zone=UTC)
    embed = message.embeds[0]
    assert embed.title == f"<{ZWSP}@&1>"
    assert "](https://discord.gg/official)" in desc(embed)
    assert f"@{ZWSP}everyone @{ZWSP}here <{ZWSP}@" in desc(embed)
    assert f"discord{ZWSP}.gg/abc" in desc(embed)
    for text in embed_texts(embed):
        assert_inert(text)


def test_link_targets_are_http_only_and_cannot_end_the_link_early() -> None:
    assert link_target("https://a.example/x_(y) z") == "https://a.example/x_%28y%29%20z"
    assert link_target("HTTP://A.example/") == "HTTP://A.example/"
    for bad in ("javascript:alert(1)", "ftp://a.example/", "//a.example/x", "https://", None, ""):
        assert link_target(bad) is None
    assert link_target("https://a.example/" + "x" * URL_LIMIT) is None
    lead = art("Click", "javascript:alert(1)")
    [message] = render_briefing(brief(Section("AI", (Story(lead),))), heading="h", zone=UTC)
    assert desc(message.embeds[0]).startswith("**Click**\n")


def test_a_huge_title_is_shortened_and_its_link_kept() -> None:
    url = "https://news.example/" + "p" * 2000
    [message] = render_briefing(
        brief(Section("AI", (Story(art("t" * 5000, url)),))), heading="h", zone=UTC
    )
    line = desc(message.embeds[0]).splitlines()[0]
    assert line.endswith(f"…**]({url})")
    assert len(line) < 2400


def test_a_very_long_also_list_wraps_over_lines_and_embeds() -> None:
    also = tuple(
        art("x", f"https://o{i}.example/{'q' * 1500}", provider=f"P{i}") for i in range(12)
    )
    story = Story(art("Lead", "https://news.example/lead"), also=also)
    messages = render_briefing(brief(Section("AI", (story,))), heading="h", zone=UTC)
    check_messages(messages)
    text = "\n".join(desc(e) for m in messages for e in m.embeds)
    assert all(f"[P{i}](https://o{i}.example/" in text for i in range(12))
    assert text.count("also: ") > 1


def test_safe_text_never_cuts_an_escape_and_respects_the_limit() -> None:
    assert safe_text("****", 6) == "\\*\\*…"
    assert safe_text("a\nb\tc", 10) == "a b c"
    assert safe_text("   ", 10) == ""
    assert safe_text("anything", 0) == ""
    assert safe_text("@everyone", 3) == f"@{ZWSP}…"


# --------------------------------------------------------------------------- search


def test_a_search_page_shows_hits_with_bold_highlights_and_a_footer() -> None:
    results = SearchResults("robots *", 12, (hit(snippet=f"the {S}robots{E} _are_ here"),))
    embed = render_search_page(results, page=1, page_size=5, zone=PARIS)
    assert embed.title == r"Search: robots \*"
    assert embed.description == (
        "**6.** [**Robots**](https://news.example/r)\n"
        "Example · 2026-03-10\n"
        r"the **robots** \_are\_ here"
    )
    assert embed.footer.text == "Page 2/3 · 12 results"
    check_embed(embed)


def test_a_search_message_or_no_hits_says_so() -> None:
    embed = render_search_page(
        SearchResults("+", 0, (), message="Nothing to search for."), page=0, page_size=5, zone=UTC
    )
    assert embed.description == "Nothing to search for."
    assert embed.footer.text is None
    empty = render_search_page(SearchResults("zz", 0, ()), page=0, page_size=5, zone=UTC)
    assert empty.description == "No articles match this search."
    beyond = render_search_page(SearchResults("zz", 3, ()), page=4, page_size=5, zone=UTC)
    assert "page 5" in desc(beyond)
    assert beyond.footer.text == "Page 5/1 · 3 results"


def test_a_truncated_snippet_never_leaves_bold_open() -> None:
    snippet = "word " * 50 + f"{S}{'long' * 900}{E} tail"
    results = SearchResults("q", 1, tuple(hit(snippet=snippet) for _ in range(5)))
    embed = render_search_page(results, page=0, page_size=5, zone=UTC)
    check_embed(embed)
    for block in desc(embed).split("\n\n"):
        snippet_line = block.splitlines()[-1]
        assert snippet_line.endswith("…")
        assert snippet_line.count("**") % 2 == 0


def test_highlights_cannot_glue_a_mention_together() -> None:
    snippet = f"x<{E}@&1> {S}{E}@{S}everyone{E} <{S}#{E}9> discord.{S}gg{E}/a"
    embed = render_search_page(
        SearchResults("q", 1, (hit(snippet=snippet),)), page=0, page_size=1, zone=UTC
    )
    for text in embed_texts(embed):
        assert_inert(text)


@pytest.mark.parametrize(
    ("total", "size", "pages"),
    [(0, 5, 1), (1, 5, 1), (5, 5, 1), (6, 5, 2), (-3, 5, 1), (51, 10, 6)],
)
def test_page_count(total: int, size: int, pages: int) -> None:
    assert page_count(total, size) == pages


def test_page_count_and_search_reject_bad_page_sizes() -> None:
    with pytest.raises(ValueError, match="page_size"):
        page_count(3, 0)
    with pytest.raises(ValueError, match="page_size"):
        render_search_page(SearchResults("q", 0, ()), page=0, page_size=100, zone=UTC)


# --------------------------------------------------------------------------- topics, subscriptions


def test_topics_show_children_under_their_parent_with_counts() -> None:
    summaries = [
        TopicSummary("AI", None, "All of *AI*", 10, 8),
        TopicSummary("Space", None, "", 1, 1),
        TopicSummary("Robotics", "AI", "Robots", 4, 3),
    ]
    [embed] = render_topics(summaries)
    assert embed.title == "Topics"
    assert desc(embed).splitlines() == [
        r"**AI** · 10 articles, 8 published — All of \*AI\*",
        "└ **Robotics** · 4 articles, 3 published — Robots",
        "**Space** · 1 article, 1 published",
    ]
    assert render_topics([])[0].description == "There are no topics yet."


def test_many_topics_split_across_embeds_that_pack_into_valid_messages() -> None:
    summaries = [TopicSummary(f"Topic {i} " + "n" * 90, None, "d" * 300, i, i) for i in range(400)]
    embeds = render_topics(summaries)
    assert len(embeds) > 1
    assert embeds[1].title == "Topics (continued)"
    text = "\n".join(desc(e) for e in embeds)
    assert all(f"**Topic {i} " in text for i in range(400))
    check_messages(pack_embeds(embeds))


def test_subscriptions_show_topics_time_and_status() -> None:
    embed = render_subscriptions(["AI", "Space_X"], "08:00", "Europe/Paris", None)
    assert embed.description == "• AI\n• Space\\_X"
    assert [(f.name, f.value) for f in embed.fields] == [
        ("Daily digest", "08:00 (Europe/Paris)"),
        ("Status", "Active"),
    ]
    paused = render_subscriptions([], "08:00", "UTC", "I cannot DM you <@1>")
    assert paused.description == "Not subscribed to any topic."
    assert paused.fields[1].value == f"Paused — I cannot DM you <{ZWSP}@1>"


def test_many_subscriptions_are_counted_not_dropped_silently() -> None:
    topics = [f"topic-{i}-" + "x" * 80 for i in range(200)]
    embed = render_subscriptions(topics, "08:00", "UTC", "r" * 5000)
    check_embed(embed)
    shown = desc(embed).splitlines()
    match = re.fullmatch(r"…and (\d+) more", shown[-1])
    assert match is not None
    more = int(match.group(1))
    assert len(shown) - 1 + more == 200


# --------------------------------------------------------------------------- properties

FRAGMENTS = [
    "*", "_", "~", "|", ">", "#", "`", "\\", "**", "__", "~~", "||", "```", "> ", "# ", "### ",
    "- ", "-# ", "1. ", "+ ", "+3 more in X", "@everyone", "@here", "@EveryOne", "<@&123>",
    "<@!5>", "<@42>", "<#9>", "</cmd:1>", "<", "@", "discord.gg/abc", "https://discord.gg/xyz",
    "discord.com/invite/q", "discordapp.com/invite/z", "[x](https://evil.example)",
    "[y](javascript:alert(1))", "](", ")", "(", "[", "]", "\n", "\r\n", "\t", "\x00", "😀",
    "👨‍👩‍👧", "e\u0301", "שלום", "مرحبا", "\u202e", ZWSP, " ", "word", "https://x.example/a_b",
]  # fmt: skip
fragments = st.sampled_from(FRAGMENTS)
hostile = st.one_of(
    st.lists(fragments, max_size=15).map("".join),
    st.text(max_size=40),
    st.tuples(fragments, st.integers(1, 5000)).map(lambda t: (t[0] * t[1])[:5000]),
)
URL_TAILS = ["", "a)b", "(x)", "a b", "@everyone", "<@&1>", "%29", "ü", "\\", "`", "q" * 1500]
moments = st.datetimes(
    min_value=datetime(2026, 3, 9, 8, 1),
    max_value=datetime(2026, 3, 10, 8, 0),
    timezones=st.just(UTC),
)


@st.composite
def briefings(draw: st.DrawFn) -> Briefing:
    """Up to 30 sections of up to 30 stories; texts come from a drawn pool of hostile strings.

    Drawing every story's fields one by one makes Hypothesis slow and keeps briefings small,
    so the shape and the pool are drawn and a seeded generator combines them.
    """
    pool = draw(st.lists(hostile, min_size=1, max_size=8))
    counts = draw(
        st.one_of(
            st.lists(st.integers(0, 30), min_size=1, max_size=30),
            st.tuples(st.integers(1, 30), st.integers(0, 30)).map(lambda t: [t[1]] * t[0]),
        )
    )
    rng = random.Random(draw(st.integers(0, 2**32)))
    moment = draw(moments)

    def text() -> str:
        return rng.choice(pool)

    def url(s: int, i: int) -> str | None:
        choice = rng.randrange(12)
        if choice == 0:
            return rng.choice(["javascript:alert(1)", "ftp://news.example/x", None])
        return f"https://news.example/{s}/{i}/{rng.choice(URL_TAILS)}"

    def article(link: str | None) -> Article:
        provider = rng.choice([None, "", text()])
        published = moment - timedelta(hours=rng.randrange(30))
        excerpt = rng.choice(["", text(), " ".join(text() for _ in range(30))])
        updated = rng.choice([None, published + timedelta(minutes=rng.randrange(600))])
        return art(text(), link, provider, published, excerpt, updated)

    def story(s: int, i: int) -> Story:
        also = tuple(
            article(f"https://o{k}.example/{rng.choice(URL_TAILS)}")
            for k in range(rng.randrange(4))
        )
        related = tuple(
            RelatedArticle(text(), f"https://r.example/{s}/{i}/{k})", Provider(text()))
            for k in range(rng.randrange(3))
        )
        return Story(article(url(s, i)), also, related, text(), rng.random() < 0.2)

    sections = []
    for s, count in enumerate(counts):
        stories = [story(s, i) for i in range(count)]
        sections.append(Section(text(), tuple(stories), rng.choice([0, 0, 1, 40])))
    top = tuple(story(-1, i) for i in range(draw(st.sampled_from([0, 0, 1, 3, 12]))))
    return Briefing(START, END, tuple(sections), top)


PROPERTY = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)


def check_briefing(briefing: Briefing, length: BriefingLength = BriefingLength.HEADLINES) -> None:
    messages = render_briefing(briefing, heading="**Daily briefing**", zone=PARIS, length=length)
    if not briefing.top_stories and not any(s.stories or s.omitted for s in briefing.sections):
        assert messages == []
        return
    check_messages(messages)
    assert messages[0].content == "**Daily briefing**"
    embeds = [e for m in messages for e in m.embeds]
    assert (embeds[0].title == "Top stories") == bool(briefing.top_stories)
    assert foot(embeds[-1]).startswith(f"{briefing.story_count} stor")
    descriptions = "\n".join(desc(e) for e in embeds)
    for story in briefing.stories:
        target = link_target(story.lead.url)
        if target is not None:
            assert f"]({target})" in descriptions
    omitted = [s for s in briefing.sections if s.omitted]
    assert len(re.findall(r"^\+\d+ more in ", descriptions, re.MULTILINE)) == len(omitted)
    story_lines = re.findall(r"^(?:\[\*\*|\*\*)", descriptions, re.MULTILINE)
    assert len(story_lines) == briefing.story_count
    assert descriptions.count("**Updated**") == sum(s.updated for s in briefing.stories)
    for text in all_texts(messages):
        assert_inert(text)
    again = render_briefing(briefing, heading="**Daily briefing**", zone=PARIS, length=length)
    assert snapshot(again) == snapshot(messages)


@PROPERTY
@given(briefings())
def test_property_any_briefing_fits_discord_shows_every_story_and_is_inert(
    briefing: Briefing,
) -> None:
    for length in BriefingLength:
        check_briefing(briefing, length)


def test_the_largest_hostile_briefing_fits() -> None:
    hostile_title = "".join(FRAGMENTS) * 40
    updated = datetime(2026, 3, 10, 7, 0, tzinfo=UTC)

    def story(s: int, i: int) -> Story:
        return Story(
            art(
                hostile_title[: 5000 - i],
                f"https://n.example/{s}/{i}/{'a)' * 700}",
                hostile_title,
                excerpt=hostile_title,
                updated_at=updated,
            ),
            also=tuple(art("x", f"https://o.example/{s}/{i}/{k}", hostile_title) for k in range(5)),
            related=tuple(
                RelatedArticle(
                    hostile_title, f"https://r.example/{s}/{i}/{k}", Provider(hostile_title)
                )
                for k in range(5)
            ),
            topic=hostile_title,
            updated=True,
        )

    sections = tuple(
        Section(hostile_title, tuple(story(s, i) for i in range(30)), omitted=99) for s in range(30)
    )
    briefing = Briefing(START, END, sections, tuple(story(-1, i) for i in range(3)))
    check_briefing(briefing, BriefingLength.FULL)  # the longest layout (all lengths: above)


@PROPERTY
@given(st.text(), st.integers(0, 300))
def test_property_safe_text_is_bounded_and_inert(text: str, limit: int) -> None:
    shown = safe_text(text, limit)
    assert len(shown) <= limit
    assert "\n" not in shown
    assert_inert(shown)
    assert shown == safe_text(text, limit)
    if shown.endswith("…"):
        trailing = len(shown[:-1]) - len(shown[:-1].rstrip("\\"))
        assert trailing % 2 == 0, "an escape was cut in half"


@PROPERTY
@given(st.lists(fragments, max_size=40).map("".join), st.lists(fragments, max_size=40).map("".join))
def test_property_fragments_are_inert(a: str, b: str) -> None:
    assert_inert(safe_text(a + b, 4000))


@PROPERTY
@given(
    hostile,
    st.lists(
        st.tuples(
            hostile, hostile, st.lists(st.one_of(hostile, st.sampled_from([S, E])), max_size=30)
        ),
        max_size=10,
    ),
    st.integers(1, 10),
    st.integers(0, 20),
    st.integers(0, 500),
)
def test_property_search_pages_fit_and_are_inert(
    query: str, raw: list[tuple[str, str, list[str]]], size: int, page: int, total: int
) -> None:
    hits = tuple(
        hit(title=t, provider=p, snippet="".join(parts), url=f"https://h.example/{n})")
        for n, (t, p, parts) in enumerate(raw)
    )
    embed = render_search_page(
        SearchResults(query, total, hits), page=page, page_size=size, zone=PARIS
    )
    check_embed(embed)
    for text in embed_texts(embed):
        assert_inert(text)
    description = embed.description or ""
    for block in description.split("\n\n")[1:]:
        assert block.startswith("**")
    assert (
        embed.to_dict()
        == render_search_page(
            SearchResults(query, total, hits), page=page, page_size=size, zone=PARIS
        ).to_dict()
    )


@PROPERTY
@given(
    st.lists(st.tuples(hostile, st.one_of(st.none(), hostile), hostile), max_size=60),
)
def test_property_topics_fit_and_are_inert(raw: list[tuple[str, str | None, str]]) -> None:
    summaries = [TopicSummary(name, parent, desc, 3, 2) for name, parent, desc in raw]
    embeds = render_topics(summaries)
    check_messages(pack_embeds(embeds))
    lines = [line for e in embeds for line in (e.description or "").splitlines()]
    assert len(lines) == max(1, len(summaries))
    for embed in embeds:
        for text in embed_texts(embed):
            assert_inert(text)


@PROPERTY
@given(st.lists(hostile, max_size=80), hostile, hostile, st.one_of(st.none(), hostile))
def test_property_subscriptions_fit_and_are_inert(
    topics: list[str], time: str, zone: str, reason: str | None
) -> None:
    embed = render_subscriptions(topics, time, zone, reason)
    check_embed(embed)
    for text in embed_texts(embed):
        assert_inert(text)
