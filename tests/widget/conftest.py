"""Widget browser fixtures: Debian's Chromium driven by Playwright (sync API).

The server under test serves the built widget from ``widget/dist``; build it first with
``make widget``. These tests never build it, and never download a browser.

Host pages come from a tiny HTTP server of their own, reached as ``http://localhost:PORT``
while the livedesk server is ``http://127.0.0.1:PORT``: another site, as for a real
customer's website. (Both are on loopback: Chromium refuses a public page's requests to a
loopback server, which a real, public livedesk server never meets.)
"""

from __future__ import annotations

import html
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from tests.browser import REPO, WAIT_MS, NewPage, chromium, page_factory, screenshot_taker

__all__ = ["WAIT_MS", "NewPage"]

WIDGET_JS = REPO / "widget" / "dist" / "widget.js"

#: A host page at war with everything it does not know: the widget must still work.
HOSTILE_CSS = """
*:not(html):not(body) { display: none !important; }
html, body { font-size: 2px !important; color: red !important; line-height: 0 !important;
             letter-spacing: 20px !important; }
iframe { width: 0 !important; height: 0 !important; visibility: hidden !important; }
button { transform: scale(0) !important; opacity: 0 !important; }
div, span, ol, li, form, textarea { all: unset !important; display: none !important; }
livedesk-widget, [style] { display: none !important; position: static !important; }
"""


def host_html(server: str, widget_key: str, css: str = "", body: str = "") -> str:
    return (
        "<!doctype html><html><head><meta charset=utf-8><title>Host shop</title>"
        f"<style>{css}</style></head><body><h1>Host shop</h1>{body}"
        f'<script src="{html.escape(server)}/widget.js" '
        f'data-widget-key="{html.escape(widget_key)}" async></script></body></html>'
    )


@pytest.fixture(scope="session")
def widget_built() -> None:
    if not WIDGET_JS.is_file():
        pytest.fail(f"{WIDGET_JS} is missing: build the widget first (make widget)", pytrace=False)


@pytest.fixture
def playwright_driver(server: str) -> Iterator[Playwright]:
    """Started once the server is up (see tests/e2e/conftest.py), stopped after each test."""
    with sync_playwright() as p:
        yield p


@pytest.fixture
def browser(widget_built: None, playwright_driver: Playwright) -> Iterator[Browser]:
    with chromium(playwright_driver) as launched:
        yield launched


class HostSite:
    """The customer's website: ``pages`` maps a path to the HTML served there."""

    def __init__(self) -> None:
        self.pages: dict[str, str] = {}
        pages = self.pages

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = pages.get(self.path.split("?")[0])
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                data = (body or "not found").encode()
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://localhost:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(10)


@pytest.fixture
def host_site() -> Iterator[HostSite]:
    site = HostSite()
    try:
        yield site
    finally:
        site.close()


@pytest.fixture
def new_page(browser: Browser) -> Iterator[NewPage]:
    """Pages, each in a fresh browser context (its own storage)."""
    with page_factory(browser) as make:
        yield make


@pytest.fixture
def shots() -> Callable[[Page, str], Path]:
    return screenshot_taker(full_page=False)
