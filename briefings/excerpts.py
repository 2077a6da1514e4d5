"""Excerpts cut to a briefing's length: whole sentences, else whole words.

A briefing item shows one or two sentences of its article's excerpt, chosen by the schedule's
:class:`BriefingLength`. :func:`excerpt` cuts the excerpt (whitespace folded to single spaces)
so that it reads well:

1. as many of the first ``sentences`` sentences as fit in ``limit`` characters, whole;
2. when not even the first sentence fits, the longest run of whole words that fits with "…"
   after it (trailing commas, colons and dashes are dropped before the "…");
3. when not even the first word fits (a very long URL or unspaced text), nothing.

The result is always a prefix of the folded text (plus "…" in case 2), never longer than
``limit`` and never ends inside a word.

**Sentence ends.** A sentence ends at ``.``, ``!``, ``?`` or ``…`` (possibly repeated, possibly
followed by closing quotes or brackets) before a space and a next sentence that does not start
with a lowercase letter, and at the end of the text; ``。！？`` end a sentence even without a
space. A period is *not* an end after a known abbreviation (titles such as "Dr.", "Mr.",
"Gov.", months such as "Jan.", "No.", "vs."), after a single letter ("J. Smith", "U.S."), or
inside a number ("3.5" has no space after the period). These rules are heuristics: an
abbreviation that really ends a sentence ("…made in the U.S. Then…") keeps the sentence going,
which only makes an excerpt end at a word boundary with "…" instead.

The sentence splitter is our own on purpose: pysbd, the usual rule-based library, is
unmaintained since 2021 and can take minutes on hostile input (pySBD issue #76), and excerpts
are untrusted text; this cutter is linear in the length of the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from enum import StrEnum
from typing import Final

ELLIPSIS: Final = "…"


class BriefingLength(StrEnum):
    """How much of each item a briefing shows (a per-schedule option)."""

    HEADLINES = "headlines"
    """The linked title and the outlet only."""
    SHORT = "short"
    """Plus the first sentence of the excerpt."""
    FULL = "full"
    """Plus the first two sentences of the excerpt."""

    @property
    def sentences(self) -> int:
        """How many sentences of the excerpt an item shows."""
        return _SENTENCES[self]


_SENTENCES: Final = {BriefingLength.HEADLINES: 0, BriefingLength.SHORT: 1, BriefingLength.FULL: 2}

_ABBREVIATIONS: Final = frozenset(
    (
        "mr", "mrs", "ms", "mx", "dr", "prof", "sr", "jr", "st", "mt", "ft", "gen", "gov", "sen",
        "rep", "col", "lt", "sgt", "capt", "cmdr", "adm", "rev", "hon", "pres", "supt", "insp",
        "det", "atty", "messrs", "mme", "mlle",
        "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
        "no", "nos", "vol", "vols", "fig", "figs", "pp", "approx", "vs", "v", "ca", "cf", "al",
    )
)  # fmt: skip
"""Words after which a period does not end a sentence (compared without case)."""

# A run of terminators, then closing quotes or brackets; a Latin-style end needs a space (or
# the end of the text) after it, a CJK one does not.
_CANDIDATE: Final = re.compile(
    r"[.!?\u2026]+[\"'\u201d\u2019\u00bb)\]]*(?=\s|$)|[\u3002\uff01\uff1f]+[\u300d\u300f\u201d)]*"
)
_OPENERS: Final = "\"'\u201c\u2018\u00ab([\u300c\u300e"
_INITIALS: Final = re.compile(r"(?:[^\W\d_]\.)*[^\W\d_]")
_TRAILING: Final = " ,;:\u2013\u2014-"


def fold(text: str) -> str:
    """``text`` with every run of whitespace made one space, without spaces at the ends."""
    return " ".join(text.split())


def excerpt(text: str, *, sentences: int, limit: int) -> str:
    """The first ``sentences`` sentences of ``text`` in at most ``limit`` characters.

    See the module docstring for the rules. ``sentences`` of 0 (or a ``limit`` below 1) gives
    an empty string.

    >>> excerpt("Dr. Smith met the U.S. team. It took 3.5 hours. Then lunch.", sentences=2,
    ...         limit=100)
    'Dr. Smith met the U.S. team. It took 3.5 hours.'
    >>> excerpt("One very long sentence without an end in sight", sentences=1, limit=20)
    'One very long…'
    """
    if sentences < 1 or limit < 1:
        return ""
    # Only the first limit + 2 folded characters matter: fold a head of the text, enough of
    # it, so a huge excerpt costs no more than a short one.
    head = text[: 4 * limit + 64]
    folded = fold(head)
    if len(head) < len(text) and len(folded) <= limit + 2:
        folded = fold(text)
    end = 0
    for count, boundary in enumerate(sentence_ends(folded), start=1):
        if boundary > limit:
            break
        end = boundary
        if count == sentences:
            break
    if end:
        return folded[:end]
    return _cut_at_word(folded, limit)


def sentence_ends(text: str) -> Iterator[int]:
    """The offsets in folded ``text`` just after each sentence, in order (lazily).

    The end of the text ends the last sentence, with or without a terminator.
    """
    last = 0
    for match in _CANDIDATE.finditer(text):
        if _is_end(text, match):
            last = match.end()
            yield last
    if last < len(text):
        yield len(text)


def _is_end(text: str, match: re.Match[str]) -> bool:
    end = match.end()
    if end >= len(text):
        return True
    if text[match.start()] in "\u3002\uff01\uff1f":
        return True
    following = text[end + 1 : end + 2]  # folded text: one space, then the next sentence
    if following.islower():
        return False
    if match.group(0).rstrip("\"'\u201d\u2019\u00bb)]") != ".":
        return True  # "!", "?", "…" or "..." before a capital
    start = match.start()
    word = text[text.rfind(" ", 0, start) + 1 : start].lstrip(_OPENERS)
    if word.casefold() in _ABBREVIATIONS:
        return False
    # "J." or "U.S.": single letters with periods are initials or an acronym, not an end.
    return _INITIALS.fullmatch(word) is None


def _cut_at_word(folded: str, limit: int) -> str:
    if len(folded) <= limit:
        return folded
    if limit < 2:
        return ""
    head = folded[: limit - 1]
    if folded[limit - 1] != " ":
        head = head.rpartition(" ")[0]  # the word under the cut is dropped whole
    head = head.rstrip(_TRAILING)
    return head + ELLIPSIS if head else ""
