"""A socket's waiting frames written together (realtime/frames.py), over a real uvicorn
server and a real client: every event is its own frame, in order, none lost; a client that
stops reading is still told to resync and closed, as when frames went one by one."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

import orjson
import uvicorn
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect
from websockets.sync.client import ClientConnection, connect

from livedesk.api.fastpath import FastRoutes
from livedesk.config import SERVER_OPTIONS
from livedesk.realtime.connection import RESYNC_CLOSE_CODE, Connection, ConnState
from livedesk.realtime.envelope import Envelope
from tests.server import free_port

WAIT_SECS = 10.0
NO_ENGINE = cast(AsyncEngine, None)  # the write loop needs the database only to catch up


async def _events(ws: WebSocket) -> None:
    """Push what the client asks for: ``{"count": n, "size": bytes, "pace": secs}`` events,
    in bursts of 100 (each burst queued at once, so the writer finds them waiting)."""
    await ws.accept()
    conn = Connection(ws, "u1")
    conn.state = ConnState.live
    writer = asyncio.create_task(conn.write_loop(NO_ENGINE))
    ask = orjson.loads(await ws.receive_text())
    await ws.send_text(orjson.dumps({"writes_together": conn._frames is not None}).decode())
    pad = "x" * ask["size"]
    for n in range(1, ask["count"] + 1):
        conn.push(Envelope(n, "message.created", {"pad": pad}, ("u1",)))
        if n % 100 == 0:
            await asyncio.sleep(ask["pace"])
        if writer.done():
            break
    try:
        await ws.receive_text()  # until the client hangs up
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        writer.cancel()


@contextmanager
def _server() -> Iterator[str]:
    app = Starlette(routes=[WebSocketRoute("/events", _events)])
    app.add_middleware(FastRoutes, routes=[])
    port = free_port()
    options: dict[str, Any] = {**SERVER_OPTIONS, "log_level": "warning"}
    config = uvicorn.Config(app, host="127.0.0.1", port=port, **options)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + WAIT_SECS
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    try:
        yield f"ws://127.0.0.1:{port}/events"
    finally:
        server.should_exit = True
        thread.join(WAIT_SECS)


def _ask(client: ClientConnection, count: int, size: int, pace: float) -> None:
    client.send(orjson.dumps({"count": count, "size": size, "pace": pace}).decode())
    assert orjson.loads(client.recv(WAIT_SECS)) == {"writes_together": True}


def _frames(client: ClientConnection) -> list[dict[str, Any]]:
    got: list[dict[str, Any]] = []
    try:
        while True:
            got.append(orjson.loads(client.recv(WAIT_SECS)))
    except Exception:  # closed by the server, or nothing more within the wait
        return got


def test_queued_events_arrive_each_in_its_own_frame_in_order() -> None:
    with _server() as url, connect(url, max_size=None) as client:
        _ask(client, count=3_000, size=50, pace=0.0)
        got: list[dict[str, Any]] = []
        while len(got) < 3_000:
            got.append(orjson.loads(client.recv(WAIT_SECS)))
    assert [f["id"] for f in got] == list(range(1, 3_001))
    assert all(f["type"] == "message.created" and len(f["data"]["pad"]) == 50 for f in got)


def test_a_client_that_stops_reading_is_told_to_resync_and_closed() -> None:
    with _server() as url, connect(url, max_size=None, max_queue=4) as client:
        # 20 KiB events until the socket's buffers fill and its queue overflows.
        _ask(client, count=20_000, size=20_000, pace=0.005)
        time.sleep(3.0)  # the client reads nothing meanwhile (it buffers 4 frames at most)
        got = _frames(client)
        code = client.close_code
    ids = [f["id"] for f in got[:-1]]
    assert ids == list(range(1, len(ids) + 1))  # what was sent came in order, without a gap
    assert len(ids) < 20_000
    assert got[-1] == {"id": None, "type": "resync_required", "data": {"reason": "slow_consumer"}}
    assert code == RESYNC_CLOSE_CODE
