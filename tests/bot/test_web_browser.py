"""The web panel in a real browser (headless Chromium + Selenium): sign in with Discord (the
fake), create a schedule, see it from the slash command, the preview, explain, the personal
page, and a forbidden server. With ``UPDATE_SCREENSHOTS=1`` the pages are saved in ``docs/``.

``/briefing status`` stands in for ``/briefing list``, which comes with issue 13.
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
    await browser.select("#channel", "#news")
    await browser.type("#time", "25:99")
    await browser.type("#timezone", "Europe/Paris")
    await browser.type("#topics", "Space, Robotics")
    await browser.click("#save")
    error = await browser.text("#time-error")
    assert "is not a time of day: hours go to 23 and minutes to 59." in error
    await browser.screenshot("panel-bad-input")

    await browser.type("#time", "07:30")
    await browser.click("#save")
    page = await browser.text()
    assert "Saved." in page and "Next post:" in page
    await browser.screenshot("panel-server")

    status = await reply_of(
        await panel.fake.inject_slash_command("briefing", subcommand="status", user_id=owner.id)
    )
    text = status.content or ""
    assert "**on**" in text and "07:30 Europe/Paris" in text and "Space, Robotics" in text

    await browser.click("#preview-link")
    embeds = await browser.find_all("#preview .embed")
    assert embeds and "Orbital dock" in await browser.text("#preview")
    bar = await browser.call(embeds[0].value_of_css_property, "border-left-color")
    assert bar.startswith("rgb")
    links = await browser.find_all("#preview .embed-description a")
    assert links and (await browser.call(links[0].get_attribute, "href")).startswith("https://")
    await browser.screenshot("panel-preview")
    await browser.screenshot("panel-preview-phone", width=390)

    await browser.open(panel.url(f"/servers/{guild.id}/explain"))
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
