"""Request-latency scenarios on the seeded history: take storms, counters and the session
list, search. Each runs a fixed number of requests, one at a time per connection, and
reports p50 / p95 / p99 in milliseconds."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Sequence
from urllib.parse import parse_qs, quote, urlsplit

import orjson

from livedesk.bench.httpc import HttpConn
from livedesk.bench.machine import CpuMeter
from livedesk.bench.stats import Figures, latency_ms, percentile
from livedesk.bench.target import Target

TAKE_WON, TAKE_LOST = 200, 409


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _timed(conn: HttpConn, path: str, method: str = "GET") -> tuple[int, bytes, float]:
    started = time.perf_counter()
    status, body = await conn.request(method, path, b"" if method == "POST" else None)
    return status, body, time.perf_counter() - started


async def take_storm_run(target: Target, tokens: Sequence[str], sessions: Sequence[int]) -> Figures:
    """For each session: every operator asks to take it at the same moment. Exactly one
    must win (200); the others are told it is taken (409)."""
    conns = [HttpConn(target.post.host, target.post.port, _bearer(t)) for t in tokens]
    requests: list[float] = []
    storms: list[float] = []
    winners: list[int] = []
    statuses = Counter[int]()
    meter = CpuMeter(target.server_pids).start()
    try:
        for session_id in sessions:
            path = f"/api/sessions/{session_id}/take"
            started = time.perf_counter()
            answers = await asyncio.gather(*(_timed(c, path, "POST") for c in conns))
            storms.append(time.perf_counter() - started)
            requests.extend(secs for _, _, secs in answers)
            statuses.update(status for status, _, _ in answers)
            winners.append(sum(1 for status, _, _ in answers if status == TAKE_WON))
    finally:
        await asyncio.gather(*(c.close() for c in conns))
    return {
        "storms": len(sessions),
        "operators": len(tokens),
        "one_winner_each": all(w == 1 for w in winners),
        "unexpected_answers": sum(n for s, n in statuses.items() if s not in (TAKE_WON, TAKE_LOST)),
        **latency_ms("take", requests),
        **latency_ms("storm", storms),
        **meter.figures(),
    }


async def sequential_run(
    target: Target, token: str, paths: Sequence[str], name: str, *, by_query: bool = False
) -> Figures:
    """The paths one after another on one keep-alive connection. ``by_query``: also the
    p50 and p95 of each ``q`` searched for."""
    conn = HttpConn(target.post.host, target.post.port, _bearer(token))
    samples: dict[str, list[float]] = {}
    failed = 0
    meter = CpuMeter(target.server_pids).start()
    try:
        for path in paths:
            status, _, secs = await _timed(conn, path)
            samples.setdefault(_query_of(path), []).append(secs)
            failed += status != 200
    finally:
        await conn.close()
    figures = {"requests": len(paths), "requests_failed": failed, **meter.figures()}
    figures |= latency_ms(name, [s for group in samples.values() for s in group])
    for q, group in sorted(samples.items()) if by_query else ():
        figures[f"q={q}: p50_ms"] = round(percentile(group, 50) * 1000, 3)
        figures[f"q={q}: p95_ms"] = round(percentile(group, 95) * 1000, 3)
    return figures


def _query_of(path: str) -> str:
    return parse_qs(urlsplit(path).query).get("q", [""])[0]


def lists_paths(count: int) -> tuple[list[str], list[str]]:
    return ["/api/counters"] * count, ["/api/sessions?group=unassigned"] * count


def search_paths(
    count: int, sessions: Sequence[int], words: Sequence[str], names: Sequence[str], seed: int
) -> tuple[list[str], list[str]]:
    """(in one session's history, across session names), with queries from common to rare."""
    rng = random.Random(seed)
    in_session = [
        f"/api/search?q={quote(rng.choice(words))}&session_id={rng.choice(sessions)}"
        for _ in range(count)
    ]
    names_only = [f"/api/search?q={quote(rng.choice(names))}" for _ in range(count)]
    return in_session, names_only


async def search_hits(target: Target, token: str, paths: Sequence[str]) -> float:
    """Mean number of results of some of the searches (a check that they find things)."""
    conn = HttpConn(target.post.host, target.post.port, _bearer(token))
    found = []
    try:
        for path in paths:
            _, body = await conn.request("GET", path)
            data = orjson.loads(body)
            found.append(len(data.get("messages") or []) + len(data.get("sessions") or []))
    finally:
        await conn.close()
    return round(sum(found) / max(len(found), 1), 2)
