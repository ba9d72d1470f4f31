"""How much load: the full load of the issue, scaled by ``--scale``, or a tiny one.

Counts scale (sockets, sessions, messages, requests, storms); rates, concurrency and run
lengths do not (run lengths come from ``--secs``). ``--tiny`` is a few seconds in all, for tests.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

SCENARIOS = ("lists", "search", "take", "ingest", "latency", "connections", "ceilings")
ENGINES = ("sqlite", "postgres")
OPERATORS_PER_CHAT = 10
HISTORY_CHATS = 10


@dataclass(frozen=True)
class Load:
    scale: float = 1.0
    secs: float = 10.0
    runs: int = 3
    ingest_concurrency: int = 64
    latency_rates: tuple[float, ...] = (200.0, 1000.0)
    latency_sockets: int = 1_000
    latency_connections: int = 64
    idle_sockets: int = 20_000
    take_operators: int = 50
    take_storms: int = 20
    sessions: int = 100_000
    messages: int = 1_000_000
    read_requests: int = 500
    search_requests: int = 300

    @property
    def latency_chats(self) -> int:
        return max(1, self.latency_sockets // OPERATORS_PER_CHAT)


def _scaled(full: int, scale: float, least: int) -> int:
    return max(least, round(full * scale))


def full_load(scale: float, secs: float, runs: int) -> Load:
    base = Load()
    return replace(
        base,
        scale=scale,
        secs=secs,
        runs=runs,
        latency_sockets=_scaled(base.latency_sockets, scale, OPERATORS_PER_CHAT),
        idle_sockets=_scaled(base.idle_sockets, scale, 20),
        sessions=_scaled(base.sessions, scale, 200),
        messages=_scaled(base.messages, scale, 2_000),
        take_storms=_scaled(base.take_storms, scale, 5),
        read_requests=_scaled(base.read_requests, scale, 50),
        search_requests=_scaled(base.search_requests, scale, 50),
    )


def tiny_load(runs: int) -> Load:
    return Load(
        scale=0.0,
        secs=0.5,
        runs=runs,
        ingest_concurrency=8,
        latency_rates=(50.0, 100.0),
        latency_sockets=20,
        latency_connections=8,
        idle_sockets=40,
        take_operators=10,
        take_storms=2,
        sessions=300,
        messages=3_000,
        read_requests=20,
        search_requests=20,
    )
