"""The generic API channel: token-authenticated inbound, signed outbound with retries."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import httpx

from tests.channels.helpers import api_chat, messages, only_session, wait_delivery
from tests.channels.standin import StandIn
from tests.client import Api, Desk


def _post(base: str, channel_id: int, body: dict[str, Any], token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    with httpx.Client(base_url=base, timeout=30) as http:
        return http.post(f"/api/channels/api/{channel_id}/messages", json=body, headers=headers)


MESSAGE = {
    "sender_id": "wa:+48500100200",
    "sender_name": "Jan Nowak",
    "sender_username": "jnowak",
    "text": "Do you ship to Gdańsk?",
    "attachments": [{"type": "image", "url": "https://cdn.example.com/a.png", "name": "a.png"}],
    "message_id": "wamid.HBgL1",
}


def test_messages_come_in_with_the_channel_token_once_per_message_id(desk: Desk) -> None:
    op = desk.user()
    chat, channel = api_chat(desk, op)
    r = _post(desk.base, channel["id"], MESSAGE, channel["token"])
    assert r.status_code == 200 and r.json()["duplicate"] is False, r.text
    again = _post(desk.base, channel["id"], MESSAGE, channel["token"])
    assert again.json() == {"message_id": None, "session_id": None, "duplicate": True}
    s = only_session(op, chat["id"])
    assert s["channel_kind"] == "api" and s["name"] == "Jan Nowak"
    [m] = messages(op, s["id"])
    assert m["text"] == "Do you ship to Gdańsk?" and m["channel_kind"] == "api"
    assert m["attachments"] == MESSAGE["attachments"]
    contact = op.get(f"/api/contacts/{s['contact']['id']}")
    assert [(i["external_id"], i["username"]) for i in contact["identities"]] == [
        ("wa:+48500100200", "jnowak")
    ]
    # Without a message_id every post is a new message, from the same contact.
    body = {"sender_id": "wa:+48500100200", "sender_name": "Jan Nowak", "text": "hello?"}
    for _ in range(2):
        assert _post(desk.base, channel["id"], body, channel["token"]).status_code == 200
    assert len(messages(op, s["id"])) == 3


def test_a_bad_token_is_refused_and_stores_nothing(desk: Desk) -> None:
    op = desk.user()
    chat, channel = api_chat(desk, op)
    _, other = api_chat(desk, op)
    for token in (None, "made-up", other["token"], channel["token"] + "x"):
        r = _post(desk.base, channel["id"], MESSAGE, token)
        assert (r.status_code, r.json()["error"]["code"]) == (401, "invalid_token"), token
    page = op.get("/api/sessions", params={"group": "unassigned", "livechat_id": chat["id"]})
    assert page["items"] == []
    assert _post(desk.base, 999_999, MESSAGE, channel["token"]).status_code == 404


def _reply(desk: Desk, op: Api, channel: dict[str, Any], text: str) -> tuple[int, int]:
    assert _post(desk.base, channel["id"], MESSAGE, channel["token"]).status_code == 200
    s = only_session(op, channel["livechat_id"])
    op.post(f"/api/sessions/{s['id']}/take")
    m = op.post(f"/api/sessions/{s['id']}/messages", {"text": text}, expect=201)
    assert m["delivery_state"] == "pending"
    return int(s["id"]), int(m["id"])


def test_replies_are_posted_signed_and_retried(desk: Desk, standin: StandIn) -> None:
    op = desk.user()
    _, channel = api_chat(desk, op, url=f"{standin.url}/hook")
    standin.script("hook", (503, {"error": "busy"}), (500, {"error": "oops"}))
    session_id, message_id = _reply(desk, op, channel, "Yes, we do.")
    sent = wait_delivery(op, session_id, message_id, "sent")
    assert sent["delivery_state"] == "sent"
    calls = standin.requests("hook")
    assert [c.status for c in calls] == [503, 500, 200]
    assert len({c.body for c in calls}) == 1, "a retry sends the same body"
    # The receiver checks the signature with the token it was given, and nothing else.
    key = hashlib.sha256(channel["token"].encode()).hexdigest().encode()
    for c in calls:
        expected = "sha256=" + hmac.new(key, c.body, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(c.headers["x-livedesk-signature"], expected)
    body = calls[0].json
    assert body["recipient_id"] == "wa:+48500100200" and body["text"] == "Yes, we do."
    assert body["message_id"] == message_id and body["author_name"] == op.user["name"]


def test_a_reply_fails_with_the_reason_when_the_receiver_refuses_it(
    desk: Desk, standin: StandIn
) -> None:
    op = desk.user()
    _, channel = api_chat(desk, op, url=f"{standin.url}/hook")
    standin.script("hook", (410, {"error": "recipient gone"}))
    session_id, message_id = _reply(desk, op, channel, "Hello?")
    failed = wait_delivery(op, session_id, message_id, "failed")
    assert failed["delivery_error"] == '410 {"error":"recipient gone"}'
    assert len(standin.requests("hook")) == 1


def test_a_channel_without_a_url_fails_its_replies(desk: Desk) -> None:
    op = desk.user()
    _, channel = api_chat(desk, op)
    session_id, message_id = _reply(desk, op, channel, "Hello?")
    failed = wait_delivery(op, session_id, message_id, "failed")
    assert failed["delivery_error"] == "the channel has no config.url to deliver to"
