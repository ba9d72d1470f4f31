"""Browser fixtures: Debian's Chromium driven by Playwright (sync API), SQLite only.

The server under test serves the built UI from ``ui/dist``; build it first with
``cd ui && npm run build``. These tests never build it, and never download a browser.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from tests.browser import REPO, WAIT_MS, NewPage, chromium, page_factory, screenshot_taker

__all__ = ["WAIT_MS", "NewPage"]

UI_INDEX = REPO / "ui" / "dist" / "index.html"


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
    with chromium(playwright_driver) as launched:
        yield launched


@pytest.fixture
def new_page(browser: Browser, server: str) -> Iterator[NewPage]:
    """Pages on the test server, each in a fresh browser context."""
    with page_factory(browser, server) as make:
        yield make


@pytest.fixture
def shots() -> Callable[[Page, str], Path]:
    return screenshot_taker(full_page=True)
