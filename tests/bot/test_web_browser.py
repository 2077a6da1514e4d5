"""The web panel in a real browser (headless Chromium + Selenium): sign in with Discord (the
fake), create two schedules (one with a thread per briefing, where the bot lacks a thread
permission), a role ping, see them in ``/briefing list`` sent through the fake Discord, the
preview with the role it would mention, explain, the personal page with the digest's filters
and signals, and a forbidden server. With ``UPDATE_SCREENSHOTS=1`` the pages are saved in
``docs/``.
"""

from __future__ import annotations

from bot.usecases import digest_signals, subscriptions
from briefings.personal import Feedback, ItemRef
from tests.bot.browser import Browser, browser
from tests.bot.harness import reply_of
from tests.bot.web_world import PanelWorld
from tests.fake_discord import CREATE_PUBLIC_THREADS

__all__ = ["browser"]


async def test_a_manager_sets_up_the_briefing_in_the_browser(
    panel: PanelWorld, browser: Browser
) -> None:
    guild, owner = panel.newsroom, panel.user("owner")
    panel.fake.oauth.signed_in_user_id = owner.id
    bot = panel.harness.bot
    assert bot is not None
    fans = await panel.add_role("Space fans", mentionable=True)
    news = panel.harness.channel_id("news")
    await panel.bot_sees(
        "guild_channel_update",
        lambda: panel.fake.set_bot_channel_permissions(news, deny=CREATE_PUBLIC_THREADS),
    )

    await browser.open(panel.url("/"))
    assert "Sign in with Discord" in await browser.text()
    await browser.screenshot("panel-sign-in")

    await browser.click("#sign-in")  # → the fake Discord's consent → back, signed in
    assert browser.path == "/servers"
    assert "Newsroom" in await browser.text() and "Elsewhere" not in await browser.text()
    await browser.screenshot("panel-servers")

    await browser.click(f'a[href="/servers/{guild.id}"]')
    assert browser.path == f"/servers/{guild.id}"
    assert "None yet: fill in the form below." in await browser.text("#schedules")
    await browser.fill(
        {
            "#name": "morning",
            "#channel": "#news",
            "#time": "25:99",
            "#timezone": "Europe/Paris",
            "#topics": "Space, Robotics",
        }
    )
    await browser.call((await browser.find("#thread")).click)  # a thread per briefing
    await browser.click("#save")
    error = await browser.text("#time-error")
    assert "is not a time of day: hours go to 23 and minutes to 59." in error
    await browser.screenshot("panel-bad-input")

    await browser.type("#time", "07:30")
    await browser.click("#save")
    page = await browser.text()
    assert "Saved." in page and "Next post:" in page
    where = await browser.text("#where")
    assert "Posts to #news (text channel, a thread per briefing)." in where
    assert "I can't open a thread for each briefing in #news" in where

    await browser.click("#add-link")  # a second briefing: a blank form
    assert await browser.call((await browser.find("#name")).get_attribute, "value") == ""
    await browser.fill(
        {
            "#name": "Evening digest",
            "#channel": "#general",
            "#time": "18:15",
            "#days": "weekdays",
            "#length": "headlines",
        }
    )
    await browser.click("#save")
    assert "Saved." in await browser.text()
    rows = [await browser.call(lambda r=r: r.text) for r in await browser.find_all(".schedule-row")]
    assert [row.split()[0] for row in rows] == ["morning", "Evening"], rows

    await browser.click('.schedule-row a[href$="?schedule=morning"]')
    await browser.fill({"#ping_topic": "Space", "#ping_role": "@Space fans"})
    await browser.click("#ping-save")
    assert "Space @Space fans" in await browser.text("#pings")
    await browser.screenshot("panel-server")

    listed = await reply_of(
        await panel.fake.inject_slash_command("briefing", subcommand="list", user_id=owner.id)
    )
    assert listed.ephemeral
    text = listed.content or ""
    news, general = panel.harness.channel_id("news"), panel.harness.channel_id("general")
    morning, pings, evening = text.split("\n")
    assert pings == f"Pings: Space → <@&{fans.id}>."
    assert morning.startswith(f"**morning** — <#{news}> at 07:30 Europe/Paris, every day")
    assert "(Space, Robotics; short," in morning and "a thread per briefing)" in morning
    assert "**on**. Next post: <t:" in morning
    assert evening.startswith(f"**Evening digest** — <#{general}> at 18:15 UTC, weekdays")
    assert "(all topics; headlines," in evening and "**on**. Next post: <t:" in evening

    await browser.click("#preview-link")
    embeds = await browser.find_all("#preview .embed")
    assert embeds and "Orbital dock" in await browser.text("#preview")
    bar = await browser.call(embeds[0].value_of_css_property, "border-left-color")
    assert bar.startswith("rgb")
    links = await browser.find_all("#preview .embed-description a")
    assert links and (await browser.call(links[0].get_attribute, "href")).startswith("https://")
    assert "would mention @Space fans" in await browser.text("#mentions")
    await browser.screenshot("panel-preview")
    await browser.screenshot("panel-preview-phone", width=390)

    await browser.open(panel.url(f"/servers/{guild.id}/explain?url=https://x.test/a"))
    # Two briefings and none named: the use case's question, not a blank page.
    assert "say which one." in await browser.text("#name-error")
    await browser.open(panel.url(f"/servers/{guild.id}/explain?schedule=morning"))
    await browser.type("#url", "https://circuitreview.test/news/lumen-labs-kestrel-2")
    await browser.click("#explain")
    assert "published" in await browser.text("#explanation")
    explained = await browser.find("#explanation .embed")
    # Not in the schedule's topics: the orange bar of render_explanation, as in Discord.
    colour = await browser.call(explained.value_of_css_property, "border-left-color")
    assert colour in ("rgb(230, 126, 34)", "rgba(230, 126, 34, 1)")
    await browser.screenshot("panel-explain")

    services = bot.services  # the digest has filters and learned from its menus
    await subscriptions.subscribe(services, owner.id, "Space", exclude="kestrel, rumour")
    more = ItemRef("space", "orbitaldaily.test")
    await digest_signals.give_feedback(services, owner.id, Feedback.MORE, more)
    await digest_signals.give_feedback(
        services, owner.id, Feedback.HIDE, ItemRef("ai", "spam.test")
    )
    await browser.open(panel.url("/me"))
    await browser.type("#topic", "Robotics")
    await browser.click("#follow")
    assert "Subscribed." in await browser.text()
    assert "Leaving out stories with: “kestrel”, “rumour”" in await browser.text("#filters")
    assert "Topics: Space +1" in await browser.text("#signals")
    await browser.screenshot("panel-me")

    await browser.open(panel.url(f"/servers/{panel.elsewhere.id}"))
    assert "You can't manage this server here" in await browser.text()
    await browser.screenshot("panel-forbidden")


async def test_a_member_without_manage_server_sees_no_server(
    panel: PanelWorld, browser: Browser
) -> None:
    panel.fake.oauth.signed_in_user_id = panel.user("alice").id
    await browser.open(panel.url("/login"))
    assert "No server to show" in await browser.text()
    await browser.open(panel.url(f"/servers/{panel.newsroom.id}"))
    assert "Not allowed" in await browser.text()
