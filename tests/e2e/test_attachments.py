"""Attachments in the operator workspace, in Chromium: an operator attaches files, sees them
upload and go out as thumbnails and download rows; the customer gets the exact bytes; files
the server refuses show why; internal notes carry files too; names stay text.

The server here takes uploads up to UPLOAD_LIMIT bytes (instead of 10 MiB) so that a file
it refuses stays small. Every wait is bounded by WAIT_MS (10 s).
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import FilePayload, JSHandle, Locator, Page, expect

from livedesk.config import Settings
from tests.client import Desk, Visitor
from tests.e2e.conftest import WAIT_MS, NewPage
from tests.e2e.test_workspace import (
    XSS,
    Shots,
    dialog,
    eventually,
    no_notice,
    session_row,
    sign_in_as,
    xss_fired,
)

pytestmark = pytest.mark.browser

UPLOAD_LIMIT = 64 * 1024
TEN_MIB = 10 * 1024 * 1024
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A valid PNG of one colour (browsers must be able to draw it)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = (b"\x00" + bytes(rgb) * width) * height
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def payload(name: str, mime: str, data: bytes) -> FilePayload:
    return {"name": name, "mimeType": mime, "buffer": data}


def download(base: str, url: str) -> httpx.Response:
    with httpx.Client(base_url=base, timeout=30) as http:
        return http.get(url)


def files_handle(page: Page, name: str, mime: str, data: bytes) -> JSHandle:
    """A DataTransfer holding one file, as a drop or a paste from the system carries it."""
    return page.evaluate_handle(
        "([name, mime, bytes]) => { const dt = new DataTransfer();"
        " dt.items.add(new File([new Uint8Array(bytes)], name, {type: mime})); return dt; }",
        [name, mime, list(data)],
    )


def image_drawn(img: Locator) -> bool:
    return bool(img.evaluate("i => i.complete && i.naturalWidth > 0"))


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(  # type: ignore[call-arg]
        database_url=db_url,
        data_dir=tmp_path,
        redis_url="",
        max_upload_bytes=UPLOAD_LIMIT,
        _env_file=None,
    )


def test_operator_sends_an_image_and_a_pdf_and_the_customer_downloads_them(
    desk: Desk, new_page: NewPage, shots: Shots
) -> None:
    olga = desk.user("Olga Operator")
    chat = desk.livechat("Support", operators=[olga])
    visitor = desk.visitor(chat, "Ivan Customer")
    sid = int(visitor.say("Could you send me the invoice?")["session_id"])
    olga.post(f"/api/sessions/{sid}/take")
    photo = png(96, 64, (47, 111, 237))

    page = new_page()
    sign_in_as(page, olga)
    session_row(page, sid).click()
    box = dialog(page)
    expect(box.get_by_role("heading", name="Ivan Customer")).to_be_visible(timeout=WAIT_MS)

    # Both files upload as soon as they are chosen, each a chip with its name and size.
    box.locator("input[type=file]").set_input_files(
        [
            payload("parcel.png", "image/png", photo),
            payload("invoice 7.pdf", "application/pdf", PDF),
        ]
    )
    chips = box.locator(".upload-chip")
    expect(chips.locator(".chip-name")).to_have_text(["parcel.png", "invoice 7.pdf"])
    expect(chips.locator(".chip-size")).to_have_text([f"{len(photo)} B", f"{len(PDF)} B"])
    expect(box.locator('.upload-chip[data-status="done"]')).to_have_count(2, timeout=WAIT_MS)
    shots(page, "30-attachments-composer")

    text = box.locator("textarea[name=text]")
    text.fill("Here is your invoice and a photo of the parcel")
    text.press("Enter")
    expect(chips).to_have_count(0, timeout=WAIT_MS)
    expect(text).to_have_value("")
    sent = box.locator(".message.from-operator").last
    expect(sent.locator(".text")).to_have_text("Here is your invoice and a photo of the parcel")
    thumb = sent.locator(".attachment-image img")
    expect(thumb).to_have_attribute("alt", "parcel.png", timeout=WAIT_MS)
    eventually(lambda: image_drawn(thumb), "the thumbnail to be drawn")
    pdf_row = sent.locator(".attachment-file a.file-row")
    expect(pdf_row).to_contain_text("invoice 7.pdf")
    expect(pdf_row).to_contain_text(f"{len(PDF)} B")
    no_notice(page)

    # The thumbnail opens the full image; Escape closes it.
    thumb.click()
    lightbox = page.get_by_role("dialog", name="parcel.png")
    expect(lightbox).to_be_visible(timeout=WAIT_MS)
    eventually(lambda: image_drawn(lightbox.locator("img")), "the full image to be drawn")
    shots(page, "31-attachments-lightbox")
    page.keyboard.press("Escape")
    expect(lightbox).to_have_count(0, timeout=WAIT_MS)
    shots(page, "32-attachments-dialog")

    # The customer gets both files and downloads exactly what was sent.
    reply = customer_reply(visitor, "Here is your invoice and a photo of the parcel")
    got = [(a["name"], a["type"], a["content_type"]) for a in reply["attachments"]]
    assert got == [
        ("parcel.png", "image", "image/png"),
        ("invoice 7.pdf", "file", "application/pdf"),
    ]
    image, pdf = (download(visitor.base, a["url"]) for a in reply["attachments"])
    assert image.status_code == 200 and image.content == photo
    assert pdf.status_code == 200 and pdf.content == PDF
    assert pdf.headers["content-disposition"].startswith("attachment")
    # The workspace links the same files.
    expect(pdf_row).to_have_attribute("href", reply["attachments"][1]["url"])


def customer_reply(visitor: Visitor, text: str) -> dict[str, Any]:
    replies = [m for m in visitor.history() if m["text"] == text]
    assert len(replies) == 1, replies
    return dict(replies[0])


def test_refused_files_show_why_and_a_note_carries_a_file_without_text(
    desk: Desk, new_page: NewPage, shots: Shots
) -> None:
    olga = desk.user("Olga Operator")
    chat = desk.livechat("Support", operators=[olga])
    visitor = desk.visitor(chat, "Ivan Customer")
    sid = int(visitor.say("Hello")["session_id"])
    olga.post(f"/api/sessions/{sid}/take")

    page = new_page()
    sign_in_as(page, olga)
    session_row(page, sid).click()
    box = dialog(page)
    expect(box.get_by_role("heading", name="Ivan Customer")).to_be_visible(timeout=WAIT_MS)
    picker = box.locator("input[type=file]")
    send = box.locator(".composer button[type=submit]")

    # Over this server's limit: the server refuses it; over 10 MB: refused before sending.
    picker.set_input_files(payload("scan.tiff", "image/tiff", b"\0" * (UPLOAD_LIMIT + 1)))
    picker.set_input_files(payload("movie.mp4", "video/mp4", b"\0" * (TEN_MIB + 1)))
    picker.set_input_files(payload("empty.txt", "text/plain", b""))
    failed = box.locator('.upload-chip[data-status="failed"]')
    expect(failed).to_have_count(3, timeout=WAIT_MS)
    expect(failed.locator(".chip-error")).to_have_text(
        ["File is larger than 64 KB", "File is larger than 10 MB", "File is empty"]
    )
    expect(send).to_be_disabled()
    shots(page, "33-attachments-refused")
    for _ in range(3):
        failed.first.get_by_role("button", name="Remove").click()
    expect(box.locator(".upload-chip")).to_have_count(0)

    # A file dropped on the dialog and a pasted screenshot go out as an internal note with
    # no text: colleagues see it, the customer does not.
    box.get_by_label("Internal note").check()
    box.locator(".messages").dispatch_event(
        "drop", {"dataTransfer": files_handle(page, "notes.txt", "text/plain", b"VIP since 2019")}
    )
    screenshot = png(40, 30, (200, 30, 30))
    textarea = box.locator("textarea[name=text]")
    textarea.evaluate(
        "(el, dt) => el.dispatchEvent(new ClipboardEvent('paste', "
        "{clipboardData: dt, bubbles: true, cancelable: true}))",
        files_handle(page, "image.png", "image/png", screenshot),
    )
    expect(box.locator('.upload-chip[data-status="done"]')).to_have_count(2, timeout=WAIT_MS)
    expect(box.locator(".upload-chip .chip-name").last).to_contain_text("Pasted image")
    expect(send).to_be_enabled()
    textarea.press("Enter")
    note = box.locator(".message.internal")
    expect(note.locator("a.file-row")).to_contain_text("notes.txt", timeout=WAIT_MS)
    expect(note.locator(".attachment-image img")).to_be_visible()
    expect(note.locator(".text")).to_have_count(0)
    notes = [m for m in olga.get(f"/api/sessions/{sid}/messages")["items"] if m["internal"]]
    assert [(m["text"], [a["type"] for a in m["attachments"]]) for m in notes] == [
        ("", ["file", "image"])
    ]
    pasted = notes[0]["attachments"][1]
    assert pasted["name"].startswith("Pasted image ") and pasted["name"].endswith(".png")
    assert download(visitor.base, pasted["url"]).content == screenshot
    assert all(not m["attachments"] for m in visitor.history())


def test_a_customer_file_named_with_markup_shows_as_text(desk: Desk, new_page: NewPage) -> None:
    olga = desk.user("Olga Operator")
    chat = desk.livechat("Support", operators=[olga])
    visitor = desk.visitor(chat, "Ivan Customer")
    headers = {"Authorization": f"Visitor {visitor.token}"}
    with httpx.Client(base_url=visitor.base, timeout=30) as http:
        up = http.post(
            f"/api/widget/{visitor.widget_key}/files",
            params={"name": XSS},
            content=b"<script>window.__xss=2</script>",
            headers={**headers, "Content-Type": "text/html"},
        )
        assert up.status_code == 201, up.text
        sent = http.post(
            f"/api/widget/{visitor.widget_key}/messages",
            json={"text": "", "attachments": [up.json()["id"]]},
            headers=headers,
        )
        assert sent.status_code == 201, sent.text
    sid = int(sent.json()["session_id"])

    page = new_page()
    sign_in_as(page, olga)
    page.locator('.livechat-menu button.group[data-group="unassigned"]').click()
    session_row(page, sid).click()
    box = dialog(page)
    row = box.locator(".message.from-customer a.file-row")
    expect(row.locator(".attachment-name")).to_have_text(XSS, timeout=WAIT_MS)
    expect(box.locator(".message.from-customer img")).to_have_count(0)
    assert xss_fired(page) is None
