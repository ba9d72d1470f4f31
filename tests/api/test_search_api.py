"""GET /api/search: with a session open (its name and whole history) and without (names)."""

from __future__ import annotations

from tests.client import Desk


def test_search_without_session_matches_chat_names_only(desk: Desk) -> None:
    op = desk.user()
    chat = desk.livechat(operators=[op])
    desk.visitor(chat, "Пётр Иванов").say("нужна помощь с заказом")
    desk.visitor(chat, "Mary Smith").say("Петр told me to write")
    found = op.get("/api/search", params={"q": "пётр"})
    assert [s["name"] for s in found["sessions"]] == ["Пётр Иванов"]
    assert "messages" not in found or found["messages"] is None
    assert [s["name"] for s in op.get("/api/search", params={"q": "SMITH"})["sessions"]] == [
        "Mary Smith"
    ]
    assert op.get("/api/search", params={"q": "заказ"})["sessions"] == []


def test_search_in_session_covers_name_and_whole_history(desk: Desk) -> None:
    op = desk.user()
    chat = desk.livechat(operators=[op])
    visitor = desk.visitor(chat, "Анна")
    s1 = visitor.say("Где мой ЗАКАЗ номер 42?")["session_id"]
    op.post(f"/api/sessions/{s1}/take")
    op.post(f"/api/sessions/{s1}/messages", {"text": "Заказ уже в пути"}, expect=201)
    op.post(f"/api/sessions/{s1}/close")
    s2 = visitor.say("And the second order?")["session_id"]
    found = op.get("/api/search", params={"q": "заказ", "session_id": s2})
    assert [m["text"] for m in found["messages"]] == ["Заказ уже в пути", "Где мой ЗАКАЗ номер 42?"]
    assert found["sessions"] == []
    by_name = op.get("/api/search", params={"q": "анн", "session_id": s2})
    assert [s["id"] for s in by_name["sessions"]] == [s2]
    latin = op.get("/api/search", params={"q": "SECOND", "session_id": s2})
    assert [m["text"] for m in latin["messages"]] == ["And the second order?"]


def test_search_never_returns_what_the_user_may_not_see(desk: Desk) -> None:
    op, stranger = desk.user(), desk.user()
    chat = desk.livechat("Ours", operators=[op])
    other = desk.livechat("Theirs", operators=[stranger])
    desk.visitor(other, "Secret Customer").say("secret order details")
    mine = desk.visitor(chat, "Secret Friend").say("hello")
    assert [s["name"] for s in op.get("/api/search", params={"q": "secret"})["sessions"]] == [
        "Secret Friend"
    ]
    op.get("/api/search", params={"q": "secret", "session_id": mine["session_id"]})
    stranger.get("/api/search", params={"q": "x", "session_id": mine["session_id"]}, expect=404)
    # An operator does not see another operator's active session, in search either.
    colleague = desk.user()
    desk.admin.put(
        f"/api/livechats/{chat['id']}/members",
        {"operators": [op.id, colleague.id], "supervisors": []},
    )
    op.post(f"/api/sessions/{mine['session_id']}/take")
    assert colleague.get("/api/search", params={"q": "friend"})["sessions"] == []
