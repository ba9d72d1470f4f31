"""Buses, hub and connections: delivery to the right sockets, a slow socket never holds back
the others, Redis carries events to every node."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import orjson
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.websockets import WebSocket, WebSocketDisconnect

from livedesk.config import Settings
from livedesk.realtime.bus import MemoryBus, RedisBus
from livedesk.realtime.connection import (
    RESYNC_CLOSE_CODE,
    SEND_QUEUE_MAX,
    Connection,
    ConnState,
    _run_loops,
)
from livedesk.realtime.envelope import Envelope
from livedesk.realtime.hub import Hub
from livedesk.realtime.runtime import Runtime
from tests.databases import redis_url

WAIT_SECS = 5.0
NO_ENGINE = cast(AsyncEngine, None)  # the write loop needs the database only to catch up


class FakeSocket:
    """What Connection uses of a WebSocket. A stalled one blocks in send until released."""

    def __init__(self, *, stalled: bool = False) -> None:
        self.scope: dict[str, Any] = {}  # no server's send in it: frames go one by one
        self.sent: list[dict[str, Any]] = []
        self.close_code: int | None = None
        self.gate = asyncio.Event()
        self.hung_up = asyncio.Event()
        if not stalled:
            self.gate.set()

    async def send_text(self, text: str) -> None:
        await self.gate.wait()
        self.sent.append(orjson.loads(text))

    async def close(self, code: int = 1000) -> None:
        self.close_code = code

    async def receive_text(self) -> str:
        """A client that says nothing until it hangs up (``hung_up`` set)."""
        await self.hung_up.wait()
        raise WebSocketDisconnect(1000)


class Recorder:
    """A hub subscriber that records what it is handed."""

    def __init__(self, recipient: str) -> None:
        self.recipient = recipient
        self.got: list[Envelope] = []
        self.catch_ups = 0

    def push(self, envelope: Envelope) -> None:
        self.got.append(envelope)

    def request_catch_up(self) -> None:
        self.catch_ups += 1


def _live(ws: FakeSocket, recipient: str) -> Connection:
    conn = Connection(cast(WebSocket, ws), recipient)
    conn.state = ConnState.live
    return conn


def _event(id_: int, *to: str) -> Envelope:
    return Envelope(id_, "message.created", {"n": id_}, to)


async def _until(check: Callable[[], bool], secs: float = WAIT_SECS) -> None:
    deadline = time.monotonic() + secs
    while not check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0)


def test_hub_hands_each_event_to_its_recipients_sockets_only() -> None:
    hub = Hub()
    a1, a2, b = Recorder("u1"), Recorder("u1"), Recorder("c7")
    for sub in (a1, a2, b):
        hub.add(sub)
    hub.deliver([_event(1, "u1"), _event(2, "c7", "u1"), _event(3, "u9")])
    assert [e.id for e in a1.got] == [e.id for e in a2.got] == [1, 2]
    assert [e.id for e in b.got] == [2]
    hub.remove(a1)
    hub.remove(a2)
    assert not hub.is_connected("u1") and hub.is_connected("c7") and hub.socket_count == 1


def test_memory_bus_delivers_to_the_hub_and_catch_up_reaches_every_socket() -> None:
    async def run() -> None:
        hub, bus = Hub(), MemoryBus()
        sub = Recorder("u1")
        hub.add(sub)
        await bus.start(hub.deliver, hub.catch_up_all)
        await bus.publish([_event(1, "u1"), _event(2, "u1")])
        await hub.catch_up_all()
        await bus.stop()
        await bus.publish([_event(3, "u1")])  # stopped: goes nowhere
        assert [e.id for e in sub.got] == [1, 2] and sub.catch_ups == 1
        assert await bus.ready()

    asyncio.run(run())


def test_slow_consumer_is_told_to_resync_and_closed_while_fast_socket_gets_everything() -> None:
    total = SEND_QUEUE_MAX + 50

    async def run() -> None:
        hub = Hub()
        fast_ws, slow_ws = FakeSocket(), FakeSocket(stalled=True)
        fast, slow = _live(fast_ws, "u1"), _live(slow_ws, "u1")
        hub.add(fast)
        hub.add(slow)
        writers = [asyncio.create_task(c.write_loop(NO_ENGINE)) for c in (fast, slow)]
        try:
            for n in range(1, total + 1):
                hub.deliver([_event(n, "u1")])
                await _until(lambda n=n: len(fast_ws.sent) == n)  # a fast reader keeps up
            slow_ws.gate.set()  # the slow client finally reads
            await asyncio.wait_for(writers[1], WAIT_SECS)
        finally:
            for task in writers:
                task.cancel()
            await asyncio.gather(*writers, return_exceptions=True)
        assert [f["id"] for f in fast_ws.sent] == list(range(1, total + 1))
        assert fast_ws.close_code is None and fast.state is ConnState.live
        resync = {"id": None, "type": "resync_required", "data": {"reason": "slow_consumer"}}
        assert slow_ws.sent[-1] == resync
        assert slow_ws.close_code == RESYNC_CLOSE_CODE and slow.state is ConnState.closed
        # Only what was already on its way: never events after a gap the client cannot see.
        assert [f["id"] for f in slow_ws.sent[:-1]] == [1]

    asyncio.run(run())


def test_connection_skips_what_it_already_sent() -> None:
    async def run() -> None:
        ws = FakeSocket()
        conn = _live(ws, "u1")
        conn.last_sent = 5
        for n in (4, 5, 6, 6, 7):
            await conn.send_envelope(_event(n, "u1"))
        await conn.send_envelope(Envelope(None, "typing", {}, ("u1",)))  # ephemeral: no id
        assert [f["id"] for f in ws.sent] == [6, 7, None]

    asyncio.run(run())


# -- Redis --------------------------------------------------------------------------------------


def _redis_settings(tmp_path: Path, channel: str) -> Settings:
    return Settings(  # type: ignore[call-arg]
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'unused.db'}",
        data_dir=tmp_path,
        redis_url=redis_url(),
        redis_channel=channel,
        _env_file=None,
    )


def test_redis_bus_delivers_to_every_subscribed_node_in_publish_order(tmp_path: Path) -> None:
    channel = f"livedesk:test:{uuid.uuid4().hex}"
    settings = _redis_settings(tmp_path, channel)
    other = _redis_settings(tmp_path, f"{channel}:other")

    async def run() -> None:
        nodes = [Runtime.from_settings(s) for s in (settings, settings, other)]
        subs = [Recorder("u1") for _ in nodes]
        for rt, sub in zip(nodes, subs, strict=True):
            assert isinstance(rt.bus, RedisBus)
            rt.hub.add(sub)
        try:
            for rt in nodes:
                await rt.start()
            assert [await rt.bus.ready() for rt in nodes] == [True, True, True]
            await nodes[0].bus.publish([_event(1, "u1"), _event(2, "u1", "c3")])
            await nodes[1].bus.publish([_event(3, "u1")])
            await _until(lambda: all(len(s.got) == 3 for s in subs[:2]))
            await asyncio.sleep(0.2)
        finally:
            for rt in nodes:
                await rt.stop()
        for sub in subs[:2]:
            assert [(e.id, e.recipients) for e in sub.got] == [
                (1, ("u1",)),
                (2, ("u1", "c3")),
                (3, ("u1",)),
            ]
        assert subs[2].got == [], "another deployment's channel must stay separate"

    asyncio.run(run())


async def _no_frames(_: dict[str, Any]) -> None:
    return None


def test_a_socket_ends_when_either_its_reader_or_its_writer_does() -> None:
    async def run() -> None:
        # The writer ends (the client fell behind and is told to resync): the socket's own
        # task, which reads, stops too.
        ws = FakeSocket()
        conn = _live(ws, "u1")
        serving = asyncio.create_task(_run_loops(conn, NO_ENGINE, _no_frames, None))
        await asyncio.sleep(0)
        for n in range(SEND_QUEUE_MAX + 1):
            conn.push(_event(n + 1, "u1"))
        await asyncio.wait_for(serving, WAIT_SECS)
        assert not serving.cancelled() and ws.close_code == RESYNC_CLOSE_CODE
        # The client hangs up: the writer is stopped.
        ws = FakeSocket()
        conn = _live(ws, "u1")
        serving = asyncio.create_task(_run_loops(conn, NO_ENGINE, _no_frames, None))
        await asyncio.sleep(0.05)
        ws.hung_up.set()
        await asyncio.wait_for(serving, WAIT_SECS)
        assert len([t for t in asyncio.all_tasks() if t is not asyncio.current_task()]) == 0
        # Cancelled from outside (the server stops): the cancellation is not swallowed.
        conn = _live(FakeSocket(), "u1")
        serving = asyncio.create_task(_run_loops(conn, NO_ENGINE, _no_frames, None))
        await asyncio.sleep(0.05)
        serving.cancel()
        done, _ = await asyncio.wait({serving}, timeout=WAIT_SECS)
        assert serving in done and serving.cancelled()
        assert len([t for t in asyncio.all_tasks() if t is not asyncio.current_task()]) == 0

    asyncio.run(run())
