"""A real livedesk server for tests: uvicorn in a background thread on a free port.

``running_server`` serves for the length of a ``with`` block. ``restartable_server``
yields a server the test stops and starts again on the same port with the same settings
(hence the same database), as an operator's server would come back after a restart.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import uvicorn

from livedesk.app import create_app
from livedesk.config import Settings

STARTUP_TIMEOUT_SECS = 20.0
SHUTDOWN_TIMEOUT_SECS = 15.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class _Serving:
    server: uvicorn.Server
    thread: threading.Thread


KEEP_ALIVE_SECS = 120


def _serve(settings: Settings, port: int) -> _Serving:
    """Start a fresh application (a new process would build one too) and wait until it listens."""
    config = uvicorn.Config(
        create_app(settings),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        ws="websockets-sansio",
        ws_per_message_deflate=False,
        lifespan="on",
        # Longer than any test's set-up: a client whose connection the server closed as
        # idle while twenty others were being created read "connection reset" instead.
        timeout_keep_alive=KEEP_ALIVE_SECS,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("test server did not start")
        time.sleep(0.02)
    return _Serving(server, thread)


def _shut_down(serving: _Serving) -> None:
    """Uvicorn's graceful shutdown: stop listening, close every connection, run the lifespan end."""
    serving.server.should_exit = True
    serving.thread.join(SHUTDOWN_TIMEOUT_SECS)


@contextmanager
def running_server(settings: Settings) -> Iterator[str]:
    """Serve ``create_app(settings)`` and yield its base URL; stop it afterwards."""
    port = free_port()
    serving = _serve(settings, port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        _shut_down(serving)


@dataclass
class RestartableServer:
    """A test server that stops and starts again on one port, with one set of settings.

    Each start builds a new application (new engine, bus and hub), as a restarted process
    would; only the database carries over.
    """

    settings: Settings
    port: int = field(default_factory=free_port)
    _serving: _Serving | None = field(default=None, init=False, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def is_running(self) -> bool:
        return self._serving is not None

    def start(self) -> None:
        if self._serving is not None:
            raise RuntimeError("the test server is already running")
        self._serving = _serve(self.settings, self.port)

    def stop(self) -> None:
        """Stop and wait for the end; fail when the server does not finish shutting down."""
        serving, self._serving = self._serving, None
        if serving is None:
            return
        _shut_down(serving)
        if serving.thread.is_alive():
            raise RuntimeError(f"the test server did not stop in {SHUTDOWN_TIMEOUT_SECS} s")


@contextmanager
def restartable_server(settings: Settings) -> Iterator[RestartableServer]:
    """A started ``RestartableServer``; stopped at the end whatever state the test left it in."""
    server = RestartableServer(settings)
    server.start()
    try:
        yield server
    finally:
        server.stop()
