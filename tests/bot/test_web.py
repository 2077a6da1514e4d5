"""The web panel over HTTP: every route, sign-in, CSRF and access failures (real bot, fake
Discord as OAuth2 provider, real SQLite, an aiohttp server on 127.0.0.1; no mocks)."""

from __future__ import annotations

import asyncio
from datetime import time
from pathlib import Path

import aiohttp
import pytest
from itsdangerous import URLSafeTimedSerializer
from yarl import URL

from bot.state import schedules
from bot.state.deliveries import DeliveryKind
from briefings.filters import Filters
from tests.bot.harness import BotHarness, reply_of
from tests.bot.web_world import SECRET_KEY, PanelWorld, csrf_of, free_port
from tests.bot.web_world import get as _get
from tests.bot.web_world import post as _post
from tests.bot.web_world import schedule_form as _schedule_form
from tests.fake_discord import FakeDiscord


def _db(panel: PanelWorld):  # type: ignore[no-untyped-def]
    assert panel.harness.bot is not None
    return panel.harness.bot.services.db


async def test_sign_in_lists_managed_servers_and_sign_out_revokes(panel: PanelWorld) -> None:
    async with panel.client() as http:
        status, page = await _get(http, panel.url("/"))
        assert status == 200 and "Sign in with Discord" in page
        servers = await panel.sign_in(http, "owner")
        assert "Newsroom" in servers and "Elsewhere" not in servers
        cookie = next(c for c in http.cookie_jar if c.key == "briefing_session")
        assert cookie["httponly"] and cookie["samesite"] == "Lax"
        assert panel.fake.oauth.grants[-1].scopes == ("identify", "guilds")
        assert (await _get(http, panel.url("/")))[0] == 302  # signed in: straight to servers

        status, _, location = await _post(http, panel.url("/logout"), {"csrf": csrf_of(servers)})
        assert status == 302 and location == "/"
        assert panel.fake.oauth.grants[-1].revoked
        assert not any(c.key == "briefing_session" for c in http.cookie_jar)
        status, _ = await _get(http, panel.url("/servers"))
        assert status == 302


async def test_sign_in_goes_to_discords_documented_authorize_page(panel: PanelWorld) -> None:
    """``https://discord.com/oauth2/authorize`` on Discord: the site's path, not ``/api/v10``
    (the fake serves only the documented path), with the code flow's parameters."""
    async with panel.client() as http, http.get(panel.url("/login"), allow_redirects=False) as r:
        location = URL(r.headers["Location"])
    assert str(location.origin()) == panel.fake.base_url
    assert location.path == "/oauth2/authorize"
    assert dict(location.query) == {
        "client_id": str(panel.fake.oauth.client_id),
        "redirect_uri": panel.url("/auth/callback"),
        "response_type": "code",
        "scope": "identify guilds",
        "state": location.query["state"],
        "prompt": "none",
    }
    assert len(location.query["state"]) >= 32


async def test_the_oauth_state_is_checked(panel: PanelWorld) -> None:
    async with panel.client() as http:
        status, page = await _get(http, panel.url("/auth/callback?code=abc&state=forged"))
        assert status == 403 and "not from this browser" in page
        async with http.get(panel.url("/login"), allow_redirects=False) as response:
            assert response.status == 302  # a real state cookie now, but another state:
        status, _ = await _get(http, panel.url("/auth/callback?code=abc&state=other"))
        assert status == 403
        panel.fake.oauth.deny = True
        async with http.get(panel.url("/login")) as response:
            assert response.status == 401 and "cancelled" in await response.text()
        assert not any(c.key == "briefing_session" for c in http.cookie_jar)


@pytest.mark.parametrize(
    "path",
    ["/servers", "/me", "/servers/{guild}", "/servers/{guild}/preview", "/servers/{guild}/explain"],
)
async def test_signed_out_pages_redirect_to_sign_in(panel: PanelWorld, path: str) -> None:
    async with panel.client() as http:
        status, _ = await _get(http, panel.url(path.format(guild=panel.newsroom.id)))
        assert status == 302


@pytest.mark.parametrize(
    "path",
    [
        "/servers/{guild}/schedule",
        "/servers/{guild}/schedule/disable",
        "/servers/{guild}/pings",
        "/me/subscribe",
        "/me/unsubscribe",
        "/me/digest",
        "/me/forget",
        "/me/signals/reset",
        "/me/filters/clear",
    ],
)
async def test_signed_out_posts_are_forbidden(panel: PanelWorld, path: str) -> None:
    async with panel.client() as http:
        status, page, _ = await _post(
            http, panel.url(path.format(guild=panel.newsroom.id)), {"csrf": "x", "time": "07:00"}
        )
        assert status == 403 and "signed out" in page
    assert await schedules.get_schedule(_db(panel), panel.newsroom.id) is None


async def test_a_forged_cookie_is_a_signed_out_visitor(panel: PanelWorld) -> None:
    owner = panel.user("owner")
    forged = URLSafeTimedSerializer("not-the-key" * 4, salt="briefing-bot.session").dumps(
        {"u": owner.id, "n": "owner", "t": "stolen", "c": "c"}
    )
    async with panel.client() as http:
        http.cookie_jar.update_cookies({"briefing_session": str(forged)})
        status, _ = await _get(http, panel.url(f"/servers/{panel.newsroom.id}"))
        assert status == 302
        status, _, _ = await _post(
            http, panel.url(f"/servers/{panel.newsroom.id}/schedule"), {"csrf": "c"}
        )
        assert status == 403


async def test_a_member_without_manage_server_is_refused(panel: PanelWorld) -> None:
    guild = panel.newsroom.id
    async with panel.client() as http:
        servers = await panel.sign_in(http, "alice")
        assert "Newsroom" not in servers and "No server to show" in servers
        status, page = await _get(http, panel.url(f"/servers/{guild}"))
        assert status == 403 and "Manage Server" in page
        for path in ("preview", "explain"):
            assert (await _get(http, panel.url(f"/servers/{guild}/{path}")))[0] == 403
        status, _, _ = await _post(
            http, panel.url(f"/servers/{guild}/schedule"), _schedule_form(panel, csrf_of(servers))
        )
        assert status == 403
    assert await schedules.get_schedule(_db(panel), guild) is None


async def test_another_servers_page_is_refused(panel: PanelWorld) -> None:
    async with panel.client() as http:
        await panel.sign_in(http, "owner")
        status, _ = await _get(http, panel.url(f"/servers/{panel.elsewhere.id}"))
        assert status == 403
        assert (await _get(http, panel.url("/servers/not-a-number")))[0] == 404


async def test_a_server_without_the_bot_is_not_offered(panel: PanelWorld) -> None:
    guild = panel.newsroom.id
    async with panel.client() as http:
        page = await panel.sign_in(http, "owner")
        assert "Newsroom" in page
        assert panel.harness.bot is not None
        bot = panel.harness.bot
        removed = asyncio.create_task(bot.wait_for("guild_remove", timeout=10))
        panel.fake.remove_bot(guild)
        assert (await removed).id == guild and bot.get_guild(guild) is None
        status, _, _ = await _post(
            http, panel.url(f"/servers/{guild}/schedule"), _schedule_form(panel, csrf_of(page))
        )
        assert status == 403
        async with panel.client() as fresh:
            page = await panel.sign_in(fresh, "owner")
            assert "Newsroom" not in page
    assert await schedules.get_schedule(_db(panel), guild) is None


async def test_losing_manage_server_is_seen_at_the_next_change(panel: PanelWorld) -> None:
    """The guild list is read again from Discord for every change (not taken from the cookie
    or the page view's minute-old copy): a page loaded earlier cannot be used."""
    fake, guild = panel.fake, panel.newsroom
    bob = panel.user("bob")
    role = fake.add_role(guild.id, "Editors", permissions=1 << 5)
    fake.guilds[guild.id].members[bob.id].role_ids.append(role.id)

    def guild_lists() -> int:
        return len(fake.requests_to("GET", "/users/@me/guilds"))

    async with panel.client() as http:
        await panel.sign_in(http, "bob")
        status, page = await _get(http, panel.url(f"/servers/{guild.id}"))
        assert status == 200
        before = guild_lists()
        status, _, _ = await _post(
            http, panel.url(f"/servers/{guild.id}/schedule"), _schedule_form(panel, csrf_of(page))
        )
        assert status == 303 and guild_lists() == before + 1  # asked again, though cached
        status, page = await _get(http, panel.url(f"/servers/{guild.id}"))
        assert guild_lists() == before + 1  # a page view may use the minute-old list
        fake.guilds[guild.id].members[bob.id].role_ids.remove(role.id)
        changes = {
            "schedule": _schedule_form(panel, csrf_of(page), original="daily", time="09:00"),
            "schedule/disable": {"csrf": csrf_of(page), "name": "daily"},
        }
        for path, form in changes.items():
            status, refused, _ = await _post(http, panel.url(f"/servers/{guild.id}/{path}"), form)
            assert status == 403 and "Manage Server" in refused, path
    saved = await schedules.get_schedule(_db(panel), guild.id)
    assert saved is not None and saved.enabled and saved.post_time == time(7, 30)


async def test_create_a_schedule_and_see_it_with_the_slash_command(panel: PanelWorld) -> None:
    guild, owner = panel.newsroom, panel.user("owner")
    async with panel.client() as http:
        await panel.sign_in(http, "owner")
        status, page = await _get(http, panel.url(f"/servers/{guild.id}"))
        assert status == 200 and "not set up" in page and "#news" in page
        status, _, location = await _post(
            http,
            panel.url(f"/servers/{guild.id}/schedule"),
            _schedule_form(panel, csrf_of(page)),
        )
        assert status == 303 and location == f"/servers/{guild.id}?schedule=daily&done=saved"
        status, page = await _get(http, panel.url(location))
        assert "Saved." in page and 'class="badge on"' in page and "Europe/Paris" in page
        assert "Next post:" in page

    stored = await schedules.get_schedule(_db(panel), guild.id)
    assert stored is not None and stored.topics == ("Space", "Robotics")
    assert stored.configured_by == owner.id
    status_reply = await reply_of(
        await panel.fake.inject_slash_command("briefing", subcommand="status", user_id=owner.id)
    )
    text = status_reply.content or ""
    assert "**on**" in text and "07:30 Europe/Paris" in text and "Space, Robotics" in text


async def test_a_server_page_lists_several_schedules_and_edits_each(panel: PanelWorld) -> None:
    guild = panel.newsroom.id
    async with panel.client() as http:
        await panel.sign_in(http, "owner")
        _, page = await _get(http, panel.url(f"/servers/{guild}"))
        await _post(
            http, panel.url(f"/servers/{guild}/schedule"), _schedule_form(panel, csrf_of(page))
        )
        _, page = await _get(http, panel.url(f"/servers/{guild}?schedule="))  # add another
        assert "New briefing" in page
        form = _schedule_form(panel, csrf_of(page), name="Recap", days="weekly friday")
        status, _, location = await _post(http, panel.url(f"/servers/{guild}/schedule"), form)
        assert status == 303 and location == f"/servers/{guild}?schedule=Recap&done=saved"
        _, page = await _get(http, panel.url(location))
        assert page.count('class="schedule-row"') == 2 and "weekly on Friday" in page
        assert "Briefing “Recap”" in page
        for path in ("preview", "explain?url=https://x.test/a"):  # which one? said, not lost
            status, page = await _get(http, panel.url(f"/servers/{guild}/{path}"))
            assert status == 400 and 'id="name-error"' in page, path
            assert "This server has 2 schedules (daily, Recap): say which one." in page

        # a duplicate name is shown next to the name field, and nothing changes
        form = _schedule_form(panel, csrf_of(page), name="daily", original="Recap")
        status, page, _ = await _post(http, panel.url(f"/servers/{guild}/schedule"), form)
        assert status == 400 and "already has a schedule named" in page
        # editing the recap changes it alone
        _, page = await _get(http, panel.url(f"/servers/{guild}?schedule=Recap"))
        assert 'value="weekly on Friday"' in page  # the form shows the schedule's own values
        form = _schedule_form(
            panel,
            csrf_of(page),
            name="Recap",
            original="Recap",
            time="18:00",
            days="weekly on Friday",
        )
        status, _, _ = await _post(http, panel.url(f"/servers/{guild}/schedule"), form)
        assert status == 303
    saved = {s.name: s for s in await schedules.guild_schedules(_db(panel), guild)}
    assert saved["Recap"].post_time == time(18, 0) and saved["Recap"].days == (4,)
    assert saved["daily"].post_time == time(7, 30) and saved["daily"].days == tuple(range(7))


async def test_the_schedule_form_sets_and_shows_filters(panel: PanelWorld) -> None:
    guild = panel.newsroom.id
    async with panel.client() as http:
        await panel.sign_in(http, "owner")
        _, page = await _get(http, panel.url(f"/servers/{guild}"))
        form = _schedule_form(
            panel,
            csrf_of(page),
            include="",
            exclude='kestrel, "machine learning, deep"',
            outlets="https://www.spam.test/x",
        )
        status, _, location = await _post(http, panel.url(f"/servers/{guild}/schedule"), form)
        assert status == 303 and location is not None
        _, page = await _get(http, panel.url(location))
        assert 'value="kestrel, &#34;machine learning, deep&#34;"' in page
        assert 'value="spam.test"' in page
        stored = await schedules.get_schedule(_db(panel), guild)
        assert stored is not None
        wanted = Filters((), ("kestrel", "machine learning, deep"), ("spam.test",))
        assert stored.filters == wanted
        # what the form shows, sent back, keeps them (a phrase with a comma stays one) …
        form = _schedule_form(
            panel,
            csrf_of(page),
            original="daily",
            include="",
            exclude='kestrel, "machine learning, deep"',
            outlets="spam.test",
        )
        status, _, _ = await _post(http, panel.url(f"/servers/{guild}/schedule"), form)
        assert status == 303
        stored = await schedules.get_schedule(_db(panel), guild)
        assert stored is not None and stored.filters == wanted
        # … and emptied fields empty them
        _, page = await _get(http, panel.url(f"/servers/{guild}"))
        form = _schedule_form(panel, csrf_of(page), original="daily", exclude="", outlets="")
        status, _, _ = await _post(http, panel.url(f"/servers/{guild}/schedule"), form)
        assert status == 303
    stored = await schedules.get_schedule(_db(panel), guild)
    assert stored is not None and not stored.filters


async def test_turning_the_briefing_off(panel: PanelWorld) -> None:
    guild = panel.newsroom.id
    async with panel.client() as http:
        await panel.sign_in(http, "owner")
        _, page = await _get(http, panel.url(f"/servers/{guild}"))
        await _post(
            http, panel.url(f"/servers/{guild}/schedule"), _schedule_form(panel, csrf_of(page))
        )
        _, page = await _get(http, panel.url(f"/servers/{guild}"))
        status, _, location = await _post(
            http, panel.url(f"/servers/{guild}/schedule/disable"), {"csrf": csrf_of(page)}
        )
        assert status == 303 and location == f"/servers/{guild}?schedule=daily&done=disabled"
        _, page = await _get(http, panel.url(location))
        assert "The briefing is off" in page and 'class="badge off"' in page
    stored = await schedules.get_schedule(_db(panel), guild)
    assert stored is not None and not stored.enabled and stored.id is not None
    assert panel.harness.bot is not None
    assert panel.harness.bot.services.scheduler.next_run(stored.id) is None


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"time": "25:99"}, "time", "is not a time of day: hours go to 23 and minutes to 59."),
        ({"timezone": "Mars/Olympus"}, "timezone", "is not a time zone I know"),
        ({"topics": "x" * 10_000}, "topics", "the limit is 1,000"),
        ({"topics": "Spcae"}, "topics", "Did you mean Space"),
        ({"min_quality": "lots"}, "min_quality", "is not a number"),
        ({"channel": ""}, "channel", "Choose the channel"),
        ({"channel": "123"}, "channel", "not in this server"),
        ({"exclude": "x" * 5000}, "exclude", "5,000 characters long; at most 2,000"),
        ({"outlets": "not a domain"}, "outlets", "is not a domain such as example.com"),
    ],
)
async def test_bad_input_is_explained_next_to_the_field_and_changes_nothing(
    panel: PanelWorld, changes: dict[str, str], field: str, message: str
) -> None:
    guild = panel.newsroom.id
    async with panel.client() as http:
        await panel.sign_in(http, "owner")
        _, page = await _get(http, panel.url(f"/servers/{guild}"))
        form = _schedule_form(panel, csrf_of(page), **changes)
        status, page, _ = await _post(http, panel.url(f"/servers/{guild}/schedule"), form)
        assert status == 400
        assert f'id="{field}-error"' in page and message in page
        # What was typed is kept in the form (escaped), to be corrected.
        assert f'value="{changes.get(field, "")[:200]}' in page or field == "channel"
        # The same form, corrected, may then be sent (the refused post used up nothing).
        good = {**form, **{k: v for k, v in _schedule_form(panel, "").items() if k != "csrf"}}
        assert await schedules.get_schedule(_db(panel), guild) is None
        status, _, _ = await _post(http, panel.url(f"/servers/{guild}/schedule"), good)
        assert status == 303


async def test_the_same_sentence_as_the_slash_command(panel: PanelWorld) -> None:
    owner = panel.user("owner")
    reply = await reply_of(
        await panel.fake.inject_slash_command(
            "briefing",
            {"channel": panel.harness.channel_id(), "time": "25:99", "timezone": "UTC"},
            subcommand="setup",
            user_id=owner.id,
        )
    )
    async with panel.client() as http:
        await panel.sign_in(http, "owner")
        _, page = await _get(http, panel.url(f"/servers/{panel.newsroom.id}"))
        form = _schedule_form(panel, csrf_of(page), time="25:99")
        _, page, _ = await _post(http, panel.url(f"/servers/{panel.newsroom.id}/schedule"), form)
    sentence = (reply.content or "").replace("“", "&ldquo;")
    assert reply.content and (reply.content in page or sentence in page)


async def test_csrf_tokens_are_checked_and_a_form_posted_twice_changes_nothing(
    panel: PanelWorld,
) -> None:
    guild = panel.newsroom.id
    url = panel.url(f"/servers/{guild}/schedule")
    async with panel.client() as http, panel.client() as other:
        await panel.sign_in(http, "owner")
        others_page = await panel.sign_in(other, "owner")
        _, page = await _get(http, panel.url(f"/servers/{guild}"))
        for token in ("", "forged", csrf_of(others_page)):
            status, body, _ = await _post(http, url, _schedule_form(panel, token))
            assert status == 403 and "Reload and retry" in body
        assert await schedules.get_schedule(_db(panel), guild) is None

        form = _schedule_form(panel, csrf_of(page))
        assert (await _post(http, url, form))[0] == 303
        status, body, _ = await _post(http, url, {**form, "time": "09:00"})
        assert status == 409 and "already sent" in body
    stored = await schedules.get_schedule(_db(panel), guild)
    assert stored is not None and stored.post_time.hour == 7


async def test_concurrent_double_submit_changes_once(panel: PanelWorld) -> None:
    guild = panel.newsroom.id
    async with panel.client() as http:
        await panel.sign_in(http, "owner")
        _, page = await _get(http, panel.url(f"/servers/{guild}"))
        token = csrf_of(page)
        disable = panel.url(f"/servers/{guild}/schedule/disable")
        results = await asyncio.gather(
            _post(http, disable, {"csrf": token}), _post(http, disable, {"csrf": token})
        )
    assert sorted(status for status, _, _ in results) == [303, 409]


async def test_preview_draws_the_briefing_like_discord(panel: PanelWorld) -> None:
    guild = panel.newsroom.id
    async with panel.client() as http:
        await panel.sign_in(http, "owner")
        status, page = await _get(http, panel.url(f"/servers/{guild}/preview"))
        assert status == 200
        assert "<strong>Preview</strong> of the briefing" in page
        assert 'class="embed"' in page and "--bar: #" in page
        assert 'class="embed-title"' in page and "Tidewater Grid" in page
        assert '<a href="https://' in page and 'rel="noopener noreferrer nofollow"' in page
        assert "stories in" in page  # the footer
        assert panel.fake.messages_in(panel.harness.channel_id("news")) == []

        status, page = await _get(http, panel.url(f"/servers/{guild}/preview?topic=Space"))
        assert status == 200 and "Orbital dock" in page and "Tidewater" not in page
        status, page = await _get(http, panel.url(f"/servers/{guild}/preview?topic=Spcae"))
        assert status == 400 and 'id="topic-error"' in page and "Did you mean Space" in page


async def test_explain_shows_each_stage(panel: PanelWorld) -> None:
    guild = panel.newsroom.id
    url = "https://circuitreview.test/news/lumen-labs-kestrel-2"
    async with panel.client() as http:
        await panel.sign_in(http, "owner")
        status, page = await _get(http, panel.url(f"/servers/{guild}/explain"))
        assert status == 200 and 'id="url"' in page
        async with http.get(panel.url(f"/servers/{guild}/explain"), params={"url": url}) as r:
            page = await r.text()
        assert "Included: top story 2." in page
        assert "✅ <strong>published</strong>" in page
        status, page = await _get(http, panel.url(f"/servers/{guild}/explain?url=nope"))
        assert status == 400 and 'id="url-error"' in page and "full link" in page


async def test_sources_and_deliveries_are_shown(panel: PanelWorld) -> None:
    from datetime import UTC, date, datetime

    from bot.state import claims

    guild = panel.newsroom.id
    db = _db(panel)
    now = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
    async with panel.client() as http:
        await panel.sign_in(http, "owner")
        _, page = await _get(http, panel.url(f"/servers/{guild}"))
        await _post(
            http, panel.url(f"/servers/{guild}/schedule"), _schedule_form(panel, csrf_of(page))
        )
        stored = await schedules.get_schedule(db, guild)
        assert stored is not None and stored.id is not None
        await claims.mark_failed(
            db, DeliveryKind.CHANNEL, stored.id, date(2026, 3, 9), now=now, error="Missing <Access>"
        )
        _, page = await _get(http, panel.url(f"/servers/{guild}"))
    assert "2026-03-09" in page and 'class="badge failed"' in page
    assert "Missing &lt;Access&gt;" in page  # escaped
    assert "60 articles, 0 files skipped" in page


async def test_personal_page_subscriptions_digest_time_and_forget_me(panel: PanelWorld) -> None:
    alice = panel.user("alice")
    async with panel.client() as http:
        await panel.sign_in(http, "alice")
        status, page = await _get(http, panel.url("/me"))
        assert status == 200 and "You follow no topic yet." in page
        status, _, location = await _post(
            http, panel.url("/me/subscribe"), {"csrf": csrf_of(page), "topic": "space"}
        )
        assert status == 303 and location == "/me?done=subscribed"
        _, page = await _get(http, panel.url(location))
        assert "Space" in page and 'value="08:00"' in page and 'value="UTC"' in page

        bad = {"csrf": csrf_of(page), "time": "25:99", "timezone": "Europe/Paris"}
        status, page, _ = await _post(http, panel.url("/me/digest"), bad)
        assert status == 400 and 'id="time-error"' in page and "not a time of day" in page
        good = {"csrf": csrf_of(page), "time": "6:45", "timezone": "europe/paris"}
        assert (await _post(http, panel.url("/me/digest"), good))[0] == 303

        # The slash command sees the same settings.
        listing = await reply_of(
            await panel.fake.inject_slash_command("subscriptions", user_id=alice.id)
        )
        assert "06:45 (Europe/Paris)" in str(listing.data)

        _, page = await _get(http, panel.url("/me"))
        status, page, _ = await _post(http, panel.url("/me/forget"), {"csrf": csrf_of(page)})
        assert status == 400 and 'id="confirm-error"' in page
        form = {"csrf": csrf_of(page), "confirm": "yes"}
        status, _, location = await _post(http, panel.url("/me/forget"), form)
        assert status == 303 and location == "/me?done=forgotten"
        _, page = await _get(http, panel.url(location))
        assert "no longer stores anything" in page and "You follow no topic yet." in page


async def test_unsubscribe_on_the_personal_page(panel: PanelWorld) -> None:
    async with panel.client() as http:
        await panel.sign_in(http, "bob")
        _, page = await _get(http, panel.url("/me"))
        await _post(http, panel.url("/me/subscribe"), {"csrf": csrf_of(page), "topic": "Space"})
        _, page = await _get(http, panel.url("/me"))
        form = {"csrf": csrf_of(page), "topic": "Space"}
        status, _, location = await _post(http, panel.url("/me/unsubscribe"), form)
        assert status == 303 and location == "/me?done=unsubscribed"
        _, page = await _get(http, panel.url("/me"))
        form = {"csrf": csrf_of(page), "topic": "Space"}
        status, page, _ = await _post(http, panel.url("/me/unsubscribe"), form)
        assert status == 400 and "You are not subscribed to" in page


async def test_a_revoked_token_signs_the_user_out(panel: PanelWorld) -> None:
    guild = panel.newsroom.id
    async with panel.client() as http:
        await panel.sign_in(http, "owner")
        _, page = await _get(http, panel.url(f"/servers/{guild}"))
        for grant in panel.fake.oauth.grants:
            grant.revoked = True
        form = _schedule_form(panel, csrf_of(page))
        status, body, _ = await _post(http, panel.url(f"/servers/{guild}/schedule"), form)
        assert status == 403 and "Sign in again" in body
        assert not any(c.key == "briefing_session" for c in http.cookie_jar)
    assert await schedules.get_schedule(_db(panel), guild) is None


async def test_discord_busy_changes_nothing_and_keeps_the_user_signed_in(
    panel: PanelWorld,
) -> None:
    guild = panel.newsroom.id
    async with panel.client() as http:
        await panel.sign_in(http, "owner")
        _, page = await _get(http, panel.url(f"/servers/{guild}"))
        form = _schedule_form(panel, csrf_of(page))
        panel.fake.rate_limit_next("GET", "/users/@me/guilds")
        status, body, _ = await _post(http, panel.url(f"/servers/{guild}/schedule"), form)
        assert status == 503 and "Retry soon" in body
        assert any(c.key == "briefing_session" for c in http.cookie_jar)
        assert await schedules.get_schedule(_db(panel), guild) is None
        status, _, _ = await _post(http, panel.url(f"/servers/{guild}/schedule"), form)
        assert status == 303  # the same form works once Discord answers again


async def test_health_metrics_and_static_on_the_web_port(panel: PanelWorld) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(panel.url("/healthz")) as response:
            assert response.status in (200, 503) and "gateway" in await response.json()
        async with http.get(panel.url("/metrics")) as response:
            assert response.status == 200
        async with http.get(panel.url("/static/style.css")) as response:
            assert response.status == 200 and ".embed" in await response.text()
        async with http.get(panel.url("/")) as response:
            assert "default-src 'none'" in response.headers["Content-Security-Policy"]
            assert response.headers["X-Frame-Options"] == "DENY"


async def test_health_port_and_web_port_together(world: FakeDiscord, tmp_path: Path) -> None:
    """One server, two listeners: HEALTH_PORT keeps serving /healthz beside the panel."""
    port = free_port()
    harness = BotHarness(world, tmp_path)
    harness.overrides.update(
        health_port=0,
        web_port=port,
        web_base_url=f"http://127.0.0.1:{port}",
        discord_client_id=world.oauth.client_id,
        discord_client_secret=world.oauth.client_secret,
        web_secret_key=SECRET_KEY,
    )
    bot = await harness.start()
    try:
        assert bot.health is not None and bot.health.port not in (None, 0, port)
        assert bot.health.web_port == port
        async with aiohttp.ClientSession() as http:
            for listening in (bot.health.port, port):
                async with http.get(f"http://127.0.0.1:{listening}/healthz") as response:
                    assert "gateway" in await response.json()
            async with http.get(f"http://127.0.0.1:{port}/") as response:
                assert "Sign in with Discord" in await response.text()
    finally:
        await harness.close()
