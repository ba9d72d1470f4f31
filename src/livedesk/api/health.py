"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import time

from fastapi import APIRouter
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from sqlalchemy import text
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from livedesk.api.deps import RuntimeDep

router = APIRouter(tags=["health"])
WEBSOCKETS = Gauge("livedesk_websockets", "Open WebSocket connections on this node")


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(rt: RuntimeDep) -> JSONResponse:
    checks: dict[str, bool] = {}
    try:
        async with rt.read() as db:
            await db.execute(text("SELECT 1"))
        checks["database"] = True
    except Exception:
        checks["database"] = False
    checks["bus"] = await rt.bus.ready()
    ok = all(checks.values())
    return JSONResponse(
        {"status": "ok" if ok else "unavailable", "checks": checks}, status_code=200 if ok else 503
    )


@router.get("/metrics")
async def metrics(rt: RuntimeDep) -> PlainTextResponse:
    WEBSOCKETS.set(rt.hub.socket_count)
    return PlainTextResponse(generate_latest().decode(), media_type=CONTENT_TYPE_LATEST)


HTTP_REQUESTS = Counter(
    "livedesk_http_requests_total",
    "HTTP requests by method, route and status",
    ["method", "route", "status"],
)
HTTP_SECONDS = Histogram(
    "livedesk_http_request_seconds", "HTTP request duration", ["method", "route"]
)


class MetricsMiddleware:
    """Counts requests and their duration per route template (never per raw path)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = [500]

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = scope.get("route")
            name = getattr(route, "path", "unmatched")
            HTTP_REQUESTS.labels(scope["method"], name, str(status[0])).inc()
            HTTP_SECONDS.labels(scope["method"], name).observe(time.perf_counter() - started)
