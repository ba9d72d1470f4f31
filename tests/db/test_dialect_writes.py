"""The hot path's bulk writes (db/dialect.py; on SQLite straight on the connection,
db/sqlite_direct.py) store exactly what SQLAlchemy's own statements store, give ids in the
rows' order, and belong to the transaction they run in."""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Enum,
    Integer,
    MetaData,
    String,
    Table,
    insert,
    select,
    text,
)

from livedesk.db.dialect import SQLITE, insert_many, insert_returning_ids, update_rows
from livedesk.db.engine import create_engine
from livedesk.db.session import reading, transaction
from livedesk.db.sqlite_direct import MAX_ROWS_PER_INSERT
from livedesk.models.base import UtcDateTime
from tests.databases import ENGINES, fresh_database


class Kind(enum.Enum):
    customer = "customer"
    operator = "operator"


METADATA = MetaData()
NOTES = Table(
    "direct_notes",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("author", String(40), nullable=False),
    Column("kind", Enum(Kind, native_enum=False, length=10), nullable=False),
    Column("internal", Boolean, nullable=False),
    Column("data", JSON, nullable=True),
    Column("extra", JSON, nullable=True),
    Column("at", UtcDateTime, nullable=False),
)
AT = datetime(2026, 12, 7, 21, 30, 15, 123456, tzinfo=UTC)


def _row(n: int) -> dict[str, Any]:
    return {
        "author": f"Visitor {n} ü",
        "kind": Kind.operator if n % 3 == 0 else Kind.customer,
        "internal": n % 2 == 0,
        "data": {"n": n, "text": "naïve \"quoted\" 'text'", "list": [1, None, True]},
        "extra": None if n % 4 == 0 else [n, {"k": "v"}],
        "at": AT + timedelta(seconds=n),
    }


@pytest.fixture(params=ENGINES)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with fresh_database(str(request.param), tmp_path, migrate=False) as db_url:
        yield db_url


def _run(url: str, test: Any) -> None:
    async def main() -> None:
        engine = create_engine(url)
        try:
            async with engine.begin() as conn:
                await conn.run_sync(METADATA.create_all)
            await test(engine)
        finally:
            await engine.dispose()

    asyncio.run(main())


def test_rows_read_back_as_written_with_ids_in_order(url: str) -> None:
    # More rows than one statement takes: the ids still follow the rows across statements.
    rows = [_row(n) for n in range(MAX_ROWS_PER_INSERT * 2 + 7)]

    async def test(engine: Any) -> None:
        async with transaction(engine) as db:
            ids = await insert_returning_ids(db, NOTES, rows)
        assert ids == sorted(ids) and len(set(ids)) == len(rows)
        async with reading(engine) as db:
            stored = {r.id: r for r in await db.execute(select(NOTES))}
        for row_id, row in zip(ids, rows, strict=True):
            got = stored[row_id]
            assert got.author == row["author"]
            assert got.kind is row["kind"]
            assert got.internal is row["internal"]
            assert got.data == row["data"]
            assert got.extra == row["extra"]
            assert got.at == row["at"]

    _run(url, test)


def test_the_stored_values_are_those_sqlalchemy_itself_writes(url: str) -> None:
    """Byte for byte on SQLite (dates, JSON, booleans, enums as text): a row written past
    SQLAlchemy and one written by it read the same to any reader."""

    async def test(engine: Any) -> None:
        row = _row(6)
        scalars = {k: v for k, v in row.items() if k not in ("data", "extra")}
        async with transaction(engine) as db:
            await insert_returning_ids(db, NOTES, [row])
            await db.execute(insert(NOTES), [row])  # SQLAlchemy's own statement
            await insert_many(db, NOTES, [scalars])
            await db.execute(insert(NOTES), [scalars])
        columns = ["author", "kind", "internal", "data", "extra", "at"]
        async with reading(engine) as db:
            if db.get_bind().dialect.name == SQLITE:
                columns = [f"{c}, typeof({c})" for c in columns]
            sql = f"SELECT {', '.join(columns)} FROM direct_notes ORDER BY id"
            returned, theirs, inserted, theirs_too = (await db.execute(text(sql))).all()
        assert tuple(returned) == tuple(theirs)
        assert tuple(inserted) == tuple(theirs_too)

    _run(url, test)


def test_updates_change_only_their_rows(url: str) -> None:
    async def test(engine: Any) -> None:
        async with transaction(engine) as db:
            ids = await insert_returning_ids(db, NOTES, [_row(n) for n in range(5)])
        later = AT + timedelta(days=1)
        async with transaction(engine) as db:
            await update_rows(
                db,
                NOTES,
                [
                    {"id": ids[1], "author": "Anna", "at": later},
                    {"id": ids[3], "author": "Ben", "at": later},
                ],
            )
        async with reading(engine) as db:
            got = {r.id: (r.author, r.at) for r in await db.execute(select(NOTES))}
        assert got[ids[1]] == ("Anna", later)
        assert got[ids[3]] == ("Ben", later)
        assert got[ids[0]] == (_row(0)["author"], _row(0)["at"])
        assert got[ids[4]] == (_row(4)["author"], _row(4)["at"])

    _run(url, test)


def test_json_columns_are_refused_by_the_array_insert(url: str) -> None:
    async def test(engine: Any) -> None:
        async with transaction(engine) as db:
            with pytest.raises(TypeError, match="JSON"):
                await insert_many(db, NOTES, [_row(1)])
            with pytest.raises(TypeError, match="JSON"):
                await update_rows(db, NOTES, [{"id": 1, "data": {"a": [1]}}])

    _run(url, test)


def test_a_transaction_that_fails_keeps_none_of_its_rows(url: str) -> None:
    async def test(engine: Any) -> None:
        with pytest.raises(RuntimeError):
            async with transaction(engine) as db:
                await insert_returning_ids(db, NOTES, [_row(1), _row(2)])
                await insert_many(
                    db, NOTES, [{"author": "c", "kind": Kind.customer, "internal": False, "at": AT}]
                )
                raise RuntimeError("the batch failed after its writes")
        async with transaction(engine) as db:
            await insert_returning_ids(db, NOTES, [_row(4)])
        async with reading(engine) as db:
            authors = (await db.execute(select(NOTES.c.author))).scalars().all()
        assert authors == [_row(4)["author"]]

    _run(url, test)
