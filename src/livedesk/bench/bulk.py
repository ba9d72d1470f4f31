"""Bulk inserts for the data generator: COPY on PostgreSQL, executemany with one
transaction per batch on SQLite; the search indexes built once after the load.

Ids are given explicitly (the database is new), so that rows can point at each other
before they are written; on PostgreSQL the id sequences are moved past them at the end.
"""

from __future__ import annotations

import enum
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import orjson
from sqlalchemy import JSON, Table, text
from sqlalchemy.ext.asyncio import AsyncEngine

from livedesk.db.session import transaction
from livedesk.lib.counters import recount_unassigned
from livedesk.models import Base

Row = dict[str, Any]
BATCH_ROWS = 5_000
# The search indexes of migration 0002: SQLite's FTS5 insert triggers, PostgreSQL's
# trigram GIN indexes. Filling them row by row costs ten times what one build does.
_SQLITE_FTS_TRIGGERS = (
    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%fts_ai'"
)
_POSTGRES_TRGM_INDEXES = (
    "SELECT indexname, indexdef FROM pg_indexes "
    "WHERE schemaname = current_schema() AND indexdef LIKE '%gin_trgm_ops%'"
)


class Bulk:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.is_postgres = engine.dialect.name == "postgresql"
        self._next_id: dict[str, int] = {}
        self._skip_fk_checks = False

    async def prepare(self) -> None:
        if self.is_postgres:
            async with self.engine.connect() as conn:
                result = await conn.exec_driver_sql(
                    "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
                )
                self._skip_fk_checks = bool(result.scalar())

    def ids(self, table_name: str, count: int) -> range:
        """``count`` fresh ids of a table."""
        start = self._next_id.get(table_name, 1)
        self._next_id[table_name] = start + count
        return range(start, start + count)

    async def insert(self, table_name: str, rows: Sequence[Row]) -> None:
        table = Base.metadata.tables[table_name]
        for i in range(0, len(rows), BATCH_ROWS):
            batch = rows[i : i + BATCH_ROWS]
            if self.is_postgres:
                await self._copy(table, batch)
            else:
                async with self.engine.begin() as conn:
                    await conn.execute(table.insert(), list(batch))

    @asynccontextmanager
    async def search_indexes_deferred(self) -> AsyncIterator[None]:
        """Inside: the search indexes are not maintained. After: built over every row,
        with the definitions they had (read back from the database, not restated here)."""
        query = _POSTGRES_TRGM_INDEXES if self.is_postgres else _SQLITE_FTS_TRIGGERS
        async with self.engine.begin() as conn:
            found: list[Any] = list(await conn.exec_driver_sql(query))
            saved = [(str(row[0]), str(row[1])) for row in found]
            for name, _ in saved:
                kind = "INDEX" if self.is_postgres else "TRIGGER"
                await conn.exec_driver_sql(f"DROP {kind} {name}")
        yield
        async with self.engine.begin() as conn:
            for name, sql in saved:
                if not self.is_postgres:
                    fts = name.removesuffix("_ai")
                    await conn.exec_driver_sql(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
                await conn.exec_driver_sql(sql)

    async def _copy(self, table: Table, rows: Sequence[Row]) -> None:
        columns = [c.name for c in table.columns]
        json_columns = {c.name for c in table.columns if isinstance(c.type, JSON)}
        records = [tuple(_pg_value(row.get(c), c in json_columns) for c in columns) for row in rows]
        async with self.engine.connect() as conn:
            raw = await conn.get_raw_connection()
            driver: Any = raw.driver_connection
            async with driver.transaction():
                if self._skip_fk_checks:
                    # The generator's rows are consistent by construction; a superuser can
                    # skip the foreign-key triggers, which cost more than the COPY itself
                    # (and so the counts' triggers: finish() recounts).
                    await driver.execute("SET LOCAL session_replication_role = replica")
                await driver.copy_records_to_table(table.name, records=records, columns=columns)

    async def finish(self) -> None:
        """Recount each live chat's unassigned sessions when COPY ran with the triggers
        that keep them off; move PostgreSQL's id sequences past the given ids; vacuum and
        analyze, as autovacuum would soon after a load this size (statistics for the
        planner, and the visibility map that lets counts be answered from an index
        alone)."""
        if not self.is_postgres:
            return
        if self._skip_fk_checks:
            async with transaction(self.engine) as db:
                await recount_unassigned(db)
        async with self.engine.begin() as conn:
            for name in self._next_id:
                await conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                        f"(SELECT coalesce(max(id), 1) FROM {name}))"
                    )
                )
        async with self.engine.connect() as conn:
            driver: Any = (await conn.get_raw_connection()).driver_connection
            await driver.execute("VACUUM ANALYZE")


def _pg_value(value: Any, is_json: bool) -> Any:
    if is_json:
        return None if value is None else orjson.dumps(value).decode()
    if isinstance(value, enum.Enum):
        return value.value
    return value
