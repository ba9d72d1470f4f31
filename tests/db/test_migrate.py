"""Migrations: they build the schema the models describe, and nodes that start together
and each migrate leave one schema at head."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from livedesk.db.engine import create_engine
from livedesk.db.migrate import alembic_config, include_object
from livedesk.models import Base
from tests.databases import fresh_database

T = TypeVar("T")
NODES = 3
MIGRATE_TIMEOUT_SECS = 120


def _inspect(url: str, read: Callable[[Connection], T]) -> T:
    found: list[T] = []

    async def run() -> None:
        engine = create_engine(url)
        try:
            async with engine.connect() as conn:
                found.append(await conn.run_sync(read))
        finally:
            await engine.dispose()

    asyncio.run(run())
    return found[0]


def _current_revision(url: str) -> str | None:
    return _inspect(url, lambda c: MigrationContext.configure(c).get_current_revision())


def test_the_migrations_build_the_schema_the_models_describe(
    engine_name: str, tmp_path: Path
) -> None:
    def differences(connection: Connection) -> list[Any]:
        options = {"compare_type": True, "include_object": include_object}
        context = MigrationContext.configure(connection, opts=options)
        return list(compare_metadata(context, Base.metadata))

    with fresh_database(engine_name, tmp_path) as url:
        assert _inspect(url, differences) == []


def test_nodes_migrating_at_once_end_at_head(engine_name: str, tmp_path: Path) -> None:
    with fresh_database(engine_name, tmp_path, migrate=False) as url:
        env = {**os.environ, "LIVEDESK_DATABASE_URL": url, "LIVEDESK_DATA_DIR": str(tmp_path)}
        command = [sys.executable, "-c", "from livedesk.cli import main; main()", "migrate"]
        nodes = [
            subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            for _ in range(NODES)
        ]
        try:
            outputs = [node.communicate(timeout=MIGRATE_TIMEOUT_SECS)[0] for node in nodes]
        finally:
            for node in nodes:
                node.kill()
        readable = [output.decode(errors="replace")[-3000:] for output in outputs]
        assert [node.returncode for node in nodes] == [0] * NODES, "\n---\n".join(readable)
        head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
        assert _current_revision(url) == head
