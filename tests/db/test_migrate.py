"""Migrations: nodes that start together and each migrate leave one schema at head."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from livedesk.db.engine import create_engine
from livedesk.db.migrate import alembic_config
from tests.databases import fresh_database

NODES = 3
MIGRATE_TIMEOUT_SECS = 120


def _current_revision(url: str) -> str | None:
    found: list[str | None] = []

    def read(connection: Connection) -> None:
        found.append(MigrationContext.configure(connection).get_current_revision())

    async def run() -> None:
        engine = create_engine(url)
        try:
            async with engine.connect() as conn:
                await conn.run_sync(read)
        finally:
            await engine.dispose()

    asyncio.run(run())
    return found[0]


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
