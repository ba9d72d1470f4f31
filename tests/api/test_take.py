"""Taking sessions: atomic take, take-next (the blue counter's click), who may take."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from tests.client import Api, Desk

CONCURRENCY = 20


def _raw(api: Api, method: str, path: str, json: Any = None) -> httpx.Response:
    """A request whose status the caller checks (no expectation)."""
    return api.http.request(method, path, json=json, headers={"X-CSRF-Token": api.csrf})


def _all_at_once(apis: list[Api], method: str, path: str, json: Any = None) -> list[httpx.Response]:
    """One request per client, released together by a barrier; responses in client order."""
    barrier = threading.Barrier(len(apis))

    def go(api: Api) -> httpx.Response:
        barrier.wait(timeout=30)
        return _raw(api, method, path, json)

    with ThreadPoolExecutor(len(apis)) as pool:
        return list(pool.map(go, apis))


def _error(r: httpx.Response) -> dict[str, Any]:
    return dict(r.json()["error"])


def test_concurrent_takes_of_one_session_have_exactly_one_winner(desk: Desk) -> None:
    ops = [desk.user(f"Operator {i:02d}") for i in range(CONCURRENCY)]
    chat = desk.livechat(operators=ops)
    sid = desk.visitor(chat, "Ivan").say("help")["session_id"]
    responses = _all_at_once(ops, "POST", f"/api/sessions/{sid}/take")

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [409] * (CONCURRENCY - 1), [r.text for r in responses]
    winner_index = next(i for i, r in enumerate(responses) if r.status_code == 200)
    winner = ops[winner_index]
    won = responses[winner_index].json()
    assert won["status"] == "active" and won["assignee"]["id"] == winner.id
    assert won["is_new"] is False
    for r in responses:
        if r.status_code == 409:
            err = _error(r)
            assert err["code"] == "session_already_taken"
            assert winner.user["name"] in err["message"]

    # The state is the winner's, recorded once.
    s = (
        ops[0].get(f"/api/sessions/{sid}")
        if winner_index == 0
        else winner.get(f"/api/sessions/{sid}")
    )
    assert s["status"] == "active" and s["assignee"]["id"] == winner.id
    lines = [
        m
        for m in winner.get(f"/api/sessions/{sid}/messages")["items"]
        if m["author"]["kind"] == "system"
    ]
    assert len(lines) == 1 and winner.user["name"] in lines[0]["text"]
    # Losers no longer see the session; nobody's blue counter counts it.
    loser = ops[(winner_index + 1) % CONCURRENCY]
    loser.get(f"/api/sessions/{sid}", expect=404)
    assert all(op.get("/api/counters")["blue"] == 0 for op in ops)
    # A late take gets the same clear answer.
    late = _raw(loser, "POST", f"/api/sessions/{sid}/take")
    assert late.status_code == 409 and _error(late)["code"] == "session_already_taken"
    assert winner.user["name"] in _error(late)["message"]


def test_take_next_hands_out_the_longest_waiting_session_first(desk: Desk) -> None:
    op = desk.user()
    other_op = desk.user()
    sales = desk.livechat("Sales", operators=[op])
    support = desk.livechat("Support", operators=[op, other_op])
    # Waiting order across two of my live chats: support, sales, support, sales.
    first_visitor = desk.visitor(support)
    first = first_visitor.say("1")["session_id"]
    second = desk.visitor(sales).say("2")["session_id"]
    third = desk.visitor(support).say("3")["session_id"]
    fourth = desk.visitor(sales).say("4")["session_id"]
    # A follow-up does not send a waiting session to the back of the queue.
    assert first_visitor.say("1 again")["session_id"] == first
    assert op.get("/api/counters")["blue"] == 4

    taken = op.post("/api/sessions/take-next")
    assert taken["id"] == first and taken["assignee"]["id"] == op.id
    assert taken["status"] == "active"
    # Restricted to one live chat: the longest-waiting of that one.
    assert op.post("/api/sessions/take-next", {"livechat_id": support["id"]})["id"] == third
    # Sales is not other_op's live chat: nothing waits for them.
    r = _raw(other_op, "POST", "/api/sessions/take-next")
    assert r.status_code == 404 and _error(r)["code"] == "no_waiting_sessions"
    assert op.post("/api/sessions/take-next")["id"] == second
    assert op.post("/api/sessions/take-next")["id"] == fourth
    assert op.get("/api/counters")["blue"] == 0


def test_take_next_without_waiting_sessions_is_404(desk: Desk) -> None:
    op = desk.user()
    chat = desk.livechat(operators=[op])
    r = _raw(op, "POST", "/api/sessions/take-next")
    assert r.status_code == 404 and _error(r)["code"] == "no_waiting_sessions"
    r = _raw(op, "POST", "/api/sessions/take-next", {"livechat_id": chat["id"]})
    assert r.status_code == 404 and _error(r)["code"] == "no_waiting_sessions"
    # Taken sessions are not waiting any more.
    sid = desk.visitor(chat).say("hi")["session_id"]
    assert op.post("/api/sessions/take-next")["id"] == sid
    r = _raw(op, "POST", "/api/sessions/take-next")
    assert r.status_code == 404 and _error(r)["code"] == "no_waiting_sessions"


def test_concurrent_take_next_gives_each_session_to_exactly_one_operator(desk: Desk) -> None:
    n = 10
    ops = [desk.user(f"Next {i}") for i in range(n)]
    chat = desk.livechat(operators=ops)
    waiting = {desk.visitor(chat).say(f"m{i}")["session_id"] for i in range(n)}
    responses = _all_at_once(ops, "POST", "/api/sessions/take-next", {"livechat_id": chat["id"]})

    assert [r.status_code for r in responses] == [200] * n, [r.text for r in responses]
    got = [r.json()["id"] for r in responses]
    assert sorted(got) == sorted(waiting)  # each session once, every session handed out
    for op, r in zip(ops, responses, strict=True):
        assert r.json()["assignee"]["id"] == op.id
        mine = op.get(f"/api/sessions?livechat_id={chat['id']}&group=mine")["items"]
        assert [s["id"] for s in mine] == [r.json()["id"]]
    # The queue is now empty for everyone.
    r = _raw(ops[0], "POST", "/api/sessions/take-next")
    assert r.status_code == 404 and _error(r)["code"] == "no_waiting_sessions"


def test_more_take_next_calls_than_waiting_sessions(desk: Desk) -> None:
    ops = [desk.user() for _ in range(6)]
    chat = desk.livechat(operators=ops)
    waiting = {desk.visitor(chat).say(f"m{i}")["session_id"] for i in range(3)}
    responses = _all_at_once(ops, "POST", "/api/sessions/take-next")
    ok = [r.json()["id"] for r in responses if r.status_code == 200]
    assert sorted(ok) == sorted(waiting)
    rest = [r for r in responses if r.status_code != 200]
    assert len(rest) == 3
    assert all(r.status_code == 404 and _error(r)["code"] == "no_waiting_sessions" for r in rest)


def test_offline_operator_cannot_take(desk: Desk) -> None:
    offline = desk.user(status="offline")
    chat = desk.livechat(operators=[offline])
    sid = desk.visitor(chat).say("hello")["session_id"]
    # Offline operators can read...
    items = offline.get(f"/api/sessions?livechat_id={chat['id']}&group=unassigned")["items"]
    assert [s["id"] for s in items] == [sid]
    offline.get(f"/api/sessions/{sid}/messages")
    # ...but take nothing.
    r = _raw(offline, "POST", f"/api/sessions/{sid}/take")
    assert r.status_code == 409 and _error(r)["code"] == "operator_offline"
    r = _raw(offline, "POST", "/api/sessions/take-next")
    assert r.status_code == 409 and _error(r)["code"] == "operator_offline"
    assert offline.get(f"/api/sessions/{sid}")["status"] == "unassigned"
    # Going online is one click.
    offline.put("/api/me/status", {"status": "online"})
    assert offline.post(f"/api/sessions/{sid}/take")["assignee"]["id"] == offline.id


def test_supervisor_only_user_cannot_take(desk: Desk) -> None:
    sup = desk.user()
    chat = desk.livechat(supervisors=[sup])
    sid = desk.visitor(chat).say("hello")["session_id"]
    r = _raw(sup, "POST", f"/api/sessions/{sid}/take")
    assert r.status_code == 403, r.text
    r = _raw(sup, "POST", "/api/sessions/take-next")
    assert r.status_code == 403, r.text
    r = _raw(sup, "POST", "/api/sessions/take-next", {"livechat_id": chat["id"]})
    assert r.status_code == 403, r.text
    assert sup.get(f"/api/sessions/{sid}")["status"] == "unassigned"


def test_member_of_another_chat_cannot_take(desk: Desk) -> None:
    op = desk.user()
    stranger = desk.user()
    chat = desk.livechat(operators=[op])
    desk.livechat("Elsewhere", operators=[stranger])
    sid = desk.visitor(chat).say("hello")["session_id"]
    r = _raw(stranger, "POST", f"/api/sessions/{sid}/take")
    assert r.status_code == 404
    r = _raw(stranger, "POST", "/api/sessions/take-next", {"livechat_id": chat["id"]})
    assert r.status_code == 404
    r = _raw(stranger, "POST", "/api/sessions/take-next")
    assert r.status_code == 404 and _error(r)["code"] == "no_waiting_sessions"
    assert op.get(f"/api/sessions/{sid}")["status"] == "unassigned"
