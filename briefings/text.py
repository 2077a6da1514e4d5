"""Normalisation of the untrusted text found in article files.

Excerpts carry HTML entities (``&#8217;``, ``&nbsp;``), raw non-breaking spaces and stray
line breaks; some titles are mojibake (UTF-8 decoded as Windows-1252, ``â€™``). Everything
shown to a person goes through :func:`clean_text` once, at parse time.

Mojibake is repaired by `ftfy <https://ftfy.readthedocs.io>`_ (a well-kept library for exactly
this); it is only consulted when a cheap pre-check sees a pair of characters typical of
mojibake. Plain ASCII text that is already clean (most titles, names and topics) is returned
as it is after a few ``str`` checks.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata

# Typical mojibake: the Latin-1 or Windows-1252 reading of a UTF-8 lead byte (Â..ô) followed
# by the reading of a continuation byte (0x80..0xBF), or "Â"/"Ã" before a space (a no-break
# space byte that became a space). Accented text ("Café") has no such pair.
_MOJIBAKE_HINT = re.compile(
    "[\u00c2\u00c3] |[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
    "\u02c6\u02dc\u2013\u2014\u2018-\u201a\u201c-\u201e\u2020-\u2022\u2026\u2030"
    "\u2039\u203a\u20ac\u2122]"
)
# Any run of whitespace, including NBSP, thin and zero-width spaces, and line breaks.
_SPACES = re.compile(r"[\s\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]+")
# Control characters other than whitespace: never meaningful in a title or excerpt.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean_text(value: str) -> str:
    """Decode HTML entities, repair mojibake, normalise to NFC and fold all whitespace.

    Cleaning is idempotent: when one pass leaves text that still has entities or still looks
    like mojibake (double-encoded input), it is cleaned again, at most three more times.

    >>> clean_text("It&#8217;s&nbsp;here\\u00a0 now ")
    'It’s here now'
    """
    if _is_clean_ascii(value):
        return value
    text = _clean_once(value)
    for _ in range(3):
        if "&" not in text and not _looks_like_mojibake(text):
            break
        again = _clean_once(text)
        if again == text:
            break
        text = again
    return text


def _looks_like_mojibake(text: str) -> bool:
    """A cheap hint first; ftfy's judgement (and its import) only for text that has one."""
    if _MOJIBAKE_HINT.search(text) is None:
        return False
    from ftfy.badness import is_bad

    return bool(is_bad(text))


def _is_clean_ascii(value: str) -> bool:
    """Whether :func:`_clean_once` would return ``value`` unchanged, for the common case.

    Printable ASCII has no mojibake, nothing to normalise and no control characters; without
    ``&``, doubled spaces and spaces at the ends there is nothing left to do.
    """
    return (
        value.isascii()
        and value.isprintable()
        and "&" not in value
        and "  " not in value
        and value[:1] != " "
        and value[-1:] != " "
    )


def _clean_once(value: str) -> str:
    text = html.unescape(value) if "&" in value else value
    if _looks_like_mojibake(text):
        import ftfy  # only now: importing ftfy costs a warm CLI call a fifth of its time

        text = ftfy.fix_encoding(text)
    if not text.isprintable():  # printable text has no control characters
        text = _CONTROL.sub("", text)
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    # In printable text the only whitespace is " ": then only doubled spaces need folding.
    if not text.isprintable() or "  " in text:
        text = _SPACES.sub(" ", text)
    return text.strip()


_TITLE_NOISE = re.compile(r"[\W_]+")


@functools.lru_cache(maxsize=16_384)  # pure; a briefing batch asks for the same titles often
def title_key(title: str) -> str:
    """A key under which two headlines of the same story compare equal.

    Case, accents, punctuation and spacing are ignored, so ``"Robots: Rise!"`` and
    ``"robots — rise"`` are one story.
    """
    decomposed = unicodedata.normalize("NFKD", title.casefold())
    without_marks = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _TITLE_NOISE.sub(" ", without_marks).strip()
