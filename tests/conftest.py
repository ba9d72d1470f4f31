"""Fixtures: each test that touches the database runs on SQLite and on PostgreSQL, each in a
database of its own, against a real server over HTTP and WebSocket."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from livedesk.config import Settings
from tests.client import ADMIN_EMAIL, ADMIN_PASSWORD, Api, Desk, seed_admin
from tests.databases import ENGINES, fresh_database
from tests.server import running_server


@pytest.fixture(params=ENGINES)
def engine_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db_url(engine_name: str, tmp_path: Path) -> Iterator[str]:
    with fresh_database(engine_name, tmp_path) as url:
        yield url


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=db_url, data_dir=tmp_path, redis_url="", _env_file=None)  # type: ignore[call-arg]


@pytest.fixture
def server(settings: Settings) -> Iterator[str]:
    seed_admin(settings)
    with running_server(settings) as base:
        yield base


@pytest.fixture
def admin(server: str) -> Iterator[Api]:
    api = Api(server).login(ADMIN_EMAIL, ADMIN_PASSWORD)
    yield api
    api.close()


@pytest.fixture
def desk(server: str, admin: Api) -> Iterator[Desk]:
    world = Desk(server, admin)
    yield world
    world.close()
