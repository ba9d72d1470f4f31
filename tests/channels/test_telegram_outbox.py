"""Replies to Telegram go through the durable outbox: retried through 500 and 429, failed
with the reason, kept across a restart."""

from __future__ import annotations

from typing import Any

from livedesk.config import Settings
from tests.channels.helpers import (
    BOT_TOKEN,
    deliver,
    messages,
    only_session,
    telegram_chat,
    update,
    wait_delivery,
)
from tests.channels.standin import StandIn, bot_error, too_many_requests
from tests.client import ADMIN_EMAIL, ADMIN_PASSWORD, Api, Desk, seed_admin
from tests.realtime import EventSocket
from tests.server import running_server


def _customer_writes_and_op_takes(desk: Desk, op: Api) -> tuple[dict[str, Any], int]:
    chat, channel = telegram_chat(desk, op)
    assert deliver(desk.base, channel, update("text")).status_code == 200
    s = only_session(op, chat["id"])
    op.post(f"/api/sessions/{s['id']}/take")
    return channel, int(s["id"])


def _sent_ok(standin: StandIn) -> list[Any]:
    return [r for r in standin.requests("sendMessage") if r.status == 200]


def test_a_reply_goes_out_with_send_message(desk: Desk, standin: StandIn) -> None:
    op = desk.user()
    _, session_id = _customer_writes_and_op_takes(desk, op)
    with EventSocket.user(op) as sock:
        m = op.post(f"/api/sessions/{session_id}/messages", {"text": "We are on it!"}, expect=201)
        assert m["delivery_state"] == "pending" and m["channel_kind"] == "telegram"
        frame = sock.until("message.updated", message__id=m["id"])
        assert frame["data"]["message"]["delivery_state"] == "sent"
    [call] = standin.requests("sendMessage")
    assert call.path == f"/bot{BOT_TOKEN}/sendMessage"
    assert call.json == {"chat_id": "534879201", "text": "We are on it!"}


def test_internal_notes_never_reach_telegram(desk: Desk, standin: StandIn) -> None:
    op = desk.user()
    _, session_id = _customer_writes_and_op_takes(desk, op)
    note = op.post(
        f"/api/sessions/{session_id}/messages", {"text": "note", "internal": True}, expect=201
    )
    reply = op.post(f"/api/sessions/{session_id}/messages", {"text": "reply"}, expect=201)
    assert note["delivery_state"] is None
    wait_delivery(op, session_id, reply["id"], "sent")
    assert [r.json["text"] for r in standin.requests("sendMessage")] == ["reply"]


def test_a_reply_waits_through_500_and_429_then_arrives_once(desk: Desk, standin: StandIn) -> None:
    op = desk.user()
    _, session_id = _customer_writes_and_op_takes(desk, op)
    standin.script("sendMessage", bot_error(500, "Internal Server Error"), too_many_requests(1))
    m = op.post(f"/api/sessions/{session_id}/messages", {"text": "Sorry!"}, expect=201)
    assert m["delivery_state"] == "pending"
    standin.wait_for(lambda s: len(s.requests("sendMessage")) >= 2, why="two attempts")
    # Refused twice so far: still pending for the operator.
    assert wait_delivery(op, session_id, m["id"], "pending")
    assert wait_delivery(op, session_id, m["id"], "sent")["delivery_error"] is None
    calls = standin.requests("sendMessage")
    assert [c.status for c in calls] == [500, 429, 200]
    assert calls[2].at - calls[1].at >= 0.9, "retry_after was not honoured"
    assert len(_sent_ok(standin)) == 1


def test_replies_to_one_customer_arrive_in_order_after_an_outage(
    desk: Desk, standin: StandIn
) -> None:
    op = desk.user()
    _, session_id = _customer_writes_and_op_takes(desk, op)
    standin.script("sendMessage", bot_error(502, "Bad Gateway"))
    ids = [
        op.post(f"/api/sessions/{session_id}/messages", {"text": t}, expect=201)["id"]
        for t in ("one", "two", "three")
    ]
    for message_id in ids:
        wait_delivery(op, session_id, message_id, "sent")
    assert [r.json["text"] for r in _sent_ok(standin)] == ["one", "two", "three"]


def test_a_refused_reply_fails_with_the_reason(desk: Desk, standin: StandIn) -> None:
    op = desk.user()
    _, session_id = _customer_writes_and_op_takes(desk, op)
    standin.script("sendMessage", bot_error(403, "Forbidden: bot was blocked by the user"))
    with EventSocket.user(op) as sock:
        m = op.post(f"/api/sessions/{session_id}/messages", {"text": "Hello?"}, expect=201)
        frame = sock.until("message.updated", message__id=m["id"])
    reason = "sendMessage: 403 Forbidden: bot was blocked by the user"
    assert frame["data"]["message"]["delivery_state"] == "failed"
    assert frame["data"]["message"]["delivery_error"] == reason
    assert frame["data"]["delivery_error"] == reason
    assert len(standin.requests("sendMessage")) == 1  # not retried
    # Whoever opens the dialog later sees it too.
    stored = next(x for x in messages(op, session_id) if x["id"] == m["id"])
    assert (stored["delivery_state"], stored["delivery_error"]) == ("failed", reason)


def test_a_pending_reply_survives_a_server_restart(settings: Settings, standin: StandIn) -> None:
    seed_admin(settings)
    standin.fail_with = bot_error(500, "Internal Server Error")
    with running_server(settings) as base:
        admin = Api(base).login(ADMIN_EMAIL, ADMIN_PASSWORD)
        desk = Desk(base, admin)
        op = desk.user()
        _, session_id = _customer_writes_and_op_takes(desk, op)
        m = op.post(f"/api/sessions/{session_id}/messages", {"text": "Still there?"}, expect=201)
        standin.wait_for(lambda s: len(s.requests("sendMessage")) >= 1, why="a first attempt")
        email = op.user["email"]
        desk.close()
        admin.close()
    # Down for good while no server runs; back when the next one starts.
    standin.fail_with = None
    tries_before = len(standin.requests("sendMessage"))
    with running_server(settings) as base:
        op = Api(base).login(email, "pass1234")
        try:
            wait_delivery(op, session_id, m["id"], "sent")
        finally:
            op.close()
    assert len(standin.requests("sendMessage")) > tries_before
    assert [r.json["text"] for r in _sent_ok(standin)] == ["Still there?"]


def test_with_a_public_url_the_server_registers_each_webhook(
    settings: Settings, standin: StandIn
) -> None:
    seed_admin(settings)
    with running_server(settings) as base:
        admin = Api(base).login(ADMIN_EMAIL, ADMIN_PASSWORD)
        desk = Desk(base, admin)
        _, channel = telegram_chat(desk, desk.user())
        desk.close()
        admin.close()
    assert standin.requests("setWebhook") == []
    public = settings.model_copy(update={"public_url": "https://desk.example.com/"})
    with running_server(public):
        standin.wait_for(lambda s: bool(s.requests("setWebhook")), why="setWebhook")
    [call] = standin.requests("setWebhook")
    assert call.path == f"/bot{BOT_TOKEN}/setWebhook"
    assert call.json["url"] == (
        f"https://desk.example.com/api/channels/telegram/{channel['id']}/webhook"
    )
    assert call.json["secret_token"] == channel["secret"]


def test_an_enqueued_reply_wakes_the_worker_without_waiting_for_the_poll(
    settings: Settings, standin: StandIn
) -> None:
    seed_admin(settings)
    slow_poll = settings.model_copy(update={"outbox_poll_secs": 60.0})
    with running_server(slow_poll) as base:
        admin = Api(base).login(ADMIN_EMAIL, ADMIN_PASSWORD)
        desk = Desk(base, admin)
        try:
            op = desk.user()
            _, session_id = _customer_writes_and_op_takes(desk, op)
            m = op.post(f"/api/sessions/{session_id}/messages", {"text": "Fast"}, expect=201)
            wait_delivery(op, session_id, m["id"], "sent")
        finally:
            desk.close()
            admin.close()
