"""The workspace across a server restart: the page notices, waits, and catches up by itself.

The server stops and starts again on the same port with the same database file, as after
a deploy or a crash and a supervisor's restart. The operator's page is never reloaded.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import expect

from livedesk.config import Settings
from tests.client import Desk, seed_admin
from tests.e2e.conftest import WAIT_MS, NewPage
from tests.e2e.test_workspace import (
    Shots,
    customer_texts,
    dialog,
    eventually,
    no_notice,
    red_count,
    session_row,
    sign_in_as,
)
from tests.server import RestartableServer, restartable_server

pytestmark = pytest.mark.browser


@pytest.fixture
def restartable(settings: Settings) -> Iterator[RestartableServer]:
    seed_admin(settings)
    with restartable_server(settings) as running:
        yield running


@pytest.fixture
def server(restartable: RestartableServer) -> str:
    """Every other fixture (admin, desk, pages) talks to the restartable server."""
    return restartable.url


def test_the_workspace_recovers_from_a_server_restart_without_a_reload(
    restartable: RestartableServer, desk: Desk, new_page: NewPage, shots: Shots
) -> None:
    olga = desk.user("Olga Operator")
    chat = desk.livechat("Support", operators=[olga])
    visitor = desk.visitor(chat, "Ivan Customer")
    session_id = int(visitor.say("Hello, is anyone there?")["session_id"])
    olga.post(f"/api/sessions/{session_id}/take")

    # Olga has the workspace open on Ivan's session.
    page = new_page()
    sign_in_as(page, olga)
    session_row(page, session_id).click()
    box = dialog(page)
    customer_lines = box.locator(".message.from-customer .text")
    expect(customer_lines).to_have_text(["Hello, is anyone there?"], timeout=WAIT_MS)
    reconnecting = page.locator(".workspace > .banner")
    expect(reconnecting).to_have_count(0)
    # Anything set on the window survives only as long as the page is not reloaded.
    page.evaluate("() => { window.__marker = 1; }")

    # Ivan writes; the server accepts it (201) and stops right after.
    visitor.say("My order has not arrived")
    restartable.stop()
    expect(reconnecting).to_have_text("Reconnecting…", timeout=WAIT_MS)
    with pytest.raises(httpx.ConnectError):
        visitor.say("Hello? (while the server is down)")
    # Olga clicks the chat again meanwhile: the page says it could not get an answer.
    session_row(page, session_id).click()
    expect(page.locator(".notice")).to_be_visible(timeout=WAIT_MS)
    shots(page, "restart-1-server-down")

    # The server comes back on the same port and database; Ivan writes again at once.
    restartable.start()
    visitor.say("Are you still there?")
    expect(reconnecting).to_have_count(0, timeout=WAIT_MS)
    expect(customer_lines).to_have_text(
        ["Hello, is anyone there?", "My order has not arrived", "Are you still there?"],
        timeout=WAIT_MS,
    )
    row = session_row(page, session_id)
    expect(row.locator(".preview")).to_have_text("Are you still there?", timeout=WAIT_MS)
    assert page.evaluate("() => window.__marker") == 1, "the page was reloaded"

    # Olga answers from the same page; the reply reaches Ivan.
    reply = "Yes, I am here. Let me check your order."
    composer = box.locator("textarea[name=text]")
    composer.fill(reply)
    composer.press("Enter")
    expect(box.locator(".message.from-operator .text")).to_have_text([reply], timeout=WAIT_MS)
    eventually(
        lambda: customer_texts(visitor)[-1:] == [reply],
        "Olga's reply in Ivan's history",
    )
    assert customer_texts(visitor) == [
        "Hello, is anyone there?",
        "My order has not arrived",
        "Are you still there?",
        reply,
    ]
    # Live updates flow again: Ivan's next message shows up without any refetch by hand.
    visitor.say("Thank you!")
    expect(customer_lines.last).to_have_text("Thank you!", timeout=WAIT_MS)
    expect(row.locator(".preview")).to_have_text("Thank you!", timeout=WAIT_MS)
    # Seen in the open dialog, so nothing counts as unread.
    expect(row.locator(".unread")).to_have_count(0, timeout=WAIT_MS)
    expect(red_count(page)).to_have_text("0", timeout=WAIT_MS)
    # Nor is the error from the time the server was down still showing.
    no_notice(page)
    assert page.evaluate("() => window.__marker") == 1, "the page was reloaded"
    shots(page, "restart-2-recovered")
