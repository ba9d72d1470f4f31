"""Helpers for the real-time tests: event sockets over real WebSockets, every wait bounded.

Kept here (not in ``tests/client.py``) so that the real-time suite is self-contained.
"""

from __future__ import annotations

import asyncio
import time
from types import TracebackType
from typing import Any

import orjson
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from livedesk.config import Settings
from livedesk.realtime.envelope import Envelope
from livedesk.realtime.log import read_since
from livedesk.realtime.runtime import Runtime
from tests.client import Api

WAIT_SECS = 10.0
QUIET_SECS = 0.4
MAX_FRAMES = 5_000


def ws_url(base: str, path: str) -> str:
    return "ws" + base.removeprefix("http") + path


def cookie_header(api: Api) -> dict[str, str]:
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in api.http.cookies.items())}


class EventSocket:
    """One events socket. Heartbeats are dropped; every other frame is kept in ``frames``."""

    def __init__(self, conn: ClientConnection) -> None:
        self.conn = conn
        self.frames: list[dict[str, Any]] = []

    @classmethod
    def open(
        cls,
        base: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        since: int | None = None,
    ) -> EventSocket:
        conn = connect(
            ws_url(base, path),
            additional_headers=headers,
            proxy=None,
            open_timeout=WAIT_SECS,
            close_timeout=WAIT_SECS,
            compression=None,
            legacy=True,  # a connection object we close ourselves (see __exit__)
        )
        sock = cls(conn)
        if since is not None:
            sock.send({"since": since})
        return sock

    @classmethod
    def user(cls, api: Api, *, since: int | None = None, query: str = "") -> EventSocket:
        """The user's /api/events socket, authenticated by the Api client's cookie."""
        return cls.open(api.base, f"/api/events{query}", headers=cookie_header(api), since=since)

    def send(self, frame: dict[str, Any]) -> None:
        self.conn.send(orjson.dumps(frame).decode())

    def recv(self, timeout: float) -> dict[str, Any] | None:
        """The next non-heartbeat frame; None when ``timeout`` passes or the socket closes."""
        deadline = time.monotonic() + timeout
        for _ in range(MAX_FRAMES):
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            try:
                raw = self.conn.recv(timeout=left)
            except (TimeoutError, ConnectionClosed):
                return None
            frame: dict[str, Any] = orjson.loads(raw)
            if frame.get("type") != "heartbeat":
                self.frames.append(frame)
                return frame
        raise AssertionError("too many heartbeats")

    def until(self, type_: str, timeout: float = WAIT_SECS, **match: Any) -> dict[str, Any]:
        """Read until a frame of ``type_`` whose data has the ``match`` items arrives."""
        deadline = time.monotonic() + timeout
        for _ in range(MAX_FRAMES):
            frame = self.recv(max(0.0, deadline - time.monotonic()))
            if frame is None:
                break
            if frame["type"] == type_ and all(
                _get(frame["data"], k) == v for k, v in match.items()
            ):
                return frame
        raise AssertionError(f"no {type_} {match} within {timeout}s; got {self.frames[-5:]}")

    def take(self, count: int, timeout: float = WAIT_SECS) -> list[dict[str, Any]]:
        """Exactly the next ``count`` frames (fails on timeout)."""
        deadline = time.monotonic() + timeout
        got: list[dict[str, Any]] = []
        for _ in range(count):
            frame = self.recv(max(0.0, deadline - time.monotonic()))
            assert frame is not None, f"only {len(got)} of {count} frames within {timeout}s"
            got.append(frame)
        return got

    def drain(self, quiet: float = QUIET_SECS) -> list[dict[str, Any]]:
        """Every frame until the socket has been quiet for ``quiet`` seconds."""
        got: list[dict[str, Any]] = []
        for _ in range(MAX_FRAMES):
            frame = self.recv(quiet)
            if frame is None:
                return got
            got.append(frame)
        raise AssertionError("the socket never went quiet")

    @property
    def last_id(self) -> int:
        ids = [f["id"] for f in self.frames if f["id"] is not None]
        assert ids, "no logged event received yet"
        return int(max(ids))

    def closed_code(self, timeout: float = WAIT_SECS) -> int | None:
        """Wait for the server to close the socket; its close code."""
        deadline = time.monotonic() + timeout
        for _ in range(MAX_FRAMES):
            try:
                self.conn.recv(timeout=max(0.0, deadline - time.monotonic()))
            except ConnectionClosed:
                return self.conn.close_code
            except TimeoutError:
                return None
        return None

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> EventSocket:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _get(data: dict[str, Any], dotted: str) -> Any:
    value: Any = data
    for part in dotted.split("__"):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def logged_events(settings: Settings, recipient: str, since: int) -> list[Envelope]:
    """What the durable log holds for ``recipient`` after ``since`` (read on the same DB)."""

    async def run() -> list[Envelope]:
        rt = Runtime.from_settings(settings)
        try:
            async with rt.read() as db:
                return await read_since(db, recipient, since, MAX_FRAMES)
        finally:
            await rt.engine.dispose()

    return asyncio.run(run())
