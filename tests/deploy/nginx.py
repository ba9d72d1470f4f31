"""nginx for the deployment tests: Debian's binary, run as a child process with a config
of its own in a temporary directory (``-p``, ``-c``, ``-e``), never the system service.

Each site is a server block on a spare 127.0.0.1 port whose body is the snippet that
docs/operations.md documents, read from that page, with its upstream pointed at the
site's own list of nodes: what operators are told to run is what the tests run.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.deploy.children import POLL_SECS, polls, stop_child, tail
from tests.server import free_port

NGINX = Path("/usr/sbin/nginx")
OPERATIONS_DOC = Path(__file__).resolve().parents[2] / "docs" / "operations.md"
SNIPPET_HEADER = "# /etc/nginx/snippets/livedesk-proxy.conf"
DOC_UPSTREAM = "http://livedesk;"
NGINX_START_SECS = 10.0
# Tells which node served a request (WebSocket handshakes included): test sites only.
UPSTREAM_HEADER = "X-Test-Upstream"


def documented_snippet() -> str:
    """The body of livedesk's server block, as docs/operations.md gives it."""
    blocks = re.findall(r"```nginx\n(.*?)```", OPERATIONS_DOC.read_text(), flags=re.S)
    found = [b for b in blocks if b.startswith(SNIPPET_HEADER)]
    assert len(found) == 1, f"one {SNIPPET_HEADER} block in {OPERATIONS_DOC}"
    assert DOC_UPSTREAM in found[0], f"the snippet proxies to {DOC_UPSTREAM}"
    return str(found[0])


@dataclass(frozen=True)
class Site:
    """A server block proxying to ``node_ports`` (round robin when several)."""

    name: str
    node_ports: tuple[int, ...]
    port: int = field(default_factory=free_port)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _site_config(site: Site, snippet_path: Path) -> str:
    servers = "".join(f"        server 127.0.0.1:{p};\n" for p in site.node_ports)
    return (
        f"    upstream site_{site.name} {{\n{servers}        keepalive 8;\n    }}\n"
        f"    server {{\n"
        f"        listen 127.0.0.1:{site.port};\n"
        f"        add_header {UPSTREAM_HEADER} $upstream_addr always;\n"
        f"        include {snippet_path};\n"
        f"    }}\n"
    )


def _main_config(prefix: Path, sites: str) -> str:
    # Workers run as the master's user; as root that must be said (or nginx picks nobody,
    # who cannot write the temporary directories).
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = "".join(
        f"    {kind}_temp_path {prefix / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"{user}worker_processes 1;\ndaemon off;\npid {prefix / 'nginx.pid'};\n"
        f"error_log {prefix / 'error.log'} notice;\n"
        "events {\n    worker_connections 512;\n}\n"
        f"http {{\n    access_log {prefix / 'access.log'};\n{temp}{sites}}}\n"
    )


def write_config(prefix: Path, sites: list[Site]) -> Path:
    snippet = documented_snippet()
    blocks = []
    for site in sites:
        path = prefix / f"livedesk-proxy-{site.name}.conf"
        path.write_text(snippet.replace(DOC_UPSTREAM, f"http://site_{site.name};"))
        blocks.append(_site_config(site, path))
    conf = prefix / "nginx.conf"
    conf.write_text(_main_config(prefix, "".join(blocks)))
    return conf


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _wait_listening(proc: subprocess.Popen[bytes], sites: list[Site], log: Path) -> None:
    for _ in polls(NGINX_START_SECS):
        assert proc.poll() is None, f"nginx exited:\n{tail(log)}"
        if all(_listening(site.port) for site in sites):
            return
        time.sleep(POLL_SECS)
    raise AssertionError(f"nginx not listening in {NGINX_START_SECS} s:\n{tail(log)}")


@contextmanager
def running_nginx(prefix: Path, sites: list[Site]) -> Iterator[list[Site]]:
    """nginx serving ``sites`` until the end of the block; stopped whatever happens."""
    if not NGINX.exists():
        pytest.fail(f"{NGINX} is missing (apt-get install nginx)", pytrace=False)
    prefix.mkdir(parents=True, exist_ok=True)
    conf = write_config(prefix, sites)
    log = prefix / "error.log"
    argv = [str(NGINX), "-p", str(prefix), "-c", str(conf), "-e", str(log)]
    with (prefix / "stdout.log").open("wb") as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_listening(proc, sites, log)
        yield sites
    finally:
        stop_child(proc)
