"""Throwaway databases for tests: a SQLite file, or a PostgreSQL database of its own.

With LIVEDESK_TEST_POSTGRES_URL set, PostgreSQL tests fail when it cannot be reached;
unset, they are skipped.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from livedesk.db.migrate import upgrade

POSTGRES_ENV = "LIVEDESK_TEST_POSTGRES_URL"
REDIS_ENV = "LIVEDESK_TEST_REDIS_URL"
ENGINES = ["sqlite", "postgres"]


def postgres_admin_url() -> str:
    url = os.environ.get(POSTGRES_ENV, "")
    if not url:
        pytest.skip(f"{POSTGRES_ENV} is not set")
    return url


def redis_url() -> str:
    url = os.environ.get(REDIS_ENV, "")
    if not url:
        pytest.skip(f"{REDIS_ENV} is not set")
    return url


def _dsn(sqlalchemy_url: str) -> str:
    return make_url(sqlalchemy_url).set(drivername="postgresql").render_as_string(False)


async def _pg_admin(admin_url: str, sql: str) -> None:
    conn = await asyncpg.connect(_dsn(admin_url))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextmanager
def fresh_database(engine: str, tmp_path: Path, *, migrate: bool = True) -> Iterator[str]:
    """Yield the SQLAlchemy URL of a new, migrated database; drop it afterwards."""
    if engine == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'livedesk.db'}"
        if migrate:
            upgrade(url)
        yield url
        return
    admin = postgres_admin_url()
    name = f"livedesk_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg_admin(admin, f'CREATE DATABASE "{name}"'))
    url = make_url(admin).set(database=name).render_as_string(False)
    try:
        if migrate:
            upgrade(url)
        yield url
    finally:
        asyncio.run(_pg_admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
