"""One WebSocket subscriber: replay from the log, then the live stream, with heartbeats.

States: replaying -> live -> closed. Live events arriving during the replay wait in the
socket's queue and are skipped when the replay already sent them, so a reconnecting
client gets every event it missed exactly once, in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from livedesk.db.session import reading
from livedesk.realtime.envelope import Envelope
from livedesk.realtime.frames import FrameWriter
from livedesk.realtime.hub import Hub
from livedesk.realtime.log import last_event_id, oldest_event_id, read_since
from livedesk.realtime.mailbox import Mailbox

log = logging.getLogger(__name__)

HEARTBEAT_INTERVAL_SECS = 20.0
SEND_QUEUE_MAX = 2_000
REPLAY_PAGE = 500
FIRST_FRAME_WAIT_SECS = 0.5
RESYNC_CLOSE_CODE = 4000
# Frames written to a socket in one call at the most (realtime/frames.py).
WRITE_BATCH_FRAMES = 64

OnFrame = Callable[[dict[str, Any]], Awaitable[None]]


class ConnState(enum.Enum):
    replaying = "replaying"
    live = "live"
    closed = "closed"


_CATCH_UP = object()
_OVERFLOW = object()


class Connection:
    def __init__(self, ws: WebSocket, recipient: str) -> None:
        self.ws = ws
        self.recipient = recipient
        self.state = ConnState.replaying
        self.last_sent = 0
        self._queue: Mailbox[Envelope | object] = Mailbox(SEND_QUEUE_MAX)
        self._overflowed = False
        self._frames = FrameWriter.of(ws.scope)

    def push(self, envelope: Envelope) -> None:
        if self._overflowed:
            return
        try:
            self._queue.put_nowait(envelope)
        except asyncio.QueueFull:
            self._overflowed = True
            # This socket will be told to resync and closed. Drop everything it was not sent:
            # dropping only the oldest (as this once did) sent later events after a gap, and a
            # client whose link died before the resync frame resumed past the lost event.
            self._queue.clear()
            self._queue.put_nowait(_OVERFLOW)

    def request_catch_up(self) -> None:
        with contextlib.suppress(asyncio.QueueFull):
            self._queue.put_nowait(_CATCH_UP)

    async def send_bytes_frame(self, frame: bytes) -> None:
        await self.ws.send_text(frame.decode())

    def _frame_of(self, envelope: Envelope) -> bytes | None:
        """The envelope's frame, None when this socket was already sent it."""
        if envelope.id is not None:
            if envelope.id <= self.last_sent:
                return None
            self.last_sent = envelope.id
        return envelope.frame()

    async def send_envelope(self, envelope: Envelope) -> None:
        frame = self._frame_of(envelope)
        if frame is not None:
            await self.send_bytes_frame(frame)

    async def _send_live(self, first: Envelope) -> object | None:
        """Send ``first`` and the envelopes queued behind it, in one write when the server
        allows (realtime/frames.py). Returns the queue's next item when it is not an
        envelope (a catch-up or an overflow), to be handled next."""
        if self._frames is None:
            await self.send_envelope(first)
            return None
        frames: list[bytes] = []
        after: object | None = None
        item: Envelope | object = first
        while True:
            if not isinstance(item, Envelope):
                after = item
                break
            frame = self._frame_of(item)
            if frame is not None:
                frames.append(frame)
            if len(frames) >= WRITE_BATCH_FRAMES:
                break
            try:
                item = self._queue.get_nowait()
            except asyncio.QueueEmpty:
                break
        if frames:
            await self._frames.write(frames)
        return after

    async def resync(self, reason: str) -> None:
        frame = {"id": None, "type": "resync_required", "data": {"reason": reason}}
        await self.send_bytes_frame(orjson.dumps(frame))
        self.state = ConnState.closed
        await self.ws.close(RESYNC_CLOSE_CODE)

    async def catch_up(self, engine: AsyncEngine) -> bool:
        """Send every logged event after ``last_sent``. False if the cursor is too old.

        Pages are read, then sent with the database released: a slow socket must never
        hold a connection (SQLite has only one).
        """
        async with reading(engine) as db:
            oldest = await oldest_event_id(db)
            newest = await last_event_id(db)
        if self.last_sent > newest or (oldest is not None and self.last_sent < oldest - 1):
            return False
        while True:
            async with reading(engine) as db:
                page = await read_since(db, self.recipient, self.last_sent, REPLAY_PAGE)
            for envelope in page:
                await self.send_envelope(envelope)
            if len(page) < REPLAY_PAGE:
                return True

    async def write_loop(self, engine: AsyncEngine) -> None:
        while self.state is not ConnState.closed:
            try:
                # A busy socket finds its next frame waiting: no timer to set for it.
                item = self._queue.get_nowait()
            except asyncio.QueueEmpty:
                try:
                    # asyncio.timeout, not wait_for: on Python 3.11 wait_for wraps the get
                    # in a task of its own, one more per idle socket.
                    async with asyncio.timeout(HEARTBEAT_INTERVAL_SECS):
                        item = await self._queue.get()
                except TimeoutError:
                    await self.send_bytes_frame(b'{"id":null,"type":"heartbeat","data":{}}')
                    continue
            if isinstance(item, Envelope):
                after = await self._send_live(item)
                if after is None:
                    continue
                item = after
            if item is _OVERFLOW:
                await self.resync("slow_consumer")
            elif item is _CATCH_UP and not await self.catch_up(engine):
                await self.resync("cursor_expired")


async def _first_frame(ws: WebSocket) -> dict[str, Any] | None:
    try:
        raw = await asyncio.wait_for(ws.receive_text(), FIRST_FRAME_WAIT_SECS)
    except TimeoutError:
        return None
    try:
        frame = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    return frame if isinstance(frame, dict) else None


async def _read_loop(ws: WebSocket, on_frame: OnFrame, pending: dict[str, Any] | None) -> None:
    if pending is not None and "since" not in pending:
        await on_frame(pending)
    while True:
        raw = await ws.receive_text()
        with contextlib.suppress(orjson.JSONDecodeError, TypeError):
            frame = orjson.loads(raw)
            if isinstance(frame, dict):
                await on_frame(frame)


async def serve_socket(
    ws: WebSocket,
    engine: AsyncEngine,
    hub: Hub,
    recipient: str,
    since: int | None,
    on_frame: OnFrame,
) -> None:
    """Serve an accepted WebSocket until it closes. ``since`` may also come as first frame."""
    conn = Connection(ws, recipient)
    hub.add(conn)
    try:
        first = None
        if since is None:
            # No cursor means "from the moment the socket opened", not from the end of the
            # first-frame wait: events committed meanwhile are already queued in the hub.
            async with reading(engine) as db:
                conn.last_sent = await last_event_id(db)
            first = await _first_frame(ws)
            if first is not None and isinstance(first.get("since"), int):
                since = first["since"]
        if since is not None:
            conn.last_sent = since
            if not await conn.catch_up(engine):
                await conn.resync("cursor_expired")
                return
        conn.state = ConnState.live
        await _run_loops(conn, engine, on_frame, first)
    except WebSocketDisconnect:
        pass
    finally:
        conn.state = ConnState.closed
        hub.remove(conn)
        if ws.application_state is not WebSocketState.DISCONNECTED:
            with contextlib.suppress(Exception):
                await ws.close()


async def _run_loops(
    conn: Connection, engine: AsyncEngine, on_frame: OnFrame, first: dict[str, Any] | None
) -> None:
    """The writer runs as a task, the reader in this (the socket's own) task: one task
    fewer per socket. Whichever ends first ends the other."""
    this = asyncio.current_task()
    assert this is not None
    reading = True
    stopped_by_writer = False

    def writer_ended(_: asyncio.Task[None]) -> None:
        nonlocal stopped_by_writer
        if reading:  # the writer ended on its own (resync, a failed send): stop reading
            stopped_by_writer = True
            this.cancel()

    writer = asyncio.create_task(conn.write_loop(engine))
    writer.add_done_callback(writer_ended)
    try:
        await _read_loop(conn.ws, on_frame, first)
    except asyncio.CancelledError:
        # Ours only when the writer stopped us and no one else asked too (the server
        # stopping): anything else goes on up.
        if not stopped_by_writer or this.uncancel() > 0:
            raise
    except Exception as exc:
        if not isinstance(exc, WebSocketDisconnect):
            log.debug("socket ended: %r", exc)
    finally:
        reading = False
        if not writer.done():
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await writer
    if not writer.cancelled():
        failure = writer.exception()
        if failure is not None and not isinstance(failure, WebSocketDisconnect):
            log.debug("socket ended: %r", failure)
