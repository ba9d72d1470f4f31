"""Engine-specific SQL, kept in one place (SQLite vs PostgreSQL).

Substring search over case-folded text columns (filled with ``lib.textsearch.fold()``):

- SQLite: an FTS5 table with the trigram tokenizer over the column (external content,
  rowid = the row's id, kept in sync by triggers; migration 0002). A trigram index can
  only answer needles of at least three characters; shorter ones fall back to ``LIKE``.
- PostgreSQL: ``LIKE`` on the column, served by a ``gin_trgm_ops`` index (migration 0002).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ARRAY,
    JSON,
    ColumnElement,
    Table,
    bindparam,
    column,
    insert,
    select,
    table,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.dml import ReturningInsert
from sqlalchemy.sql.elements import TextClause

from livedesk.db import sqlite_direct

SQLITE = "sqlite"
POSTGRESQL = "postgresql"

# FTS5's trigram tokenizer indexes runs of three characters, so a shorter needle has no
# token to look up (FTS5 would match nothing).
TRIGRAM_CHARS = 3


@dataclass(frozen=True)
class FoldedColumn:
    """A case-folded text column and, on SQLite, the FTS5 table that indexes it.

    The FTS5 column has the same name as ``column`` (external-content tables require it).
    """

    column: InstrumentedAttribute[str]
    row_id: InstrumentedAttribute[int]
    fts_table: str


def dialect_name(db: AsyncSession) -> str:
    return db.get_bind().dialect.name


async def insert_returning_ids(
    db: AsyncSession, into: Table, rows: Sequence[Mapping[str, Any]]
) -> list[int]:
    """Insert ``rows`` with multi-row statements; their new ids, in the rows' order.

    On PostgreSQL SQLAlchemy returns ids in parameter order (``sort_by_parameter_order``)
    through a sentinel. On SQLite the rows go straight to the connection (sqlite_direct.py),
    without flushing the ORM session's pending changes first: callers flush where order
    matters.
    """
    if dialect_name(db) == SQLITE:
        return await sqlite_direct.insert_returning_ids(db, into, rows)
    result = await db.execute(_insert_returning_id(into), rows)
    return list(result.scalars())


@functools.cache
def _insert_returning_id(into: Table) -> ReturningInsert[int]:
    # Built once per table: the hottest writes (messages, events) run it in every batch.
    return insert(into).returning(into.c.id, sort_by_parameter_order=True)


async def insert_many(db: AsyncSession, into: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (each with the same columns, none of them JSON), returning nothing.

    On PostgreSQL the rows go as one array per column, unnested by one statement of one
    shape whatever their number: an executemany (what a plain insert of many rows becomes
    there) binds and runs each row in turn, and the event log writes hundreds at a time.
    A JSON list in such an array would be read as one more dimension of it, so JSON
    columns are refused on both engines.
    """
    if not rows:
        return
    columns = _scalar_columns(into, tuple(rows[0]))
    if dialect_name(db) == POSTGRESQL:
        arrays = {name: [row[name] for row in rows] for name in columns}
        await db.execute(_insert_unnest(into, columns), arrays)
    else:
        await sqlite_direct.execute_many(db, sqlite_direct.insert_into(into), rows)


async def update_rows(db: AsyncSession, into: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Set columns of rows named by their ``id``: each of ``rows`` holds ``id`` and the same
    other columns (none of them JSON), each id at most once.

    On PostgreSQL one statement updates them all from one array per column (as
    ``insert_many`` inserts); an executemany would run one update per row. On SQLite one
    update per row, straight on the connection (sqlite_direct.py).
    """
    if not rows:
        return
    columns = _scalar_columns(into, tuple(name for name in rows[0] if name != "id"))
    if dialect_name(db) == POSTGRESQL:
        arrays = {name: [row[name] for row in rows] for name in ("id", *columns)}
        await db.execute(_update_unnest(into, columns), arrays)
    else:
        await sqlite_direct.execute_many(db, _update_by_id(into, columns), rows)


@functools.cache
def _scalar_columns(into: Table, columns: tuple[str, ...]) -> tuple[str, ...]:
    """``columns``, checked once per shape: the array statements write no JSON column."""
    for name in columns:
        if isinstance(into.c[name].type, JSON):
            raise TypeError(f"{into.name}.{name} is JSON: array statements write no JSON")
    return columns


@functools.cache
def _update_by_id(into: Table, columns: tuple[str, ...]) -> TextClause:
    changes = ", ".join(f"{into.c[name].name} = :{name}" for name in columns)
    statement = text(f"UPDATE {into.name} SET {changes} WHERE id = :id")
    return statement.bindparams(
        *(bindparam(name, type_=into.c[name].type) for name in ("id", *columns))
    )


@functools.cache
def _update_unnest(into: Table, columns: tuple[str, ...]) -> TextClause:
    names = ("id", *columns)
    changes = ", ".join(f"{into.c[name].name} = u.{into.c[name].name}" for name in columns)
    arrays = ", ".join(f":{name}" for name in names)
    aliases = ", ".join(into.c[name].name for name in names)
    statement = text(
        f"UPDATE {into.name} SET {changes} FROM unnest({arrays}) AS u({aliases}) "
        f"WHERE {into.name}.id = u.id"
    )
    return statement.bindparams(
        *(bindparam(name, type_=ARRAY(into.c[name].type)) for name in names)
    )


@functools.cache
def _insert_unnest(into: Table, columns: tuple[str, ...]) -> TextClause:
    names = ", ".join(into.c[name].name for name in columns)
    arrays = ", ".join(f":{name}" for name in columns)
    statement = text(f"INSERT INTO {into.name} ({names}) SELECT * FROM unnest({arrays})")
    return statement.bindparams(
        *(bindparam(name, type_=ARRAY(into.c[name].type)) for name in columns)
    )


def fts5_string(text: str) -> str:
    """Quote ``text`` as one FTS5 string literal, so user input is never FTS5 syntax.

    Inside double quotes, operators (AND, OR, NEAR, ``*``, ``^``, ``:``) are plain text,
    and a double quote is written twice.
    """
    return '"' + text.replace('"', '""') + '"'


def contains_folded(db: AsyncSession, target: FoldedColumn, needle: str) -> ColumnElement[bool]:
    """A filter for rows whose folded column contains ``needle`` (already folded), literally.

    ``%``, ``_`` and quotes in ``needle`` match themselves on both engines.
    """
    if dialect_name(db) == SQLITE and len(needle) >= TRIGRAM_CHARS:
        fts = table(target.fts_table, column("rowid"), column(target.column.key))
        matching = select(fts.c.rowid).where(fts.c[target.column.key].match(fts5_string(needle)))
        return target.row_id.in_(matching)
    # autoescape: ``%``, ``_`` and the escape character are escaped, with an ESCAPE clause.
    return target.column.contains(needle, autoescape=True)
