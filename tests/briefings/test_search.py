"""Tests of the FTS5 search index: real SQLite, no mocks."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefings.index import (
    HIGHLIGHT_END,
    HIGHLIGHT_START,
    SearchFilters,
    SearchHit,
    SearchIndex,
    SearchResults,
    translate_query,
)
from briefings.model import Article, Provider, topic_key

BASE = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
ALL = SearchFilters(published_only=False)


def article(
    path: str,
    title: str = "Untitled",
    excerpt: str = "",
    *,
    at: datetime | None = None,
    days: float = 0,
    provider: str | None = "Wire",
    topics: Sequence[str] = (),
    published: bool = True,
    url: str | None = "https://example.com/x",
    quality: float = 0.5,
    heat: float = 0.25,
) -> Article:
    return Article(
        path=path,
        title=title,
        excerpt=excerpt,
        published_at=at if at is not None else BASE + timedelta(days=days),
        url=url,
        quality=quality,
        heat=heat,
        published=published,
        provider=Provider(provider) if provider is not None else None,
        topics=tuple(topics),
    )


def paths(results: SearchResults) -> list[str]:
    return [hit.path for hit in results.hits]


@pytest.fixture
def index() -> Iterator[SearchIndex]:
    with SearchIndex() as idx:
        yield idx


def make_index(articles: Sequence[Article], *, rank_window: int | None) -> SearchIndex:
    idx = SearchIndex(rank_window=rank_window)
    idx.replace_all(articles)
    return idx


# --------------------------------------------------------------------------- ranking & syntax


def test_title_match_ranks_above_excerpt_only_match(index: SearchIndex) -> None:
    index.replace_all(
        [
            article("excerpt.md", "Markets rally", "A robot was seen near the exchange.", days=5),
            article("title.md", "Robot learns to walk", "Researchers published a paper.", days=1),
        ]
    )
    results = index.search("robot")
    assert paths(results) == ["title.md", "excerpt.md"]
    assert results.total == 2
    assert results.message is None


def test_ties_are_broken_by_newest_then_path(index: SearchIndex) -> None:
    index.replace_all(
        [
            article("b.md", "Robot news", days=1),
            article("a.md", "Robot news", days=1),
            article("old.md", "Robot news", days=0),
            article("new.md", "Robot news", days=2),
        ]
    )
    assert paths(index.search("robot")) == ["new.md", "a.md", "b.md", "old.md"]


def test_phrase_versus_words(index: SearchIndex) -> None:
    index.replace_all(
        [
            article("phrase.md", "The red robot", "It is red."),
            article("apart.md", "A red car", "Next to it stood a robot."),
        ]
    )
    assert sorted(paths(index.search("red robot"))) == ["apart.md", "phrase.md"]
    assert paths(index.search('"red robot"')) == ["phrase.md"]


def test_or_and_implicit_and(index: SearchIndex) -> None:
    index.replace_all(
        [
            article("cat.md", "A cat"),
            article("dog.md", "A dog"),
            article("both.md", "A cat and a dog"),
        ]
    )
    assert sorted(paths(index.search("cat OR dog"))) == ["both.md", "cat.md", "dog.md"]
    assert paths(index.search("cat dog")) == ["both.md"]
    assert paths(index.search("cat AND dog")) == ["both.md"]
    # lower-case "or" is a plain word, so this is cat AND or AND dog
    assert paths(index.search("cat or dog")) == []


def test_or_binds_tighter_than_and(index: SearchIndex) -> None:
    index.replace_all(
        [
            article("ai-robot.md", "AI robot"),
            article("ai-android.md", "AI android"),
            article("android.md", "Android phone"),
        ]
    )
    assert sorted(paths(index.search("ai robot OR android"))) == ["ai-android.md", "ai-robot.md"]


def test_not_and_minus_exclude(index: SearchIndex) -> None:
    index.replace_all(
        [
            article("real.md", "Robot factory opens"),
            article("toy.md", "Robot toy sales"),
            article("game.md", "Robot game released"),
        ]
    )
    assert sorted(paths(index.search("robot -toy"))) == ["game.md", "real.md"]
    assert sorted(paths(index.search("robot NOT toy"))) == ["game.md", "real.md"]
    assert paths(index.search("robot NOT toy OR game")) == ["real.md"]
    assert paths(index.search('robot -"toy sales" -game')) == ["real.md"]
    only_exclusion = index.search("-robot")
    assert only_exclusion.total == 0
    assert only_exclusion.hits == ()
    assert only_exclusion.message


def test_prefix_search(index: SearchIndex) -> None:
    index.replace_all(
        [
            article("robot.md", "Robot"),
            article("robotics.md", "Robotics conference"),
            article("rob.md", "Rob the builder"),
        ]
    )
    assert sorted(paths(index.search("robo*"))) == ["robot.md", "robotics.md"]
    assert sorted(paths(index.search("ro*"))) == ["rob.md", "robot.md", "robotics.md"]
    assert sorted(paths(index.search("r*"))) == ["rob.md", "robot.md", "robotics.md"]
    assert paths(index.search("robo")) == []


def test_porter_stemming(index: SearchIndex) -> None:
    index.replace_all([article("robot.md", "A robot is running")])
    assert paths(index.search("robots")) == ["robot.md"]
    assert paths(index.search("runs")) == ["robot.md"]


def test_diacritics_and_case_are_ignored(index: SearchIndex) -> None:
    index.replace_all(
        [article("accent.md", "Le Café de Flore"), article("plain.md", "Internet cafe")]
    )
    assert sorted(paths(index.search("cafe"))) == ["accent.md", "plain.md"]
    assert sorted(paths(index.search("CAFÉ"))) == ["accent.md", "plain.md"]


def test_topics_and_provider_are_searchable(index: SearchIndex) -> None:
    index.replace_all(
        [
            article("topic.md", "Quarterly numbers", topics=("Semiconductors",)),
            article("provider.md", "Quarterly numbers", provider="Nikkei Asia"),
        ]
    )
    assert paths(index.search("semiconductors")) == ["topic.md"]
    assert paths(index.search("nikkei")) == ["provider.md"]


# --------------------------------------------------------------------------- filters


@pytest.fixture
def filtered() -> Iterator[SearchIndex]:
    with SearchIndex() as idx:
        idx.replace_all(
            [
                article("ml.md", "Robot ML", topics=("Machine Learning", "AI"), days=0),
                article("hw.md", "Robot chips", topics=("Hardware",), provider="The Verge", days=1),
                article("draft.md", "Robot draft", topics=("AI",), published=False, days=2),
                article("none.md", "Robot without provider", provider=None, days=3),
            ]
        )
        yield idx


def test_topic_filter_is_case_and_space_insensitive(filtered: SearchIndex) -> None:
    found = filtered.search("robot", filters=SearchFilters(topic="  machine   LEARNING "))
    assert paths(found) == ["ml.md"]
    assert paths(filtered.search("robot", filters=SearchFilters(topic="ai"))) == ["ml.md"]
    assert sorted(
        paths(filtered.search("robot", filters=SearchFilters(topic="ai", published_only=False)))
    ) == [
        "draft.md",
        "ml.md",
    ]
    assert filtered.search("robot", filters=SearchFilters(topic="Machine")).total == 0


def test_provider_filter_is_case_insensitive_and_exact(filtered: SearchIndex) -> None:
    assert paths(filtered.search("robot", filters=SearchFilters(provider="the verge"))) == ["hw.md"]
    assert filtered.search("robot", filters=SearchFilters(provider="Verge")).total == 0
    wire = filtered.search("robot", filters=SearchFilters(provider="WIRE", published_only=False))
    assert sorted(paths(wire)) == ["draft.md", "ml.md"]


def test_published_only_by_default(filtered: SearchIndex) -> None:
    assert "draft.md" not in paths(filtered.search("robot"))
    assert filtered.search("robot").total == 3
    everything = filtered.search("robot", filters=ALL)
    assert everything.total == 4
    assert "draft.md" in paths(everything)
    draft = next(hit for hit in everything.hits if hit.path == "draft.md")
    assert draft.published is False


def test_since_and_until_are_inclusive(filtered: SearchIndex) -> None:
    day1, day2 = BASE + timedelta(days=1), BASE + timedelta(days=2)
    found = filtered.search(
        "robot", filters=SearchFilters(since=day1, until=day2, published_only=False)
    )
    assert sorted(paths(found)) == ["draft.md", "hw.md"]
    assert paths(filtered.search("robot", filters=SearchFilters(since=day1, until=day1))) == [
        "hw.md"
    ]
    assert paths(filtered.search("robot", filters=SearchFilters(until=BASE))) == ["ml.md"]
    later = day1 + timedelta(microseconds=1)
    assert "hw.md" not in paths(filtered.search("robot", filters=SearchFilters(since=later)))
    earlier = day1 - timedelta(microseconds=1)
    assert "hw.md" not in paths(filtered.search("robot", filters=SearchFilters(until=earlier)))
    assert filtered.search("robot", filters=SearchFilters(since=day2, until=day1)).total == 0


def test_date_filters_are_exact_to_the_microsecond(index: SearchIndex) -> None:
    moment = BASE + timedelta(seconds=7, microseconds=500_000)
    index.replace_all([article("half.md", "Robot", at=moment)])
    for since, until, expected in [
        (moment, moment, 1),
        (moment + timedelta(microseconds=1), None, 0),
        (None, moment - timedelta(microseconds=1), 0),
        (moment - timedelta(microseconds=1), moment + timedelta(microseconds=1), 1),
        (BASE + timedelta(seconds=7), BASE + timedelta(seconds=7, microseconds=499_999), 0),
        (BASE + timedelta(seconds=7), BASE + timedelta(seconds=8), 1),
    ]:
        assert (
            index.search("robot", filters=SearchFilters(since=since, until=until)).total == expected
        )


def test_naive_filter_datetimes_are_taken_as_utc(index: SearchIndex) -> None:
    index.replace_all([article("a.md", "Robot", at=BASE)])
    naive = BASE.replace(tzinfo=None)
    assert index.search("robot", filters=SearchFilters(since=naive, until=naive)).total == 1


def test_filters_combine(filtered: SearchIndex) -> None:
    filters = SearchFilters(
        topic="ai", provider="wire", since=BASE + timedelta(days=1), published_only=False
    )
    assert paths(filtered.search("robot", filters=filters)) == ["draft.md"]


# --------------------------------------------------------------------------- paging


def test_total_counts_all_matches_and_pages_are_disjoint(index: SearchIndex) -> None:
    index.replace_all([article(f"{n:02}.md", f"Robot number {n}", days=n) for n in range(25)])
    first = index.search("robot", limit=10)
    assert first.total == 25
    assert len(first.hits) == 10
    pages = [index.search("robot", limit=10, offset=offset) for offset in (0, 10, 20)]
    assert [len(page.hits) for page in pages] == [10, 10, 5]
    assert all(page.total == 25 for page in pages)
    seen = [path for page in pages for path in paths(page)]
    assert len(set(seen)) == 25
    assert seen == paths(index.search("robot", limit=100))
    assert index.search("robot", limit=10, offset=30) == SearchResults("robot", 25, ())
    assert index.search("robot", limit=0).total == 25
    assert index.search("robot", limit=0).hits == ()
    assert paths(index.search("robot", limit=3, offset=-5)) == seen[:3]


def test_rank_window_ranks_only_the_newest_matches() -> None:
    # The oldest article is the best match, but with rank_window=3 only the 3 newest are ranked.
    articles = [
        article("best-old.md", "Robot robot robot", days=0),
        article("plain-1.md", "Robot", "filler " * 20, days=1),
        article("plain-2.md", "Robot", "filler " * 20, days=2),
        article("plain-3.md", "Something", "robot " + "filler " * 20, days=3),
        article("plain-4.md", "Robot", "filler " * 20, days=4),
        article("plain-5.md", "Robot", "filler " * 20, days=5),
    ]
    with (
        make_index(articles, rank_window=3) as windowed,
        make_index(articles, rank_window=None) as exact,
    ):
        ranked = windowed.search("robot", limit=10)
        assert ranked.total == 6
        assert paths(ranked)[:3] == ["plain-5.md", "plain-4.md", "plain-3.md"]
        assert paths(ranked)[3:] == ["plain-2.md", "plain-1.md", "best-old.md"]
        paged = [
            p
            for offset in range(0, 6, 2)
            for p in paths(windowed.search("robot", limit=2, offset=offset))
        ]
        assert paged == paths(ranked)
        straddling = windowed.search("robot", limit=3, offset=2)
        assert paths(straddling) == paths(ranked)[2:5]
        full = exact.search("robot", limit=10)
        assert full.total == 6
        assert paths(full)[0] == "best-old.md"
        assert paths(full)[-1] == "plain-3.md"  # title miss ranks last


def test_rank_window_must_be_positive() -> None:
    with pytest.raises(ValueError, match="rank_window"):
        SearchIndex(rank_window=0)


# --------------------------------------------------------------------------- hits & snippets


def test_hit_fields_round_trip(index: SearchIndex) -> None:
    moment = datetime(2023, 12, 31, 23, 59, 58, 123456, tzinfo=UTC)
    index.replace_all(
        [
            article(
                "full.md", "Robot", at=moment, topics=("AI", "Robotics"), quality=0.9, heat=3.5
            ),
            article("bare.md", "Robot", provider=None, url=None, at=moment - timedelta(days=1)),
        ]
    )
    hits = {hit.path: hit for hit in index.search("robot").hits}
    full, bare = hits["full.md"], hits["bare.md"]
    assert full == SearchHit(
        path="full.md",
        title="Robot",
        url="https://example.com/x",
        provider="Wire",
        quality=0.9,
        heat=3.5,
        published_at=moment,
        topics=("AI", "Robotics"),
        published=True,
        snippet=f"{HIGHLIGHT_START}Robot{HIGHLIGHT_END}",
    )
    assert bare.url is None
    assert bare.provider == ""
    assert bare.topics == ()


def test_snippet_highlights_matches_in_the_excerpt(index: SearchIndex) -> None:
    excerpt = "Engineers in Osaka built a small robot that sorts *recycling* in under_ten seconds."
    index.replace_all([article("a.md", "Recycling breakthrough", excerpt)])
    hit = index.search("robots").hits[0]
    assert f"{HIGHLIGHT_START}robot{HIGHLIGHT_END}" in hit.snippet
    assert hit.snippet.count(HIGHLIGHT_START) == hit.snippet.count(HIGHLIGHT_END) == 1
    assert len(hit.snippet.split()) <= 20

    def escape(text: str) -> str:
        return text.replace("*", "\\*").replace("_", "\\_")

    rendered = hit.snippet_with("**", "**", escape)
    assert "**robot**" in rendered
    assert "\\*recycling\\*" in rendered
    assert "under\\_ten" in rendered
    assert HIGHLIGHT_START not in rendered
    assert hit.snippet_with("<b>", "</b>").count("<b>robot</b>") == 1


def test_long_excerpt_snippet_is_short(index: SearchIndex) -> None:
    excerpt = " ".join(["filler"] * 200 + ["robot"] + ["filler"] * 200)
    index.replace_all([article("long.md", "Long read", excerpt)])
    snippet = index.search("robot").hits[0].snippet
    assert HIGHLIGHT_START + "robot" + HIGHLIGHT_END in snippet
    assert 10 <= len(snippet.split()) <= 20
    assert "…" in snippet


def test_snippet_falls_back_to_the_title(index: SearchIndex) -> None:
    index.replace_all([article("a.md", "Robot parade in Tokyo", "Thousands watched the floats.")])
    hit = index.search("parade").hits[0]
    assert hit.snippet == f"Robot {HIGHLIGHT_START}parade{HIGHLIGHT_END} in Tokyo"


def test_sentinel_characters_in_articles_are_not_mistaken_for_highlights(
    index: SearchIndex,
) -> None:
    index.replace_all(
        [article("a.md", f"Odd {HIGHLIGHT_END}title", f"A {HIGHLIGHT_START}robot here")]
    )
    hit = index.search("robot").hits[0]
    assert hit.snippet.count(HIGHLIGHT_START) == hit.snippet.count(HIGHLIGHT_END) == 1
    assert hit.snippet_with("[", "]") == "A [robot] here"
    assert index.search(HIGHLIGHT_START).message is not None


# --------------------------------------------------------------------------- writing


def test_upsert_replaces_by_path_and_remove_deletes(index: SearchIndex) -> None:
    index.replace_all([article("a.md", "Robot arm"), article("b.md", "Robot leg")])
    assert len(index) == 2
    index.upsert([article("a.md", "Drone swarm", days=3), article("c.md", "Robot head")])
    assert len(index) == 3
    assert sorted(paths(index.search("robot"))) == ["b.md", "c.md"]
    assert paths(index.search("drone")) == ["a.md"]
    assert index.search("drone").hits[0].published_at == BASE + timedelta(days=3)
    assert index.search("arm").total == 0
    index.remove(["b.md", "missing.md"])
    assert len(index) == 2
    assert paths(index.search("robot")) == ["c.md"]
    index.remove([])
    index.upsert([])
    assert len(index) == 2


def test_upsert_within_the_same_second(index: SearchIndex) -> None:
    index.upsert([article(f"{n}.md", "Robot", at=BASE) for n in range(5)])
    index.upsert([article("5.md", "Robot", at=BASE), article("0.md", "Robot", at=BASE)])
    assert len(index) == 6
    assert paths(index.search("robot", limit=10)) == [f"{n}.md" for n in range(6)]
    assert index.search("robot", filters=SearchFilters(since=BASE, until=BASE)).total == 6


def test_replace_all_replaces_everything(index: SearchIndex) -> None:
    index.replace_all([article("a.md", "Robot"), article("b.md", "Robot")])
    index.replace_all([article("c.md", "Robot", "first"), article("c.md", "Robot", "second")])
    assert len(index) == 1
    assert paths(index.search("robot")) == ["c.md"]
    assert index.search("second").total == 1
    assert index.search("first").total == 0
    index.replace_all([])
    assert len(index) == 0
    assert index.search("robot") == SearchResults("robot", 0, ())


def test_on_disk_index_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "search.sqlite3"
    with SearchIndex(path) as idx:
        idx.replace_all([article("a.md", "Robot on disk", topics=("AI",))])
    with SearchIndex(str(path)) as reopened:
        assert len(reopened) == 1
        found = reopened.search("robot", filters=SearchFilters(topic="ai"))
        assert paths(found) == ["a.md"]


def test_foreign_schema_version_is_rebuilt_empty(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE articles (whatever TEXT)")
    conn.execute("PRAGMA user_version = 999")
    conn.commit()
    conn.close()
    with SearchIndex(path) as idx:
        assert len(idx) == 0
        idx.replace_all([article("a.md", "Robot")])
        assert idx.search("robot").total == 1


def test_concurrent_searches_from_threads(index: SearchIndex) -> None:
    index.replace_all([article(f"{n}.md", f"Robot {n}", days=n) for n in range(50)])

    def work(n: int) -> int:
        if n % 10 == 0:
            index.upsert([article(f"{n % 50}.md", f"Robot {n} updated", days=n % 50)])
        return index.search("robot", limit=5).total

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(work, range(200))) == {50}


# --------------------------------------------------------------------------- hostile queries

CORPUS = [
    article("robot.md", "Robot learns to walk", "A robot in a lab.", topics=("AI",), days=0),
    article("near.md", "Near the robot", "near near", provider="Reuters", days=1),
    article("jp.md", "日本語 のニュース", "東京 robot", topics=("Japan",), days=2),
    article("ar.md", "روبوت جديد", "خبر", days=3),
    article("xy.md", "x and y", "x y", days=4, published=False),
    article("aaa.md", "a " * 10, "", days=5),
    article("title.md", "Title robot", "The title of a robot", days=6),
]

HOSTILE = {
    '"unbalanced': "any",
    "AND OR NOT": "message",
    "NEAR(": "hits",
    "*": "message",
    "(foo": "any",
    "foo)": "any",
    "title:robot": "hits",
    "🤖 robot": "hits",
    "🤖": "message",
    "日本語": "hits",
    "روبوت": "hits",
    "a" * 5000: "any",
    "robot " * 1000: "hits",
    "x\x00y": "any",
    '""': "message",
    "'": "message",
    "-": "message",
    "NOT robot": "hits",
    "robot NOT": "hits",
    "^robot": "hits",
    "robot OR": "hits",
    "robot*": "hits",
    "{title}: robot": "hits",
    "NEAR(robot walk, 2)": "any",  # NEAR AND robot AND walk AND 2
    'robot + "walk': "hits",
    "\ud800 robot": "hits",
    "\x1b[31mrobot\x1b[0m": "any",  # one token "31mrobot"
    "\x1b robot \x7f": "hits",
    "robot\u200b": "hits",
    "": "message",
    "   \n\t": "message",
    "- - -- *": "message",
    "-robot": "message",
    "OR robot": "hits",
    "AND": "message",
    "robot -": "hits",
}


@pytest.fixture(scope="module")
def corpus() -> Iterator[SearchIndex]:
    with SearchIndex() as idx:
        idx.replace_all(CORPUS)
        yield idx


def assert_well_formed(results: SearchResults, query: str, limit: int = 10) -> None:
    assert isinstance(results, SearchResults)
    assert results.query == query
    assert len(results.hits) <= limit
    assert results.total >= len(results.hits)
    if results.message is not None:
        assert results.message.endswith(".")
        assert results.total == 0
        assert results.hits == ()


@pytest.mark.parametrize("query", list(HOSTILE), ids=lambda q: repr(q[:20]))
def test_hostile_queries_never_raise(corpus: SearchIndex, query: str) -> None:
    results = corpus.search(query)
    assert_well_formed(results, query)
    expected = HOSTILE[query]
    if expected == "hits":
        assert results.hits, results
        assert results.message is None
    elif expected == "message":
        assert results.message, results
    else:
        assert results.hits or results.message or results.total == 0


def test_long_queries_are_capped(corpus: SearchIndex) -> None:
    query = " ".join(["robot"] * 40 + ["nonexistentword"])
    assert corpus.search(query).total > 0  # the 41st term is beyond the cap
    expression = translate_query("robot " * 1000)
    assert expression is not None
    assert expression.count('"robot"') == 32


@pytest.mark.parametrize(
    ("query", "expression"),
    [
        ("robot arm", '"robot" AND "arm"'),
        ('"robot arm" news', '"robot arm" AND "news"'),
        ("ai robot OR android", '"ai" AND ("robot" OR "android")'),
        ("robot -toy", '("robot") NOT ("toy")'),
        ("robot NOT toy OR game", '("robot") NOT ("toy" OR "game")'),
        ("-toy OR robot", '("robot") NOT ("toy")'),
        ("robo*", '"robo"*'),
        ("gpt-4", '"gpt-4"'),
        ('say "hi"" there', '"say" AND "hi" AND " there"'),
        ("title:robot", '"title:robot"'),
        ("NOT robot", '"robot"'),
        ("robot OR", '"robot"'),
        ("or and not", '"or" AND "and" AND "not"'),
        ("AND OR NOT", None),
        ("*", None),
        ("🤖", None),
    ],
)
def test_translate_query(query: str, expression: str | None) -> None:
    assert translate_query(query) == expression


# --------------------------------------------------------------------------- properties

PROPERTY_CORPUS = [
    article(
        f"p{n}.md",
        f"Robot {word} report",
        f"{word} robots and café news number {n}",
        at=BASE + timedelta(hours=7 * n, microseconds=(n * 137_911) % 1_000_000),
        provider=("Reuters", "The Verge", None)[n % 3],
        topics=(("AI",), ("AI", "Hardware"), ("Policy",), ())[n % 4],
        published=n % 5 != 0,
    )
    for n, word in enumerate(["alpha", "beta", "gamma", "delta", "epsilon"] * 6)
]

FRAGMENTS = [
    '"',
    "'",
    "AND",
    "OR",
    "NOT",
    "NEAR",
    "NEAR(",
    "(",
    ")",
    "*",
    "-",
    "^",
    ":",
    "+",
    ",",
    "{",
    "}",
    "title:",
    "{title excerpt}:",
    "robot",
    "alpha",
    "café",
    "ROBOT",
    "or",
    "\x00",
    "\\",
    "%",
    "_",
    "🤖",
    "日本",
    " ",
    "  ",
    "\n",
]

filters_strategy = st.builds(
    SearchFilters,
    topic=st.sampled_from([None, "ai", "HARDWARE", "policy", "nope"]),
    provider=st.sampled_from([None, "reuters", "The Verge", "", "nobody"]),
    since=st.one_of(st.none(), st.integers(0, 220).map(lambda h: BASE + timedelta(hours=h))),
    until=st.one_of(st.none(), st.integers(0, 220).map(lambda h: BASE + timedelta(hours=h))),
    published_only=st.booleans(),
)


def passes(item: Article, filters: SearchFilters) -> bool:
    topics = {topic_key(topic) for topic in item.topics}
    return (
        (filters.topic is None or topic_key(filters.topic) in topics)
        and (
            filters.provider is None or topic_key(filters.provider) == topic_key(item.provider_name)
        )
        and (filters.since is None or item.published_at >= filters.since)
        and (filters.until is None or item.published_at <= filters.until)
        and (item.published or not filters.published_only)
    )


@pytest.fixture(scope="module")
def property_index() -> Iterator[SearchIndex]:
    with SearchIndex(rank_window=7) as idx:
        idx.replace_all(PROPERTY_CORPUS)
        yield idx


def check(index: SearchIndex, query: str, filters: SearchFilters, limit: int, offset: int) -> None:
    results = index.search(query, filters=filters, limit=limit, offset=offset)
    assert_well_formed(results, query, limit)
    by_path = {item.path: item for item in PROPERTY_CORPUS}
    for hit in results.hits:
        assert passes(by_path[hit.path], filters)
        assert hit.snippet.count(HIGHLIGHT_START) == hit.snippet.count(HIGHLIGHT_END)
    assert len({hit.path for hit in results.hits}) == len(results.hits)
    if results.hits:
        assert results.total >= offset + len(results.hits)


SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(
    query=st.text(), filters=filters_strategy, limit=st.integers(0, 12), offset=st.integers(0, 40)
)
def test_any_text_query_never_raises(
    property_index: SearchIndex, query: str, filters: SearchFilters, limit: int, offset: int
) -> None:
    check(property_index, query, filters, limit, offset)


@SETTINGS
@given(
    parts=st.lists(st.sampled_from(FRAGMENTS), max_size=12),
    joiner=st.sampled_from(["", " "]),
    filters=filters_strategy,
    limit=st.integers(0, 12),
)
def test_fts5_syntax_fragments_never_raise(
    property_index: SearchIndex, parts: list[str], joiner: str, filters: SearchFilters, limit: int
) -> None:
    check(property_index, joiner.join(parts), filters, limit, 0)


@SETTINGS
@given(filters=filters_strategy, word=st.sampled_from(["robot", "robots", "ROBOT", "cafe", "beta"]))
def test_filters_match_a_python_oracle(
    property_index: SearchIndex, filters: SearchFilters, word: str
) -> None:
    def matches(item: Article) -> bool:
        if word == "beta":
            return "beta" in item.title
        return True  # every property article mentions robot(s) and café

    expected = sorted(
        item.path for item in PROPERTY_CORPUS if matches(item) and passes(item, filters)
    )
    results = property_index.search(word, filters=filters, limit=100)
    assert results.total == len(expected)
    assert sorted(paths(results)) == expected
    paged = [
        p
        for offset in range(0, 40, 4)
        for p in paths(property_index.search(word, filters=filters, limit=4, offset=offset))
    ]
    assert paged == paths(results)
