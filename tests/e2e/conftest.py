"""Browser fixtures: Debian's Chromium driven by Playwright (sync API), SQLite only.

The server under test serves the built UI from ``ui/dist``; build it first with
``cd ui && npm run build``. These tests never build it, and never download a browser.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

REPO = Path(__file__).resolve().parents[2]
UI_INDEX = REPO / "ui" / "dist" / "index.html"
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


@pytest.fixture
def engine_name() -> str:
    """Browser tests run on SQLite only (the API tests cover PostgreSQL)."""
    return "sqlite"


@pytest.fixture(scope="session")
def ui_built() -> None:
    if not UI_INDEX.is_file():
        pytest.fail(
            f"{UI_INDEX} is missing: build the operator UI first (cd ui && npm run build)",
            pytrace=False,
        )


@pytest.fixture
def playwright_driver(server: str) -> Iterator[Playwright]:
    """Playwright's sync API keeps an asyncio loop running in this thread while it lives,
    and the database fixtures call ``asyncio.run``: so start it only once the server is up
    (hence the ``server`` dependency), and stop it at the end of each test."""
    with sync_playwright() as p:
        yield p


@pytest.fixture
def browser(ui_built: None, playwright_driver: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing (apt-get install chromium)", pytrace=False)
    browser = playwright_driver.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=30_000
    )
    try:
        yield browser
    finally:
        browser.close()


NewPage = Callable[[], Page]


@pytest.fixture
def new_page(browser: Browser, server: str) -> Iterator[NewPage]:
    """Open a page in a fresh browser context (its own cookies) on the test server.

    Every context is closed at teardown; uncaught page errors fail the test.
    """
    contexts: list[BrowserContext] = []
    errors: list[str] = []

    def make() -> Page:
        context = browser.new_context(
            base_url=server, viewport={"width": 1280, "height": 800}, locale="en-US"
        )
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


@pytest.fixture
def shots() -> Callable[[Page, str], Path]:
    """``shots(page, "name")`` saves test-artifacts/screenshots/name.png and returns its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page: Page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True, timeout=WAIT_MS)
        return path

    return take
