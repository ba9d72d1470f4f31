"""Idle sockets: how many one server process holds, and what each costs in memory.

Runs on a freshly started server (memory a process has once held is not given back, so a
second run on the same process would look cheaper than the first). Memory is the
server's resident set (/proc/<pid>/statm) before the sockets and with all of them open.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Sequence

from websockets.exceptions import WebSocketException

from livedesk.bench.httpc import HttpConn
from livedesk.bench.machine import MIB, CpuMeter, process_rss_bytes
from livedesk.bench.sockets import SETTLE_SECS, Listener, close_listeners
from livedesk.bench.stats import Figures
from livedesk.bench.target import Chat, Target

CONNECT_CONCURRENCY = 200
HOLD_SECS = 1.0
FULL_SOCKETS = 20_000
# Descriptors the server and this process need besides the sockets.
FD_HEADROOM = 400


def socket_budget(wanted: int, open_files_limit: int) -> int:
    return max(1, min(wanted, open_files_limit - FD_HEADROOM))


async def _server_socket_count(target: Target) -> int:
    conn = HttpConn(target.watch.host, target.watch.port)
    try:
        _, body = await conn.request("GET", "/metrics")
    finally:
        await conn.close()
    for line in body.decode().splitlines():
        if line.startswith("livedesk_websockets "):
            return int(float(line.split()[1]))
    return -1


async def _open_tolerant(urls: Sequence[str]) -> tuple[list[Listener], int]:
    """Open what opens; count what fails instead of giving up on the rest."""
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
    listeners = [Listener(u) for u in urls]

    async def one(listener: Listener) -> bool:
        async with gate:
            try:
                await listener.open(listen=False)
                return True
            except (OSError, TimeoutError, WebSocketException):
                return False

    opened = await asyncio.gather(*(one(x) for x in listeners))
    return [x for x, ok in zip(listeners, opened, strict=True) if ok], opened.count(False)


async def idle_sockets_run(target: Target, tokens: Sequence[str], count: int) -> Figures:
    pid = target.server_pids[0]
    chat = Chat("idle", [])
    urls = [target.socket_url(chat, t) for t in itertools.islice(itertools.cycle(tokens), count)]
    rss_before = process_rss_bytes(pid)
    meter = CpuMeter(target.server_pids).start()
    started = time.perf_counter()
    listeners, failed = await _open_tolerant(urls)
    connect_secs = time.perf_counter() - started
    cpu = meter.figures()
    try:
        await asyncio.sleep(max(HOLD_SECS, SETTLE_SECS))
        rss_after = process_rss_bytes(pid)
        held = sum(1 for x in listeners if x.is_open)
        on_server = await _server_socket_count(target) if target.kind == "livedesk" else held
    finally:
        await close_listeners(listeners)
    per_socket = (rss_after - rss_before) / max(held, 1)
    return {
        "sockets_wanted": count,
        "sockets_held": held,
        "sockets_on_server": on_server,
        "connect_failures": failed,
        "connects_per_sec": round(len(listeners) / max(connect_secs, 1e-6), 1),
        "rss_before_mib": round(rss_before / MIB, 1),
        "rss_after_mib": round(rss_after / MIB, 1),
        "kib_per_socket": round(per_socket / 1024, 2),
        "rss_at_20000_mib": round((rss_before + per_socket * FULL_SOCKETS) / MIB, 1),
        **cpu,
    }
