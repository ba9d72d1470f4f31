"""Two server processes on one PostgreSQL database and one Redis channel: an event made on
one node reaches sockets on the other, and both nodes agree on the counters."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest

from livedesk.config import Settings
from tests.client import ADMIN_EMAIL, ADMIN_PASSWORD, Api, Desk, seed_admin
from tests.databases import fresh_database, redis_url
from tests.realtime import EventSocket
from tests.server import free_port

pytestmark = pytest.mark.multinode

NODE_START_SECS = 30.0
NODE_STOP_SECS = 10.0
CROSS_NODE_BOUND_SECS = 5.0  # generous; the measured latency is printed
SAMPLES = 5


def _wait_ready(base: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + NODE_START_SECS
    with httpx.Client(base_url=base, timeout=2) as http:
        while time.monotonic() < deadline:
            assert proc.poll() is None, f"node exited: {log.read_text(errors='replace')}"
            try:
                if http.get("/readyz").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
    raise AssertionError(f"node {base} not ready: {log.read_text(errors='replace')}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(NODE_STOP_SECS)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(NODE_STOP_SECS)


@contextmanager
def _nodes(count: int, env: dict[str, str], workdir: Path) -> Iterator[list[str]]:
    """``livedesk serve`` processes; always terminated on the way out."""
    with ExitStack() as stack:
        bases: list[str] = []
        for n in range(count):
            port, log = free_port(), workdir / f"node{n}.log"
            with log.open("wb") as out:
                proc = subprocess.Popen(
                    [sys.executable, "-m", "livedesk", "serve", "--port", str(port)],
                    env=env,
                    cwd=workdir,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            stack.callback(_stop, proc)
            bases.append(f"http://127.0.0.1:{port}")
            _wait_ready(bases[-1], proc, log)
        yield bases


@pytest.fixture
def two_nodes(tmp_path: Path) -> Iterator[list[str]]:
    redis = redis_url()
    with fresh_database("postgres", tmp_path) as url:
        seed_admin(Settings(database_url=url, data_dir=tmp_path, _env_file=None))  # type: ignore[call-arg]
        env = {
            **os.environ,
            "LIVEDESK_DATABASE_URL": url,
            "LIVEDESK_REDIS_URL": redis,
            "LIVEDESK_REDIS_CHANNEL": f"livedesk:test:{uuid.uuid4().hex}",
            "LIVEDESK_DATA_DIR": str(tmp_path),
        }
        with _nodes(2, env, tmp_path) as bases:
            yield bases


def test_operator_on_node_a_sees_visitor_message_posted_through_node_b(
    two_nodes: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    base_a, base_b = two_nodes
    admin_b = Api(base_b).login(ADMIN_EMAIL, ADMIN_PASSWORD)
    desk_b = Desk(base_b, admin_b)
    op_a = Api(base_a)
    try:
        op_b = desk_b.user("Olga")
        op_a.login(op_b.user["email"], "pass1234")
        chat = desk_b.livechat(operators=[op_b])
        visitor = desk_b.visitor(chat, "Ivan")
        latencies: list[float] = []
        with EventSocket.user(op_a, since=0) as sock:
            sock.drain()
            for n in range(SAMPLES):
                started = time.monotonic()
                m = visitor.say(f"through node B #{n}")
                sock.until("message.created", CROSS_NODE_BOUND_SECS, message__id=m["id"])
                latencies.append(time.monotonic() - started)
            sock.drain()
        counters = [f["data"] for f in sock.frames if f["type"] == "counters"]
        assert counters, "the new session moved the operator's counters"
        assert op_a.get("/api/counters") == op_b.get("/api/counters") == counters[-1]
        assert counters[-1]["blue"] == 1
        with capsys.disabled():
            print(
                f"\ncross-node latency (POST on B -> frame on A), {SAMPLES} samples: "
                f"max {max(latencies) * 1000:.1f} ms, "
                f"median {statistics.median(latencies) * 1000:.1f} ms"
            )
        assert max(latencies) < CROSS_NODE_BOUND_SECS
    finally:
        op_a.close()
        desk_b.close()
        admin_b.close()
