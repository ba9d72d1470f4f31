"""create_app(): routers, middleware, lifespan and the built web UI."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI
from fastapi.responses import FileResponse, JSONResponse
from starlette.staticfiles import StaticFiles

from livedesk import __version__
from livedesk.actions.channels import remote_fetcher
from livedesk.api import (
    admin,
    apps,
    auth,
    channels,
    events,
    files,
    health,
    sessions,
    widget,
    widget_assets,
)
from livedesk.api.errors import BodyLimitMiddleware, error_response, install_error_handlers
from livedesk.api.fastpath import FastRoutes
from livedesk.config import Settings, get_settings
from livedesk.db.dialect import SQLITE
from livedesk.db.sqlite_inline import hand_commits_back_promptly
from livedesk.jobs.outbox import run_outbox
from livedesk.jobs.retention import run_retention
from livedesk.jobs.telegram import register_webhooks
from livedesk.jobs.webhooks import run_webhooks
from livedesk.lib.heap import settle_heap
from livedesk.lib.throttle import RateLimiter
from livedesk.realtime.runtime import Runtime

LOGIN_WINDOW_SECS = 60.0
VISITOR_REQUESTS_PER_MINUTE = 60


def _ui_dir(settings: Settings) -> Path | None:
    candidates = [settings.ui_dir] if settings.ui_dir else []
    candidates += [Path.cwd() / "ui" / "dist", Path(__file__).resolve().parents[2] / "ui" / "dist"]
    return next((p for p in candidates if p is not None and (p / "index.html").is_file()), None)


def _mount_ui(app: FastAPI, dist: Path | None) -> None:
    if dist is None:
        return
    if (dist / "assets").is_dir():
        app.mount("/assets", StaticFiles(directory=dist / "assets"), name="assets")
    index = dist / "index.html"
    # The build output is fixed while we run: index it once, and serve only what it holds.
    files = {p.relative_to(dist).as_posix(): p for p in dist.rglob("*") if p.is_file()}

    @app.get("/{path:path}", include_in_schema=False, response_model=None)
    async def spa(path: str) -> FileResponse | JSONResponse:
        if path.startswith("api/"):
            return error_response(404, "not_found", "Not Found")
        return FileResponse(files.get(path, index))


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    runtime = Runtime.from_settings(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        # Outbound messenger HTTP (Bot API, API channel URLs) shares one client.
        http = httpx.AsyncClient(timeout=settings.channel_http_timeout_secs)
        app.state.channel_http = http
        app.state.fetch_remote = remote_fetcher(settings, http)
        tasks = [
            asyncio.create_task(run_retention(runtime)),
            asyncio.create_task(run_outbox(runtime, http)),
            asyncio.create_task(run_webhooks(runtime, http)),
        ]
        if settings.public_url:
            tasks.append(asyncio.create_task(register_webhooks(runtime, http)))
        if getattr(app.state, "simulate", False):
            from livedesk.actions.demo import run_simulation

            tasks.append(asyncio.create_task(run_simulation(runtime)))
        if getattr(app.state, "settle_heap", False):
            settle_heap()
            if runtime.engine.dialect.name == SQLITE:
                hand_commits_back_promptly()
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await http.aclose()
            await runtime.stop()

    app = FastAPI(
        title="livedesk",
        version=__version__,
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
        lifespan=lifespan,
        # livedesk exports Prometheus metrics (/metrics), not OpenTelemetry: FastAPI's own
        # telemetry would only look for a provider on every request.
        telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False},
    )
    app.state.runtime = runtime
    app.state.login_limiter = RateLimiter(settings.login_attempts_per_minute, LOGIN_WINDOW_SECS)
    app.state.visitor_limiter = RateLimiter(VISITOR_REQUESTS_PER_MINUTE, 60.0)
    # Fetches messenger-held files (a Telegram photo) on their first download.
    app.state.fetch_remote = None
    # Innermost, so that the body limit and the metrics apply to what it serves.
    app.add_middleware(FastRoutes, routes=[*widget.FAST_ROUTES, *sessions.FAST_ROUTES])
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        upload_bytes=settings.max_upload_bytes,
    )
    app.add_middleware(health.MetricsMiddleware)
    install_error_handlers(app)
    # Routes are matched in order, one by one: the visitors' widget API, the busiest by
    # far, comes first (its paths are its own).
    for module in (widget, auth, admin, sessions, files, apps, channels, events, health):
        app.include_router(module.router)
    # The widget's loader, frame and demo page: before the UI's catch-all route.
    app.include_router(widget_assets.router)
    _mount_ui(app, _ui_dir(settings))
    return app
