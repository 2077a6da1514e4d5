"""The web panel's pure parts: its settings, Discord Markdown as HTML, signed cookies."""

from __future__ import annotations

import re
from datetime import UTC

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr

from bot.settings import SettingsError, load_settings
from bot.web.markdown import discord_markdown, plain_mentions
from bot.web.oauth import DiscordOAuth
from bot.web.session import Cookies, FormAlreadySent, FormGuard, FormRefused, WebSession

WEB = {
    "_env_file": None,
    "web_port": "8081",
    "web_base_url": "https://panel.example.org/",
    "discord_client_id": "123",
    "discord_client_secret": "s3cret",
    "web_secret_key": "k" * 32,
}


def test_the_panel_is_off_unless_configured() -> None:
    settings = load_settings(_env_file=None, require_token=False)
    assert settings.web_port is None


def test_web_settings_are_read_and_secrets_hidden() -> None:
    settings = load_settings(require_token=False, **WEB)
    assert settings.web_port == 8081 and settings.web_base_url == "https://panel.example.org"
    assert settings.web_host == "127.0.0.1"
    assert isinstance(settings.web_secret_key, SecretStr)
    assert "s3cret" not in repr(settings) and "kkkk" not in repr(settings)


@pytest.mark.parametrize(
    "missing", ["web_base_url", "discord_client_id", "discord_client_secret", "web_secret_key"]
)
def test_web_port_names_the_missing_setting(missing: str) -> None:
    values = {**WEB, missing: ""}
    with pytest.raises(SettingsError, match=missing.upper()) as caught:
        load_settings(require_token=False, **values)
    assert "s3cret" not in str(caught.value)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("web_secret_key", "short", "WEB_SECRET_KEY is invalid: must be at least 32"),
        ("web_base_url", "panel.example.org", "WEB_BASE_URL is invalid"),
        ("web_port", "70000", "WEB_PORT is invalid"),
    ],
)
def test_bad_web_settings_get_one_clear_line(name: str, value: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message) as caught:
        load_settings(require_token=False, **{**WEB, name: value})
    assert "\n" not in str(caught.value) and "short" not in str(caught.value)


def test_markdown_of_a_story_line() -> None:
    html = discord_markdown(
        "[**Tidewater \\[grid\\]**](https://a.test/x?a=1&b=2)\nWire · 08:00 <t:0:f> `code`"
    )
    assert html == (
        '<a href="https://a.test/x?a=1&amp;b=2" rel="noopener noreferrer nofollow" '
        'target="_blank"><strong>Tidewater [grid]</strong></a><br>Wire · 08:00 '
        '<span class="stamp">01 Jan 1970 00:00 UTC</span> <code>code</code>'
    )


def test_markdown_never_links_other_schemes_and_closes_what_it_opens() -> None:
    assert "<a" not in discord_markdown("[x](javascript:alert(1))")
    assert discord_markdown("**bold *both") == "<strong>bold <em>both</em></strong>"
    assert discord_markdown("~~gone~~ __under__") == "<s>gone</s> <u>under</u>"


def test_mentions_are_shown_by_name_never_as_markup() -> None:
    names = {1: "#news", 2: "@<b>Fans</b>"}
    html = discord_markdown("<#1> and <@&2>, <#3> <@&4> <@5>", names=names)
    assert html == (
        '<span class="mention">#news</span> and <span class="mention">@&lt;b&gt;Fans&lt;/b&gt;'
        '</span>, <span class="mention">#unknown-channel</span> '
        '<span class="mention">@deleted-role</span> &lt;@5&gt;'
    )
    text = "I can't mention <@&2> in <#1>: turn on … `<#9>`"
    assert plain_mentions(text, names) == (
        "I can't mention @<b>Fans</b> in #news: turn on … `#unknown-channel`"
    )  # plain text: the page escapes it


_TAG = re.compile(r"<(/?)(strong|em|u|s|code|br|span|a)( [^<>]*)?>")


@given(st.text(max_size=300))
def test_markdown_output_is_always_safe_html(text: str) -> None:
    html = str(discord_markdown(text, zone=UTC))
    stripped = _TAG.sub("", html)
    assert "<" not in stripped and ">" not in stripped
    assert html.count("<a ") == html.count("</a>")
    for attributes in re.findall(r"<a ([^<>]*)>", html):
        assert re.match(r'href="https?://[^"\s]+" ', attributes)


def test_cookies_are_signed_and_forms_are_one_time() -> None:
    cookies = Cookies("x" * 40, secure=True)
    other = Cookies("y" * 40, secure=True)
    session = WebSession(1, "ann", "token", "csrf-1")
    token = cookies.form_token(session)
    nonce = cookies.check_form(session, token)
    with pytest.raises(FormRefused):
        other.check_form(session, token)
    with pytest.raises(FormRefused):
        cookies.check_form(WebSession(1, "ann", "token", "csrf-2"), token)
    with pytest.raises(FormRefused):
        cookies.check_form(session, token[:-2] + "xx")
    guard = FormGuard()
    guard.take(nonce)
    with pytest.raises(FormAlreadySent):
        guard.take(nonce)
    guard.give_back(nonce)
    guard.take(nonce)


@pytest.mark.parametrize(
    ("api_base", "authorize"),
    [
        (None, "https://discord.com/oauth2/authorize"),
        ("https://discord.com/api/v10", "https://discord.com/oauth2/authorize"),
        ("https://discord.com/api/", "https://discord.com/oauth2/authorize"),
        ("http://127.0.0.1:8080/api/v10", "http://127.0.0.1:8080/oauth2/authorize"),
        ("https://proxy.test/discord/api/v10", "https://proxy.test/discord/oauth2/authorize"),
    ],
)
def test_the_authorize_url_is_discords_documented_page(
    api_base: str | None, authorize: str
) -> None:
    oauth = DiscordOAuth(
        api_base=api_base, client_id=42, client_secret="s", redirect_uri="https://bot.test/cb"
    )
    url, _, query = oauth.authorize_url("the-state").partition("?")
    assert url == authorize
    assert "prompt=none" in query.split("&") and "state=the-state" in query.split("&")
    assert oauth.api == (api_base or "https://discord.com/api/v10").rstrip("/")  # API calls
