"""A database of the run's own: a SQLite file in the run's directory, or a PostgreSQL
database created on LIVEDESK_BENCH_POSTGRES_URL and dropped afterwards. Either is
migrated to the current schema before seeding."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from livedesk.db.migrate import upgrade_async

POSTGRES_ENV = "LIVEDESK_BENCH_POSTGRES_URL"
REDIS_ENV = "LIVEDESK_BENCH_REDIS_URL"
DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def postgres_admin_url() -> str:
    return os.environ.get(POSTGRES_ENV) or DEFAULT_POSTGRES_URL


def redis_url() -> str:
    return os.environ.get(REDIS_ENV) or DEFAULT_REDIS_URL


async def _pg_admin(sql: str) -> None:
    engine = create_async_engine(postgres_admin_url(), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.exec_driver_sql(sql)
    finally:
        await engine.dispose()


@asynccontextmanager
async def fresh_database(engine: str, workdir: Path) -> AsyncIterator[str]:
    """Yield the SQLAlchemy URL of a new, migrated database."""
    if engine == "sqlite":
        url = f"sqlite+aiosqlite:///{workdir / 'livedesk-bench.db'}"
        await upgrade_async(url)
        yield url
        return
    name = f"livedesk_bench_{uuid.uuid4().hex[:12]}"
    await _pg_admin(f'CREATE DATABASE "{name}"')
    try:
        url = make_url(postgres_admin_url()).set(database=name).render_as_string(False)
        await upgrade_async(url)
        yield url
    finally:
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
