"""Session life over HTTP: open, take, reply, close, return."""

from __future__ import annotations

from tests.client import Desk


def test_customer_message_opens_unassigned_session_and_operator_takes_it(desk: Desk) -> None:
    op = desk.user("Olga")
    chat = desk.livechat(operators=[op])
    visitor = desk.visitor(chat, "Ivan")
    first = visitor.say("Hello, I need help")
    sessions = op.get(f"/api/sessions?livechat_id={chat['id']}&group=unassigned")["items"]
    assert [s["id"] for s in sessions] == [first["session_id"]]
    assert sessions[0]["is_new"] and sessions[0]["unread_count"] == 1
    assert sessions[0]["name"] == "Ivan"
    taken = op.post(f"/api/sessions/{first['session_id']}/take")
    assert taken["status"] == "active" and taken["assignee"]["id"] == op.id
    op.post(f"/api/sessions/{first['session_id']}/messages", {"text": "Hi Ivan"}, expect=201)
    assert [m["text"] for m in visitor.history() if m["author"]["kind"] != "system"] == [
        "Hello, I need help",
        "Hi Ivan",
    ]


def test_returning_contact_gets_new_session_with_earlier_history(desk: Desk) -> None:
    op = desk.user()
    chat = desk.livechat(operators=[op])
    visitor = desk.visitor(chat)
    s1 = visitor.say("first visit")["session_id"]
    op.post(f"/api/sessions/{s1}/take")
    op.post(f"/api/sessions/{s1}/close")
    s2 = visitor.say("back again")["session_id"]
    assert s2 != s1
    items = op.get(f"/api/sessions/{s2}/messages")["items"]
    texts = [m["text"] for m in items if m["author"]["kind"] == "customer"]
    assert texts == ["back again", "first visit"]
    assert {m["session_id"] for m in items} == {s1, s2}


def test_session_list_without_group_holds_everything_i_may_see(desk: Desk) -> None:
    op, colleague = desk.user(), desk.user()
    chat = desk.livechat(operators=[op, colleague])
    waiting = desk.visitor(chat).say("waiting")["session_id"]
    mine = desk.visitor(chat).say("mine")["session_id"]
    theirs = desk.visitor(chat).say("theirs")["session_id"]
    op.post(f"/api/sessions/{mine}/take")
    colleague.post(f"/api/sessions/{theirs}/take")
    listed = {s["id"] for s in op.get("/api/sessions")["items"]}
    assert listed == {waiting, mine}
    one_chat = op.get("/api/sessions", params={"livechat_id": chat["id"]})["items"]
    assert {s["id"] for s in one_chat} == listed
