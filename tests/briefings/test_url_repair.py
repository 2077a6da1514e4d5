"""URLs read as a browser reads them: :func:`briefings.urls.repair_url` and the article fields."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import pytest
from ada_url import URL
from hypothesis import example, given
from hypothesis import strategies as st

from briefings.articles import parse_article
from briefings.frontmatter import InvalidFile
from briefings.urls import _READY, MAX_URL_LENGTH, _repair, canonical_url, repair_url


@pytest.mark.parametrize(
    ("raw", "repaired"),
    [
        # The real cases that used to cost articles.
        ("https://apnews.com/PR Newswire/cd5a", "https://apnews.com/PR%20Newswire/cd5a"),
        (
            "https://www.example.test/press_showdetailsPR.asp?id=1192212&cat=PR News",
            "https://www.example.test/press_showdetailsPR.asp?id=1192212&cat=PR%20News",
        ),
        ("https://a.test/2025/12\u202fam-news", "https://a.test/2025/12%E2%80%AFam-news"),
        ("https://a.test/one\u00a0two", "https://a.test/one%C2%A0two"),
        (
            "https://a.test/a-headline-that-was-cut…",
            "https://a.test/a-headline-that-was-cut%E2%80%A6",
        ),
        ("https://bücher.test/straße", "https://xn--bcher-kva.test/stra%C3%9Fe"),
        ("https://ÉCOLE.test/", "https://xn--cole-9oa.test/"),
        # Whitespace around is trimmed, tabs and newlines inside dropped, \ read as /.
        ("  https://a.test/x \n", "https://a.test/x"),
        ("https://a.test/x\n/y", "https://a.test/x/y"),
        ("https://a.test\\x\\y", "https://a.test/x/y"),
        ('https://a.test/"quoted" <b>', "https://a.test/%22quoted%22%20%3Cb%3E"),
        # Already good: returned as written (the fast path), whatever its case.
        ("https://a.test/x?y=1#z", "https://a.test/x?y=1#z"),
        ("HTTP://A.test/X", "HTTP://A.test/X"),
        ("https://a.test/%20b%zz", "https://a.test/%20b%zz"),
        ("https://a.test:8443/x", "https://a.test:8443/x"),
        ("https://127.0.0.1/x", "https://127.0.0.1/x"),
    ],
)
def test_urls_browsers_open_are_repaired(raw: str, repaired: str) -> None:
    assert repair_url(raw) == repaired
    assert repair_url(repaired) == repaired


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "javascript:alert(1)",
        "mailto:someone@example.test",
        "ftp://a.test/file",
        "/relative/path",
        "a.test/no-scheme",
        "https://",
        "https://a.test:99999/",
        "https://1.2.3.999/",
        "https://[not-ipv6]/",
        "https://a.test/" + "x" * MAX_URL_LENGTH,
    ],
)
def test_values_without_an_http_url_are_rejected(raw: str) -> None:
    assert repair_url(raw) is None


_LABEL = st.from_regex(r"[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
_HOSTS = st.one_of(
    st.builds(
        lambda labels, tld: ".".join([*labels, tld]),
        st.lists(_LABEL, max_size=3),
        st.sampled_from(["test", "com", "de", "xn--p1ai"]),
    ),
    st.sampled_from(["bücher.test", "пример.рф", "例え.jp", "Straße.test", "127.0.0.1", "[::1]"]),
)
_PIECES = st.text(
    st.characters(exclude_categories=["Cs"], exclude_characters="#?/\\\t\n\r"),
    max_size=30,
)


@given(
    st.sampled_from(["http", "https", "HTTPS"]),
    _HOSTS,
    st.lists(_PIECES, max_size=4),
    st.none() | _PIECES,
    st.none() | _PIECES,
)
def test_any_url_urllib_accepts_survives_and_repair_is_stable(
    scheme: str, host: str, segments: list[str], query: str | None, fragment: str | None
) -> None:
    raw = urlunsplit((scheme, host, "/" + "/".join(segments), query or "", fragment or ""))
    assert urlsplit(raw).hostname  # Python's urllib accepts it
    repaired = repair_url(raw)
    assert repaired is not None, raw
    assert repair_url(repaired) == repaired  # repairing twice changes nothing
    assert repaired.isascii() and not any(c.isspace() for c in repaired)
    parts = urlsplit(repaired)
    assert parts.scheme.lower() in ("http", "https") and parts.hostname
    assert canonical_url(raw) == canonical_url(repaired)


@given(st.text(max_size=80))
@example("https://a.test/ x")
@example("https://xn--zz.test/")
def test_repair_never_raises_and_is_stable(text: str) -> None:
    repaired = repair_url(text)
    if repaired is not None:
        assert repair_url(repaired) == repaired
        assert URL(repaired).protocol in ("http:", "https:")


@given(st.from_regex(_READY, fullmatch=True))
def test_the_fast_path_keeps_only_urls_the_parser_accepts(url: str) -> None:
    assert _repair(url) is not None, url


def test_a_space_and_percent_20_are_one_url_for_story_merging() -> None:
    assert canonical_url("https://a.test/PR Newswire/x") == canonical_url(
        "https://a.test/PR%20Newswire/x"
    )
    assert canonical_url("https://a.test/x?cat=PR News") == canonical_url(
        "https://a.test/x?cat=PR%20News"
    )
    assert canonical_url("https://www.bücher.test/a") == canonical_url(
        "https://xn--bcher-kva.test/a"
    )


def _article(urls: str) -> str:
    return f"---\ntitle: T\npublishedDateTime: 2026-03-10T07:00:00Z\n{urls}---\n"


def test_articles_keep_the_repaired_url() -> None:
    notes: list[str] = []
    article = parse_article("a.md", _article("webUrl: 'https://apnews.com/PR Newswire/x'\n"), notes)
    assert article is not None and article.url == "https://apnews.com/PR%20Newswire/x"
    assert notes == []  # a repaired URL is not a problem


def test_a_bad_web_url_gives_way_to_the_original_url_with_a_note() -> None:
    notes: list[str] = []
    text = _article("webUrl: 'not a url'\noriginalUrl: 'https://video.test/v?id=1'\n")
    article = parse_article("a.md", text, notes)
    assert article is not None and article.url == "https://video.test/v?id=1"
    assert notes == ["field 'webUrl' is not an http(s) URL: 'not a url'; using originalUrl"]


@pytest.mark.parametrize(
    ("urls", "reason"),
    [
        ("webUrl: 'not a url'\n", "field 'webUrl' is not an http(s) URL: 'not a url'"),
        (
            "webUrl: 'not a url'\noriginalUrl: 'neither'\n",
            "field 'webUrl' is not an http(s) URL: 'not a url'",
        ),
        ("originalUrl: 'neither'\n", "field 'originalUrl' is not an http(s) URL: 'neither'"),
    ],
)
def test_an_article_with_no_usable_url_is_a_problem(urls: str, reason: str) -> None:
    with pytest.raises(InvalidFile) as raised:
        parse_article("a.md", _article(urls))
    assert str(raised.value) == reason
