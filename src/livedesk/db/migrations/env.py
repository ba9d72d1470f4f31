"""Alembic environment: runs migrations on the async engine of the configured database."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import text
from sqlalchemy.engine import Connection

from livedesk.config import get_settings
from livedesk.db.engine import SQLITE_MIGRATION_BUSY_TIMEOUT_MS, create_engine
from livedesk.db.migrate import include_object
from livedesk.models import Base

target_metadata = Base.metadata
# Nodes starting together each migrate: on PostgreSQL they take turns (the lock lasts until
# the migration's transaction ends), and the later ones find the schema up to date.
MIGRATION_LOCK_KEY = 0x6C64_6D69_6772  # "ldmigr"


def _url() -> str:
    configured = context.config.get_main_option("sqlalchemy.url")
    return configured or get_settings().resolved_database_url()


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK_KEY})
        context.run_migrations()


async def _run_async() -> None:
    engine = create_engine(_url(), SQLITE_MIGRATION_BUSY_TIMEOUT_MS)
    async with engine.connect() as conn:
        await conn.run_sync(_run)
        await conn.commit()
    await engine.dispose()


def run_migrations_online() -> None:
    asyncio.run(_run_async())


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported")
run_migrations_online()
