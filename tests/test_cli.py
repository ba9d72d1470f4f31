"""The ``livedesk`` command, run as a real subprocess against a fresh database."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from livedesk import __version__
from livedesk.config import Settings
from tests.client import Api
from tests.databases import fresh_database
from tests.server import free_port, running_server

REPO = Path(__file__).resolve().parents[1]
CLI_TIMEOUT_SECS = 120
SERVE_STARTUP_SECS = 30.0
SERVE_STOP_SECS = 10


@pytest.fixture
def cli_db(engine_name: str, tmp_path: Path) -> Iterator[str]:
    """A new, empty database (not migrated: the command must do it)."""
    with fresh_database(engine_name, tmp_path, migrate=False) as url:
        yield url


def _env(db_url: str, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVEDESK_")}
    env.update(LIVEDESK_DATABASE_URL=db_url, LIVEDESK_DATA_DIR=str(data_dir))
    return env


def _livedesk(
    db_url: str, tmp_path: Path, *args: str, expect: int = 0
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "livedesk", *args],
        env=_env(db_url, tmp_path / "data"),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT_SECS,
        check=False,
    )
    assert result.returncode == expect, result.stdout + result.stderr
    return result


def _settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=db_url, data_dir=tmp_path / "data", redis_url="", _env_file=None)


def test_version_prints_the_version(tmp_path: Path) -> None:
    result = _livedesk("sqlite+aiosqlite:///unused.db", tmp_path, "--version")
    assert result.stdout.strip() == f"livedesk {__version__}"


def test_openapi_prints_the_document_the_ui_types_come_from(tmp_path: Path) -> None:
    """The UI's API types are generated from ``ui/src/api/openapi.json`` (``npm run
    api:refresh``): it must be what the server publishes, or the UI is typed against an API
    that is not there."""
    printed = json.loads(_livedesk("sqlite+aiosqlite:///unused.db", tmp_path, "openapi").stdout)
    committed = json.loads((REPO / "ui" / "src" / "api" / "openapi.json").read_text("utf-8"))
    changed = sorted(
        p
        for p in printed["paths"].keys() | committed["paths"].keys()
        if printed["paths"].get(p) != committed["paths"].get(p)
    )
    assert changed == [], "run `npm run api:refresh` in ui/"
    assert printed == committed, "run `npm run api:refresh` in ui/"


def test_migrate_twice_succeeds(cli_db: str, tmp_path: Path) -> None:
    assert "up to date" in _livedesk(cli_db, tmp_path, "migrate").stdout
    assert "up to date" in _livedesk(cli_db, tmp_path, "migrate").stdout


def test_create_admin_can_log_in_and_a_second_run_resets_the_password(
    cli_db: str, tmp_path: Path
) -> None:
    args = ("create-admin", "--email", "x@y.io")
    assert "x@y.io" in _livedesk(cli_db, tmp_path, *args, "--password", "pw").stdout
    with running_server(_settings(cli_db, tmp_path)) as base:
        api = Api(base).login("x@y.io", "pw")
        try:
            assert api.user["is_admin"] is True
        finally:
            api.close()
    _livedesk(cli_db, tmp_path, *args, "--password", "new-pw")
    with running_server(_settings(cli_db, tmp_path)) as base, httpx.Client(base_url=base) as http:
        old = http.post("/api/auth/login", json={"email": "x@y.io", "password": "pw"})
        assert old.status_code == 401
        new = http.post("/api/auth/login", json={"email": "X@y.io", "password": "new-pw"})
        assert new.status_code == 200, new.text


def test_demo_prints_logins_once(cli_db: str, tmp_path: Path) -> None:
    first = _livedesk(cli_db, tmp_path, "demo").stdout
    assert "Demo logins" in first
    assert "admin@livedesk.local" in first
    assert "anna@livedesk.local" in first
    second = _livedesk(cli_db, tmp_path, "demo").stdout
    assert "not empty" in second
    assert "anna@livedesk.local" not in second


def _wait_healthy(base: str, proc: subprocess.Popen[bytes]) -> httpx.Response:
    deadline = time.monotonic() + SERVE_STARTUP_SECS
    while True:
        assert proc.poll() is None, "serve exited early"
        try:
            return httpx.get(f"{base}/healthz", timeout=2)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_serve_answers_healthz_until_terminated(cli_db: str, tmp_path: Path) -> None:
    port = free_port()
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "livedesk", "serve", "--port", str(port)],
            env=_env(cli_db, tmp_path / "data"),
            cwd=tmp_path,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            response = _wait_healthy(f"http://127.0.0.1:{port}", proc)
            assert response.status_code == 200, log_path.read_text()
            proc.terminate()
            # Uvicorn shuts down gracefully, then re-raises the signal it caught.
            assert proc.wait(SERVE_STOP_SECS) in (0, -signal.SIGTERM), log_path.read_text()
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(SERVE_STOP_SECS)
    output = log_path.read_text()
    assert f"127.0.0.1:{port}" in output
    assert "Application shutdown complete" in output
