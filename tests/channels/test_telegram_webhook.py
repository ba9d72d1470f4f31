"""Telegram inbound over the real webhook: every kind of Update, idempotency, the secret."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.channels.helpers import (
    BOT_TOKEN,
    deliver,
    messages,
    only_session,
    telegram_chat,
    update,
)
from tests.client import Desk


def test_text_photo_document_voice_and_sticker_become_one_session(desk: Desk) -> None:
    op = desk.user()
    chat, channel = telegram_chat(desk, op)
    for name in ("text", "photo", "document", "voice", "sticker"):
        r = deliver(desk.base, channel, update(name))
        assert r.status_code == 200 and r.json()["stored"] == 1, (name, r.text)

    s = only_session(op, chat["id"])
    assert s["channel_kind"] == "telegram" and s["name"] == "Marta Kowalska"
    got = list(reversed(messages(op, s["id"])))
    assert [m["text"] for m in got] == [
        "Hello! My order #4411 has not arrived yet.",
        "This is the box I got",  # the caption
        "[Document]",
        "[Voice message]",
        "[Sticker 👍]",
    ]
    assert {m["channel_kind"] for m in got} == {"telegram"}
    assert {m["author"]["kind"] for m in got} == {"customer"}
    [photo], [document], [voice], [sticker] = (m["attachments"] for m in got[1:])
    # Uniform attachments, with Telegram's label (and emoji, duration) kept beside.
    assert {k: v for k, v in photo.items() if k not in ("id", "url")} == {
        "type": "image",
        "name": "photo.jpg",
        "content_type": "image/jpeg",
        "size": 81920,  # the largest size Telegram sent
        "label": "Photo",
    }
    assert photo["url"].startswith("/api/files/") and photo["url"].endswith("/photo.jpg")
    assert (document["type"], document["name"]) == ("file", "invoice-4411.pdf")
    assert document["content_type"] == "application/pdf"
    assert (voice["type"], voice["label"], voice["duration"]) == ("audio", "Voice message", 4)
    assert (sticker["name"], sticker["emoji"]) == ("sticker.tgs", "👍")
    assert BOT_TOKEN not in str(got) and "file_id" not in str(got)

    contact = op.get(f"/api/contacts/{s['contact']['id']}")
    assert contact["identities"] == [
        {
            "channel_id": channel["id"],
            "channel_kind": "telegram",
            "external_id": "534879201",
            "username": "marta_k",
        }
    ]


def test_an_edited_message_changes_the_stored_one(desk: Desk) -> None:
    op = desk.user()
    chat, channel = telegram_chat(desk, op)
    deliver(desk.base, channel, update("text"))
    r = deliver(desk.base, channel, update("edited_message"))
    assert r.status_code == 200 and r.json()["stored"] == 1
    s = only_session(op, chat["id"])
    assert [m["text"] for m in messages(op, s["id"])] == [
        "Hello! My order #4412 has not arrived yet."
    ]


def test_group_chats_and_unknown_updates_are_acknowledged_and_dropped(desk: Desk) -> None:
    op = desk.user()
    chat, channel = telegram_chat(desk, op)
    for body in (update("group_message"), {"update_id": 5, "channel_post": {"text": "x"}}, {}):
        r = deliver(desk.base, channel, body)
        assert r.status_code == 200 and r.json()["stored"] == 0, r.text
    page = op.get("/api/sessions", params={"group": "unassigned", "livechat_id": chat["id"]})
    assert page["items"] == []


def test_the_same_update_delivered_50_times_is_one_message(desk: Desk) -> None:
    op = desk.user()
    chat, channel = telegram_chat(desk, op)
    body = update("text")
    for _ in range(10):
        assert deliver(desk.base, channel, body).status_code == 200
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: deliver(desk.base, channel, body), range(40)))
    assert {r.status_code for r in answers} == {200}
    s = only_session(op, chat["id"])
    assert len(messages(op, s["id"])) == 1


def test_concurrent_first_deliveries_store_the_update_once(desk: Desk) -> None:
    op = desk.user()
    chat, channel = telegram_chat(desk, op)
    body = update("photo")
    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(lambda _: deliver(desk.base, channel, body), range(10)))
    assert {r.status_code for r in answers} == {200}
    assert sum(r.json()["stored"] for r in answers) == 1
    assert len(messages(op, only_session(op, chat["id"])["id"])) == 1


def test_a_wrong_or_missing_secret_is_401_and_stores_nothing(desk: Desk) -> None:
    op = desk.user()
    chat, channel = telegram_chat(desk, op)
    _, other = telegram_chat(desk, op)
    body = update("text")
    for secret in ("wrong", "", channel["secret"] + "x", other["secret"]):
        r = deliver(desk.base, channel, body, secret=secret)
        assert r.status_code == 401, r.text
        assert r.json()["error"]["code"] == "invalid_secret"
    page = op.get("/api/sessions", params={"group": "unassigned", "livechat_id": chat["id"]})
    assert page["items"] == []
    # The refused deliveries burned nothing: the real one is stored.
    assert deliver(desk.base, channel, body).json()["stored"] == 1


def test_unknown_channels_are_404(desk: Desk) -> None:
    op = desk.user()
    chat = desk.livechat(operators=[op])
    api_channel = desk.admin.post(
        f"/api/livechats/{chat['id']}/channels", {"kind": "api"}, expect=201
    )
    for channel_id in (999_999, api_channel["id"]):
        r = deliver(desk.base, {"id": channel_id, "secret": "x"}, update("text"))
        assert r.status_code == 404, r.text
