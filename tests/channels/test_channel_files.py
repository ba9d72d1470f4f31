"""Files through messengers: Telegram media and profile photos are fetched through the bot
on first view (its token never reaches a client), operators' uploads go to Telegram as
uploads and to API channels as links."""

from __future__ import annotations

import time
from typing import Any

import httpx

from livedesk.config import Settings
from tests.channels.helpers import (
    BOT_TOKEN,
    api_chat,
    deliver,
    messages,
    only_session,
    telegram_chat,
    update,
    wait_delivery,
)
from tests.channels.standin import StandIn, bot_error, file_bytes
from tests.client import ADMIN_EMAIL, ADMIN_PASSWORD, Api, Desk, seed_admin
from tests.server import running_server

PHOTO_ID = "AgACAgIAAxkBAAIBZ2dFk0_large"  # the largest size in fixtures/photo.json
JPEG = b"\xff\xd8\xff\xe0 a photo of a box"
PNG = b"\x89PNG\r\n\x1a\n a receipt"
PDF = b"%PDF-1.7 an invoice"
WAIT_SECS = 15.0


def _get(base: str, url: str) -> httpx.Response:
    with httpx.Client(base_url=base, timeout=30) as http:  # no login: the URL is the key
        return http.get(url)


def _upload(op: Api, session_id: int, name: str, data: bytes, ctype: str) -> dict[str, Any]:
    return dict(
        op.request(
            "POST",
            f"/api/sessions/{session_id}/files",
            201,
            params={"name": name},
            content=data,
            headers={"Content-Type": ctype},
        )
    )


def _avatar_url(op: Api, contact_id: int) -> str:
    deadline = time.monotonic() + WAIT_SECS
    while time.monotonic() < deadline:
        url = op.get(f"/api/contacts/{contact_id}")["avatar_url"]
        if url:
            return str(url)
        time.sleep(0.1)
    raise AssertionError(f"contact {contact_id} got no avatar")


def test_a_telegram_photo_is_fetched_through_the_bot_once(desk: Desk, standin: StandIn) -> None:
    op = desk.user()
    chat, channel = telegram_chat(desk, op)
    standin.files[PHOTO_ID] = JPEG
    assert deliver(desk.base, channel, update("photo")).json()["stored"] == 1
    [m] = messages(op, only_session(op, chat["id"])["id"])
    [photo] = m["attachments"]
    assert standin.requests("getFile") == []  # nothing is fetched until someone looks
    for _ in range(2):
        r = _get(desk.base, photo["url"])
        assert r.status_code == 200 and r.content == JPEG
        assert r.headers["content-type"] == "image/jpeg"
    [asked] = standin.requests("getFile")
    assert asked.json == {"file_id": PHOTO_ID}
    [download] = standin.requests("download")
    assert download.path == f"/file/bot{BOT_TOKEN}/stored/{PHOTO_ID}"
    assert BOT_TOKEN not in photo["url"]


def test_an_edited_caption_keeps_the_same_files(desk: Desk, standin: StandIn) -> None:
    op = desk.user()
    chat, channel = telegram_chat(desk, op)
    original = update("photo")
    deliver(desk.base, channel, original)
    session_id = only_session(op, chat["id"])["id"]
    [before] = messages(op, session_id)
    edited = original["message"] | {"caption": "The box, crushed", "edit_date": 1764072999}
    r = deliver(desk.base, channel, {"update_id": 812345690, "edited_message": edited})
    assert r.json()["stored"] == 1
    [after] = messages(op, session_id)
    assert after["text"] == "The box, crushed"
    assert after["attachments"] == before["attachments"]


def test_a_file_telegram_will_not_give_is_a_clear_error(desk: Desk, standin: StandIn) -> None:
    op = desk.user()
    chat, channel = telegram_chat(desk, op)
    deliver(desk.base, channel, update("document"))
    [m] = messages(op, only_session(op, chat["id"])["id"])
    url = m["attachments"][0]["url"]
    standin.script("getFile", bot_error(502, "Bad Gateway"), bot_error(400, "Bad Request: gone"))
    r = _get(desk.base, url)
    assert (r.status_code, r.json()["error"]["code"]) == (502, "file_fetch_failed")
    r = _get(desk.base, url)
    assert (r.status_code, r.json()["error"]["code"]) == (404, "file_unavailable")
    assert "Bad Request: gone" in r.json()["error"]["message"] and BOT_TOKEN not in r.text
    r = _get(desk.base, url)  # Telegram has it again
    assert r.status_code == 200 and r.content == file_bytes("BQACAgIAAxkBAAIBaGdFk1invoice")
    assert r.headers["content-type"] == "application/pdf"


def test_a_new_telegram_contact_gets_their_profile_photo(desk: Desk, standin: StandIn) -> None:
    op = desk.user()
    chat, channel = telegram_chat(desk, op)
    assert deliver(desk.base, channel, update("text")).json()["stored"] == 1
    s = only_session(op, chat["id"])
    url = _avatar_url(op, s["contact"]["id"])
    assert url.startswith("/api/files/") and url.endswith("/avatar.jpg")
    [asked] = standin.requests("getUserProfilePhotos")
    assert asked.json == {"user_id": 534879201, "limit": 1}
    r = _get(desk.base, url)
    assert r.status_code == 200 and r.content == file_bytes("avatar_320")  # 160 px or more
    # The sessions list shows it too; a known contact is not asked about again.
    assert only_session(op, chat["id"])["contact"]["avatar_url"] == url
    assert deliver(desk.base, channel, update("sticker")).json()["stored"] == 1
    assert len(standin.requests("getUserProfilePhotos")) == 1


def test_no_profile_photo_or_a_failing_bot_api_leaves_the_contact_plain(
    desk: Desk, standin: StandIn
) -> None:
    op = desk.user()
    chat, channel = telegram_chat(desk, op)
    standin.profile_photos = None
    deliver(desk.base, channel, update("text"))
    standin.wait_for(lambda s: bool(s.requests("getUserProfilePhotos")), why="asked for photos")
    contact_id = only_session(op, chat["id"])["contact"]["id"]
    assert op.get(f"/api/contacts/{contact_id}")["avatar_url"] is None

    _, other = telegram_chat(desk, op)
    standin.script("getUserProfilePhotos", bot_error(500, "Internal Server Error"))
    r = deliver(desk.base, other, update("text"))
    assert r.status_code == 200 and r.json()["stored"] == 1


def test_operator_uploads_reach_telegram_as_photo_and_document(
    desk: Desk, standin: StandIn
) -> None:
    op = desk.user()
    chat, channel = telegram_chat(desk, op)
    deliver(desk.base, channel, update("text"))
    s = only_session(op, chat["id"])
    op.post(f"/api/sessions/{s['id']}/take")
    png = _upload(op, s["id"], "receipt.png", PNG, "image/png")
    pdf = _upload(op, s["id"], "invoice.pdf", PDF, "application/pdf")
    body = {"text": "Here you go", "attachments": [png["id"], pdf["id"]]}
    m = op.post(f"/api/sessions/{s['id']}/messages", body, expect=201)
    wait_delivery(op, s["id"], m["id"], "sent")

    [photo] = standin.requests("sendPhoto")
    form = photo.form
    assert form["photo"] == ("receipt.png", "image/png", PNG)
    assert form["chat_id"][2] == b"534879201" and form["caption"][2] == b"Here you go"
    [document] = standin.requests("sendDocument")
    assert document.form["document"] == ("invoice.pdf", "application/pdf", PDF)
    assert "caption" not in document.form
    assert standin.requests("sendMessage") == []  # the text went as the caption


def _api_reply_with_a_file(desk: Desk, op: Api, standin: StandIn) -> tuple[dict[str, Any], Any]:
    """An API channel customer writes; the operator answers with a PNG; (upload, POST body)."""
    _, channel = api_chat(desk, op, url=f"{standin.url}/hook")
    with httpx.Client(base_url=desk.base, timeout=30) as http:
        r = http.post(
            f"/api/channels/api/{channel['id']}/messages",
            json={"sender_id": "c1", "sender_name": "Jan", "text": "a receipt, please"},
            headers={"Authorization": f"Bearer {channel['token']}"},
        )
    s = only_session(op, channel["livechat_id"])
    op.post(f"/api/sessions/{s['id']}/take")
    png = _upload(op, s["id"], "receipt.png", PNG, "image/png")
    body = {"text": "", "attachments": [png["id"]]}
    m = op.post(f"/api/sessions/{s['id']}/messages", body, expect=201)
    wait_delivery(op, s["id"], m["id"], "sent")
    assert r.status_code == 200
    return png, standin.requests("hook")[0].json


def test_api_channel_replies_link_their_files(desk: Desk, standin: StandIn) -> None:
    op = desk.user()
    png, body = _api_reply_with_a_file(desk, op, standin)
    [sent] = body["attachments"]
    # No LIVEDESK_PUBLIC_URL: the link is relative to the desk's address.
    assert sent == png and sent["url"].startswith("/api/files/")
    assert _get(desk.base, sent["url"]).content == PNG


def test_with_a_public_url_api_channel_links_are_absolute(
    settings: Settings, standin: StandIn
) -> None:
    public = settings.model_copy(update={"public_url": "https://desk.example.com/"})
    seed_admin(public)
    with running_server(public) as base:
        admin = Api(base).login(ADMIN_EMAIL, ADMIN_PASSWORD)
        desk = Desk(base, admin)
        try:
            png, body = _api_reply_with_a_file(desk, desk.user(), standin)
        finally:
            desk.close()
            admin.close()
    assert body["attachments"][0]["url"] == "https://desk.example.com" + png["url"]
