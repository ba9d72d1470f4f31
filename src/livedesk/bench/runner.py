"""``livedesk bench``: the ceilings once, then each engine on a database of its own, then
the JSON files and the table of BENCHMARKS.md."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import uvloop

from livedesk.bench.connections import socket_budget
from livedesk.bench.databases import fresh_database, redis_url
from livedesk.bench.load import ENGINES, SCENARIOS, Load, full_load, tiny_load
from livedesk.bench.machine import machine_info, raise_open_files_limit
from livedesk.bench.procs import ceiling_command, free_port, livedesk_command, serving
from livedesk.bench.report import write_report
from livedesk.bench.results import write_results
from livedesk.bench.scenarios import (
    Flow,
    Results,
    connections_scenario,
    flow_scenarios,
    read_scenarios,
    say,
)
from livedesk.bench.target import Kind, Target, synthetic_chats
from livedesk.bench.world import build_world

FLOW_SCENARIOS = {"ingest", "latency"}
HISTORY_SCENARIOS = {"lists", "search"}
CEILINGS = ("minimal", "bare")
DEFAULT_RUNS = 3
TINY_RUNS = 2
DEFAULT_SECS = 10.0


@dataclass(frozen=True)
class BenchOptions:
    engines: tuple[str, ...]
    load: Load
    only: frozenset[str]
    out: Path
    report: Path
    command: str


def bench_options(
    engine: str,
    scale: float,
    runs: int | None,
    secs: float | None,
    only: str | None,
    out: str,
    report: str,
    tiny: bool,
    command: str,
) -> BenchOptions:
    """Options from the command line; ValueError for what cannot be run."""
    engines = ENGINES if engine == "all" else (engine,)
    if not set(engines) <= set(ENGINES):
        raise ValueError(f"--engine: one of {', '.join(ENGINES)} or all")
    names = [s.strip() for s in only.split(",") if s.strip()] if only else SCENARIOS
    chosen = frozenset(names)
    if not chosen <= set(SCENARIOS):
        raise ValueError(f"--only: some of {','.join(SCENARIOS)}")
    if not 0 < scale <= 10 or (runs is not None and runs < 1) or (secs is not None and secs <= 0):
        raise ValueError("--scale in (0, 10], --runs >= 1, --secs > 0")
    if tiny:
        load = tiny_load(runs or TINY_RUNS)
        load = replace(load, secs=secs) if secs else load
    else:
        load = full_load(scale, secs or DEFAULT_SECS, runs or DEFAULT_RUNS)
    return BenchOptions(engines, load, chosen, Path(out), Path(report), command)


def run_bench(opts: BenchOptions) -> list[Path]:
    """Run the whole bench; returns the JSON files written."""
    workdir = Path(tempfile.mkdtemp(prefix="livedesk-bench-"))
    try:
        for engine in opts.engines:
            (workdir / engine).mkdir()
        written = uvloop.run(_run(opts, workdir))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    write_report(opts.out, opts.report)
    return written


async def _run(opts: BenchOptions, workdir: Path) -> list[Path]:
    open_files = raise_open_files_limit()
    machine = machine_info()
    ceilings = Results("ceilings", opts.load)
    if "ceilings" in opts.only:
        await _ceilings(ceilings, opts, workdir)
    written = []
    for engine in opts.engines:
        results = await _engine(engine, opts, workdir / engine, open_files)
        results.scenarios.update(ceilings.scenarios)
        written.append(write_results(opts.out, engine, results, machine, opts.command))
    return written


async def _ceilings(results: Results, opts: BenchOptions, workdir: Path) -> None:
    load = opts.load
    ingest_chat = synthetic_chats(1, 10)[0]
    chats = synthetic_chats(load.latency_chats, 10)
    only = opts.only & FLOW_SCENARIOS or FLOW_SCENARIOS
    for kind in CEILINGS:
        port = free_port()
        command = ceiling_command(kind, port, workdir / f"ceiling-{kind}.db")
        async with serving(f"ceiling-{kind}", command, port, {}, workdir) as server:
            at = server.endpoint
            target = Target(Kind.ceiling, f"ceiling_{kind}", at, at, [server.pid])
            flow = Flow(target, ingest_chat, chats, (max(load.latency_rates),), f"ceiling_{kind}_")
            await flow_scenarios(results, flow, only)


def _node_env(engine: str, url: str, workdir: Path) -> dict[str, str]:
    env = {"LIVEDESK_DATABASE_URL": url, "LIVEDESK_DATA_DIR": str(workdir / "data")}
    if engine == "postgres":
        env["LIVEDESK_REDIS_URL"] = redis_url()
        # Its own channel: other deployments (and other runs) may share this Redis.
        env["LIVEDESK_REDIS_CHANNEL"] = f"livedesk:bench:{uuid.uuid4().hex}"
    return env


@asynccontextmanager
async def _node(name: str, env: dict[str, str], workdir: Path) -> AsyncIterator[Target]:
    port = free_port()
    async with serving(name, livedesk_command(port), port, env, workdir) as server:
        yield Target(Kind.livedesk, "livedesk", server.endpoint, server.endpoint, [server.pid])


async def _engine(engine: str, opts: BenchOptions, workdir: Path, open_files: int) -> Results:
    load, only = opts.load, opts.only
    results = Results(engine, load)
    two_nodes = engine == "postgres"
    async with fresh_database(engine, workdir) as url:
        say(f"[{engine}] seeding {load.sessions} sessions, {load.messages} messages")
        world = await build_world(
            url, load, 2 if two_nodes else 1, history=bool(only & HISTORY_SCENARIOS)
        )
        say(f"[{engine}] seeded: {world.seeded}")
        env = _node_env(engine, url, workdir)
        async with _node("node-a", env, workdir) as a:
            await read_scenarios(results, a, world, only)
            flow = Flow(a, world.ingest, world.latency, load.latency_rates)
            await flow_scenarios(results, flow, only)
            if two_nodes and only & FLOW_SCENARIOS:
                async with _node("node-b", env, workdir) as b:
                    # Visitors write to node B; the operators' sockets listen on node A.
                    both = Target(
                        Kind.livedesk,
                        "livedesk_2nodes",
                        b.post,
                        a.watch,
                        [*a.server_pids, *b.server_pids],
                    )
                    two = Flow(both, world.ingest, world.latency, load.latency_rates, "", "_2nodes")
                    await flow_scenarios(results, two, only)
        if "connections" in only:
            count = socket_budget(load.idle_sockets, open_files)
            await connections_scenario(
                results,
                lambda: _node("node-c", env, workdir),
                world.socket_tokens,
                count,
                count < load.idle_sockets,
            )
    results.scenarios = dict(sorted(results.scenarios.items()))
    results.seeded = world.seeded
    return results
