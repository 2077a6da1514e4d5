"""The web panel level with the slash commands of issue 13 (parts 4-7): a schedule's ``thread``
box, where it goes and what the bot cannot do there, its role pings (set, cleared, refused like
``/briefing ping``), the roles a preview would mention, and on the personal page the digest's
filters and what it learned, with "Reset my signals". Real bot, fake Discord, real SQLite, an
aiohttp server on 127.0.0.1; the same use cases as the commands, so the same sentences.
"""

from __future__ import annotations

import html
import re

import aiohttp
import pytest

from bot.services import Services
from bot.state import pings, schedules
from bot.usecases import digest_signals, subscriptions
from briefings.personal import Feedback, ItemRef, signal_key
from tests.bot.harness import briefing_command, reply_of, text_of
from tests.bot.web_world import PanelWorld, csrf_of, get, post, schedule_form
from tests.fake_discord import (
    CREATE_PUBLIC_THREADS,
    MENTION_EVERYONE,
    SEND_MESSAGES,
)


def _services(panel: PanelWorld) -> Services:
    assert panel.harness.bot is not None
    return panel.harness.bot.services


def _unmarked(page: str) -> str:
    """The page's text with tags dropped and entities decoded (what a person reads)."""
    return html.unescape(re.sub(r"<[^>]+>", "", page))


async def _with_schedule(panel: PanelWorld, http: aiohttp.ClientSession, **changes: str) -> str:
    """Save the ``daily`` schedule through the panel; the server page it lands on."""
    guild = panel.newsroom.id
    _, page = await get(http, panel.url(f"/servers/{guild}"))
    form = schedule_form(panel, csrf_of(page), **changes)
    status, body, location = await post(http, panel.url(f"/servers/{guild}/schedule"), form)
    assert status == 303, body
    assert location is not None
    status, page = await get(http, panel.url(location))
    assert status == 200
    return page


async def test_the_thread_box_sets_and_clears_thread_per_briefing(panel: PanelWorld) -> None:
    guild = panel.newsroom.id
    async with panel.client() as http:
        await panel.sign_in(http, "owner")
        _, page = await get(http, panel.url(f"/servers/{guild}"))
        assert 'id="thread" name="thread" value="on">' in page  # unticked for a new one
        page = await _with_schedule(panel, http, thread="on")
        assert 'name="thread" value="on" checked>' in page
        text = _unmarked(page)
        assert "Posts to #news (text channel, a thread per briefing)." in text
        stored = await schedules.get_schedule(_services(panel).db, guild)
        assert stored is not None and stored.thread
        status = await briefing_command(panel.harness, "status")
        assert "a thread per briefing" in status

        # the same form with the box unticked (a browser then sends no "thread"): no thread
        form = schedule_form(panel, csrf_of(page), original="daily")
        assert (await post(http, panel.url(f"/servers/{guild}/schedule"), form))[0] == 303
        _, page = await get(http, panel.url(f"/servers/{guild}"))
        assert "Posts to #news (text channel)." in _unmarked(page)
    stored = await schedules.get_schedule(_services(panel).db, guild)
    assert stored is not None and not stored.thread


async def test_missing_permissions_are_named_as_the_commands_name_them(panel: PanelWorld) -> None:
    guild, news = panel.newsroom.id, panel.harness.channel_id("news")
    await panel.bot_sees(
        "guild_channel_update",
        lambda: panel.fake.set_bot_channel_permissions(news, deny=CREATE_PUBLIC_THREADS),
    )
    async with panel.client() as http:
        await panel.sign_in(http, "owner")
        page = await _with_schedule(panel, http, thread="on")
        shown = _unmarked(page)
        status = await briefing_command(panel.harness, "status")
        warning = next(line for line in status.splitlines() if "open a thread" in line)
        assert warning.startswith("⚠️ I can't open a thread for each briefing in <#")
        assert warning.replace(f"<#{news}>", "#news").replace("`", "") in shown
        assert "check permissions" in shown  # the list's badge

        # a permission taken away later shows at the next page view, as in /briefing status
        await panel.bot_sees(
            "guild_channel_update",
            lambda: panel.fake.set_bot_channel_permissions(news, deny=SEND_MESSAGES),
        )
        _, page = await get(http, panel.url(f"/servers/{guild}"))
        shown = _unmarked(page)
        assert "⚠️ I can't post in #news: I need Send Messages there." in shown
        assert "can't post" in shown

        # and saving there is refused next to the channel, changing nothing
        form = schedule_form(panel, csrf_of(page), original="daily", time="09:00")
        status_code, page, _ = await post(http, panel.url(f"/servers/{guild}/schedule"), form)
        assert status_code == 400 and 'id="channel-error"' in page
        assert "I need Send Messages there." in _unmarked(page)
    stored = await schedules.get_schedule(_services(panel).db, guild)
    assert stored is not None and stored.post_time.hour == 7


async def test_role_pings_are_set_shown_and_cleared_like_briefing_ping(panel: PanelWorld) -> None:
    guild, news = panel.newsroom.id, panel.harness.channel_id("news")
    fans = await panel.add_role("Space fans", mentionable=True)
    quiet = await panel.add_role("Quiet", mentionable=False)
    await panel.bot_sees(  # without Mention Everyone the bot can mention only mentionable roles
        "guild_channel_update",
        lambda: panel.fake.set_bot_channel_permissions(news, deny=MENTION_EVERYONE),
    )
    url = panel.url(f"/servers/{guild}/pings")
    async with panel.client() as http:
        await panel.sign_in(http, "owner")
        page = await _with_schedule(panel, http)
        assert "No role is pinged." in page and f'<option value="{fans.id}">@Space fans' in page
        assert f'<option value="{guild}">' not in page  # never @everyone

        form = {"csrf": csrf_of(page), "name": "daily", "topic": "space", "role": str(fans.id)}
        status, _, location = await post(http, url, form)
        assert status == 303 and location == f"/servers/{guild}?schedule=daily&done=pinged#pings"
        _, page = await get(http, panel.url(location))
        assert 'class="ping-row"' in page and "@Space fans" in page
        listed = await briefing_command(panel.harness, "list")
        assert f"Pings: Space → <@&{fans.id}>." in listed

        refused = [
            ({"topic": "Space", "role": str(quiet.id)}, "ping_role", "I can't mention @Quiet"),
            ({"topic": "Space", "role": str(guild)}, "ping_role", "never pings `@everyone`"),
            ({"topic": "Spcae", "role": str(fans.id)}, "ping_topic", "Did you mean Space"),
            ({"topic": "Open Source", "role": str(fans.id)}, "ping_topic", "does not post Open"),
            ({"topic": "Space", "role": ""}, "ping_role", "Choose the role to mention."),
            ({"topic": "Space", "role": "²"}, "ping_role", "Choose the role to mention."),
        ]
        for changes, field, message in refused:
            form = {"csrf": csrf_of(page), "name": "daily", **changes}
            status, page, _ = await post(http, url, form)
            assert status == 400 and f'id="{field}-error"' in page, changes
            assert message in _unmarked(page), re.findall(r"-error[^>]*>([^<]*)", page)
        schedule = await schedules.get_schedule(_services(panel).db, guild)
        assert schedule is not None and schedule.id is not None
        stored = await pings.schedule_pings(_services(panel).db, schedule.id)
        assert [(p.topic, p.role_id) for p in stored] == [("Space", fans.id)]

        # a role made unmentionable since is flagged, as /briefing status flags it
        await panel.bot_sees(
            "guild_role_update",
            lambda: panel.fake.set_role_mentionable(guild, fans.id, False),
        )
        _, page = await get(http, panel.url(f"/servers/{guild}"))
        assert "I can't mention @Space fans in #news" in _unmarked(page)

        form = {"csrf": csrf_of(page), "name": "daily", "topic": "Space", "clear": "yes"}
        status, _, location = await post(http, url, form)
        assert status == 303 and location is not None and "done=unpinged" in location
        _, page = await get(http, panel.url(location))
        assert "No role is pinged." in page
    assert await pings.schedule_pings(_services(panel).db, schedule.id) == ()


async def test_setting_a_ping_needs_manage_server_and_a_form_token(panel: PanelWorld) -> None:
    guild = panel.newsroom.id
    fans = await panel.add_role("Space fans", mentionable=True)
    url = panel.url(f"/servers/{guild}/pings")
    async with panel.client() as http:
        await panel.sign_in(http, "owner")
        page = await _with_schedule(panel, http)
        form = {"csrf": "forged", "name": "daily", "topic": "Space", "role": str(fans.id)}
        status, body, _ = await post(http, url, form)
        assert status == 403 and "Reload and retry" in body
    async with panel.client() as http:
        page = await panel.sign_in(http, "alice")
        form = {"csrf": csrf_of(page), "name": "daily", "topic": "Space", "role": str(fans.id)}
        status, body, _ = await post(http, url, form)
        assert status == 403 and "Manage Server" in body
    schedule = await schedules.get_schedule(_services(panel).db, guild)
    assert schedule is not None and schedule.id is not None
    assert await pings.schedule_pings(_services(panel).db, schedule.id) == ()


async def test_the_preview_names_the_roles_it_would_mention_and_pings_nobody(
    panel: PanelWorld,
) -> None:
    guild = panel.newsroom.id
    fans = await panel.add_role("Space fans", mentionable=True)
    async with panel.client() as http:
        await panel.sign_in(http, "owner")
        page = await _with_schedule(panel, http)
        _, page = await get(http, panel.url(f"/servers/{guild}/preview"))
        assert 'id="mentions"' not in page  # no ping configured: nothing said
        form = {"csrf": csrf_of(page), "name": "daily", "topic": "Space", "role": str(fans.id)}
        assert (await post(http, panel.url(f"/servers/{guild}/pings"), form))[0] == 303
        status, page = await get(http, panel.url(f"/servers/{guild}/preview?schedule=daily"))
        assert status == 200 and "Orbital dock" in page
        assert "The post would mention @Space fans. A preview pings nobody." in _unmarked(page)
        status, page = await get(http, panel.url(f"/servers/{guild}/preview?topic=Robotics"))
        assert status == 200 and 'id="mentions"' not in page  # no Space section, no mention
    assert panel.fake.messages_in(panel.harness.channel_id("news")) == []


async def _learn(panel: PanelWorld, user_id: int) -> None:
    """The member's digest learns: more Space from orbital.test, an outlet hidden."""
    services = _services(panel)
    more = ItemRef(signal_key("Space"), "orbital.test")
    await digest_signals.give_feedback(services, user_id, Feedback.MORE, more)
    hidden = ItemRef(signal_key("Robotics"), "spam.test")
    await digest_signals.give_feedback(services, user_id, Feedback.HIDE, hidden)


async def test_the_personal_page_shows_filters_and_signals_and_resets_them(
    panel: PanelWorld,
) -> None:
    alice = panel.user("alice")
    services = _services(panel)
    await subscriptions.subscribe(
        services, alice.id, "Space", exclude='kestrel, "deep sea"', outlets="spam.test"
    )
    await _learn(panel, alice.id)
    async with panel.client() as http:
        await panel.sign_in(http, "alice")
        status, page = await get(http, panel.url("/me"))
        text = _unmarked(page)
        assert status == 200
        assert "Leaving out stories with: “kestrel”, “deep sea”" in text.replace("\n", "")
        assert "Leaving out outlets: spam.test" in text
        assert "Topics: Space +1" in text and "Outlets: orbital.test +1" in text
        assert "Hidden outlets: spam.test" in text
        listing = text_of(
            await reply_of(await panel.fake.inject_slash_command("subscriptions", user_id=alice.id))
        )
        assert "Topics: Space +1" in listing and "Hidden outlets: spam.test" in listing

        status, _, location = await post(
            http, panel.url("/me/signals/reset"), {"csrf": csrf_of(page)}
        )
        assert status == 303 and location == "/me?done=reset"
        _, page = await get(http, panel.url(location))
        assert "Nothing yet: use the buttons" in page and "forgot what you told it" in page
        assert not await digest_signals.digest_signals(services, alice.id)
        status, _, location = await post(
            http, panel.url("/me/signals/reset"), {"csrf": csrf_of(page)}
        )
        assert status == 303 and location == "/me?done=no-signals"

        _, page = await get(http, panel.url("/me"))
        status, _, location = await post(
            http, panel.url("/me/filters/clear"), {"csrf": csrf_of(page)}
        )
        assert status == 303 and location == "/me?done=cleared"
        _, page = await get(http, panel.url(location))
        assert "No filters: every story of your topics can be shown." in page
    settings = await subscriptions.subscriptions(services, alice.id)
    assert settings is not None and not settings.filters and settings.topics == ("Space",)


async def test_signals_outlive_an_unsubscribe_and_forget_me_deletes_them(
    panel: PanelWorld,
) -> None:
    bob = panel.user("bob")
    services = _services(panel)
    await subscriptions.subscribe(services, bob.id, "Space")
    await _learn(panel, bob.id)
    await subscriptions.unsubscribe(services, bob.id, "Space")
    async with panel.client() as http:
        await panel.sign_in(http, "bob")
        _, page = await get(http, panel.url("/me"))
        assert "You follow no topic yet." in page and "Topics: Space" in _unmarked(page)
        assert 'id="filters"' not in page  # no digest, no filters to show
        form = {"csrf": csrf_of(page), "confirm": "yes"}
        status, _, location = await post(http, panel.url("/me/forget"), form)
        assert status == 303 and location == "/me?done=forgotten"
        _, page = await get(http, panel.url(location))
        assert "Nothing yet: use the buttons" in page
    assert not await digest_signals.digest_signals(services, bob.id)


@pytest.mark.parametrize("path", ["/me/signals/reset", "/me/filters/clear"])
async def test_personal_changes_need_a_form_token_and_change_once(
    panel: PanelWorld, path: str
) -> None:
    alice = panel.user("alice")
    services = _services(panel)
    await subscriptions.subscribe(services, alice.id, "Space", exclude="kestrel")
    await _learn(panel, alice.id)
    async with panel.client() as http:
        await panel.sign_in(http, "alice")
        _, page = await get(http, panel.url("/me"))
        for token in ("", "forged"):
            status, body, _ = await post(http, panel.url(path), {"csrf": token})
            assert status == 403 and "Reload and retry" in body
        assert await digest_signals.digest_signals(services, alice.id)
        settings = await subscriptions.subscriptions(services, alice.id)
        assert settings is not None and settings.filters
        form = {"csrf": csrf_of(page)}
        assert (await post(http, panel.url(path), form))[0] == 303
        status, body, _ = await post(http, panel.url(path), form)
        assert status == 409 and "already sent" in body


async def test_clearing_filters_without_a_digest_is_explained(panel: PanelWorld) -> None:
    async with panel.client() as http:
        await panel.sign_in(http, "alice")
        _, page = await get(http, panel.url("/me"))
        status, page, _ = await post(http, panel.url("/me/filters/clear"), {"csrf": csrf_of(page)})
        assert status == 400 and "You follow no topic" in page
