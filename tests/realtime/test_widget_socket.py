"""The visitor's events socket: replies and the close reach the customer, internal notes never
do; typing goes both ways; a bad visitor token is refused."""

from __future__ import annotations

import pytest
from websockets.exceptions import InvalidStatus

from tests.client import Desk, Visitor
from tests.realtime import EventSocket


def _visitor_socket(v: Visitor, token: str | None = None, key: str | None = None) -> EventSocket:
    path = f"/api/widget/{key or v.widget_key}/events?visitor_token={token or v.token}"
    return EventSocket.open(v.base, path, since=0)


def test_visitor_gets_replies_and_close_but_never_internal_notes(desk: Desk) -> None:
    op = desk.user()
    chat = desk.livechat(operators=[op])
    visitor = desk.visitor(chat, "Ivan")
    own = visitor.say("hello")
    sid = own["session_id"]
    with _visitor_socket(visitor) as sock:
        sock.until("message.created", message__id=own["id"])
        op.post(f"/api/sessions/{sid}/take")
        note = op.post(
            f"/api/sessions/{sid}/messages", {"text": "secret note", "internal": True}, expect=201
        )
        reply = op.post(f"/api/sessions/{sid}/messages", {"text": "Hi Ivan"}, expect=201)
        sock.until("message.created", message__id=reply["id"])
        op.post(f"/api/sessions/{sid}/close")
        sock.until("session.closed", session_id=sid)
        sock.drain()
    messages = [f["data"]["message"] for f in sock.frames if f["type"] == "message.created"]
    assert [m["id"] for m in messages] == [own["id"], reply["id"]]
    assert note["id"] not in {m["id"] for m in messages}
    assert "secret note" not in str(sock.frames)
    assert {f["type"] for f in sock.frames} == {"message.created", "session.closed"}


def test_typing_goes_both_ways(desk: Desk) -> None:
    op = desk.user("Olga")
    chat = desk.livechat(operators=[op])
    visitor = desk.visitor(chat, "Ivan")
    sid = visitor.say("hello")["session_id"]
    with EventSocket.user(op, since=0) as desk_sock, _visitor_socket(visitor) as widget:
        desk_sock.drain()
        widget.drain()
        desk_sock.send({"type": "typing", "session_id": sid})
        seen = widget.until("typing", session_id=sid)
        assert seen["id"] is None  # ephemeral: never logged, never replayed
        assert seen["data"]["author"] == {"kind": "operator", "id": op.id, "name": "Olga"}
        widget.send({"type": "typing"})
        heard = desk_sock.until("typing", session_id=sid)
        assert heard["id"] is None and heard["data"]["author"]["kind"] == "customer"
        assert desk_sock.drain() == [], "an operator does not hear their own typing"


def test_bad_visitor_token_is_refused(desk: Desk) -> None:
    chat, other = desk.livechat("One"), desk.livechat("Two")
    visitor, stranger = desk.visitor(chat), desk.visitor(other)
    for token, key in (("not-a-token", None), (stranger.token, None), (visitor.token, "no-such")):
        with pytest.raises(InvalidStatus):
            _visitor_socket(visitor, token, key).close()
    with pytest.raises(InvalidStatus):
        EventSocket.open(visitor.base, f"/api/widget/{visitor.widget_key}/events").close()
