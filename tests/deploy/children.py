"""Child processes for the deployment tests: ``livedesk serve`` nodes and a Redis of the
test's own. Each waits, bounded in time, until it answers, and is always stopped."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from tests.server import free_port

NODE_START_SECS = 30.0
REDIS_START_SECS = 10.0
STOP_SECS = 10.0
POLL_SECS = 0.1


def stop_child(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM (a graceful stop), then SIGKILL if it lingers; always reaped."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(STOP_SECS)
        except subprocess.TimeoutExpired:
            proc.kill()
    proc.wait(STOP_SECS)


def tail(path: Path, chars: int = 4000) -> str:
    return path.read_text(errors="replace")[-chars:] if path.exists() else "(no log)"


@dataclass(frozen=True)
class Node:
    """One ``livedesk serve`` process."""

    name: str
    port: int
    proc: subprocess.Popen[bytes]
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def node_env(database_url: str, redis_url: str, files_dir: Path) -> dict[str, str]:
    """The settings every node of one desk shares (docs/operations.md, "Settings")."""
    return {
        **os.environ,
        "LIVEDESK_DATABASE_URL": database_url,
        "LIVEDESK_REDIS_URL": redis_url,
        "LIVEDESK_REDIS_CHANNEL": f"livedesk:test:{os.urandom(8).hex()}",
        "LIVEDESK_FILES_DIR": str(files_dir),
    }


def _start_node(name: str, env: dict[str, str], workdir: Path) -> Node:
    """A node with a data directory of its own: only the database, Redis and the files
    directory are shared."""
    home = workdir / name
    home.mkdir()
    port, log = free_port(), workdir / f"{name}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "livedesk", "serve", "--port", str(port)],
            env={**env, "LIVEDESK_DATA_DIR": str(home)},
            cwd=home,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return Node(name, port, proc, log)


def polls(secs: float) -> Iterator[None]:
    """Up to ``secs`` / ``POLL_SECS`` rounds, never past ``secs``: every wait is bounded
    in count and in time."""
    deadline = time.monotonic() + secs
    for _ in range(int(secs / POLL_SECS) + 1):
        if time.monotonic() > deadline:
            return
        yield


def _wait_ready(node: Node) -> None:
    with httpx.Client(base_url=node.url, timeout=2) as http:
        for _ in polls(NODE_START_SECS):
            assert node.proc.poll() is None, f"{node.name} exited:\n{tail(node.log)}"
            try:
                if http.get("/readyz").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(POLL_SECS)
    raise AssertionError(f"{node.name} not ready in {NODE_START_SECS} s:\n{tail(node.log)}")


@contextmanager
def livedesk_nodes(names: list[str], env: dict[str, str], workdir: Path) -> Iterator[list[Node]]:
    """Started and ready ``livedesk serve`` processes, stopped on the way out."""
    with ExitStack() as stack:
        nodes = []
        for name in names:
            node = _start_node(name, env, workdir)
            stack.callback(stop_child, node.proc)
            nodes.append(node)
        for node in nodes:
            _wait_ready(node)
        yield nodes


def _redis_server() -> str:
    found = shutil.which("redis-server")
    if found is None:
        pytest.fail("redis-server is missing (apt-get install redis-server)", pytrace=False)
    return found


@dataclass
class RedisChild:
    """A Redis of the test's own on a spare port (never the machine's shared one), which
    the test stops and starts again on the same port. It keeps nothing on disk."""

    workdir: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def log(self) -> Path:
        return self.workdir / f"redis-{self.port}.log"

    def start(self) -> None:
        assert self.proc is None, "this Redis is already running"
        argv = [_redis_server(), "--port", str(self.port), "--bind", "127.0.0.1"]
        argv += ["--save", "", "--appendonly", "no", "--dir", str(self.workdir)]
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
        self._wait_answering()

    def kill(self) -> None:
        """Stop it the hard way, as a crash would: no goodbye to its clients."""
        proc, self.proc = self.proc, None
        if proc is not None:
            proc.kill()
            proc.wait(STOP_SECS)

    def _wait_answering(self) -> None:
        assert self.proc is not None
        no_retry = Retry(NoBackoff(), 0)
        with redis.Redis(port=self.port, socket_connect_timeout=1, retry=no_retry) as client:
            for _ in polls(REDIS_START_SECS):
                assert self.proc.poll() is None, f"redis exited:\n{tail(self.log)}"
                try:
                    if client.ping():
                        return
                except redis.ConnectionError:
                    time.sleep(POLL_SECS)
        raise AssertionError(f"redis not answering in {REDIS_START_SECS} s:\n{tail(self.log)}")


@contextmanager
def redis_child(workdir: Path) -> Iterator[RedisChild]:
    server = RedisChild(workdir)
    try:
        server.start()
        yield server
    finally:
        server.kill()
