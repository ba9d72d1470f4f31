"""Messages flowing from visitors to operator sockets: ingest (as fast as it goes) and
delivery latency (at a fixed rate).

Visitors write through ``POST /api/widget/{key}/messages`` on raw keep-alive connections;
every operator socket of the message's live chat must receive its ``message.created``.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import time
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import orjson

from livedesk.bench.httpc import HttpConn, HttpError
from livedesk.bench.machine import CpuMeter
from livedesk.bench.sockets import (
    SETTLE_SECS,
    Listener,
    close_listeners,
    message_text,
    open_listeners,
)
from livedesk.bench.stats import Figures, latency_ms
from livedesk.bench.target import Chat, Target

# Under the server's limit of 60 requests per visitor per minute.
VISITOR_MESSAGES = 50
DRAIN_SECS = 10.0
DRAIN_POLL_SECS = 0.05
# A send that starts this much after its planned time means the senders fell behind.
LATE_SEND_SECS = 0.005
# A fixed-rate run that falls behind stops sending this long after its planned end (the
# messages not sent are reported); a server that cannot keep up must not stretch a run.
OVERRUN_SECS = 2.0
# Visitor pools are sized for this rate: a run that goes faster runs out of visitors.
MAX_INGEST_RATE = 6_000


def visitors_for(messages: int) -> int:
    return math.ceil(messages / VISITOR_MESSAGES) + 1


@dataclass
class Sockets:
    """The operator sockets of some live chats, open for a whole scenario (all its runs)."""

    by_chat: dict[str, list[Listener]]

    @property
    def all(self) -> list[Listener]:
        return [x for group in self.by_chat.values() for x in group]

    def expect(self, tag: str) -> None:
        for listener in self.all:
            listener.expect(tag)


@asynccontextmanager
async def operator_sockets(target: Target, chats: Sequence[Chat]) -> AsyncIterator[Sockets]:
    urls = [(c.widget_key, target.socket_url(c, t)) for c in chats for t in c.operator_tokens]
    listeners = await open_listeners([u for _, u in urls])
    by_chat: dict[str, list[Listener]] = {c.widget_key: [] for c in chats}
    for (key, _), listener in zip(urls, listeners, strict=True):
        by_chat[key].append(listener)
    try:
        await asyncio.sleep(SETTLE_SECS)
        yield Sockets(by_chat)
    finally:
        await close_listeners(listeners)


@dataclass
class _Posts:
    accepted: list[int] = field(default_factory=list)
    secs: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: int = 0

    async def post(self, conn: HttpConn, path: str, token: str, tag: str, seq: int) -> None:
        body = orjson.dumps({"text": message_text(tag, seq)})
        started = time.perf_counter()
        try:
            status, _ = await conn.request(
                "POST", path, body, {"Authorization": f"Visitor {token}"}
            )
        except HttpError:
            self.errors += 1
            return
        self.secs.append(time.perf_counter() - started)
        self.statuses[status] += 1
        if status == 201:
            self.accepted.append(seq)

    def figures(self) -> Figures:
        rejected = sum(n for status, n in self.statuses.items() if status != 201)
        return {
            "messages_accepted": len(self.accepted),
            "requests_failed": rejected + self.errors,
            **latency_ms("post", self.secs),
        }


async def _drain(listeners: Sequence[Listener], expected: dict[int, set[int]]) -> None:
    """Wait until each socket got what it expects (by socket index), or DRAIN_SECS pass."""
    deadline = time.perf_counter() + DRAIN_SECS
    while time.perf_counter() < deadline:
        if all(
            listener.closed or expected[i].issubset(listener.arrivals)
            for i, listener in enumerate(listeners)
        ):
            return
        await asyncio.sleep(DRAIN_POLL_SECS)


async def ingest_run(
    target: Target, chat: Chat, sockets: Sockets, tag: str, concurrency: int, secs: float
) -> Figures:
    """``concurrency`` visitors write to one live chat as fast as it answers, for ``secs``."""
    listeners = sockets.by_chat[chat.widget_key]
    sockets.expect(tag)
    path, posts, seq, opened = target.message_path(chat), _Posts(), itertools.count(), [0]
    pool = iter(chat.take_visitors(visitors_for(int(MAX_INGEST_RATE * secs)) + concurrency))
    meter = CpuMeter(target.server_pids).start()
    started = time.perf_counter()
    deadline = started + secs

    async def visitor_loop() -> None:
        conn = HttpConn(target.post.host, target.post.port)
        try:
            for token in pool:
                # A fresh visitor's first message opens a session (more work than the rest).
                opened[0] += time.perf_counter() < deadline
                for _ in range(VISITOR_MESSAGES):
                    if time.perf_counter() >= deadline:
                        return
                    await posts.post(conn, path, token, tag, next(seq))
        finally:
            await conn.close()

    await asyncio.gather(*(visitor_loop() for _ in range(concurrency)))
    sent = time.perf_counter()
    cpu = meter.figures()
    accepted = set(posts.accepted)
    await _drain(listeners, {i: accepted for i in range(len(listeners))})
    return {
        "messages_per_sec_accepted": round(len(accepted) / (sent - started), 1),
        "sessions_opened": opened[0],
        **_delivery(listeners, accepted, started),
        **posts.figures(),
        **cpu,
    }


def _delivery(listeners: Sequence[Listener], accepted: set[int], started: float) -> Figures:
    on_all = [s for s in accepted if all(s in x.arrivals for x in listeners)]
    last = max((max(x.arrivals.values()) for x in listeners if x.arrivals), default=started)
    return {
        "messages_delivered_to_all": len(on_all),
        "messages_per_sec_delivered": round(len(on_all) / max(last - started, 1e-6), 1),
        "frames_received": sum(len(x.arrivals) for x in listeners),
        "sockets_dropped": sum(1 for x in listeners if x.closed),
        "resync_frames": sum(x.resyncs for x in listeners),
    }


async def latency_run(
    target: Target,
    chats: Sequence[Chat],
    sockets: Sockets,
    tag: str,
    rate: float,
    secs: float,
    connections: int,
) -> Figures:
    """Messages at ``rate`` per second, spread over the chats, for ``secs``: the delay from a
    message's planned send time to its frame on each operator socket of its chat (measured
    from the plan, so a server that falls behind cannot hide its queueing)."""
    sockets.expect(tag)
    total = max(1, int(rate * secs))
    tokens = [c.take_visitors(visitors_for(math.ceil(total / len(chats)))) for c in chats]
    pool: asyncio.Queue[HttpConn] = asyncio.Queue()
    # Connected before the clock starts: the figures are the messages' delays, not the
    # load generator's own TCP handshakes piled on its first requests.
    conns = [HttpConn(target.post.host, target.post.port) for _ in range(connections)]
    await asyncio.gather(*(c.connect() for c in conns))
    for conn in conns:
        pool.put_nowait(conn)
    posts, planned, late, unsent = _Posts(), dict[int, float](), [0], [0]
    give_up = time.perf_counter() + secs + max(OVERRUN_SECS, secs)

    async def send(seq: int, when: float) -> None:
        conn = await pool.get()
        try:
            if time.perf_counter() > give_up:
                unsent[0] += 1
                return
            late[0] += time.perf_counter() - when > LATE_SEND_SECS
            c = seq % len(chats)
            token = tokens[c][(seq // len(chats)) // VISITOR_MESSAGES]
            await posts.post(conn, target.message_path(chats[c]), token, tag, seq)
        finally:
            pool.put_nowait(conn)

    meter = CpuMeter(target.server_pids).start()
    started = time.perf_counter() + 0.05
    tasks = []
    for seq in range(total):
        planned[seq] = when = started + seq / rate
        await asyncio.sleep(max(0.0, when - time.perf_counter()))
        tasks.append(asyncio.create_task(send(seq, when)))
    await asyncio.gather(*tasks)
    sent = time.perf_counter()
    cpu = meter.figures()
    while not pool.empty():
        await pool.get_nowait().close()
    return {
        "rate_planned": rate,
        "rate_achieved": round(len(posts.accepted) / max(sent - started, 1e-6), 1),
        "late_sends": late[0],
        "not_sent": unsent[0],
        **await _latencies(chats, sockets, set(posts.accepted), planned),
        **posts.figures(),
        **cpu,
    }


async def _latencies(
    chats: Sequence[Chat], sockets: Sockets, accepted: set[int], planned: dict[int, float]
) -> Figures:
    listeners: list[Listener] = []
    expected: dict[int, set[int]] = {}
    for c, chat in enumerate(chats):
        mine = {s for s in accepted if s % len(chats) == c}
        for listener in sockets.by_chat[chat.widget_key]:
            expected[len(listeners)] = mine
            listeners.append(listener)
    await _drain(listeners, expected)
    samples, missing = [], 0
    for i, listener in enumerate(listeners):
        for seq in expected[i]:
            arrived = listener.arrivals.get(seq)
            if arrived is None:
                missing += 1
            else:
                samples.append(arrived - planned[seq])
    return {
        "frames_expected": sum(len(e) for e in expected.values()),
        "frames_missing": missing,
        "sockets_dropped": sum(1 for x in listeners if x.closed),
        **latency_ms("delivery", samples),
    }
