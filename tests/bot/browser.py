"""A real browser for the web panel's tests: Debian's headless Chromium driven by Selenium.

The system ``/usr/bin/chromedriver`` is named explicitly and ``SE_OFFLINE`` is set, so
Selenium Manager never tries to download a driver or a browser (this machine's network is
closed). Chromium runs headless with a fresh profile and without any background traffic.
Selenium is synchronous: each call runs in a thread so the bot and the fake Discord keep
serving on the test's event loop. Without Chromium the tests that need it are skipped, saying
how to install it (``make`` installs it when run as root).
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--no-first-run",
    "--no-default-browser-check",
    "--lang=en-US",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
)
HAVE_CHROMIUM = CHROMIUM.exists() and CHROMEDRIVER.exists()
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs"


def _gone(element: Any) -> bool:
    """Whether ``element`` no longer belongs to the page (the page was replaced).

    Selenium's ``staleness_of`` only counts a "stale element reference" answer; while the
    next page replaces the old one, Chromium may answer a call on the old node with "unknown
    error: … Node with given id does not belong to the document" instead (seen on a loaded
    machine), which means the same: gone.
    """
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

    try:
        element.is_enabled()
    except StaleElementReferenceException:
        return True
    except WebDriverException as error:
        if "does not belong to the document" in (error.msg or ""):
            return True
        raise
    return False


class Browser:
    """Async wrappers around one Chromium session."""

    def __init__(self, driver: Any, screenshots: Path) -> None:
        self.driver = driver
        self.screenshots = screenshots

    async def call(self, function: Any, *args: Any) -> Any:
        return await asyncio.to_thread(function, *args)

    async def open(self, url: str) -> None:
        await self.call(self.driver.get, url)

    async def find(self, css: str) -> Any:
        from selenium.webdriver.common.by import By

        return await self.call(self.driver.find_element, By.CSS_SELECTOR, css)

    async def find_all(self, css: str) -> list[Any]:
        from selenium.webdriver.common.by import By

        return list(await self.call(self.driver.find_elements, By.CSS_SELECTOR, css))

    async def click(self, css: str) -> None:
        """Click ``css`` and wait until the page it leads to has replaced this one.

        A click returns once dispatched, not once the next page is there: reading the page
        at once could read the old one. The old page's root going stale is the sign.
        """
        from selenium.webdriver.support.ui import WebDriverWait

        root = await self.find("html")
        element = await self.find(css)
        await self.call(element.click)
        wait = WebDriverWait(self.driver, 30)
        await self.call(wait.until, lambda driver: _gone(root))
        await self.call(
            wait.until, lambda d: d.execute_script("return document.readyState") == "complete"
        )

    async def type(self, css: str, text: str) -> None:
        element = await self.find(css)
        await self.call(element.clear)
        await self.call(element.send_keys, text)

    async def select(self, css: str, visible_text: str) -> None:
        from selenium.webdriver.support.ui import Select

        element = await self.find(css)
        await self.call(Select(element).select_by_visible_text, visible_text)

    async def fill(self, values: dict[str, str]) -> None:
        """Fill in a form: each CSS selector's field gets its value (a ``<select>`` the option
        with that text, any other field the text, typed over what it held)."""
        for css, value in values.items():
            element = await self.find(css)
            if await self.call(lambda e=element: e.tag_name) == "select":
                await self.select(css, value)
            else:
                await self.type(css, value)

    async def text(self, css: str = "body") -> str:
        element = await self.find(css)
        return str(await self.call(lambda: element.text))

    @property
    def path(self) -> str:
        from urllib.parse import urlsplit

        return urlsplit(str(self.driver.current_url)).path

    async def screenshot(self, name: str, *, width: int = 1200) -> Path:
        """The whole page as ``<name>.png`` (the window grown to the page's height)."""

        def shoot() -> Path:
            # Headless windows are capped at the screen's size: emulate a device as tall as
            # the page instead (Chrome DevTools Protocol), then go back to the window.
            metrics = {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600}
            self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
            height = self.driver.execute_script("return document.documentElement.scrollHeight")
            metrics["height"] = min(int(height), 6000)
            self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
            target = self.screenshots / f"{name}.png"
            self.driver.get_screenshot_as_file(str(target))
            self.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
            return target

        return await asyncio.to_thread(shoot)


@pytest.fixture
async def browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Browser]:
    """Headless Chromium; screenshots go to ``docs/`` with ``UPDATE_SCREENSHOTS=1``."""
    if not HAVE_CHROMIUM:
        pytest.skip("needs Debian's chromium and chromium-driver (make installs them as root)")
    monkeypatch.setenv("SE_OFFLINE", "true")  # never let Selenium Manager reach the network
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    profile = tmp_path / "chromium-profile"
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument("--window-size=1200,900")
    service = Service(executable_path=str(CHROMEDRIVER))
    driver = await asyncio.to_thread(webdriver.Chrome, options=options, service=service)
    shots = SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path
    try:
        driver.implicitly_wait(0)
        yield Browser(driver, shots)
    finally:
        await asyncio.to_thread(driver.quit)
        shutil.rmtree(profile, ignore_errors=True)
