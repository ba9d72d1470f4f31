"""Operator sockets on the generator side: each records when tagged messages arrive.

A bench message's text starts with ``<tag> <seq> ``; a socket keeps the arrival time of
each ``message.created`` frame whose tag is the current run's, and counts the rest.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence

import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, WebSocketException

OPEN_TIMEOUT_SECS = 60.0
CLOSE_TIMEOUT_SECS = 2.0
# The server waits up to 0.5 s for a resume cursor before it streams to a new socket.
SETTLE_SECS = 0.7
_MESSAGE_CREATED = '"message.created"'


def message_text(tag: str, seq: int) -> str:
    return f"{tag} {seq} hello, my order has not arrived yet"


class Listener:
    def __init__(self, url: str) -> None:
        self.url = url
        self.tag = ""
        self.arrivals: dict[int, float] = {}
        self.frames = 0
        self.resyncs = 0
        self.closed = False
        self._ws: ClientConnection | None = None
        self._task: asyncio.Task[None] | None = None

    async def open(self, *, listen: bool = True) -> None:
        self._ws = await connect(
            self.url,
            compression=None,
            ping_interval=None,
            proxy=None,
            open_timeout=OPEN_TIMEOUT_SECS,
            close_timeout=CLOSE_TIMEOUT_SECS,
            max_queue=None,
        )
        if listen:
            self._task = asyncio.create_task(self._run(self._ws))

    def expect(self, tag: str) -> None:
        """Start recording the arrivals of a new run's messages."""
        self.tag, self.arrivals = tag, {}

    @property
    def is_open(self) -> bool:
        return self._ws is not None and not self.closed and self._ws.close_code is None

    async def _run(self, ws: ClientConnection) -> None:
        try:
            async for raw in ws:
                now = time.perf_counter()
                self.frames += 1
                if isinstance(raw, str):
                    self._on_frame(raw, now)
        except ConnectionClosed:
            pass
        finally:
            self.closed = True

    def _on_frame(self, raw: str, now: float) -> None:
        if _MESSAGE_CREATED not in raw:
            if "resync_required" in raw:
                self.resyncs += 1
            return
        frame = orjson.loads(raw)
        if frame.get("type") != "message.created":
            return
        tag, seq, _ = str(frame["data"]["message"]["text"]).split(" ", 2)
        if tag == self.tag:
            self.arrivals.setdefault(int(seq), now)

    async def close(self) -> None:
        if self._ws is not None:
            with contextlib.suppress(WebSocketException, OSError):
                await self._ws.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


async def open_listeners(
    urls: Sequence[str], *, concurrency: int = 100, listen: bool = True
) -> list[Listener]:
    """Open a socket per URL, ``concurrency`` handshakes at a time; close all on failure."""
    gate = asyncio.Semaphore(concurrency)
    listeners = [Listener(u) for u in urls]

    async def one(listener: Listener) -> None:
        async with gate:
            await listener.open(listen=listen)

    try:
        await asyncio.gather(*(one(x) for x in listeners))
    except BaseException:
        await close_listeners(listeners)
        raise
    return listeners


async def close_listeners(listeners: Sequence[Listener], concurrency: int = 500) -> None:
    gate = asyncio.Semaphore(concurrency)

    async def one(listener: Listener) -> None:
        async with gate:
            await listener.close()

    await asyncio.gather(*(one(x) for x in listeners))
