"""Every failure becomes ``{"error": {"code", "message"}}`` with a 4xx status."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from livedesk.lib.errors import ApiError

_HTTP_CODES = {
    404: "not_found",
    405: "method_not_allowed",
    401: "not_authenticated",
    413: "body_too_large",
}


def error_response(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def _describe(err: dict[str, Any]) -> str:
    where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body",))
    return f"{where or 'body'}: {err.get('msg', 'invalid')}"


async def _validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in errors):
        return error_response(400, "malformed_json", "The request body is not valid JSON.")
    message = "; ".join(_describe(e) for e in errors[:5])
    return error_response(422, "validation_error", message)


async def _api_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.message)


async def _out_of_range(_: Request, exc: Exception) -> JSONResponse:
    # An id or number no database column can hold (SQLite: OverflowError; asyncpg: DBAPIError).
    if isinstance(exc, DBAPIError) and "out of int64 range" not in str(exc.orig):
        raise exc
    return error_response(422, "validation_error", "A number in the request is out of range.")


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    if isinstance(exc, BodyTooLarge):
        code = exc.code
    return error_response(exc.status_code, code, str(exc.detail))


_HANDLERS: dict[type[Exception], Callable[[Request, Exception], Awaitable[JSONResponse]]] = {
    RequestValidationError: _validation,
    ApiError: _api_error,
    HTTPException: _http_error,
    OverflowError: _out_of_range,
    DBAPIError: _out_of_range,
}


def install_error_handlers(app: FastAPI) -> None:
    for kind, handler in _HANDLERS.items():
        app.add_exception_handler(kind, handler)


async def render_error(request: Request, exc: Exception) -> JSONResponse:
    """The answer the app's exception handlers give ``exc`` (raised again if none does),
    for the routes served outside FastAPI's routing (api/fastpath.py)."""
    for kind in type(exc).__mro__:
        handler = _HANDLERS.get(kind)
        if handler is not None:
            return await handler(request, exc)
    raise exc


class BodyTooLarge(HTTPException):
    """An HTTPException: FastAPI passes those on from a body read (others become a 400)."""

    def __init__(self, max_bytes: int, *, upload: bool = False) -> None:
        what = "Files" if upload else "Bodies"
        super().__init__(413, f"{what} are limited to {max_bytes} bytes.")
        self.code = "file_too_large" if upload else "body_too_large"


class BodyLimitMiddleware:
    """Refuse bodies over ``max_bytes`` (413), declared or streamed, before a route reads them.

    File uploads (``POST .../files``) have their own, larger limit: 413 ``file_too_large``.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, upload_bytes: int | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.upload_bytes = upload_bytes if upload_bytes is not None else max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        upload = scope["method"] == "POST" and scope["path"].endswith("/files")
        limit = self.upload_bytes if upload else self.max_bytes
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._too_large(scope, receive, send, limit, upload)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge(limit, upload=upload)
            return message

        try:
            await self.app(scope, limited, send)
        except BodyTooLarge:
            await self._too_large(scope, receive, send, limit, upload)

    async def _too_large(
        self, scope: Scope, receive: Receive, send: Send, limit: int, upload: bool
    ) -> None:
        exc = BodyTooLarge(limit, upload=upload)
        await error_response(413, exc.code, str(exc.detail))(scope, receive, send)
