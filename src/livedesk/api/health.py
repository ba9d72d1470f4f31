"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, Gauge, generate_latest
from sqlalchemy import text

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
