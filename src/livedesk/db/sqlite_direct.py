"""SQLite: the hottest writes run straight on the connection, past SQLAlchemy's execution.

A batch of visitors' messages reads its visitors, then writes its messages, events,
recipients and session updates, with a handful of Core statements. On SQLite each of them
costs SQLite a few tens of microseconds, and SQLAlchemy about a hundred more around it
(the session's execute, the execution context, the result): for a batch of one message,
most of the batch.

Here such a statement is compiled once, by SQLAlchemy, for the engine's own dialect: its
SQL, the order of its parameters and their bind processors (dates, JSON, booleans as the
ORM writes them, so the rows read back the same), and a SELECT's result processors (enums,
booleans). A call only converts the values and
runs the SQL on the transaction's sqlite3 connection, which the inline driver drives on
the event loop's thread (db/sqlite_inline.py); the transaction holds SQLite's write lock
from its BEGIN IMMEDIATE, so these statements never wait for a lock. The ORM session does
not see them (as with any Core statement): callers flush what it holds first, where order
matters.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import Insert

from livedesk.db.sqlite_inline import InlineConnection

# Rows per multi-row INSERT ... RETURNING: far below SQLite's limit of 32,766 parameters
# for the widest table written this way (messages: 16 columns).
MAX_ROWS_PER_INSERT = 500

Processor = Callable[[Any], Any] | None
_CONNECTION = "livedesk.sqlite3_connection"


@dataclass(frozen=True)
class _Compiled:
    sql: str
    keys: tuple[str, ...]
    processors: tuple[Processor, ...]
    # A SELECT's: each column's result processor (enums, booleans, dates as the ORM reads them).
    results: tuple[Processor, ...] = ()
    # Values bound in the statement itself (``kind == ChannelKind.widget``).
    defaults: Mapping[str, Any] = field(default_factory=dict)

    @functools.cached_property
    def _pairs(self) -> tuple[tuple[str, Processor], ...]:
        return tuple(zip(self.keys, self.processors, strict=True))

    def values(self, row: Mapping[str, Any]) -> list[Any]:
        return [row[key] if process is None else process(row[key]) for key, process in self._pairs]


@functools.cache
def insert_into(table: Table) -> Insert:
    """``insert(table)``, built once: compiled statements are cached by the statement."""
    return insert(table)


# Room for every statement run this way: the visitors' read has one per batch size (up to
# db.batch.MAX_BATCH); the writes are a handful.
@functools.lru_cache(maxsize=256)
def _compile(statement: Executable, keys: tuple[str, ...], dialect: Dialect) -> _Compiled:
    assert isinstance(statement, ClauseElement)
    compiled = statement.compile(dialect=dialect, column_keys=list(keys))
    assert isinstance(compiled, SQLCompiler)
    order = tuple(compiled.positiontup or ())
    processors = compiled._bind_processors  # SQLAlchemy's own converters, as it runs them
    results = tuple(
        column.type._cached_result_processor(dialect, None)  # as SQLAlchemy reads them
        for column in compiled._result_columns
    )
    defaults = {
        key: compiled.binds[key].effective_value
        for key in order
        if key in compiled.binds and compiled.binds[key].value is not None
    }
    return _Compiled(
        compiled.string, order, tuple(_one(processors.get(k)) for k in order), results, defaults
    )


def _one(processor: object) -> Processor:
    # A sequence of processors belongs to a tuple-typed parameter: none is written here.
    if processor is not None and not callable(processor):
        raise TypeError("a tuple-typed parameter cannot be run directly")
    return processor


@functools.lru_cache(maxsize=256)
def _multi_row(sql: str, rows: int) -> str:
    """``INSERT INTO t (a, b) VALUES (?, ?)`` for ``rows`` rows, returning their ids."""
    head, _, group = sql.partition(" VALUES ")
    return f"{head} VALUES {', '.join([group] * rows)} RETURNING id"


async def _sqlite3(db: AsyncSession) -> tuple[sqlite3.Connection, Dialect]:
    """The transaction's sqlite3 connection (its BEGIN sent), looked up once per transaction."""
    found: tuple[sqlite3.Connection, Dialect] | None = db.info.get(_CONNECTION)
    if found is not None and db.in_transaction():
        return found
    conn = await db.connection()
    raw = await conn.get_raw_connection()
    inline = raw.driver_connection
    assert isinstance(inline, InlineConnection), "not an inline SQLite connection"
    found = db.info[_CONNECTION] = (inline.sqlite3_connection, conn.dialect)
    return found


async def insert_returning_ids(
    db: AsyncSession, into: Table, rows: Sequence[Mapping[str, Any]]
) -> list[int]:
    """Insert ``rows`` (each with the same columns, ``id`` left to SQLite); their new ids in
    the rows' order. The transaction holds the write lock, and an INTEGER PRIMARY KEY is
    given in insertion order (one more than the largest so far), so the ids, sorted, are
    in the rows' order (SQLite returns them in no promised order)."""
    if not rows:
        return []
    connection, dialect = await _sqlite3(db)
    compiled = _compile(insert_into(into), tuple(rows[0]), dialect)
    ids: list[int] = []
    for start in range(0, len(rows), MAX_ROWS_PER_INSERT):
        chunk = rows[start : start + MAX_ROWS_PER_INSERT]
        params = [value for row in chunk for value in compiled.values(row)]
        cursor = connection.execute(_multi_row(compiled.sql, len(chunk)), params)
        ids.extend(sorted(row_id for (row_id,) in cursor.fetchall()))
    return ids


async def execute_many(
    db: AsyncSession, statement: Executable, rows: Sequence[Mapping[str, Any]]
) -> None:
    """``statement`` (an INSERT or UPDATE returning nothing) once per row of ``rows``."""
    if not rows:
        return
    connection, dialect = await _sqlite3(db)
    compiled = _compile(statement, tuple(rows[0]), dialect)
    connection.executemany(compiled.sql, [compiled.values(row) for row in rows])


async def fetch_all(
    db: AsyncSession, statement: Executable, params: Mapping[str, Any]
) -> list[tuple[Any, ...]]:
    """The rows of a SELECT (no expanding parameters), each a tuple of its columns."""
    connection, dialect = await _sqlite3(db)
    compiled = _compile(statement, (), dialect)
    values = compiled.values({**compiled.defaults, **params})
    rows = connection.execute(compiled.sql, values).fetchall()
    if not any(compiled.results):
        return rows
    return [
        tuple(v if f is None else f(v) for f, v in zip(compiled.results, row, strict=True))
        for row in rows
    ]
