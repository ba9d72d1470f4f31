"""SQLite for the async engine without a thread hop per statement.

SQLAlchemy's ``sqlite+aiosqlite`` dialect runs every call on aiosqlite's worker thread:
three thread hand-offs per statement (about 0.15 ms here, 20 times the statement itself),
and, worse, the one connection stays checked out while each hop waits for the event loop
to come round again, so under load every transaction is stretched by everyone else's
work. SQLite answers our statements in microseconds from the page cache, so this driver
runs them inline on the event loop thread, behind aiosqlite's interface (the dialect is
unchanged; only the connection object differs).

Two waits must not block the loop:

- for another process's write lock (a ``livedesk`` command run beside the server, say):
  the connection's own busy timeout is off, and a statement refused with SQLITE_BUSY is
  retried after an asyncio sleep until ``busy_timeout_ms`` has passed;
- for the disk, at commit: the sync of the log, and now and then SQLite's checkpoint
  (engine.py), are most of a busy writer's time. The commit runs on a thread of the
  connection's own (sqlite3 lets go of the interpreter while it works), so the loop goes
  on reading requests and writing frames meanwhile. The one connection stays checked out
  by the committing transaction until the commit is done, as before. A thread done with
  the disk needs the interpreter's lock back to return; a busy loop lets go of it only
  every ``sys.getswitchinterval()``, 5 ms by default, so a serving process shortens that
  (``hand_commits_back_promptly``).
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

BUSY_FIRST_SLEEP_SECS = 0.001
BUSY_MAX_SLEEP_SECS = 0.05
# How long the loop may keep the interpreter from a commit thread that is done: with the
# default 5 ms, commits on a thread took ingest from 2,088 to 2,028 messages/s (medians of
# six runs each, back to back); at 0.5 ms, from 1,918 to 2,171 (five each; BENCHMARKS.md).
COMMIT_SWITCH_INTERVAL_SECS = 0.0005


def hand_commits_back_promptly() -> None:
    """For a process that serves on SQLite, once: a commit thread done with the disk gets
    the interpreter back within COMMIT_SWITCH_INTERVAL_SECS. The setting is the whole
    process's, so only a server sets it, not every process that opens a connection (the
    bench's load generator, the command line, tests)."""
    sys.setswitchinterval(COMMIT_SWITCH_INTERVAL_SECS)


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    text = str(exc).lower()
    return "locked" in text or "busy" in text


async def _on_thread(thread: ThreadPoolExecutor, call: Callable[[], Any]) -> Any:
    """``call()`` on ``thread``. A caller cancelled meanwhile hears of it once the call has
    ended: the connection is never in two threads' hands at once, and a commit has either
    landed or not by the time anyone acts on its outcome."""
    future = asyncio.get_running_loop().run_in_executor(thread, call)
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        with contextlib.suppress(Exception):
            await future
        raise


async def _retry_busy(
    call: Callable[[], Any], busy_timeout_ms: int, thread: ThreadPoolExecutor | None = None
) -> Any:
    deadline = time.monotonic() + busy_timeout_ms / 1000
    sleep = BUSY_FIRST_SLEEP_SECS
    while True:
        try:
            return call() if thread is None else await _on_thread(thread, call)
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc) or time.monotonic() + sleep > deadline:
                raise
        await asyncio.sleep(sleep)
        sleep = min(sleep * 2, BUSY_MAX_SLEEP_SECS)


class InlineCursor:
    """aiosqlite's Cursor interface over a sqlite3 cursor, run inline."""

    def __init__(self, conn: InlineConnection, cursor: sqlite3.Cursor) -> None:
        self._conn = conn
        self._cursor = cursor

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def execute(self, sql: str, parameters: Any = None) -> InlineCursor:
        cursor = self._cursor
        if parameters is None:
            await _retry_busy(lambda: cursor.execute(sql), self._conn.busy_timeout_ms)
        else:
            await _retry_busy(lambda: cursor.execute(sql, parameters), self._conn.busy_timeout_ms)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> InlineCursor:
        rows = list(parameters)
        await _retry_busy(lambda: self._cursor.executemany(sql, rows), self._conn.busy_timeout_ms)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size if size is not None else self._cursor.arraysize)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value


class _InlineQueue:
    """What the dialect's isolation-level setter posts to: run at once, answer the future."""

    def put_nowait(self, item: tuple[asyncio.Future[Any] | None, Callable[[], Any]]) -> None:
        future, function = item
        try:
            result = function()
        except BaseException as exc:
            if future is not None:
                future.set_exception(exc)
            return
        if future is not None:
            future.set_result(result)


class InlineConnection:
    """aiosqlite's Connection interface over a sqlite3 connection, run inline (its commits
    on a thread of its own)."""

    def __init__(self, conn: sqlite3.Connection, busy_timeout_ms: int) -> None:
        self._conn = conn
        self._connection: sqlite3.Connection | None = conn
        self._tx = _InlineQueue()
        self.busy_timeout_ms = busy_timeout_ms
        # Started at the first commit; one thread, so commits stay in order.
        self._committer = ThreadPoolExecutor(1, thread_name_prefix="livedesk-sqlite-commit")

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    @property
    def sqlite3_connection(self) -> sqlite3.Connection:
        """The connection itself, for statements run straight on it (db/sqlite_direct.py)."""
        return self._conn

    def cursor(self) -> InlineCursor:
        return InlineCursor(self, self._conn.cursor())

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> InlineCursor:
        return await self.cursor().execute(sql, parameters)

    async def commit(self) -> None:
        await _retry_busy(self._conn.commit, self.busy_timeout_ms, self._committer)

    async def rollback(self) -> None:
        self._conn.rollback()

    async def close(self) -> None:
        self.stop()

    def stop(self) -> None:
        if self._connection is not None:
            self._connection = None
            self._conn.close()
            self._committer.shutdown(wait=False)

    async def create_function(self, *args: Any, **kw: Any) -> None:
        self._conn.create_function(*args, **kw)


def async_creator(database: str, busy_timeout_ms: int) -> Callable[[], Any]:
    """For ``create_async_engine(..., async_creator=...)``: inline connections to ``database``."""

    async def connect() -> InlineConnection:
        conn = sqlite3.connect(database, check_same_thread=False, isolation_level=None)
        conn.execute("PRAGMA busy_timeout=0")
        return InlineConnection(conn, busy_timeout_ms)

    return connect
