"""The routes served outside FastAPI's routing (api/fastpath.py) answer every request as the
FastAPI routes they stand in for: the visitors' messages (the same statuses, error codes and
messages, message fields, rate limit and body limit) and the counters (the same figures, the
same refusals)."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from livedesk.api import sessions, widget
from livedesk.config import Settings
from tests.client import ADMIN_EMAIL, ADMIN_PASSWORD, Api, Desk, seed_admin
from tests.server import running_server

# Fields that differ between two equal answers given at different times.
VOLATILE = {"id", "session_id", "created_at"}


def _requests(key: str, token: str, upload_id: int) -> list[tuple[str, dict[str, Any]]]:
    """(what, httpx request arguments) for one widget and one visitor."""
    path = f"/api/widget/{key}/messages"
    auth = {"Authorization": f"Visitor {token}"}
    as_json = {**auth, "Content-Type": "application/json"}

    def raw(body: bytes, headers: dict[str, str] = as_json) -> dict[str, Any]:
        return {"url": path, "content": body, "headers": headers}

    def body(data: Any, url: str = path, headers: dict[str, str] = auth) -> dict[str, Any]:
        return {"url": url, "json": data, "headers": headers}

    return [
        ("a message", body({"text": "  hello there  "})),
        ("a message with an upload", body({"text": "see", "attachments": [upload_id]})),
        ("the same upload again", body({"attachments": [upload_id]})),
        ("no token", body({"text": "hi"}, headers={})),
        ("another scheme", body({"text": "hi"}, headers={"Authorization": f"Bearer {token}"})),
        ("a wrong token", body({"text": "hi"}, headers={"Authorization": "Visitor nope"})),
        ("an unknown widget", body({"text": "hi"}, url="/api/widget/nope/messages")),
        ("no body", raw(b"")),
        ("no body, no token", raw(b"", {})),
        ("bad JSON", raw(b'{"text": ')),
        ("bad JSON, no token", raw(b"{text: 1}", {"Content-Type": "application/json"})),
        ("UTF-16 bytes", raw(b"\xff\xfe")),
        ("not UTF-8", raw(b'{"text": "\xff"}')),
        ("no content type", raw(b'{"text": "hi"}', auth)),
        ("text/plain", raw(b'{"text": "hi"}', {**auth, "Content-Type": "text/plain"})),
        (
            "charset",
            raw(b'{"text": "hi"}', {**as_json, "Content-Type": "application/json; charset=utf-8"}),
        ),
        ("+json", raw(b'{"text": "hi"}', {**auth, "Content-Type": "application/vnd.x+json"})),
        ("a list", body([{"text": "hi"}])),
        ("a string", body("hi")),
        ("null", body(None)),
        ("empty", body({})),
        ("blank text", body({"text": "   "})),
        ("too long", body({"text": "x" * 10_001})),
        ("unknown field", body({"text": "hi", "txt": "hi"})),
        ("text not a string", body({"text": 5})),
        ("attachment not a number", body({"text": "hi", "attachments": ["a"]})),
        ("attachment out of range", body({"text": "hi", "attachments": [2**70]})),
        ("attachment not there", body({"text": "hi", "attachments": [999_999]})),
        ("too many attachments", body({"text": "hi", "attachments": list(range(1, 50))})),
        ("over the body limit", raw(b'{"text": "' + b"x" * (1024 * 1024) + b'"}')),
    ]


def _answer(r: httpx.Response, upload_id: int) -> tuple[int, Any]:
    data = r.json()
    if isinstance(data, dict) and "error" in data:
        message = data["error"]["message"].replace(f"file {upload_id} ", "file <upload> ")
        data = {"error": {**data["error"], "message": message}}
    if isinstance(data, dict) and "id" in data:
        data = {k: v for k, v in data.items() if k not in VOLATILE}
        data["attachments"] = [
            {k: v for k, v in a.items() if k not in {"id", "url"}} for a in data["attachments"]
        ]
    return r.status_code, data


def _upload(base: str, key: str, token: str) -> int:
    with httpx.Client(base_url=base, timeout=30) as http:
        r = http.post(
            f"/api/widget/{key}/files?name=a.txt",
            content=b"some text",
            headers={"Authorization": f"Visitor {token}"},
        )
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _run(settings: Settings) -> tuple[list[tuple[str, int, Any]], int, str]:
    """Every request of ``_requests`` on a server of its own, with a visitor of its own; then
    the visitor's posts until the rate limit refuses one. The answers, how many posts the
    limit let through, and the server's metrics."""
    with running_server(settings) as base:
        admin = Api(base).login(ADMIN_EMAIL, ADMIN_PASSWORD)
        desk = Desk(base, admin)
        try:
            op = desk.user("Olga")
            chat = desk.livechat(operators=[op])
            visitor = desk.visitor(chat, "Ivan")
            upload = _upload(base, visitor.widget_key, visitor.token)
            answers = []
            with httpx.Client(base_url=base, timeout=30) as http:
                for what, args in _requests(visitor.widget_key, visitor.token, upload):
                    answers.append((what, *_answer(http.post(**args), upload)))
                args = dict(_requests(visitor.widget_key, visitor.token, upload))["a message"]
                allowed = 0
                while (r := http.post(**args)).status_code == 201 and allowed < 100:
                    allowed += 1
                answers.append(("rate limited", *_answer(r, upload)))
                metrics = http.get("/metrics").text
            history = visitor.history()
            texts = [m["text"] for m in history]
            assert texts[:2] == ["hello there", "see"], texts
            created = sum(1 for _, status, _ in answers if status == 201) + allowed
            assert len(history) == created, "every 201 is in the visitor's history"
        finally:
            desk.close()
            admin.close()
    return answers, allowed, metrics


def _route_count(metrics: str, status: int) -> float:
    pattern = (
        r'livedesk_http_requests_total\{method="POST",'
        r'route="/api/widget/\{widget_key\}/messages",status="' + str(status) + r'"\} ([0-9.e+]+)'
    )
    found = re.search(pattern, metrics)
    return float(found.group(1)) if found else 0.0


def test_fast_route_answers_as_the_fastapi_route(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_admin(settings)
    monkeypatch.setattr(widget, "FAST_ROUTES", [])
    slow, slow_allowed, slow_metrics = _run(settings)
    monkeypatch.undo()
    fast, fast_allowed, fast_metrics = _run(settings)

    for (what, status, data), (_, slow_status, slow_data) in zip(fast, slow, strict=True):
        assert (status, data) == (slow_status, slow_data), what
    answers = {what: (status, data) for what, status, data in fast}
    # The cases are what they say they are (the two servers could agree on a mistake).
    assert answers["a message"][0] == 201
    assert answers["a message"][1]["text"] == "hello there"
    assert answers["a message"][1]["author"]["kind"] == "customer"
    assert answers["a message with an upload"][1]["attachments"][0]["name"] == "a.txt"
    codes = {
        what: data["error"]["code"] for what, (status, data) in answers.items() if status >= 400
    }
    assert codes["no token"] == "visitor_token_required"
    assert codes["bad JSON"] == codes["UTF-16 bytes"] == "malformed_json"
    assert codes["too long"] == codes["unknown field"] == codes["no body"] == "validation_error"
    assert codes["over the body limit"] == "body_too_large"
    assert codes["rate limited"] == "rate_limited"
    assert answers["charset"][0] == answers["+json"][0] == 201
    assert answers["no content type"][0] == 422
    assert fast_allowed == slow_allowed > 0
    # Metrics count the fast route's requests under the route's template, as any route's.
    created = sum(1 for _, status, _ in fast if status == 201) + fast_allowed
    assert _route_count(fast_metrics, 201) - _route_count(slow_metrics, 201) == created
    assert _route_count(fast_metrics, 429) - _route_count(slow_metrics, 429) == 1


def _counters_answers(settings: Settings) -> list[tuple[str, int, Any]]:
    """On a server of its own: an operator of one live chat who supervises another, with
    waiting, taken and unread sessions; the counters asked for every way there is."""
    with running_server(settings) as base:
        admin = Api(base).login(ADMIN_EMAIL, ADMIN_PASSWORD)
        desk = Desk(base, admin)
        try:
            op = desk.user("Olga")
            other = desk.user("Pavel")
            sales = desk.livechat("Sales", operators=[op, other])
            support = desk.livechat("Support", operators=[other], supervisors=[op])
            ivan, petr = desk.visitor(sales, "Ivan"), desk.visitor(sales, "Petr")
            ivan.say("hello")
            session_id = petr.say("hello")["session_id"]
            op.post(f"/api/sessions/{session_id}/take")
            petr.say("are you there?")  # unread for Olga
            desk.visitor(support, "Anna").say("hi")
            token = op.post("/api/tokens", {"name": "poll"}, expect=201)["token"]
            ended = desk.user("Gone")
            stale = ended.http.cookies["livedesk_session"]
            ended.post("/api/auth/logout", expect=204)
            path = "/api/counters"
            answers = [
                ("cookie", op.http.get(path)),
                ("cookie, query string", op.http.get(path, params={"x": "1"})),
                ("the other operator", other.http.get(path)),
            ]
            with httpx.Client(base_url=base, timeout=30) as http:
                for what, headers in [
                    ("bearer", {"Authorization": f"Bearer {token}"}),
                    ("bearer, lower case", {"Authorization": f"bearer {token}"}),
                    ("a wrong token", {"Authorization": "Bearer nope"}),
                    ("an empty token", {"Authorization": "Bearer"}),
                    ("another scheme", {"Authorization": f"Basic {token}"}),
                    ("nothing", {}),
                    ("a logged-out cookie", {"Cookie": f"livedesk_session={stale}"}),
                ]:
                    answers.append((what, http.get(path, headers=headers)))
                answers.append(
                    ("POST", http.post(path, headers={"Authorization": f"Bearer {token}"}))
                )
            ids = {str(sales["id"]): "sales", str(support["id"]): "support"}
            out = []
            for what, r in answers:
                data = r.json()
                if isinstance(data, dict) and "livechats" in data:
                    data["livechats"] = {ids[k]: v for k, v in data["livechats"].items()}
                out.append((what, r.status_code, data))
            return out
        finally:
            desk.close()
            admin.close()


def test_fast_counters_answer_as_the_fastapi_route(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_admin(settings)
    monkeypatch.setattr(sessions, "FAST_ROUTES", [])
    slow = _counters_answers(settings)
    monkeypatch.undo()
    fast = _counters_answers(settings)

    for (what, status, data), (_, slow_status, slow_data) in zip(fast, slow, strict=True):
        assert (status, data) == (slow_status, slow_data), what
    answers = {what: (status, data) for what, status, data in fast}
    olga = {
        "red": 2,
        "blue": 1,
        "unread_sessions": 1,
        "unassigned_supervised": 1,
        "livechats": {
            "sales": {"unread_sessions": 1, "unassigned": 1},
            "support": {"unread_sessions": 0, "unassigned": 1},
        },
    }
    for what in ("cookie", "cookie, query string", "bearer", "bearer, lower case"):
        assert answers[what] == (200, olga), what
    assert answers["the other operator"][1]["blue"] == 2
    codes = {
        what: data["error"]["code"] for what, (status, data) in answers.items() if status >= 400
    }
    assert codes["a wrong token"] == "invalid_token"
    assert codes["a logged-out cookie"] == codes["nothing"] == "not_authenticated"
    assert codes["an empty token"] == codes["another scheme"] == "not_authenticated"
    assert answers["POST"][0] == 405
