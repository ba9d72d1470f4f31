"""SQLite statements run inline on the event loop; waiting for another process's write lock
must not block the loop, and must end in an error once the busy timeout has passed; nor
must a commit's wait for the disk."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import sqlite3
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from unittest import mock

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from livedesk.db import engine as engine_module
from livedesk.db import sqlite_inline
from livedesk.db.engine import SQLITE_CACHE_KIB, SQLITE_WAL_AUTOCHECKPOINT_PAGES, create_engine
from livedesk.db.session import reading, transaction


def _database(tmp_path: Path) -> tuple[str, sqlite3.Connection]:
    path = tmp_path / "inline.db"
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("PRAGMA journal_mode=WAL")
    other.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    return f"sqlite+aiosqlite:///{path}", other


@contextlib.asynccontextmanager
async def _ticking() -> AsyncIterator[list[float]]:
    """The times at which a task that sleeps 10 ms at a time ran, while the block ran."""
    ticks: list[float] = []
    stop = asyncio.Event()

    async def tick() -> None:
        while not stop.is_set():
            ticks.append(time.monotonic())
            await asyncio.sleep(0.01)

    ticker = asyncio.create_task(tick())
    try:
        yield ticks
    finally:
        stop.set()
        await ticker


def test_a_write_waits_for_another_writer_while_the_loop_runs_on(tmp_path: Path) -> None:
    url, other = _database(tmp_path)

    async def main() -> None:
        engine = create_engine(url)
        other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        asyncio.get_running_loop().call_later(0.3, other.execute, "COMMIT")
        async with _ticking() as ticks:
            started = time.monotonic()
            async with transaction(engine) as db:
                await db.execute(text("INSERT INTO notes (body) VALUES ('after the wait')"))
            waited = time.monotonic() - started
        async with reading(engine) as db:
            bodies = (await db.execute(text("SELECT body FROM notes"))).scalars().all()
        await engine.dispose()
        assert bodies == ["after the wait"]
        assert waited >= 0.25
        # The loop kept turning during the wait: the ticker ran about every 10 ms.
        during = [t for t in ticks if started <= t <= started + waited]
        assert len(during) >= 10, len(during)

    asyncio.run(main())
    other.close()


def test_a_lock_held_past_the_busy_timeout_is_an_error(tmp_path: Path) -> None:
    url, other = _database(tmp_path)

    async def main() -> None:
        with mock.patch.object(engine_module, "SQLITE_BUSY_TIMEOUT_MS", 200):
            engine = create_engine(url)
        other.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        with pytest.raises(OperationalError, match="locked"):
            async with transaction(engine) as db:
                await db.execute(text("INSERT INTO notes (body) VALUES ('never')"))
        assert 0.15 <= time.monotonic() - started < 2
        other.execute("ROLLBACK")
        async with reading(engine) as db:
            assert (await db.execute(text("SELECT count(*) FROM notes"))).scalar_one() == 0
        await engine.dispose()

    asyncio.run(main())
    other.close()


SLOW_COMMIT_SECS = 0.3


class _SlowDisk(sqlite3.Connection):
    """A connection whose commits take SLOW_COMMIT_SECS, as on a slow disk, then land."""

    def commit(self) -> None:
        time.sleep(SLOW_COMMIT_SECS)
        super().commit()


@contextlib.contextmanager
def _slow_disk() -> Iterator[None]:
    connect = functools.partial(sqlite3.connect, factory=_SlowDisk)
    with mock.patch.object(sqlite_inline.sqlite3, "connect", connect):
        yield


def test_the_loop_runs_on_while_a_commit_waits_for_the_disk(tmp_path: Path) -> None:
    url, other = _database(tmp_path)

    async def main() -> None:
        engine = create_engine(url)
        async with _ticking() as ticks:
            async with transaction(engine) as db:
                await db.execute(text("INSERT INTO notes (body) VALUES ('synced')"))
                started = time.monotonic()
            took = time.monotonic() - started
        await engine.dispose()
        assert took >= SLOW_COMMIT_SECS * 0.9
        during = [t for t in ticks if started <= t <= started + took]
        assert len(during) >= 10, len(during)

    with _slow_disk():
        asyncio.run(main())
    assert other.execute("SELECT body FROM notes").fetchall() == [("synced",)]
    other.close()


def test_a_caller_cancelled_during_its_commit_leaves_the_connection_whole(
    tmp_path: Path,
) -> None:
    """The caller hears of the cancellation only once the commit has ended (it landed), and
    the one connection then serves the next transaction."""
    url, other = _database(tmp_path)

    async def main() -> None:
        engine = create_engine(url)
        in_commit = asyncio.Event()

        async def write(body: str) -> None:
            async with transaction(engine) as db:
                await db.execute(text("INSERT INTO notes (body) VALUES (:b)"), {"b": body})
                in_commit.set()  # the commit starts as the block ends

        task = asyncio.create_task(write("cancelled in its commit"))
        await in_commit.wait()
        await asyncio.sleep(SLOW_COMMIT_SECS / 3)  # inside the commit's wait
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        rows = other.execute("SELECT body FROM notes").fetchall()
        assert rows == [("cancelled in its commit",)]
        await write("next")
        await engine.dispose()

    with _slow_disk():
        asyncio.run(main())
    assert [r[0] for r in other.execute("SELECT body FROM notes ORDER BY id")] == [
        "cancelled in its commit",
        "next",
    ]
    other.close()


def test_a_commit_is_on_disk_before_it_returns(tmp_path: Path) -> None:
    """What the server answered 201 for survives a power cut: the write-ahead log is synced
    at every commit (synchronous FULL), not at the next checkpoint (NORMAL)."""
    url, _ = _database(tmp_path)

    async def main() -> tuple[str, int]:
        engine = create_engine(url)
        async with transaction(engine) as db:
            mode = (await db.execute(text("PRAGMA journal_mode"))).scalar_one()
            sync = (await db.execute(text("PRAGMA synchronous"))).scalar_one()
        await engine.dispose()
        return str(mode), int(sync)

    assert asyncio.run(main()) == ("wal", 2)  # 2: FULL


def test_the_log_is_folded_back_into_the_database_and_stays_bounded(tmp_path: Path) -> None:
    """Checkpoints run less often than SQLite's default (engine.py), but they run: the log
    of a long stream of writes grows past SQLite's default, stops growing at about the
    engine's threshold, and every write is in the database."""
    url, other = _database(tmp_path)
    other.close()
    body = "x" * (100 * 1024)
    writes = SQLITE_WAL_AUTOCHECKPOINT_PAGES * 3 // 2 // PAGES_PER_WRITE

    async def main() -> int:
        engine = create_engine(url)
        largest = 0
        try:
            for _ in range(writes):
                async with transaction(engine) as db:
                    await db.execute(text("INSERT INTO notes (body) VALUES (:b)"), {"b": body})
                largest = max(largest, _log_bytes(tmp_path))
        finally:
            await engine.dispose()
        return largest

    largest = asyncio.run(main())
    assert largest > _log_size(SQLITE_DEFAULT_AUTOCHECKPOINT_PAGES * 2)  # not the default
    assert largest <= _log_size(SQLITE_WAL_AUTOCHECKPOINT_PAGES + 2 * PAGES_PER_WRITE)
    assert largest * 1.4 < _log_size(writes * PAGES_PER_WRITE)  # far less than written
    conn = sqlite3.connect(tmp_path / "inline.db")
    try:
        assert conn.execute("SELECT count(*) FROM notes").fetchone() == (writes,)
    finally:
        conn.close()


PAGE_BYTES = 4096  # SQLite's default page size
PAGES_PER_WRITE = 26  # a 100 KiB row: its overflow pages and the table's leaf
SQLITE_DEFAULT_AUTOCHECKPOINT_PAGES = 1_000


def _log_size(frames: int) -> int:
    """Bytes of a write-ahead log of ``frames`` pages: a 32-byte header, then each page
    behind a 24-byte frame header."""
    return 32 + frames * (24 + PAGE_BYTES)


def _log_bytes(tmp_path: Path) -> int:
    return (tmp_path / "inline.db-wal").stat().st_size


def test_the_page_cache_is_larger_than_sqlites_default(tmp_path: Path) -> None:
    """A busy desk's hot pages (engine.py) stay in memory: 32 MiB, not SQLite's 2 MB."""
    url, other = _database(tmp_path)
    other.close()

    async def main() -> int:
        engine = create_engine(url)
        async with reading(engine) as db:
            size = (await db.execute(text("PRAGMA cache_size"))).scalar_one()
        await engine.dispose()
        return int(size)

    assert asyncio.run(main()) == -SQLITE_CACHE_KIB  # negative: KiB
    assert SQLITE_CACHE_KIB * 1024 >= 16 * SQLITE_DEFAULT_CACHE_BYTES


SQLITE_DEFAULT_CACHE_BYTES = 2_000 * 1024
