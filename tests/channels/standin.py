"""A stand-in for the far side of a channel (the Bot API, an API channel's receiver): a
Starlette app on 127.0.0.1 in a thread, answering as scripted and recording every request."""

from __future__ import annotations

import asyncio
import email
import email.message
import email.policy
import itertools
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.server import free_port

WAIT_SECS = 15.0
STARTUP_TIMEOUT_SECS = 10.0
Answer = tuple[int, Any]
# A profile photo in three sizes, smallest first, as getUserProfilePhotos gives them.
PROFILE_PHOTO = [
    {"file_id": "avatar_80", "file_unique_id": "a80", "file_size": 2100, "width": 80, "height": 80},
    {
        "file_id": "avatar_320",
        "file_unique_id": "a320",
        "file_size": 19000,
        "width": 320,
        "height": 320,
    },
    {
        "file_id": "avatar_640",
        "file_unique_id": "a640",
        "file_size": 61000,
        "width": 640,
        "height": 640,
    },
]


def file_bytes(file_id: str) -> bytes:
    """What the stand-in serves for a file nobody set: recognisable, and never empty."""
    return f"bytes of {file_id}".encode()


@dataclass(frozen=True)
class Recorded:
    method: str  # the last path segment: sendMessage, setWebhook, hook, ...
    path: str
    body: bytes
    headers: dict[str, str]
    status: int  # what the stand-in answered
    at: float

    @property
    def json(self) -> Any:
        return orjson.loads(self.body) if self.body else None

    @property
    def form(self) -> dict[str, tuple[str | None, str, bytes]]:
        """A multipart upload's fields: name -> (file name, content type, bytes)."""
        head = f"Content-Type: {self.headers['content-type']}\r\n\r\n".encode()
        message = email.message_from_bytes(head + self.body, policy=email.policy.HTTP)
        parts: dict[str, tuple[str | None, str, bytes]] = {}
        for part in message.iter_parts():
            assert isinstance(part, email.message.EmailMessage)
            name = str(part.get_param("name", header="content-disposition"))
            data = part.get_payload(decode=True)
            assert isinstance(data, bytes)
            parts[name] = (part.get_filename(), part.get_content_type(), data)
        return parts


def too_many_requests(retry_after: int) -> Answer:
    description = f"Too Many Requests: retry after {retry_after}"
    body = {"ok": False, "error_code": 429, "description": description}
    return 429, body | {"parameters": {"retry_after": retry_after}}


def bot_error(status: int, description: str) -> Answer:
    return status, {"ok": False, "error_code": status, "description": description}


class StandIn:
    """``script(method, *answers)`` queues answers for one method; once they run out, every
    call gets ``fallback(method)`` (a success) unless ``fail_with`` is set. ``slow(method,
    secs)``: that method answers only after ``secs`` (recorded when it arrives).

    Files: getFile answers for any ``file_id`` and ``GET /file/bot<token>/<path>`` serves
    ``files[file_id]`` (by default ``file_bytes(file_id)``); getUserProfilePhotos answers
    with ``PROFILE_PHOTO`` sizes (``profile_photos = None``: the user has none)."""

    def __init__(self) -> None:
        self.url = ""
        self._lock = threading.Lock()
        self._scripts: dict[str, deque[Answer]] = {}
        self._delays: dict[str, float] = {}
        self.files: dict[str, bytes] = {}
        self.profile_photos: list[dict[str, Any]] | None = PROFILE_PHOTO
        self._ids = itertools.count(1000)
        self._requests: list[Recorded] = []
        self.fail_with: Answer | None = None

    def script(self, method: str, *answers: Answer) -> None:
        with self._lock:
            self._scripts.setdefault(method, deque()).extend(answers)

    def slow(self, method: str, secs: float) -> None:
        with self._lock:
            self._delays[method] = secs

    def requests(self, method: str | None = None) -> list[Recorded]:
        with self._lock:
            return [r for r in self._requests if method is None or r.method == method]

    def wait_for(
        self, what: Callable[[StandIn], bool], timeout: float = WAIT_SECS, why: str = ""
    ) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if what(self):
                return
            time.sleep(0.05)
        raise AssertionError(f"stand-in: {why or 'condition'} not met within {timeout}s")

    def _fallback(self, method: str) -> Answer:
        if self.fail_with is not None:
            return self.fail_with
        if method == "getUpdates":
            return 200, {"ok": True, "result": []}
        if method.startswith("send"):
            return 200, {"ok": True, "result": {"message_id": next(self._ids)}}
        if method in ("setWebhook", "deleteWebhook"):
            return 200, {"ok": True, "result": True, "description": "Webhook was set"}
        if method == "getUserProfilePhotos":
            photos = [self.profile_photos] if self.profile_photos else []
            return 200, {"ok": True, "result": {"total_count": len(photos), "photos": photos}}
        return 200, {"id": f"ext-{next(self._ids)}"}

    def _get_file(self, body: bytes) -> Answer:
        file_id = str(orjson.loads(body)["file_id"])
        size = len(self.files.get(file_id, file_bytes(file_id)))
        result = {"file_id": file_id, "file_size": size, "file_path": f"stored/{file_id}"}
        return 200, {"ok": True, "result": result}

    async def _download(self, request: Request) -> Response:
        file_id = request.url.path.rsplit("/", 1)[-1]
        with self._lock:
            data = self.files.get(file_id, file_bytes(file_id))
            self._requests.append(
                Recorded(
                    "download", request.url.path, b"", dict(request.headers), 200, time.monotonic()
                )
            )
        return Response(data, 200, media_type="application/octet-stream")

    async def _handle(self, request: Request) -> Response:
        body = await request.body()
        method = request.url.path.rstrip("/").rsplit("/", 1)[-1]
        with self._lock:
            queued = self._scripts.get(method)
            if queued:
                status, answer = queued.popleft()
            elif method == "getFile" and self.fail_with is None:
                status, answer = self._get_file(body)
            else:
                status, answer = self._fallback(method)
            self._requests.append(
                Recorded(
                    method, request.url.path, body, dict(request.headers), status, time.monotonic()
                )
            )
            delay = self._delays.get(method, 0.0)
        if delay:
            await asyncio.sleep(delay)
        return Response(orjson.dumps(answer), status, media_type="application/json")

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/file/{path:path}", self._download, methods=["GET"]),
                Route("/{path:path}", self._handle, methods=["POST"]),
            ]
        )


@contextmanager
def running_standin() -> Iterator[StandIn]:
    standin = StandIn()
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(standin.app(), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("stand-in did not start")
        time.sleep(0.02)
    standin.url = f"http://127.0.0.1:{port}"
    try:
        yield standin
    finally:
        server.should_exit = True
        thread.join(15)
