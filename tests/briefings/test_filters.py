"""Filters: parsing what people type, whole-word matching and outlets; examples and properties."""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from briefings.filters import (
    MAX_TERM_LENGTH,
    MAX_TERMS,
    FilterError,
    Filters,
    article_rejection,
    contains,
    outlet_domain,
    outlet_of,
    parse_outlets,
    parse_terms,
    story_rejection,
    words,
)
from briefings.model import Article, Provider
from tests.briefings.factories import article

# --- matching --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "term", "expected"),
    [
        ("AI beats humans", "AI", True),
        ("He said so", "AI", False),  # "AI" is not a word of "said"
        ("An AI-powered phone", "ai", True),
        ("OpenAI's new model", "OpenAI", True),
        ("OpenAI's new model", "Open", False),
        ("Machine-learning at scale", "machine learning", True),
        ("A machine for learning", "machine learning", False),
        ("L'été de la Côte d'Ivoire", "cote d'ivoire", True),
        ("CAFÉ culture", "cafe", True),
        ("cafe culture", "Café", True),
        ("Straße gesperrt", "STRASSE", True),
        ("Made in the U.S. today", "U.S.", True),
        ("Bitcoin and crypto", "crypto", True),
        ("Cryptocurrency news", "crypto", False),
        ("Anything", "!!!", False),
    ],
)
def test_contains(text: str, term: str, expected: bool) -> None:
    assert contains(text, term) is expected


def test_outlets_match_subdomains_and_ignore_www() -> None:
    filters = Filters(outlets=("example.com",))
    assert outlet_of(article(url="https://www.example.com/a"), filters) == "example.com"
    assert outlet_of(article(url="https://news.example.com/a"), filters) == "example.com"
    assert outlet_of(article(url="https://notexample.com/a"), filters) is None
    assert outlet_of(article(url="https://example.com.evil.test/a"), filters) is None
    # an aggregator's copy of the outlet: its provider domain says who wrote it
    syndicated = Article(
        path="a.md",
        title="t",
        excerpt="",
        published_at=article().published_at,
        url="https://msn.test/a",
        provider=Provider("Example", "www.example.com"),
    )
    assert outlet_of(syndicated, filters) == "example.com"
    assert outlet_of(syndicated, Filters(outlets=("msn.test",))) == "msn.test"
    assert outlet_of(syndicated, Filters()) is None
    assert article_rejection(syndicated, filters) == "filtered out by outlet example.com"


def test_story_rejection_looks_at_every_copy() -> None:
    lead = article("Markets rally", excerpt="Stocks rose.")
    copy = article("Markets rally as crypto soars", url="https://b.test/x")
    assert story_rejection([lead], Filters(exclude=("crypto",))) is None
    assert story_rejection([lead, copy], Filters(exclude=("crypto",))) == (
        "filtered out by exclude 'crypto'"
    )
    assert story_rejection([lead], Filters(include=("robots", "AI"))) == (
        "filtered out by include: contains none of 'robots', 'AI'"
    )
    assert story_rejection([lead], Filters(include=("stocks",))) is None  # from the excerpt
    assert story_rejection([lead], Filters(outlets=("b.test",))) is None  # outlets: per article


# --- parsing ---------------------------------------------------------------------------------


def test_terms_are_comma_separated_with_quotes_for_phrases() -> None:
    assert parse_terms('AI, "machine learning, deep",  Crypto ,ai,,') == (
        "AI",
        "machine learning, deep",
        "Crypto",
    )
    assert parse_terms("“smart quotes, too”, don't\nnext line") == (
        "smart quotes, too",
        "don't",
        "next line",
    )
    assert parse_terms("") == () and parse_terms(" , ") == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x" * 5000, "5,000 characters long; at most 2,000"),
        (", ".join(f"w{i}" for i in range(MAX_TERMS + 1)), "21 items; at most 20"),
        ("a" * (MAX_TERM_LENGTH + 1), "101 characters long; an item has at most 100"),
        ('"unclosed, phrase', "is not closed"),
        ("ok, !!!", "“!!!” in the exclude list has no letters or digits"),
    ],
)
def test_bad_terms_get_a_clear_error(text: str, message: str) -> None:
    with pytest.raises(FilterError, match=re.escape(message)):
        parse_terms(text, what="exclude")


def test_outlets_are_normalised_domains() -> None:
    assert parse_outlets("Example.COM, https://www.news.test/a?b=1, example.com.") == (
        "example.com",
        "news.test",
    )
    assert outlet_domain("bücher.de") == "xn--bcher-kva.de"
    for bad in ("not a domain", "localhost", "https://", "mailto:x@y.z", "-x-.com"):
        with pytest.raises(FilterError, match=r"is not a domain such as example\.com"):
            parse_outlets(bad)


def test_filters_parse_and_describe() -> None:
    filters = Filters.parse(include="AI, robots", exclude="crypto", outlets="www.spam.test")
    assert filters == Filters(("AI", "robots"), ("crypto",), ("spam.test",))
    assert filters.describe() == (
        "only with 'AI', 'robots'; without 'crypto'; leaving out spam.test"
    )
    assert not Filters() and Filters().describe() == "no filters"
    with pytest.raises(FilterError, match="“Crypto” is both included and excluded"):
        Filters.parse(include="Crypto", exclude="crypto")


def test_adding_filters_unions_them_and_keeps_the_limits() -> None:
    mine = Filters(include=("AI",), exclude=("crypto",), outlets=("spam.test",))
    more = Filters(exclude=("Crypto", "NFT"), outlets=("spam.test", "ads.test"))
    assert mine.adding(more) == Filters(("AI",), ("crypto", "NFT"), ("spam.test", "ads.test"))
    assert mine.adding(Filters()) == mine and Filters().adding(mine) == mine
    many = Filters(exclude=tuple(f"w{i}" for i in range(MAX_TERMS)))
    with pytest.raises(FilterError, match="21 items; at most 20"):
        many.adding(Filters(exclude=("one more",)))
    with pytest.raises(FilterError, match="“ai” is both included and excluded"):
        Filters(include=("ai",)).adding(Filters(exclude=("AI",)))
    assert many.adding(Filters(exclude=("W0",))) == many  # a repeat adds nothing


# --- properties ------------------------------------------------------------------------------

ASCII_WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzAI0123", min_size=1, max_size=8)
SEPARATORS = st.sampled_from([" ", ", ", "-", "'", ". ", "\n", " (", ") "])
ACCENTED = str.maketrans("aeiouc", "àéîõüç")


@st.composite
def sentences(draw: st.DrawFn) -> tuple[str, list[str]]:
    tokens = draw(st.lists(ASCII_WORDS, min_size=1, max_size=12))
    seps = draw(st.lists(SEPARATORS, min_size=len(tokens), max_size=len(tokens)))
    return "".join(t + s for t, s in zip(tokens, seps, strict=True)), tokens


@settings(max_examples=300, deadline=None)
@given(sentences(), st.data())
def test_a_text_matches_its_own_words_and_phrases(
    sentence: tuple[str, list[str]], data: st.DataObject
) -> None:
    text, tokens = sentence
    start = data.draw(st.integers(0, len(tokens) - 1))
    end = data.draw(st.integers(start + 1, len(tokens)))
    phrase = " ".join(tokens[start:end])
    assert contains(text, tokens[start])
    assert contains(text, phrase)


@settings(max_examples=300, deadline=None)
@given(sentences(), ASCII_WORDS)
def test_case_and_accents_do_not_change_the_result(
    sentence: tuple[str, list[str]], term: str
) -> None:
    text, _ = sentence
    expected = contains(text, term)
    assert contains(text.upper(), term) is expected
    assert contains(text.swapcase(), term.upper()) is expected
    assert contains(text.translate(ACCENTED), term) is expected
    assert contains(text, term.translate(ACCENTED).title()) is expected


@settings(max_examples=300, deadline=None)
@given(sentences(), st.data())
def test_never_matches_a_strict_part_of_a_longer_word(
    sentence: tuple[str, list[str]], data: st.DataObject
) -> None:
    text, tokens = sentence
    word = data.draw(st.sampled_from(tokens))
    assume(len(word) >= 2)
    start = data.draw(st.integers(0, len(word) - 1))
    end = data.draw(st.integers(start + 1, len(word)))
    part = word[start:end]
    assume(part != word)
    assume(f" {part.casefold()} " not in words(text))  # not also a word of its own
    assert not contains(text, part)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=3000))
def test_parsing_any_text_either_works_or_says_why(text: str) -> None:
    for parse in (parse_terms, parse_outlets):
        try:
            parsed = parse(text)
        except FilterError as error:
            assert str(error)
        else:
            assert len(parsed) <= MAX_TERMS
            assert all(0 < len(item) <= MAX_TERM_LENGTH for item in parsed)


@settings(max_examples=300, deadline=None)
@given(sentences(), st.lists(ASCII_WORDS, min_size=1, max_size=3), st.data())
def test_a_phrase_matches_exactly_when_its_words_are_consecutive_words_of_the_text(
    sentence: tuple[str, list[str]], extra: list[str], data: st.DataObject
) -> None:
    text, tokens = sentence
    phrase_words = data.draw(st.lists(st.sampled_from(tokens + extra), min_size=1, max_size=3))
    separator = data.draw(st.sampled_from([" ", "-", "  ", ", "]))
    phrase = separator.join(phrase_words)
    folded = [token.casefold() for token in tokens]
    wanted = [word.casefold() for word in phrase_words]
    consecutive = any(folded[start : start + len(wanted)] == wanted for start in range(len(folded)))
    assert contains(text, phrase) is consecutive
