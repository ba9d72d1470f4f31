"""What every browser test shares: Debian's Chromium, a page per fresh context, screenshots."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright

REPO = Path(__file__).resolve().parents[1]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: The longest any single wait in these tests may take (ms), Playwright's included.
WAIT_MS = 10_000

NewPage = Callable[[], Page]


@contextmanager
def chromium(driver: Playwright) -> Iterator[Browser]:
    """Debian's Chromium (never a browser downloaded by a test tool)."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing (apt-get install chromium)", pytrace=False)
    browser = driver.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=30_000
    )
    try:
        yield browser
    finally:
        browser.close()


@contextmanager
def page_factory(browser: Browser, base_url: str | None = None) -> Iterator[NewPage]:
    """``make()`` opens a page in a fresh context (its own cookies and storage).

    Every context is closed at the end; uncaught errors in any page fail the test.
    """
    contexts: list[BrowserContext] = []
    errors: list[str] = []

    def make() -> Page:
        options: dict[str, object] = {"viewport": {"width": 1280, "height": 800}}
        if base_url is not None:
            options["base_url"] = base_url
        context = browser.new_context(locale="en-US", **options)  # type: ignore[arg-type]
        contexts.append(context)
        context.set_default_timeout(WAIT_MS)
        context.set_default_navigation_timeout(WAIT_MS)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        return page

    try:
        yield make
    finally:
        for context in contexts:
            context.close()
    assert not errors, f"uncaught errors in the page: {errors}"


def screenshot_taker(*, full_page: bool) -> Callable[[Page, str], Path]:
    """``take(page, "name")`` saves test-artifacts/screenshots/name.png and returns its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page: Page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page, timeout=WAIT_MS)
        return path

    return take
