"""/healthz, /readyz and /metrics."""

from __future__ import annotations

import httpx

from tests.client import Desk
from tests.realtime import EventSocket


def test_health_ready_and_metrics(desk: Desk) -> None:
    with httpx.Client(base_url=desk.base) as http:
        assert http.get("/healthz").json() == {"status": "ok"}
        ready = http.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["checks"] == {"database": True, "bus": True}
        http.get("/api/me")  # a 401 that the metrics must count
        metrics = http.get("/metrics")
    assert metrics.status_code == 200
    assert metrics.headers["content-type"].startswith("text/plain")
    assert 'livedesk_http_requests_total{method="GET",route="/api/me",status="401"}' in metrics.text
    assert "livedesk_websockets" in metrics.text


def test_openapi_document_and_docs_are_published(desk: Desk) -> None:
    with httpx.Client(base_url=desk.base) as http:
        spec = http.get("/api/openapi.json").json()
        assert http.get("/api/docs").status_code == 200
    for path in ("/api/sessions/{session_id}/take", "/api/search", "/api/counters"):
        assert path in spec["paths"]


def test_presence_reaches_members_of_my_live_chats(desk: Desk) -> None:
    op, peer, outsider = desk.user(), desk.user(), desk.user()
    desk.livechat(operators=[op, peer])
    desk.livechat("Elsewhere", operators=[outsider])
    with (
        EventSocket.user(peer, since=0) as peer_socket,
        EventSocket.user(outsider, since=0) as other,
    ):
        op.put("/api/me/status", {"status": "away"})
        frame = peer_socket.until("presence", user_id=op.id)
        assert frame["data"] == {"user_id": op.id, "name": op.user["name"], "status": "away"}
        assert frame["id"] is None
        assert [
            f for f in other.drain() if f["type"] == "presence" and f["data"]["user_id"] == op.id
        ] == []
