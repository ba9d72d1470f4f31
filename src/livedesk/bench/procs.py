"""Server processes for a run: ``livedesk serve`` nodes and the ceiling apps, each on a
free port of 127.0.0.1, logging to a file, and always stopped on the way out."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from asyncio.subprocess import Process
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from livedesk.bench.httpc import HttpConn, HttpError
from livedesk.bench.target import Endpoint

HOST = "127.0.0.1"
START_TIMEOUT_SECS = 60.0
STOP_TIMEOUT_SECS = 15.0
READY_POLL_SECS = 0.1
LOG_TAIL_CHARS = 3000


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    name: str
    proc: Process
    port: int
    log: Path

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def endpoint(self) -> Endpoint:
        return Endpoint(HOST, self.port)

    def log_tail(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-LOG_TAIL_CHARS:]
        except OSError:
            return ""


def clean_env(settings: Mapping[str, str]) -> dict[str, str]:
    """This environment without LIVEDESK_* variables, plus ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVEDESK_")}
    env.update(settings)
    return env


def livedesk_command(port: int) -> list[str]:
    return [sys.executable, "-m", "livedesk", "serve", "--host", HOST, "--port", str(port)]


def ceiling_command(kind: str, port: int, db_path: Path) -> list[str]:
    return [sys.executable, "-m", "livedesk.bench.ceiling", kind, str(port), str(db_path)]


async def _wait_ready(server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECS
    conn = HttpConn(HOST, server.port)
    try:
        while time.monotonic() < deadline:
            if server.proc.returncode is not None:
                raise RuntimeError(f"{server.name} exited:\n{server.log_tail()}")
            try:
                status, _ = await conn.request("GET", "/readyz")
                if status == 200:
                    return
            except (HttpError, OSError):
                await conn.close()
            await asyncio.sleep(READY_POLL_SECS)
    finally:
        await conn.close()
    raise RuntimeError(f"{server.name} not ready in {START_TIMEOUT_SECS} s:\n{server.log_tail()}")


async def stop(server: Server) -> None:
    """Terminate (uvicorn shuts down gracefully on SIGTERM); kill if it does not end."""
    if server.proc.returncode is not None:
        return
    server.proc.terminate()
    try:
        await asyncio.wait_for(server.proc.wait(), STOP_TIMEOUT_SECS)
    except TimeoutError:
        server.proc.kill()
        await asyncio.wait_for(server.proc.wait(), STOP_TIMEOUT_SECS)


@asynccontextmanager
async def serving(
    name: str, command: list[str], port: int, env: Mapping[str, str], workdir: Path
) -> AsyncIterator[Server]:
    """Start ``command`` (listening on ``port``) with ``env`` added to this environment
    (less any LIVEDESK_* variables of ours), wait until /readyz answers 200, yield;
    terminate it afterwards whatever happened."""
    log = workdir / f"{name}.log"
    with log.open("wb") as out:
        proc = await asyncio.create_subprocess_exec(
            *command, env=clean_env(env), cwd=workdir, stdout=out, stderr=subprocess.STDOUT
        )
    server = Server(name, proc, port, log)
    try:
        await _wait_ready(server)
        yield server
    finally:
        await stop(server)
