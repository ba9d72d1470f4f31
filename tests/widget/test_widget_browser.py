"""The embeddable widget in Chromium, on a host page of another origin, against a running
server: a customer writes, an operator (through the API) answers live, the history survives
a reload, the offline message shows, payloads stay text, hostile host CSS changes nothing.

Every wait is bounded by WAIT_MS (10 s).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Frame, FrameLocator, Locator, Page, expect

from tests.client import Api, Desk
from tests.realtime import EventSocket
from tests.widget.conftest import HOSTILE_CSS, WAIT_MS, HostSite, NewPage, host_html

pytestmark = pytest.mark.browser

XSS = '<img src=x onerror="window.__xss=1">'
XSS_REPLY = "<script>window.__xss=2</script><b onclick=alert(1)>bold</b>"

Shots = Callable[[Page, str], Path]


@pytest.fixture
def engine_name() -> str:
    """Browser tests run on SQLite only (the API tests cover PostgreSQL)."""
    return "sqlite"


class Widget:
    """The widget as a customer sees it on a host page."""

    def __init__(self, page: Page, site: HostSite | None = None) -> None:
        self.page = page
        self.site = site
        self.launcher = page.locator("livedesk-widget button.launcher")
        self.badge = page.locator("livedesk-widget .badge")
        self.iframe = page.locator("livedesk-widget iframe")
        self.frame: FrameLocator = page.frame_locator("livedesk-widget iframe")
        self.textbox = self.frame.get_by_role("textbox", name="Message")
        self.messages = self.frame.locator("#messages")

    def goto(self, path: str = "/") -> Widget:
        assert self.site is not None
        self.page.goto(self.site.url + path)
        expect(self.launcher).to_be_visible(timeout=WAIT_MS)
        return self

    def open(self) -> None:
        expect(self.launcher).to_have_attribute("aria-expanded", "false", timeout=WAIT_MS)
        self.launcher.click()
        expect(self.iframe).to_be_visible(timeout=WAIT_MS)

    def close(self) -> None:
        self.launcher.click()
        expect(self.iframe).to_be_hidden(timeout=WAIT_MS)

    def send(self, text: str) -> None:
        self.textbox.fill(text)
        self.textbox.press("Enter")
        expect(self.mine.last).to_have_text(text, timeout=WAIT_MS)
        expect(self.textbox).to_have_value("", timeout=WAIT_MS)

    @property
    def mine(self) -> Locator:
        return self.messages.locator(".msg.mine .bubble")

    @property
    def theirs(self) -> Locator:
        return self.messages.locator(".msg.theirs .bubble")

    def chat_frame(self) -> Frame:
        for frame in self.page.frames:
            if "/widget/frame" in frame.url:
                return frame
        raise AssertionError("no widget frame in the page")


def eventually(check: Callable[[], Any], what: str, timeout_s: float = WAIT_MS / 1000) -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def waiting_session(op: Api, chat: dict[str, Any]) -> dict[str, Any]:
    def find() -> dict[str, Any] | None:
        page = op.get(f"/api/sessions?livechat_id={chat['id']}&group=unassigned")
        return page["items"][0] if page["items"] else None

    session: dict[str, Any] = eventually(find, "the customer's session")
    return session


def texts(api: Api, session_id: int) -> list[str]:
    items = api.get(f"/api/sessions/{session_id}/messages")["items"]
    return [m["text"] for m in sorted(items, key=lambda m: m["id"])]


def test_send_and_receive_live_then_reload_keeps_history_on_a_hostile_page(
    desk: Desk, server: str, new_page: NewPage, host_site: HostSite, shots: Shots
) -> None:
    op = desk.user("Olivia Operator")
    chat = desk.livechat("Support", operators=[op])
    host_site.pages["/"] = host_html(server, chat["widget_key"], css=HOSTILE_CSS)
    page = new_page()
    w = Widget(page, host_site).goto()

    # The host's CSS reaches neither the launcher nor the chat.
    box = w.launcher.bounding_box()
    assert box is not None and box["width"] >= 40 and box["height"] >= 40, box
    expect(w.badge).to_be_hidden()
    w.open()
    frame_box = w.iframe.bounding_box()
    assert frame_box is not None and frame_box["width"] >= 300, frame_box
    assert frame_box["height"] >= 300, frame_box
    expect(w.frame.locator("#chat-name")).to_have_text("Support")
    expect(w.frame.locator("#status")).to_have_text("We're online")
    expect(w.frame.locator("#offline")).to_be_hidden()

    w.send("Hello, I need help with my order")
    session = waiting_session(op, chat)
    sid = session["id"]
    op.post(f"/api/sessions/{sid}/take")

    # Typing, both ways.
    with EventSocket.user(op) as sock:
        sock.send({"type": "typing", "session_id": sid, "typing": True})
        expect(w.frame.locator("#typing")).to_have_text(
            "Olivia Operator is typing…", timeout=WAIT_MS
        )
        w.textbox.press_sequentially("Still th")
        sock.until("typing", session_id=sid, author__kind="customer", typing=True)
    w.textbox.fill("")

    # The operator's reply arrives live and ends the typing line.
    op.post(f"/api/sessions/{sid}/messages", {"text": "Hi! Let me check that."}, expect=201)
    expect(w.theirs.last).to_have_text("Hi! Let me check that.", timeout=WAIT_MS)
    expect(w.frame.locator("#typing")).to_be_hidden()
    expect(w.frame.locator(".msg.theirs .who").last).to_have_text("Olivia Operator")
    shots(page, "widget-hostile-host-open")

    # A reply while the chat is closed shows on the launcher's badge.
    w.close()
    op.post(f"/api/sessions/{sid}/messages", {"text": "It ships tomorrow."}, expect=201)
    expect(w.badge).to_have_text("1", timeout=WAIT_MS)
    expect(w.launcher).to_have_attribute("aria-label", "Open chat (1 unread)")

    # The host page cannot fake the frame's messages.
    page.evaluate(
        "() => window.postMessage({tag: 'livedesk-widget', type: 'unread', count: 42}, '*')"
    )
    page.wait_for_timeout(200)
    expect(w.badge).to_have_text("1")

    # Reload: the same visitor, the unread reply still counted, the whole history there.
    page.reload()
    expect(w.launcher).to_be_visible(timeout=WAIT_MS)
    expect(w.badge).to_have_text("1", timeout=WAIT_MS)
    w.open()
    expect(w.mine).to_have_text(["Hello, I need help with my order"], timeout=WAIT_MS)
    expect(w.theirs).to_have_text(["Hi! Let me check that.", "It ships tomorrow."])
    expect(w.badge).to_be_hidden(timeout=WAIT_MS)

    # Still live after the reload, and the customer's next message joins the same session.
    op.post(f"/api/sessions/{sid}/messages", {"text": "Anything else?"}, expect=201)
    expect(w.theirs.last).to_have_text("Anything else?", timeout=WAIT_MS)
    w.send("No, thank you!")
    assert texts(op, sid)[-2:] == ["Anything else?", "No, thank you!"]

    # A later visit (another tab of the same browser) sees the history as well.
    later = Widget(page.context.new_page(), host_site).goto()
    later.open()
    expect(later.mine).to_have_text(
        ["Hello, I need help with my order", "No, thank you!"], timeout=WAIT_MS
    )
    later.page.close()


def test_offline_message_shows_and_the_message_is_still_recorded(
    desk: Desk, server: str, new_page: NewPage, host_site: HostSite, shots: Shots
) -> None:
    op = desk.user("Night Operator", status="offline")
    chat = desk.livechat("After hours", operators=[op])
    offline = "We're away until 9:00.\nLeave a message and we'll write back here."
    desk.admin.patch(f"/api/livechats/{chat['id']}", {"settings": {"offline_message": offline}})
    host_site.pages["/"] = host_html(server, chat["widget_key"])
    page = new_page()
    w = Widget(page, host_site).goto()
    w.open()

    banner = w.frame.locator("#offline")
    expect(banner).to_be_visible(timeout=WAIT_MS)
    assert banner.inner_text() == offline
    expect(w.frame.locator("#status")).to_have_text("Offline")
    w.send("Is anyone there? My invoice is wrong.")
    expect(banner).to_be_visible()
    shots(page, "widget-offline")

    session = waiting_session(op, chat)
    assert texts(op, session["id"]) == ["Is anyone there? My invoice is wrong."]

    # Once an operator is online, the chat says so the next time it is opened.
    op.put("/api/me/status", {"status": "online"})
    w.close()
    w.open()
    expect(banner).to_be_hidden(timeout=WAIT_MS)
    expect(w.frame.locator("#status")).to_have_text("We're online")


def test_markup_in_messages_is_shown_as_text(
    desk: Desk, server: str, new_page: NewPage, host_site: HostSite
) -> None:
    op = desk.user("Xena")
    chat = desk.livechat("Support", operators=[op])
    host_site.pages["/"] = host_html(server, chat["widget_key"])
    page = new_page()
    w = Widget(page, host_site).goto()
    w.open()

    w.send(XSS)
    sid = waiting_session(op, chat)["id"]
    op.post(f"/api/sessions/{sid}/take")
    op.post(f"/api/sessions/{sid}/messages", {"text": XSS_REPLY}, expect=201)
    expect(w.theirs.last).to_have_text(XSS_REPLY, timeout=WAIT_MS)
    expect(w.mine.last).to_have_text(XSS)

    frame = w.chat_frame()
    assert (
        frame.evaluate("() => document.querySelectorAll('#messages img, #messages b').length") == 0
    )
    assert frame.evaluate("() => window.__xss") is None
    assert page.evaluate("() => window.__xss") is None
    assert texts(op, sid) == [XSS, "Xena took the session", XSS_REPLY]


def test_prechat_form_names_the_customer(
    desk: Desk, server: str, new_page: NewPage, host_site: HostSite
) -> None:
    op = desk.user("Paula")
    chat = desk.livechat("Sales", operators=[op])
    channel = desk.admin.post(
        f"/api/livechats/{chat['id']}/channels",
        {"kind": "widget", "config": {"prechat_form": True}},
        expect=201,
    )
    host_site.pages["/"] = host_html(server, channel["widget_key"])
    page = new_page()
    w = Widget(page, host_site).goto()
    w.open()

    form = w.frame.get_by_role("form", name="Introduce yourself")
    expect(form).to_be_visible(timeout=WAIT_MS)
    expect(w.textbox).to_be_hidden()
    form.get_by_label("Name").fill("Carla Customer")
    form.get_by_label("E-mail").fill("carla@example.com")
    form.get_by_role("button", name="Start chat").click()
    expect(w.textbox).to_be_visible(timeout=WAIT_MS)
    w.send("Do you ship to Norway?")

    session = waiting_session(op, chat)
    assert session["contact"]["name"] == "Carla Customer"

    # A returning visitor is not asked again.
    page.reload()
    w.open()
    expect(w.mine).to_have_text(["Do you ship to Norway?"], timeout=WAIT_MS)
    expect(form).to_be_hidden()


def test_demo_page_chat_survives_a_reload(desk: Desk, server: str, new_page: NewPage) -> None:
    """/demo is on the server's own site: the frame keeps the visitor in its own storage."""
    op = desk.user("Dora")
    chat = desk.livechat("Demo", operators=[op])
    page = new_page()
    page.goto(f"{server}/demo")
    w = Widget(page)
    expect(w.launcher).to_be_visible(timeout=WAIT_MS)
    w.open()
    w.send("Hello from the demo page")
    # Kept by the frame itself, not through the loader's fallback.
    keys = w.chat_frame().evaluate("() => Object.keys(localStorage)")
    assert keys == [f"livedesk:{chat['widget_key']}"], keys
    sid = waiting_session(op, chat)["id"]
    op.post(f"/api/sessions/{sid}/take")
    op.post(f"/api/sessions/{sid}/messages", {"text": "Hello from the desk"}, expect=201)
    expect(w.theirs.last).to_have_text("Hello from the desk", timeout=WAIT_MS)
    page.reload()
    w.open()
    expect(w.mine).to_have_text(["Hello from the demo page"], timeout=WAIT_MS)
    expect(w.theirs).to_have_text(["Hello from the desk"])
