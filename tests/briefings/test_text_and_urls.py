"""Text normalisation and canonical URLs."""

from __future__ import annotations

import html
import unicodedata

import ftfy
import pytest
from ftfy.badness import is_bad
from hypothesis import given, settings
from hypothesis import strategies as st

from briefings.text import (
    _CONTROL,
    _MOJIBAKE_HINT,
    _SPACES,
    _clean_once,
    _is_clean_ascii,
    clean_text,
    title_key,
)
from briefings.urls import canonical_url, redacted_url, same_origin


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("It&#8217;s", "It’s"),
        ("a&nbsp;b", "a b"),
        ("a\u00a0\u00a0b", "a b"),
        ("  line\nbreaks\t and  spaces ", "line breaks and spaces"),
        ("Rock &amp; roll", "Rock & roll"),
        ("Following â€˜Sensitive Dataâ€™ Exposure", "Following ‘Sensitive Data’ Exposure"),
        ("Café déjà vu", "Café déjà vu"),
        ("ctrl\x00\x07chars", "ctrlchars"),
        ("zero\u200bwidth", "zero width"),
    ],
)
def test_clean_text(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


@settings(max_examples=1000)
@given(st.text())
def test_clean_text_is_idempotent_and_trimmed(text: str) -> None:
    once = clean_text(text)
    assert once == once.strip()
    assert "  " not in once and "\u00a0" not in once
    assert clean_text(once) == once


@settings(max_examples=2000)
@given(st.text(alphabet=st.characters(max_codepoint=0x7F)) | st.text())
def test_the_ascii_fast_path_returns_what_cleaning_would(text: str) -> None:
    if _is_clean_ascii(text):
        assert _clean_once(text) == text


@pytest.mark.parametrize(
    "text",
    ["Plain title", "a  b", " lead", "trail ", "tab\there", "Rock &amp; roll", "Caf\u00e9", ""],
)
def test_the_fast_path_takes_only_text_that_is_already_clean(text: str) -> None:
    assert _is_clean_ascii(text) == (text.isascii() and clean_text(text) == text)


@pytest.mark.parametrize(
    ("text", "repaired"),
    [
        ("Dataâ€™s", "Data’s"),
        ("CafÃ© crÃ¨me", "Café crème"),
        ("Ã  la carte", "à la carte"),
    ],
)
def test_mojibake_pairs_are_repaired(text: str, repaired: str) -> None:
    assert clean_text(text) == repaired


def test_accented_words_are_not_taken_for_mojibake() -> None:
    assert clean_text("Ørsted à Zürich, façade") == "Ørsted à Zürich, façade"


def test_title_key_ignores_case_punctuation_and_accents() -> None:
    assert title_key("Robots: Rise — Café!") == title_key("robots rise cafe")
    assert title_key("Robots rise") != title_key("Robots rose")


@pytest.mark.parametrize(
    "variant",
    [
        "https://example.test/news/story",
        "http://example.test/news/story",
        "https://www.example.test/news/story/",
        "https://example.test/news/story?utm_source=rss&utm_medium=feed",
        "https://example.test/news/story#comments",
        "https://example.test/news/story/amp",
        "https://amp.example.test/news/story",
        "https://example.test/news/story?amp=1",
        "https://example.test/news/story?_amp=true&fbclid=abc",
        "https://example-test.cdn.ampproject.org/c/s/example.test/news/story?amp=1",
        "HTTPS://EXAMPLE.test:443/news/story",
    ],
)
def test_variants_of_one_page_share_a_canonical_url(variant: str) -> None:
    assert canonical_url(variant) == "example.test/news/story"


def test_meaningful_differences_are_kept() -> None:
    assert canonical_url("https://a.test/x?id=1") != canonical_url("https://a.test/x?id=2")
    assert canonical_url("https://a.test/x?b=2&a=1") == canonical_url("https://a.test/x?a=1&b=2")
    assert canonical_url("https://a.test/x") != canonical_url("https://b.test/x")
    assert canonical_url("https://a.test:8080/x") != canonical_url("https://a.test/x")


@given(st.text())
def test_canonical_url_never_raises(text: str) -> None:
    assert isinstance(canonical_url(text), str)


def _clean_once_reference(value: str) -> str:
    """:func:`_clean_once` as first written, without its shortcuts."""
    text = html.unescape(value) if "&" in value else value
    if _MOJIBAKE_HINT.search(text) and is_bad(text):
        text = ftfy.fix_encoding(text)
    text = _CONTROL.sub("", text)
    text = unicodedata.normalize("NFC", text)
    return _SPACES.sub(" ", text).strip()


_AWKWARD = st.sampled_from(
    [
        " ",
        "  ",
        "\u00a0",
        "\t",
        "\n",
        "\x00",
        "\x85",
        "\u2028",
        "\u200b",
        "\ufeff",
        "&amp;",
        "&nbsp;",
        "e\u0301",
        "\u212b",
        "\u2000",
        "â€™",
        "Ã©",
        "Ã ",
        "é",
        "x",
    ]
)


@settings(max_examples=3000)
@given(st.lists(_AWKWARD | st.text(max_size=4), max_size=12).map("".join))
def test_the_shortcuts_of_cleaning_change_no_result(text: str) -> None:
    assert _clean_once(text) == _clean_once_reference(text)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://api.example.com/feed/index.json", "https://api.example.com/feed/index.json"),
        (
            "https://bot:s3cret@api.example.com:8443/f?key=abc#frag",
            "https://api.example.com:8443/f",
        ),
        ("https://token@example.com", "https://example.com"),
        ("http://[::1]:8080/a?x=1", "http://[::1]:8080/a"),
        ("http://[::1]/a", "http://[::1]/a"),
        ("https://medium.com/@writer/feed?sig=1", "https://medium.com/@writer/feed"),
        # malformed: the password's "user:" half read as host:port; the "port" is dropped
        ("https://bot:pa?ss@example.com/x", "https://bot"),
        ("  https://example.com/a#key  ", "https://example.com/a"),
        ("ftp://u:p@files.example/x", "ftp://files.example/x"),
        ("not a url?token=1", "not a url"),
        ("user:password@example.com/x", "example.com/x"),
    ],
)
def test_redacted_url(url: str, shown: str) -> None:
    assert redacted_url(url) == shown


_label = st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True)
_secret = st.from_regex(r"[A-Za-z0-9]{8,16}", fullmatch=True).map(lambda s: "S3" + s)


@given(
    scheme=st.sampled_from(["http", "https"]),
    host=st.lists(_label, min_size=1, max_size=3).map(".".join),
    port=st.none() | st.integers(1, 65535),
    path=st.lists(_label, max_size=3).map(lambda parts: "".join("/" + p for p in parts)),
    user=st.none() | _secret,
    password=st.none() | _secret,
    query=st.none() | _secret.map(lambda s: f"token={s}&page=2"),
    fragment=st.none() | _secret,
)
def test_redacted_url_keeps_where_and_drops_every_secret(
    scheme: str,
    host: str,
    port: int | None,
    path: str,
    user: str | None,
    password: str | None,
    query: str | None,
    fragment: str | None,
) -> None:
    where = f"{scheme}://{host}{'' if port is None else f':{port}'}{path}"
    userinfo = "" if user is None else user + ("" if password is None else f":{password}") + "@"
    url = where.replace("://", "://" + userinfo, 1)
    url += ("" if query is None else f"?{query}") + ("" if fragment is None else f"#{fragment}")
    shown = redacted_url(url)
    assert shown == where
    assert redacted_url(shown) == shown
    for secret in (user, password, query, fragment):
        assert secret is None or secret not in shown


@given(st.text(max_size=200))
def test_redacted_url_never_shows_a_query_or_fragment(text: str) -> None:
    shown = redacted_url(text)
    assert "?" not in shown and "#" not in shown
    assert redacted_url(shown) == shown


@pytest.mark.parametrize(
    ("url", "other", "same"),
    [
        ("https://api.example.com/news/", "https://api.example.com/news/page/2/index.json", True),
        ("https://api.example.com/news/", "https://API.example.com:443/x", True),
        ("http://127.0.0.1:8080/a", "http://127.0.0.1:8080/b?page=2", True),
        ("https://u:p@api.example.com/a", "https://api.example.com/b", True),
        ("https://api.example.com/a", "http://api.example.com/a", False),  # scheme
        ("https://api.example.com/a", "https://cdn.example.com/a", False),  # host
        ("https://api.example.com/a", "https://example.com/a", False),
        ("http://127.0.0.1:8080/a", "http://127.0.0.1:8081/a", False),  # port
        ("https://api.example.com/a", "https://api.example.com:8443/a", False),
        ("https://api.example.com/a", "https://api.example.com:99999/a", False),  # bad port
        ("https://api.example.com/a", "/page/2", False),  # not absolute
        ("//api.example.com/a", "//api.example.com/a", False),
    ],
)
def test_same_origin(url: str, other: str, same: bool) -> None:
    assert same_origin(url, other) is same
    assert same_origin(other, url) is same
