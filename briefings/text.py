"""Normalisation of the untrusted text found in article files.

Excerpts carry HTML entities (``&#8217;``, ``&nbsp;``), raw non-breaking spaces and stray
line breaks; some titles are mojibake (UTF-8 decoded as Windows-1252, ``â€™``). Everything
shown to a person goes through :func:`clean_text` once, at parse time.

Mojibake is repaired by `ftfy <https://ftfy.readthedocs.io>`_ (a well-kept library for exactly
this); it is only consulted when a cheap pre-check sees a character that can start mojibake,
so clean text costs one regex search.
"""

from __future__ import annotations

import html
import re
import unicodedata

import ftfy
from ftfy.badness import is_bad

# Characters that start typical mojibake sequences (Latin-1 readings of UTF-8 lead bytes).
_MOJIBAKE_HINT = re.compile("[\u00c2-\u00f4]")
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
    text = _clean_once(value)
    for _ in range(3):
        if "&" not in text and not (_MOJIBAKE_HINT.search(text) and is_bad(text)):
            break
        again = _clean_once(text)
        if again == text:
            break
        text = again
    return text


def _clean_once(value: str) -> str:
    text = html.unescape(value) if "&" in value else value
    if _MOJIBAKE_HINT.search(text) and is_bad(text):
        text = ftfy.fix_encoding(text)
    text = _CONTROL.sub("", text)
    text = unicodedata.normalize("NFC", text)
    return _SPACES.sub(" ", text).strip()


_TITLE_NOISE = re.compile(r"[\W_]+")


def title_key(title: str) -> str:
    """A key under which two headlines of the same story compare equal.

    Case, accents, punctuation and spacing are ignored, so ``"Robots: Rise!"`` and
    ``"robots — rise"`` are one story.
    """
    decomposed = unicodedata.normalize("NFKD", title.casefold())
    without_marks = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _TITLE_NOISE.sub(" ", without_marks).strip()
