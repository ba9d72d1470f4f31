"""Scenarios: named, repeated runs with their parameters, each run bounded in time."""

from __future__ import annotations

import asyncio
import gc
import sys
from collections.abc import Awaitable, Callable, Collection, Iterator
from contextlib import AbstractAsyncContextManager, contextmanager
from dataclasses import dataclass, field

from livedesk.bench.connections import idle_sockets_run
from livedesk.bench.flow import Sockets, ingest_run, latency_run, operator_sockets
from livedesk.bench.load import OPERATORS_PER_CHAT, Load
from livedesk.bench.reads import (
    lists_paths,
    search_hits,
    search_paths,
    sequential_run,
    take_storm_run,
)
from livedesk.bench.stats import Figures, median_of_runs
from livedesk.bench.target import Chat, Target
from livedesk.bench.world import World

# No run of any scenario may take longer than this (the runs stop by themselves long before).
RUN_TIMEOUT_SECS = 600.0
SEARCH_CHECKS = 20


@contextmanager
def collector_paused() -> Iterator[None]:
    """The load generator's cyclic collector off for one timed run. Its heap (the world's
    tokens, sockets, each run's samples) grew to where a full collection stopped it for 55
    to 97 ms several times a run: every frame arriving meanwhile was timed late, a delay
    of the bench, not of the server. What is already there is frozen first, and the run's
    own cycles are collected after it; a run is bounded in time, so its garbage is too."""
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.unfreeze()


def say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@dataclass
class Scenario:
    params: Figures
    runs: list[Figures] = field(default_factory=list)

    def to_json(self) -> Figures:
        return {"params": self.params, "runs": self.runs, "median": median_of_runs(self.runs)}


@dataclass
class Results:
    label: str
    load: Load
    scenarios: dict[str, Scenario] = field(default_factory=dict)
    seeded: Figures = field(default_factory=dict)

    async def repeat(
        self, name: str, params: Figures, one_run: Callable[[int], Awaitable[Figures]]
    ) -> None:
        scenario = self.scenarios[name] = Scenario(params)
        for run in range(self.load.runs):
            with collector_paused():
                figures = await asyncio.wait_for(one_run(run), RUN_TIMEOUT_SECS)
            scenario.runs.append(figures)
            say(f"[{self.label}] {name} run {run + 1}/{self.load.runs}: {_brief(figures)}")


def _brief(figures: Figures) -> str:
    ends = ("_per_sec_accepted", "_per_sec_delivered", "p50_ms", "p99_ms", "held", "per_socket")
    shown = [k for k in figures if k.endswith(ends)]
    return ", ".join(f"{k}={figures[k]}" for k in shown[:6])


@dataclass
class Flow:
    """Who writes where: one target, its ingest chat and its latency chats."""

    target: Target
    ingest_chat: Chat
    latency_chats: list[Chat]
    rates: tuple[float, ...]
    prefix: str = ""
    suffix: str = ""


async def flow_scenarios(results: Results, flow: Flow, only: Collection[str]) -> None:
    """Ingest into one live chat with its operator sockets, then delivery latency at each
    rate over all the latency chats' sockets."""
    if "ingest" in only:
        async with operator_sockets(flow.target, [flow.ingest_chat]) as socks:
            await _ingest(results, flow, socks)
    if "latency" in only:
        async with operator_sockets(flow.target, flow.latency_chats) as socks:
            for rate in flow.rates:
                await _latency(results, flow, socks, rate)


async def _ingest(results: Results, flow: Flow, socks: Sockets) -> None:
    load = results.load

    async def one(run: int) -> Figures:
        return await ingest_run(
            flow.target, flow.ingest_chat, socks, f"i{run}", load.ingest_concurrency, load.secs
        )

    params: Figures = {"visitors_concurrent": load.ingest_concurrency, "secs": load.secs}
    params |= {"operator_sockets": OPERATORS_PER_CHAT, "target": flow.target.name}
    await results.repeat(f"{flow.prefix}ingest{flow.suffix}", params, one)


async def _latency(results: Results, flow: Flow, socks: Sockets, rate: float) -> None:
    load = results.load

    async def one(run: int) -> Figures:
        tag = f"l{int(rate)}r{run}"
        return await latency_run(
            flow.target, flow.latency_chats, socks, tag, rate, load.secs, load.latency_connections
        )

    params: Figures = {"rate": rate, "secs": load.secs, "target": flow.target.name}
    params |= {"live_chats": len(flow.latency_chats), "operator_sockets": len(socks.all)}
    await results.repeat(f"{flow.prefix}latency_{int(rate)}{flow.suffix}", params, one)


async def read_scenarios(
    results: Results, target: Target, world: World, only: Collection[str]
) -> None:
    load = results.load
    token = world.reader_token
    history = {"sessions": load.sessions, "messages": load.messages}
    if "lists" in only:
        counters, session_list = lists_paths(load.read_requests)
        params = {**history, "requests": load.read_requests}

        async def counters_run(run: int) -> Figures:
            return await sequential_run(target, token, counters, "get")

        async def list_run(run: int) -> Figures:
            return await sequential_run(target, token, session_list, "get")

        await results.repeat("counters", params, counters_run)
        await results.repeat("session_list", {**params, "group": "unassigned"}, list_run)
    if "search" in only:
        for name, in_session in (("search_in_session", True), ("search_session_names", False)):
            await _search(results, target, world, name, in_session, history)
    if "take" in only:

        async def storm_run(run: int) -> Figures:
            sessions = world.next_take_sessions(load.take_storms)
            return await take_storm_run(target, world.take_tokens, sessions)

        params = {"operators": len(world.take_tokens), "storms": load.take_storms}
        await results.repeat("take_storm", params, storm_run)


async def _search(
    results: Results, target: Target, world: World, name: str, in_session: bool, history: Figures
) -> None:
    load = results.load
    words, names = world.message_queries, world.name_queries

    def paths(seed: int) -> list[str]:
        pair = search_paths(load.search_requests, world.search_sessions, words, names, seed)
        return pair[0] if in_session else pair[1]

    async def one(run: int) -> Figures:
        return await sequential_run(target, world.reader_token, paths(run), "search", by_query=True)

    hits = await search_hits(target, world.reader_token, paths(0)[:SEARCH_CHECKS])
    params = {**history, "requests": load.search_requests}
    params |= {"queries": words if in_session else names, "mean_results_of_20": hits}
    await results.repeat(name, params, one)


async def connections_scenario(
    results: Results,
    serve: Callable[[], AbstractAsyncContextManager[Target]],
    tokens: list[str],
    count: int,
    capped: bool,
) -> None:
    """Each run on a server of its own (see ``connections.py``)."""

    async def one(run: int) -> Figures:
        async with serve() as target:
            return await idle_sockets_run(target, tokens, count)

    params = {"sockets": count, "capped_by_open_files_limit": capped}
    await results.repeat("connections", params, one)
