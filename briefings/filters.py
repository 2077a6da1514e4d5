"""Filters of a schedule or a personal subscription: words to include or exclude, outlets to drop.

A :class:`Filters` value holds what a person typed, validated:

- ``include``: words or phrases of which a story must contain at least one;
- ``exclude``: words or phrases a story must not contain;
- ``outlets``: provider domains to leave out.

**Matching words** (:func:`contains`) is accent- and case-insensitive and works on whole words:
text and term are both reduced to their words (letters and digits; accents removed, case
folded, so "Café" is "cafe"), and a term matches when its words appear *consecutively* in the
text. So "AI" matches "AI-powered" and "the AI's" but not "said"; "machine learning" matches
"Machine-learning" but not "machine for learning". Words are matched on an article's title
and excerpt.

**Matching outlets** (:func:`outlet_of`): a domain matches itself and its subdomains
(``example.com`` leaves out ``news.example.com``), ``www.`` is ignored, and it is compared with
both the provider's ``domain`` and the host of the article's URL (an aggregator's copy of an
excluded outlet is left out too, and so is every article hosted on an excluded domain).

**Where filters apply** (see :func:`briefings.briefing.assemble`): an excluded outlet's
articles are dropped *before* copies of one story are merged, so they are never shown, not
even as an "also" link, while the story still appears through other outlets. Words are
judged *after* merging, on the whole story: a story is left out when any of its copies
contains an excluded word, and kept by ``include`` when any copy contains one of the words,
so the verdict does not depend on which outlet's wording happens to lead.

**Parsing** (:func:`parse_terms`, :func:`parse_outlets`, :meth:`Filters.parse`): items are
comma-separated (newlines count as commas); double quotes (straight or curly) keep a phrase with
commas together. Bad input raises :class:`FilterError` with a message for a person: more than
:data:`MAX_INPUT_LENGTH` characters, an unclosed quote, more than :data:`MAX_TERMS` items, an
item longer than :data:`MAX_TERM_LENGTH`, an item without letters or digits, something that is
not a domain, or a word both included and excluded.
"""

from __future__ import annotations

import functools
import re
import shlex
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

from briefings.model import Article
from briefings.urls import repair_url

MAX_TERMS: Final = 20
"""The most words or phrases (or outlets) one filter may hold."""
MAX_TERM_LENGTH: Final = 100
"""The longest word or phrase (or domain), in characters."""
MAX_INPUT_LENGTH: Final = 2000
"""The longest text a filter is parsed from."""

_WORD: Final = re.compile(r"\w+")
_CURLY_QUOTES: Final = str.maketrans("\u201c\u201d\u201e\u201f\u00ab\u00bb", '""""""')
_DOMAIN: Final = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}")


class FilterError(ValueError):
    """Filter text that cannot be used; the message says why, for the person who typed it."""


@dataclass(frozen=True, slots=True)
class Filters:
    """Validated filters; the empty value (the default) lets everything through."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    outlets: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.include or self.exclude or self.outlets)

    @classmethod
    def parse(cls, *, include: str = "", exclude: str = "", outlets: str = "") -> Filters:
        """Filters from what a person typed (see the module docstring); raises FilterError."""
        wanted = parse_terms(include, what="include")
        unwanted = parse_terms(exclude, what="exclude")
        return cls(wanted, unwanted, parse_outlets(outlets)).validated()

    def validated(self) -> Filters:
        """These filters if they hold together: at most :data:`MAX_TERMS` items in each list
        and no word both included and excluded; raises FilterError otherwise."""
        for what, items in (
            ("include", self.include),
            ("exclude", self.exclude),
            ("outlet", self.outlets),
        ):
            _check_count(len(items), what)
        both = {_key(term) for term in self.include} & {_key(term) for term in self.exclude}
        if both:
            term = next(t for t in self.include if _key(t) in both)
            raise FilterError(f"“{term}” is both included and excluded.")
        return self

    def adding(self, other: Filters) -> Filters:
        """These filters with ``other``'s words and outlets added (repeats dropped), validated.

        >>> Filters(exclude=("AI",)).adding(Filters(exclude=("ai", "crypto"))).exclude
        ('AI', 'crypto')
        """
        return Filters(
            _unique_terms((*self.include, *other.include)),
            _unique_terms((*self.exclude, *other.exclude)),
            tuple(dict.fromkeys((*self.outlets, *other.outlets))),
        ).validated()

    def describe(self) -> str:
        """One line for a person: what these filters do ("no filters" when empty)."""
        parts = []
        if self.include:
            parts.append("only with " + ", ".join(f"'{t}'" for t in self.include))
        if self.exclude:
            parts.append("without " + ", ".join(f"'{t}'" for t in self.exclude))
        if self.outlets:
            parts.append("leaving out " + ", ".join(self.outlets))
        return "; ".join(parts) or "no filters"


# --------------------------------------------------------------------------- matching


@functools.lru_cache(maxsize=16_384)  # pure; the same titles and excerpts come back often
def words(text: str) -> str:
    """The words of ``text`` without accents or case, one space apart and around.

    >>> words("L'Été de l'IA, 2026!")
    ' l ete de l ia 2026 '
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " " + " ".join(_WORD.findall(plain)) + " "


def _key(term: str) -> str:
    return words(term).strip()


def contains(text: str, term: str) -> bool:
    """Whether the words of ``term`` appear consecutively, as whole words, in ``text``."""
    key = _key(term)
    return bool(key) and f" {key} " in words(text)


def first_match(texts: Iterable[str], terms: Sequence[str]) -> str | None:
    """The first of ``terms`` that one of ``texts`` contains, else ``None``."""
    haystacks = [words(text) for text in texts]
    for term in terms:
        needle = f" {_key(term)} "
        if needle.strip() and any(needle in haystack for haystack in haystacks):
            return term
    return None


def _article_texts(articles: Iterable[Article]) -> list[str]:
    return [text for article in articles for text in (article.title, article.excerpt) if text]


def outlet_of(article: Article, filters: Filters) -> str | None:
    """The excluded outlet domain ``article`` belongs to, else ``None``."""
    if not filters.outlets:
        return None
    sources = (article.provider.domain if article.provider else None, article.url)
    hosts = [host for source in sources if source and (host := outlet_domain(source))]
    for domain in filters.outlets:
        if any(host == domain or host.endswith("." + domain) for host in hosts):
            return domain
    return None


def article_rejection(article: Article, filters: Filters) -> str | None:
    """Why ``article`` is dropped before merging ("filtered out by outlet …"), else ``None``."""
    domain = outlet_of(article, filters)
    return None if domain is None else f"filtered out by outlet {domain}"


def story_rejection(articles: Sequence[Article], filters: Filters) -> str | None:
    """Why the story made of ``articles`` (its lead and copies) is left out, else ``None``.

    "filtered out by exclude 'crypto'" or "filtered out by include: contains none of 'ai',
    'robots'".
    """
    if not (filters.exclude or filters.include):
        return None
    texts = _article_texts(articles)
    term = first_match(texts, filters.exclude)
    if term is not None:
        return f"filtered out by exclude '{term}'"
    if filters.include and first_match(texts, filters.include) is None:
        wanted = ", ".join(f"'{t}'" for t in filters.include)
        return f"filtered out by include: contains none of {wanted}"
    return None


# --------------------------------------------------------------------------- parsing


def _items(text: str, what: str) -> list[str]:
    if len(text) > MAX_INPUT_LENGTH:
        raise FilterError(
            f"The {what} list is {len(text):,} characters long; "
            f"at most {MAX_INPUT_LENGTH:,} are allowed."
        )
    lexer = shlex.shlex(text.translate(_CURLY_QUOTES), posix=True)
    lexer.whitespace, lexer.whitespace_split = ",\n\r", True
    lexer.quotes, lexer.escape, lexer.commenters = '"', "", ""
    try:
        items = [" ".join(item.split()) for item in lexer]
    except ValueError as error:
        raise FilterError(f'A quote (") in the {what} list is not closed.') from error
    items = [item for item in items if item]
    _check_count(len(items), what)
    for item in items:
        if len(item) > MAX_TERM_LENGTH:
            raise FilterError(
                f"“{item[:30]}…” in the {what} list is {len(item)} characters long; "
                f"an item has at most {MAX_TERM_LENGTH}."
            )
    return items


def _check_count(count: int, what: str) -> None:
    if count > MAX_TERMS:
        raise FilterError(f"The {what} list has {count} items; at most {MAX_TERMS} are allowed.")


def _unique_terms(terms: Iterable[str]) -> tuple[str, ...]:
    """``terms`` without repeats (compared as :func:`words`), the first spelling kept."""
    kept: dict[str, str] = {}
    for term in terms:
        kept.setdefault(_key(term), term)
    return tuple(kept.values())


def parse_terms(text: str, *, what: str = "filter") -> tuple[str, ...]:
    """Comma-separated words or phrases (quotes allowed), validated; duplicates dropped.

    >>> parse_terms('AI, "machine learning, deep", Crypto, ai')
    ('AI', 'machine learning, deep', 'Crypto')
    """
    items = _items(text, what)
    for item in items:
        if not _key(item):
            raise FilterError(f"“{item}” in the {what} list has no letters or digits to match.")
    return _unique_terms(items)


def outlet_domain(value: str) -> str | None:
    """The domain of ``value`` (a domain or a URL) as compared, without ``www.``, or ``None``.

    >>> outlet_domain("https://WWW.Example.com/news?x=1"), outlet_domain("bücher.de")
    ('example.com', 'xn--bcher-kva.de')
    """
    text = value.strip()
    if "://" not in text:
        text = "https://" + text
    url = repair_url(text)
    if url is None:
        return None
    host = (urlsplit(url).hostname or "").rstrip(".")
    host = host.removeprefix("www.")
    return host if _DOMAIN.fullmatch(host) else None


def parse_outlets(text: str) -> tuple[str, ...]:
    """Comma-separated outlet domains (or links to them), normalised; duplicates dropped.

    >>> parse_outlets("example.com, https://www.news.test/a, Example.COM")
    ('example.com', 'news.test')
    """
    domains: list[str] = []
    for item in _items(text, "outlet"):
        domain = outlet_domain(item)
        if domain is None:
            raise FilterError(f"“{item}” is not a domain such as example.com.")
        if domain not in domains:
            domains.append(domain)
    return tuple(domains)
