"""The busiest routes, served straight from ASGI without FastAPI's per-request machinery.

FastAPI spends more on routing, dependency solving, body parsing and response
serialization than a visitor's message costs to store (a third of the server's time under
the bench's ingest). A route listed here is matched before the router and handled by a
plain coroutine; its FastAPI route stays registered as its documentation (OpenAPI) and
shares its code, and the same requests get the same answers, failures included (tested
in tests/api/test_fastpath.py by running both).

The middleware sits inside the body limit and the metrics (``app.py``): those still apply.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import compile_path
from starlette.types import ASGIApp, Receive, Scope, Send

from livedesk.api.errors import render_error
from livedesk.realtime.frames import RAW_SEND_KEY

M = TypeVar("M", bound=BaseModel)
Endpoint = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True)
class FastRoute:
    method: str
    # The FastAPI route's template: the metrics label requests by it (api/health.py).
    path: str
    endpoint: Endpoint
    pattern: re.Pattern[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "pattern", compile_path(self.path)[0])


class FastRoutes:
    """Serve ``routes`` directly; pass every other request on to ``app``."""

    def __init__(self, app: ASGIApp, routes: Sequence[FastRoute]) -> None:
        self.app = app
        self.routes = tuple(routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = scope["path"]
            root = scope.get("root_path", "")
            if root and path.startswith(root):
                path = path[len(root) :]
            for route in self.routes:
                if scope["method"] != route.method:
                    continue
                match = route.pattern.fullmatch(path)
                if match is not None:
                    scope["route"] = route
                    scope["path_params"] = match.groupdict()
                    request = Request(scope, receive, send)
                    try:
                        response = await route.endpoint(request)
                    except Exception as exc:
                        # What the app's exception handlers would answer; anything they
                        # pass on goes up to the server-error middleware (a 500).
                        response = await render_error(request, exc)
                    await response(scope, receive, send)
                    return
        elif scope["type"] == "websocket":
            # The server's own send, before Starlette wraps it: realtime.frames writes a
            # socket's waiting frames in one call through it.
            scope[RAW_SEND_KEY] = send
        await self.app(scope, receive, send)


async def json_body(request: Request, model: type[M]) -> M:
    """The request's JSON body as ``model``, refused as FastAPI refuses a body parameter:
    no body is a missing field (422), a body that is not JSON a 400 (``malformed_json``),
    and one sent without a JSON content type is validated as raw bytes (a 422)."""
    raw = await request.body()
    loc: tuple[str | int, ...] = ("body",)
    if not raw:
        raise RequestValidationError(
            [{"type": "missing", "loc": loc, "msg": "Field required", "input": None}]
        )
    content_type = request.headers.get("content-type")
    data: Any = raw
    if content_type and _is_json(content_type):
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            error = {"type": "json_invalid", "loc": (*loc, exc.pos), "msg": "JSON decode error"}
            raise RequestValidationError([error]) from None
        except ValueError:  # not UTF-8 or the like: as FastAPI, a 400 of its own
            raise HTTPException(400, "There was an error parsing the body") from None
    try:
        # As FastAPI validates a body parameter (the same error messages).
        return model.model_validate(data, from_attributes=True)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": (*loc, *e["loc"])} for e in exc.errors()]
        ) from None


def _is_json(content_type: str) -> bool:
    main, _, rest = content_type.partition("/")
    subtype = rest.partition(";")[0].strip().lower()
    return main.strip().lower() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )


def json_response(model: BaseModel, status_code: int = 200) -> Response:
    return Response(model.model_dump_json(), status_code, media_type="application/json")
