"""The web panel in a real browser (headless Chromium + Selenium): sign in with Discord (the
fake), create two schedules, see them in ``/briefing list`` sent through the fake Discord, the
preview, explain, the personal page, and a forbidden server. With ``UPDATE_SCREENSHOTS=1`` the
pages are saved in ``docs/``.
"""

from __future__ import annotations

from tests.bot.browser import Browser, browser
from tests.bot.harness import reply_of
from tests.bot.web_world import PanelWorld

__all__ = ["browser"]


async def test_a_manager_sets_up_the_briefing_in_the_browser(
    panel: PanelWorld, browser: Browser
) -> None:
    guild, owner = panel.newsroom, panel.user("owner")
    panel.fake.oauth.signed_in_user_id = owner.id

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
    await browser.click("#save")
    error = await browser.text("#time-error")
    assert "is not a time of day: hours go to 23 and minutes to 59." in error
    await browser.screenshot("panel-bad-input")

    await browser.type("#time", "07:30")
    await browser.click("#save")
    page = await browser.text()
    assert "Saved." in page and "Next post:" in page

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
    await browser.screenshot("panel-server")

    listed = await reply_of(
        await panel.fake.inject_slash_command("briefing", subcommand="list", user_id=owner.id)
    )
    assert listed.ephemeral
    text = listed.content or ""
    news, general = panel.harness.channel_id("news"), panel.harness.channel_id("general")
    morning, evening = text.split("\n")
    assert morning.startswith(f"**morning** — <#{news}> at 07:30 Europe/Paris, every day")
    assert "(Space, Robotics; short," in morning and "**on**. Next post: <t:" in morning
    assert evening.startswith(f"**Evening digest** — <#{general}> at 18:15 UTC, weekdays")
    assert "(all topics; headlines," in evening and "**on**. Next post: <t:" in evening

    await browser.click('.schedule-row a[href$="?schedule=morning"]')
    await browser.click("#preview-link")
    embeds = await browser.find_all("#preview .embed")
    assert embeds and "Orbital dock" in await browser.text("#preview")
    bar = await browser.call(embeds[0].value_of_css_property, "border-left-color")
    assert bar.startswith("rgb")
    links = await browser.find_all("#preview .embed-description a")
    assert links and (await browser.call(links[0].get_attribute, "href")).startswith("https://")
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

    await browser.open(panel.url("/me"))
    await browser.type("#topic", "Space")
    await browser.click("#topics button[type=submit]:last-of-type")
    assert "Subscribed." in await browser.text()
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
