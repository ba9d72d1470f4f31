"""A stand-in for the far side of a channel (the Bot API, an API channel's receiver): a
Starlette app on 127.0.0.1 in a thread, answering as scripted and recording every request."""

from __future__ import annotations

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


def too_many_requests(retry_after: int) -> Answer:
    description = f"Too Many Requests: retry after {retry_after}"
    body = {"ok": False, "error_code": 429, "description": description}
    return 429, body | {"parameters": {"retry_after": retry_after}}


def bot_error(status: int, description: str) -> Answer:
    return status, {"ok": False, "error_code": status, "description": description}


class StandIn:
    """``script(method, *answers)`` queues answers for one method; once they run out, every
    call gets ``fallback(method)`` (a success) unless ``fail_with`` is set."""

    def __init__(self) -> None:
        self.url = ""
        self._lock = threading.Lock()
        self._scripts: dict[str, deque[Answer]] = {}
        self._ids = itertools.count(1000)
        self._requests: list[Recorded] = []
        self.fail_with: Answer | None = None

    def script(self, method: str, *answers: Answer) -> None:
        with self._lock:
            self._scripts.setdefault(method, deque()).extend(answers)

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
        return 200, {"id": f"ext-{next(self._ids)}"}

    async def _handle(self, request: Request) -> Response:
        body = await request.body()
        method = request.url.path.rstrip("/").rsplit("/", 1)[-1]
        with self._lock:
            queued = self._scripts.get(method)
            status, answer = queued.popleft() if queued else self._fallback(method)
            self._requests.append(
                Recorded(
                    method, request.url.path, body, dict(request.headers), status, time.monotonic()
                )
            )
        return Response(orjson.dumps(answer), status, media_type="application/json")

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/{path:path}", self._handle, methods=["POST"])])


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
