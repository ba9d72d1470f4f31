"""Bad input: every bad request gets a clear 4xx with a machine-readable code and a human
message, in one shape (``{"error": {"code", "message"}}``), and nothing is half-written."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.client import ADMIN_EMAIL, Api, Desk

MAX_TEXT = 10_000
MIB = 1024 * 1024
MISSING = 999_999


def err(r: httpx.Response, status: int, code: str | None = None) -> str:
    """Assert the status, the error shape and (when given) the code; return the message."""
    assert r.status_code == status, f"{r.request.method} {r.request.url}: {r.status_code} {r.text}"
    body = r.json()
    assert isinstance(body, dict) and set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message"}, body
    assert isinstance(body["error"]["code"], str) and body["error"]["code"], body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"], body
    if code is not None:
        assert body["error"]["code"] == code, body
    return str(body["error"]["message"])


def send(
    api: Api,
    method: str,
    path: str,
    json: Any = None,
    *,
    content: bytes | Iterator[bytes] | None = None,
    **kw: Any,
) -> httpx.Response:
    headers = {"X-CSRF-Token": api.csrf} if api.csrf else {}
    if content is not None:
        headers["Content-Type"] = "application/json"
        return api.http.request(method, path, content=content, headers=headers, **kw)
    if json is not None:
        return api.http.request(method, path, json=json, headers=headers, **kw)
    return api.http.request(method, path, headers=headers, **kw)


def messages_of(api: Api, session_id: int) -> list[dict[str, Any]]:
    return list(api.get(f"/api/sessions/{session_id}/messages?limit=200")["items"])


@pytest.fixture
def taken(desk: Desk) -> tuple[Api, int]:
    """An operator and a session they have taken."""
    op = desk.user("Olga")
    chat = desk.livechat(operators=[op])
    session_id = desk.visitor(chat, "Ivan").say("hello")["session_id"]
    op.post(f"/api/sessions/{session_id}/take")
    return op, int(session_id)


def test_malformed_json_is_400(desk: Desk, taken: tuple[Api, int]) -> None:
    op, sid = taken
    before = messages_of(op, sid)
    bodies = [b'{"text": ', b"{text: 1}", b"not json", b'{"text": "a",}', b"\xff\xfe"]
    for body in bodies:
        r = send(op, "POST", f"/api/sessions/{sid}/messages", content=body)
        err(r, 400, "malformed_json")
        err(send(op, "PUT", "/api/me/status", content=body), 400, "malformed_json")
        err(send(desk.admin, "POST", "/api/users", content=body), 400, "malformed_json")
        with httpx.Client(base_url=desk.base, timeout=30) as anon:
            r = anon.post(
                "/api/auth/login", content=body, headers={"Content-Type": "application/json"}
            )
            err(r, 400, "malformed_json")
    assert messages_of(op, sid) == before


def test_wrong_missing_and_unknown_fields_are_422_naming_the_field(
    desk: Desk, taken: tuple[Api, int]
) -> None:
    op, sid = taken
    admin = desk.admin
    chat_id = op.get("/api/livechats")[0]["id"]
    before = messages_of(op, sid)
    user = {"email": "new@test.local", "name": "New", "password": "pass1234"}
    cases: list[tuple[Api, str, str, Any, str]] = [
        (op, "POST", f"/api/sessions/{sid}/messages", {"text": 123}, "text"),
        (op, "POST", f"/api/sessions/{sid}/messages", {"text": None}, "text"),
        (op, "POST", f"/api/sessions/{sid}/messages", {}, "text"),
        (op, "POST", f"/api/sessions/{sid}/messages", {"text": "hi", "txt": "x"}, "txt"),
        (op, "POST", f"/api/sessions/{sid}/messages", {"text": "hi", "internal": "?"}, "internal"),
        (op, "POST", f"/api/sessions/{sid}/messages", ["hi"], "body"),
        (op, "POST", f"/api/sessions/{sid}/assign", {"operator_id": "abc"}, "operator_id"),
        (op, "POST", f"/api/sessions/{sid}/assign", {}, "operator_id"),
        (op, "POST", f"/api/sessions/{sid}/read", {"message_id": None}, "message_id"),
        (op, "POST", "/api/sessions/take-next", {"livechat_id": "x"}, "livechat_id"),
        (op, "PUT", "/api/me/status", {"status": "busy"}, "status"),
        (op, "PUT", "/api/me/status", {"state": "online"}, "state"),
        (op, "POST", "/api/tokens", {"name": ""}, "name"),
        (admin, "POST", "/api/users", {**user, "password": 5}, "password"),
        (admin, "POST", "/api/users", {**user, "email": "not-an-email"}, "email"),
        (admin, "POST", "/api/users", {"email": "x@test.local", "password": "p4ss"}, "name"),
        (admin, "POST", "/api/users", {**user, "is_admin": "sure"}, "is_admin"),
        (admin, "POST", "/api/users", {**user, "role": "admin"}, "role"),
        (admin, "PATCH", f"/api/users/{op.id}", {"locale": "xx"}, "locale"),
        (admin, "POST", "/api/livechats", {"name": ""}, "name"),
        (admin, "PATCH", f"/api/livechats/{chat_id}", {"settings": {"routing": "x"}}, "routing"),
        (admin, "PUT", f"/api/livechats/{chat_id}/members", {"operators": "x"}, "operators"),
        (admin, "PUT", f"/api/livechats/{chat_id}/members", {"operators": []}, "supervisors"),
        (admin, "POST", f"/api/livechats/{chat_id}/channels", {"kind": "fax"}, "kind"),
        (op, "GET", "/api/sessions?group=busy", None, "group"),
        (op, "GET", "/api/sessions?group=mine&limit=0", None, "limit"),
        (op, "GET", "/api/sessions?group=mine&limit=201", None, "limit"),
        (op, "GET", "/api/sessions?group=mine&livechat_id=abc", None, "livechat_id"),
        (op, "GET", "/api/sessions/abc", None, "session_id"),
        (op, "GET", f"/api/sessions/{sid}/messages?before=x", None, "before"),
        (op, "GET", "/api/search?q=", None, "q"),
        (op, "GET", "/api/contacts/1.5", None, "contact_id"),
    ]
    for api, method, path, body, field in cases:
        r = send(api, method, path, body)
        message = err(r, 422, "validation_error")
        assert field in message, f"{method} {path} {body!r}: {message!r} does not name {field}"
    assert messages_of(op, sid) == before
    assert op.get(f"/api/sessions/{sid}")["assignee"]["id"] == op.id


def test_unknown_ids_are_404(desk: Desk, taken: tuple[Api, int]) -> None:
    op, sid = taken
    admin = desk.admin
    for method, path, body in [
        ("GET", f"/api/sessions/{MISSING}", None),
        ("GET", f"/api/sessions/{MISSING}/messages", None),
        ("POST", f"/api/sessions/{MISSING}/messages", {"text": "hi"}),
        ("POST", f"/api/sessions/{MISSING}/take", None),
        ("POST", f"/api/sessions/{MISSING}/assign", {"operator_id": op.id}),
        ("POST", f"/api/sessions/{MISSING}/close", None),
        ("POST", f"/api/sessions/{MISSING}/read", {"message_id": 1}),
        ("POST", f"/api/sessions/{sid}/read", {"message_id": MISSING}),
        ("POST", "/api/sessions/take-next", {"livechat_id": MISSING}),
        ("GET", f"/api/sessions?group=mine&livechat_id={MISSING}", None),
        ("GET", f"/api/contacts/{MISSING}", None),
        ("GET", f"/api/livechats/{MISSING}", None),
        ("GET", f"/api/search?q=a&session_id={MISSING}", None),
    ]:
        err(send(op, method, path, body), 404)
    for method, path, body in [
        ("GET", f"/api/livechats/{MISSING}", None),
        ("PATCH", f"/api/livechats/{MISSING}", {"name": "x"}),
        ("PUT", f"/api/livechats/{MISSING}/members", {"operators": [], "supervisors": []}),
        ("POST", f"/api/livechats/{MISSING}/channels", {"kind": "widget"}),
        ("PATCH", f"/api/users/{MISSING}", {"name": "x"}),
    ]:
        err(send(admin, method, path, body), 404, "not_found")
    # Unknown routes and methods answer in the same shape.
    err(send(op, "GET", "/api/no-such-thing"), 404)
    err(send(op, "DELETE", "/api/me"), 405)
    # Ids no database column can hold are still unknown ids: never a 500.
    for huge in ("99999999999999999999", "-99999999999999999999"):
        for method, path, body in [
            ("GET", f"/api/sessions/{huge}", None),
            ("POST", f"/api/sessions/{huge}/take", None),
            ("GET", f"/api/contacts/{huge}", None),
            ("GET", f"/api/sessions/{sid}/messages?before={huge}", None),
            ("POST", f"/api/sessions/{sid}/read", {"message_id": int(huge)}),
        ]:
            r = send(op, method, path, body)
            if r.status_code >= 400:
                assert r.status_code in (404, 422), f"{method} {path}: {r.status_code} {r.text}"
                err(r, r.status_code)


def test_text_limits_and_nothing_stored_on_refusal(desk: Desk) -> None:
    op = desk.user()
    chat = desk.livechat(operators=[op])
    visitor = desk.visitor(chat)
    sid = visitor.say("hello")["session_id"]
    op.post(f"/api/sessions/{sid}/take")
    before = messages_of(op, sid)
    history = visitor.history()
    for text in ("", "   ", "a" * (MAX_TEXT + 1)):
        for internal in (False, True):
            r = send(
                op, "POST", f"/api/sessions/{sid}/messages", {"text": text, "internal": internal}
            )
            assert "text" in err(r, 422, "validation_error")
        with httpx.Client(base_url=desk.base, timeout=30) as http:
            r = http.post(
                f"/api/widget/{chat['widget_key']}/messages",
                json={"text": text},
                headers={"Authorization": f"Visitor {visitor.token}"},
            )
        assert "text" in err(r, 422, "validation_error")
    assert messages_of(op, sid) == before
    assert visitor.history() == history

    exact = "я" * MAX_TEXT  # characters, not bytes
    m = op.post(f"/api/sessions/{sid}/messages", {"text": exact}, expect=201)
    assert m["text"] == exact
    assert visitor.say(exact)["text"] == exact
    texts = [x["text"] for x in messages_of(op, sid)]
    assert texts.count(exact) == 2 and len(texts) == len(before) + 2


def _big_body(size: int) -> bytes:
    return b'{"text": "' + b"a" * size + b'"}'


def _chunks(body: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    for i in range(0, len(body), size):
        yield body[i : i + size]


def test_body_over_one_mib_is_413(desk: Desk, taken: tuple[Api, int]) -> None:
    op, sid = taken
    before = messages_of(op, sid)
    body = _big_body(MIB + 10)
    path = f"/api/sessions/{sid}/messages"
    # Declared with Content-Length.
    err(send(op, "POST", path, content=body), 413, "body_too_large")
    # Streamed (Transfer-Encoding: chunked): no length declared up front.
    err(send(op, "POST", path, content=_chunks(body)), 413, "body_too_large")
    with httpx.Client(base_url=desk.base, timeout=30) as anon:
        r = anon.post(
            "/api/auth/login", content=_chunks(body), headers={"Content-Type": "application/json"}
        )
        err(r, 413, "body_too_large")
    assert messages_of(op, sid) == before
    # Just under the limit the body is read (and the text refused for its length, not size).
    r = send(op, "POST", path, content=_chunks(_big_body(MIB - 100)))
    err(r, 422, "validation_error")
    assert messages_of(op, sid) == before


def test_bad_session_list_cursor_is_400(desk: Desk) -> None:
    op = desk.user()
    chat = desk.livechat(operators=[op])
    for n in range(3):
        desk.visitor(chat).say(f"hello {n}")

    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).decode()

    garbage = [
        "garbage!!",
        "abc",
        "%%%",
        b64(b'{"a": 1}'),
        b64(b"[1, 2]"),
        b64(b'["x", 1]'),
        b64(b'"ab"'),
        b64(b"[null, 1]"),
        b64(b'["2024-01-01T00:00:00+00:00"]'),
        b64(b'["2024-01-01T00:00:00+00:00", "x"]'),
        b64(b'["2024-01-01T00:00:00+00:00", 1e23]'),
        b64(b'["2024-01-01T00:00:00+00:00", 99999999999999999999]'),
    ]
    for cursor in garbage:
        for group in ("unassigned", "closed"):
            r = op.http.get("/api/sessions", params={"group": group, "cursor": cursor})
            err(r, 400, "invalid_cursor")
    # A cursor of the right form but of an odd moment is no error: it is just a position.
    for moment in ("2024-01-01T00:00:00", "2024-01-01T00:00:00+05:00", "0001-01-01T00:00:00"):
        cursor = b64(f'["{moment}", 1]'.encode())
        r = op.http.get("/api/sessions", params={"group": "unassigned", "cursor": cursor})
        assert r.status_code in (200, 400), r.text
        if r.status_code == 400:
            err(r, 400, "invalid_cursor")
    # The server's own cursors work.
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"group": "unassigned", "limit": 1}
        if cursor:
            params["cursor"] = cursor
        page = op.get("/api/sessions", params=params)
        seen += [s["id"] for s in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 3 == len(set(seen))


def test_closed_session_is_409(desk: Desk) -> None:
    op = desk.user()
    sup = desk.user()
    chat = desk.livechat(operators=[op], supervisors=[sup])
    sid = desk.visitor(chat).say("hello")["session_id"]
    op.post(f"/api/sessions/{sid}/take")
    op.post(f"/api/sessions/{sid}/close")
    before = messages_of(op, sid)
    err(send(op, "POST", f"/api/sessions/{sid}/take"), 409, "session_closed")
    err(send(op, "POST", f"/api/sessions/{sid}/messages", {"text": "hi"}), 409, "session_closed")
    r = send(op, "POST", f"/api/sessions/{sid}/messages", {"text": "note", "internal": True})
    err(r, 409, "session_closed")
    err(send(op, "POST", f"/api/sessions/{sid}/close"), 409, "session_closed")
    err(send(sup, "POST", f"/api/sessions/{sid}/messages", {"text": "hi"}), 409, "session_closed")
    err(send(sup, "POST", f"/api/sessions/{sid}/close"), 409, "session_closed")
    r = send(sup, "POST", f"/api/sessions/{sid}/assign", {"operator_id": op.id})
    err(r, 409, "session_closed")
    assert messages_of(op, sid) == before
    assert op.get(f"/api/sessions/{sid}")["status"] == "closed"


def test_login_is_throttled_after_ten_wrong_attempts(server: str) -> None:
    with httpx.Client(base_url=server, timeout=30) as http:

        def attempt(email: str, password: str) -> httpx.Response:
            return http.post("/api/auth/login", json={"email": email, "password": password})

        for _ in range(10):
            err(attempt(ADMIN_EMAIL, "wrong"), 401, "invalid_credentials")
        err(attempt(ADMIN_EMAIL, "wrong"), 429, "too_many_attempts")
        # Locked: even the right password (and the same address in other case) waits.
        err(attempt(ADMIN_EMAIL, "admin-pass"), 429, "too_many_attempts")
        err(attempt(ADMIN_EMAIL.upper(), "admin-pass"), 429, "too_many_attempts")
        # Another address is not locked out by someone guessing this one.
        err(attempt("someone@test.local", "wrong"), 401, "invalid_credentials")
