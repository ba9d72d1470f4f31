"""Attachments in the widget, in Chromium on a host page of another site: the customer
attaches an image and sends it, the operator (through the API) gets the very bytes and
answers with files that show up live as a download link and a thumbnail; file names made
of markup stay text on both sides.

Every wait is bounded by WAIT_MS (10 s).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Locator, expect

from tests.client import Api, Desk
from tests.e2e.test_attachments import PDF, download, payload, png
from tests.widget.conftest import WAIT_MS, HostSite, NewPage, host_html
from tests.widget.test_widget_browser import XSS, Shots, Widget, waiting_session

pytestmark = pytest.mark.browser

# File names lose everything up to a "/", so this one has none.
XSS_NAME = '<svg onload="window.__xss=2">reply.txt'


@pytest.fixture
def engine_name() -> str:
    """Browser tests run on SQLite only (the API tests cover PostgreSQL)."""
    return "sqlite"


def operator_upload(op: Api, sid: int, name: str, data: bytes, ctype: str) -> int:
    att = op.request(
        "POST",
        f"/api/sessions/{sid}/files",
        201,
        params={"name": name},
        content=data,
        headers={"Content-Type": ctype},
    )
    return int(att["id"])


def chips(w: Widget) -> Locator:
    return w.frame.locator("#chips .chip")


def test_customer_sends_an_image_and_gets_files_back_live(
    desk: Desk, server: str, new_page: NewPage, host_site: HostSite, shots: Shots
) -> None:
    op = desk.user("Olivia Operator")
    chat = desk.livechat("Support", operators=[op])
    host_site.pages["/"] = host_html(server, chat["widget_key"])
    page = new_page()
    w = Widget(page, host_site).goto()
    w.open()
    receipt = png(80, 60, (22, 163, 74))

    # The customer picks an image: it uploads at once, shown as a small chip.
    w.frame.get_by_role("button", name="Attach a file").wait_for()
    w.frame.locator("#file").set_input_files(payload("receipt.png", "image/png", receipt))
    expect(chips(w).locator(".cname")).to_have_text(["receipt.png"], timeout=WAIT_MS)
    expect(w.frame.locator("#chips .chip.done")).to_have_count(1, timeout=WAIT_MS)
    w.textbox.fill("Here is my receipt")
    shots(page, "widget-attachment-chip")
    w.textbox.press("Enter")
    mine = w.messages.locator(".msg.mine").last
    expect(mine.locator(".bubble")).to_have_text("Here is my receipt", timeout=WAIT_MS)
    thumb = mine.locator(".thumb img")
    expect(thumb).to_have_attribute("alt", "receipt.png")
    expect(chips(w)).to_have_count(0)
    expect(w.frame.locator("#chips")).to_be_hidden()

    # The operator sees it over the API and downloads exactly those bytes.
    sid = int(waiting_session(op, chat)["id"])
    items = op.get(f"/api/sessions/{sid}/messages")["items"]
    sent = next(m for m in items if m["text"] == "Here is my receipt")
    assert [(a["name"], a["type"]) for a in sent["attachments"]] == [("receipt.png", "image")]
    assert download(server, sent["attachments"][0]["url"]).content == receipt

    # The operator answers with a PDF and a photo: both show up live in the widget.
    op.post(f"/api/sessions/{sid}/take")
    photo = png(120, 90, (234, 88, 12))
    ids = [
        operator_upload(op, sid, "invoice 42.pdf", PDF, "application/pdf"),
        operator_upload(op, sid, "parcel.png", photo, "image/png"),
    ]
    op.post(
        f"/api/sessions/{sid}/messages",
        {"text": "Your invoice, and the parcel", "attachments": ids},
        expect=201,
    )
    theirs = w.messages.locator(".msg.theirs").last
    expect(theirs.locator(".bubble")).to_have_text("Your invoice, and the parcel", timeout=WAIT_MS)
    link = theirs.locator("a.file")
    expect(link.locator(".fname")).to_have_text("invoice 42.pdf")
    expect(link.locator(".fsize")).to_have_text(f"{len(PDF)} B")
    expect(theirs.locator(".thumb img")).to_have_attribute("alt", "parcel.png")
    for img in (thumb, theirs.locator(".thumb img")):
        expect(img).to_be_visible()
        assert img.evaluate("i => i.decode().then(() => i.naturalWidth > 0)")
    shots(page, "widget-attachments")

    # Clicking the link downloads the PDF itself.
    with page.expect_download(timeout=WAIT_MS) as caught:
        link.click()
    assert caught.value.suggested_filename == "invoice 42.pdf"
    assert Path(caught.value.path()).read_bytes() == PDF


def test_file_names_with_markup_are_shown_as_text(
    desk: Desk, server: str, new_page: NewPage, host_site: HostSite
) -> None:
    op = desk.user("Xena")
    chat = desk.livechat("Support", operators=[op])
    host_site.pages["/"] = host_html(server, chat["widget_key"])
    page = new_page()
    w = Widget(page, host_site).goto()
    w.open()

    # A file alone, without text, under a name that is markup.
    w.frame.locator("#file").set_input_files(payload(XSS, "text/html", b"<b>hi</b>"))
    expect(chips(w).locator(".cname")).to_have_text([XSS], timeout=WAIT_MS)
    expect(w.frame.locator("#chips .chip.done")).to_have_count(1, timeout=WAIT_MS)
    w.frame.get_by_role("button", name="Send").click()
    mine = w.messages.locator(".msg.mine").last
    expect(mine.locator(".file .fname")).to_have_text(XSS, timeout=WAIT_MS)
    expect(mine.locator(".bubble")).to_have_count(0)

    sid = int(waiting_session(op, chat)["id"])
    op.post(f"/api/sessions/{sid}/take")
    reply = operator_upload(op, sid, XSS_NAME, b"x", "text/plain")
    op.post(f"/api/sessions/{sid}/messages", {"text": "", "attachments": [reply]}, expect=201)
    theirs = w.messages.locator(".msg.theirs").last
    expect(theirs.locator(".file .fname")).to_have_text(XSS_NAME, timeout=WAIT_MS)

    frame = w.chat_frame()
    assert (
        frame.evaluate("() => document.querySelectorAll('#messages img, #messages b').length") == 0
    )
    assert frame.evaluate("() => window.__xss") is None
    assert page.evaluate("() => window.__xss") is None
