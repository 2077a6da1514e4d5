"""The query translator of full-text search: any user text to a safe FTS5 MATCH expression.

User text never reaches FTS5's MATCH raw. :func:`translate_query` turns any string into an
expression where every term is a quoted FTS5 string; only ``OR``/``AND``/``NOT`` (upper case,
between terms), a leading ``-`` and a trailing ``*`` are interpreted. ``OR`` binds tighter than
``AND`` (as in web search engines): ``a b OR c`` means ``a AND (b OR c)``. If SQLite still
rejects a translated query, the storage (:mod:`briefings.index.search`) falls back to
:func:`fallback_expression`, an AND of the quoted bare words; user text never makes a search
raise. Pure functions: no SQL runs here.

Known limits: no word segmentation for scripts written without spaces (a run of CJK
characters is one token, so ``日本語`` finds ``日本語`` but not ``日本``; ``日本*`` does).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from briefings.index.schema import RESERVED

__all__ = [
    "MAX_QUERY_CHARS",
    "MAX_TERMS",
    "UNSEARCHABLE",
    "Translation",
    "fallback_expression",
    "translate",
    "translate_query",
]

MAX_TERMS: Final = 32
"""Terms (words or phrases) of a query beyond this many are ignored."""
MAX_QUERY_CHARS: Final = 4096
"""Characters of a query beyond this many are ignored."""
_OPERATORS: Final = frozenset({"AND", "OR", "NOT"})
# Characters that split a query into chunks (besides whitespace); parentheses are ignored.
_CHUNK_BREAKS: Final = frozenset('()"')

_NOTHING_TO_SEARCH: Final = (
    "There is nothing to search for: type at least one word or number "
    "(punctuation, emoji and the operators AND, OR and NOT are ignored on their own)."
)
_ONLY_EXCLUSIONS: Final = (
    "There is nothing to search for: exclusions such as -word or NOT word only narrow a "
    "search, so add at least one word to look for."
)
UNSEARCHABLE: Final = "That query could not be searched; try plain words instead."


@dataclass(frozen=True, slots=True)
class _Term:
    text: str
    negated: bool
    prefix: bool

    def fts(self) -> str:
        quoted = '"' + self.text.replace('"', '""') + '"'
        return quoted + "*" if self.prefix else quoted


@dataclass(frozen=True, slots=True)
class Translation:
    """A translated query: the MATCH expression, or ``None`` and a sentence saying why not."""

    expression: str | None
    message: str | None


def _is_token_char(char: str) -> bool:
    """Whether the ``unicode61`` tokenizer keeps ``char`` in a token (categories L*, N*, Co)."""
    category = unicodedata.category(char)
    return category[0] in "LN" or category == "Co"


def _searchable(text: str) -> bool:
    return any(_is_token_char(char) for char in text)


def _clean(query: str) -> str:
    """Cap the length; turn control and surrogate characters and reserved ones into spaces."""
    text = RESERVED.sub(" ", query[:MAX_QUERY_CHARS])
    return "".join(" " if unicodedata.category(char) in ("Cc", "Cs") else char for char in text)


def _lex(text: str) -> Iterator[_Term | str]:
    """Split cleaned query text into terms and operator names (``"AND"``/``"OR"``/``"NOT"``)."""
    length = len(text)
    i = 0
    while i < length:
        char = text[i]
        if char.isspace() or char in "()":
            i += 1
            continue
        negated = False
        if char == "-":
            while i < length and text[i] == "-":
                i += 1
            if i >= length or text[i].isspace() or text[i] in "()":
                continue  # a lone "-" is not an exclusion of anything
            negated = True
            char = text[i]
        if char == '"':
            close = text.find('"', i + 1)
            if close == -1:  # unbalanced quote: the phrase runs to the end
                close = length
            body = text[i + 1 : close]
            i = close + 1
            prefix = False
            while i < length and text[i] == "*":
                prefix = True
                i += 1
            yield _Term(body, negated, prefix)
            continue
        start = i
        while i < length and not text[i].isspace() and text[i] not in _CHUNK_BREAKS:
            i += 1
        word = text[start:i]
        if not negated and word in _OPERATORS:
            yield word
            continue
        stripped = word.rstrip("*")
        yield _Term(stripped, negated, prefix=len(stripped) < len(word))


@dataclass(slots=True)
class _Clause:
    """A disjunction of terms; a negated clause excludes every one of them."""

    terms: list[_Term]
    negated: bool
    extendable: bool  # may a following ``OR term`` join it? Not after ``-word``.


def translate_query(query: str) -> str | None:
    """Translate user text into a safe FTS5 MATCH expression, or ``None`` if nothing is left.

    Rules (any input is accepted):

    * Whitespace separates terms; terms are ANDed: ``robot arm`` -> ``"robot" AND "arm"``.
    * ``"quoted phrase"`` is a phrase; an unbalanced quote runs to the end of the query.
    * A word containing punctuation is quoted as one FTS5 string, which FTS5 reads as a
      phrase of its tokens: ``gpt-4`` -> ``"gpt-4"`` (= phrase ``gpt 4``), ``title:robot`` ->
      ``"title:robot"`` (no column filters), ``NEAR(`` -> ``"NEAR"``.
    * ``OR``, ``AND``, ``NOT`` in upper case are operators between terms; anywhere else they
      are dropped (``NOT robot`` -> ``"robot"``, ``robot OR`` -> ``"robot"``). Lower-case
      ``or`` is an ordinary word. ``OR`` binds tighter than ``AND``:
      ``ai robot OR android`` -> ``"ai" AND ("robot" OR "android")``.
    * ``-word`` / ``-"a phrase"`` / ``NOT word`` exclude: ``robot -toy`` ->
      ``("robot") NOT ("toy")``. A query of only exclusions has nothing to search for.
    * A trailing ``*`` asks for a prefix: ``robo*`` -> ``"robo"*``; ``*`` alone is dropped.
    * Parentheses are separators; control characters become spaces; terms without any
      letter or digit (emoji, punctuation) are dropped; only the first :data:`MAX_TERMS`
      terms of the first :data:`MAX_QUERY_CHARS` characters are used.
    """
    return translate(query).expression


def translate(query: str) -> Translation:
    """:func:`translate_query`, with the message for the user when nothing is searchable."""
    clauses: list[_Clause] = []
    pending_or = False
    pending_not = False
    count = 0
    for item in _lex(_clean(query)):
        if isinstance(item, str):
            if not clauses:
                continue  # an operator before any term operates on nothing
            if item == "OR":
                pending_or = True
            elif item == "AND":
                pending_or = False
            else:
                pending_not, pending_or = True, False
            continue
        if not _searchable(item.text):
            continue
        count += 1
        if count > MAX_TERMS:
            break
        negated = item.negated or pending_not
        term = _Term(item.text, negated, item.prefix)
        if pending_or and not negated and clauses[-1].extendable:
            clauses[-1].terms.append(term)
        else:
            clauses.append(_Clause([term], negated, extendable=not item.negated))
        pending_or = pending_not = False
    positives = [clause for clause in clauses if not clause.negated]
    if not positives:
        return Translation(None, _ONLY_EXCLUSIONS if clauses else _NOTHING_TO_SEARCH)
    expression = " AND ".join(_clause_expression(clause) for clause in positives)
    excluded = [term.fts() for clause in clauses if clause.negated for term in clause.terms]
    if excluded:
        expression = f"({expression}) NOT ({' OR '.join(excluded)})"
    return Translation(expression, None)


def _clause_expression(clause: _Clause) -> str:
    if len(clause.terms) == 1:
        return clause.terms[0].fts()
    return "(" + " OR ".join(term.fts() for term in clause.terms) + ")"


def fallback_expression(query: str) -> str | None:
    """An AND of the quoted bare words of ``query`` (letters/digits runs), or ``None``."""
    words: list[str] = []
    current: list[str] = []
    for char in _clean(query) + " ":
        if _is_token_char(char):
            current.append(char)
        elif current:
            words.append("".join(current))
            current = []
            if len(words) >= MAX_TERMS:
                break
    if not words:
        return None
    return " AND ".join(f'"{word}"' for word in words)
