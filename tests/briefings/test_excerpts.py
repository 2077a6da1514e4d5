"""Excerpts: whole sentences, else whole words; readable examples and hypothesis properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefings.excerpts import ELLIPSIS, BriefingLength, excerpt, fold, sentence_ends

# --- examples --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "one", "two"),
    [
        (
            "Dr. Smith met the U.S. team. It took 3.5 hours. Then lunch.",
            "Dr. Smith met the U.S. team.",
            "Dr. Smith met the U.S. team. It took 3.5 hours.",
        ),
        (
            'He said "Stop." Then he left. Later.',
            'He said "Stop."',
            'He said "Stop." Then he left.',
        ),
        ('"Stop!" he said. Then more.', '"Stop!" he said.', '"Stop!" he said. Then more.'),
        ("Wait... What happened? Nothing!", "Wait...", "Wait... What happened?"),
        ("See Fig. 3 and No. 5. Next.", "See Fig. 3 and No. 5.", "See Fig. 3 and No. 5. Next."),
        ("J. R. R. Tolkien wrote. Yes.", "J. R. R. Tolkien wrote.", "J. R. R. Tolkien wrote. Yes."),
        ("Sales fell in 2025. Then rose.", "Sales fell in 2025.", "Sales fell in 2025. Then rose."),
        ("On Jan. 5 it snowed. Cold.", "On Jan. 5 it snowed.", "On Jan. 5 it snowed. Cold."),
        ("It works (mostly.) Good.", "It works (mostly.)", "It works (mostly.) Good."),
        ("日本語の文です。次の文です。最後。", "日本語の文です。", "日本語の文です。次の文です。"),
        ("No end at all", "No end at all", "No end at all"),
        ("  Spaces\n\tare   folded.  Yes. ", "Spaces are folded.", "Spaces are folded. Yes."),
    ],
)
def test_first_sentences(text: str, one: str, two: str) -> None:
    assert excerpt(text, sentences=1, limit=200) == one
    assert excerpt(text, sentences=2, limit=200) == two


def test_fewer_sentences_when_two_do_not_fit() -> None:
    text = "A short one. " + "Then a long second sentence " * 5 + "ends."
    assert excerpt(text, sentences=2, limit=60) == "A short one."


def test_a_long_first_sentence_is_cut_at_a_word_with_an_ellipsis() -> None:
    text = "The committee, after long deliberation, decided to postpone the vote. Next."
    assert excerpt(text, sentences=1, limit=30) == "The committee, after long…"
    assert excerpt(text, sentences=1, limit=15) == "The committee…"  # the comma is dropped
    assert excerpt("x" * 50, sentences=1, limit=20) == ""  # no whole word fits
    assert excerpt("Fits exactly.", sentences=1, limit=13) == "Fits exactly."


def test_only_the_head_of_a_huge_excerpt_matters() -> None:
    huge = "First one. " + "word " * 1_000_000
    assert excerpt(huge, sentences=2, limit=50) == "First one. word word word word word word word…"
    spaced = "An" + " " * 10_000 + "end. Then."  # mostly whitespace: the whole text is folded
    assert excerpt(spaced, sentences=1, limit=10) == "An end."
    assert excerpt(spaced, sentences=2, limit=20) == "An end. Then."


def test_headlines_and_empty_input_give_nothing() -> None:
    assert excerpt("Anything. At all.", sentences=0, limit=100) == ""
    assert excerpt("", sentences=2, limit=100) == ""
    assert excerpt("Anything.", sentences=1, limit=0) == ""


def test_lengths() -> None:
    assert [length.sentences for length in BriefingLength] == [0, 1, 2]
    assert BriefingLength("short") is BriefingLength.SHORT
    assert str(BriefingLength.FULL) == "full"


# --- properties ------------------------------------------------------------------------------

PIECES = [
    "Dr.", "U.S.", "3.5", "said", "AI", "the", "It", "he", "\"Stop.\"", "'Go!'", "…", "...",
    "!", "?", ".", ",", "。", "次", "e.g.", "Jan.", "No.", "(x.)", "Café", "naïve", "—", "-",
    "a", "B.", "2025.", "https://example.test/a.b", "x" * 40,
]  # fmt: skip
texts = st.one_of(
    st.lists(
        st.tuples(st.sampled_from(PIECES), st.sampled_from([" ", " ", "", "\n", "  "])),
        max_size=40,
    ).map(lambda parts: "".join(p + s for p, s in parts)),
    st.text(max_size=200),
)


@settings(max_examples=400, deadline=None)
@given(texts, st.integers(0, 3), st.integers(0, 250))
def test_excerpt_invariants(text: str, sentences: int, limit: int) -> None:
    result = excerpt(text, sentences=sentences, limit=limit)
    folded = fold(text)
    assert len(result) <= limit
    kept = result
    if not folded.startswith(result):
        assert result.endswith(ELLIPSIS)
        kept = result[: -len(ELLIPSIS)]
        assert kept, "an ellipsis alone is never shown"
    assert folded.startswith(kept), "the excerpt is a prefix of the folded text"
    if 0 < len(kept) < len(folded):
        # never inside a word
        assert not (kept[-1].isalnum() and folded[len(kept)].isalnum())
    assert len(list(sentence_ends(result))) <= max(sentences, 1) or not result
    # cutting again changes nothing
    assert excerpt(result, sentences=sentences, limit=limit) == result
    # a whole text that fits in few enough sentences is kept whole
    if sentences and len(folded) <= limit and len(list(sentence_ends(folded))) <= sentences:
        assert result == folded


@settings(max_examples=200, deadline=None)
@given(texts, st.integers(1, 3), st.integers(1, 250))
def test_more_room_never_shows_less(text: str, sentences: int, limit: int) -> None:
    shorter = excerpt(text, sentences=sentences, limit=limit)
    longer = excerpt(text, sentences=sentences, limit=limit + 50)
    assert len(longer) >= len(shorter.removesuffix(ELLIPSIS))
