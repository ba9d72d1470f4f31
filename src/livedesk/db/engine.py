"""Create the async engine for SQLite (WAL) or PostgreSQL (asyncpg)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from livedesk.db.session import DbSession
from livedesk.db.sqlite_inline import async_creator

SQLITE_BUSY_TIMEOUT_MS = 10_000
SQLITE_SYNCHRONOUS = "FULL"
# SQLite copies its write-ahead log back into the database file (a checkpoint, with a sync
# of that file) at the first commit past this many pages of log; its default is 1,000.
# A busy desk writes about 13 pages of log per message, and the hot pages (the sessions'
# and counts' rows, the indexes' last leaves) again in every commit: at 1,000 messages/s
# the default checkpointed a dozen times a second, copying those pages each time. At
# 10,000 pages (about 40 MiB of log) a page rewritten by many commits is copied once per
# checkpoint, so ten times less often: delivery p99 at 1,000 messages/s of 43.9 ms against
# 57.5, medians of ten runs each (BENCHMARKS.md). The log file keeps that size once it has
# grown to it. A checkpoint runs inside the commit that crosses the threshold, so on the
# commit's thread, not on the event loop (sqlite_inline.py).
SQLITE_WAL_AUTOCHECKPOINT_PAGES = 10_000
# SQLite's page cache, in KiB (its default is 2,000). A busy desk reads the same pages
# in every batch: the newest leaves of the messages' and the event log's tables and
# indexes, each recipient's last page of the log, the search index's newest segments, the
# sessions and counts being updated. With 2 MiB they fell out between two batches and
# were read back from the file; see BENCHMARKS.md for what 32 MiB changed.
SQLITE_CACHE_KIB = 32_768
# Nodes migrating at once on SQLite wait for the one that holds the write lock to finish
# the whole migration, which can take far longer than a request's write on a busy machine.
SQLITE_MIGRATION_BUSY_TIMEOUT_MS = 300_000
# PostgreSQL: a pooled connection idle this long is pinged before use. One in steady use
# is not (a ping is a round trip, about 0.5 ms here, on every checkout): should the server
# have restarted meanwhile, the first statement fails, and SQLAlchemy then drops every
# connection of the pool at once.
PING_IDLE_SECS = 5.0
_IDLE_SINCE = "livedesk.idle_since"


def _on_sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # FULL: each commit syncs the write-ahead log to disk before it returns, so a message
    # answered 201 survives a power cut or a crash of the machine, not only of the process
    # (NORMAL would leave the last commits to the next checkpoint's sync). One sync per
    # transaction, and customers' messages share theirs (db/batch.py): about 0.3 ms here,
    # waited for on a thread, not on the event loop (sqlite_inline.py).
    cursor.execute(f"PRAGMA synchronous={SQLITE_SYNCHRONOUS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA wal_autocheckpoint={SQLITE_WAL_AUTOCHECKPOINT_PAGES}")
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")  # negative: KiB, not pages
    # No busy_timeout: the inline driver waits for another process's lock with asyncio
    # sleeps (sqlite_inline.py), never blocking the event loop.
    cursor.close()


def _on_sqlite_begin(conn: Any) -> None:
    # pysqlite's own transaction handling is off (isolation_level=None below); take the
    # write lock at BEGIN so that read-then-write transactions never hit SQLITE_BUSY
    # upgrading a read lock, and so that writers are serialized in commit order.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def _json_dumps(value: Any) -> str:
    # JSON columns (event data, attachments, configs, item fields) through orjson: several
    # times faster than the standard library's json, and the same data back.
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


JSON_OPTIONS: dict[str, Any] = {"json_serializer": _json_dumps, "json_deserializer": orjson.loads}


def create_engine(url: str, sqlite_busy_timeout_ms: int | None = None) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database:
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # One connection: SQLite has one writer anyway, and sharing it keeps every
        # transaction free of SQLITE_BUSY. Statements run inline on the event loop.
        engine = create_async_engine(
            url,
            pool_size=1,
            max_overflow=0,
            pool_timeout=60,
            async_creator=async_creator(
                parsed.database or ":memory:", sqlite_busy_timeout_ms or SQLITE_BUSY_TIMEOUT_MS
            ),
            **JSON_OPTIONS,
        )
        event.listen(engine.sync_engine, "connect", _on_sqlite_connect)
        event.listen(engine.sync_engine, "begin", _on_sqlite_begin)
        return engine
    # Last in, first out: the connection just given back is the next one handed out, so
    # a steady writer keeps one connection, and with it the statements that connection
    # has prepared (asyncpg prepares each statement's text once per connection; the
    # messages' insert and the lookups with an IN list have one text per batch size).
    # Handed out in turn, every connection of the pool prepared them all.
    engine = create_async_engine(
        url, pool_size=10, max_overflow=20, pool_use_lifo=True, **JSON_OPTIONS
    )
    dialect = engine.sync_engine.dialect

    def on_checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.pop(_IDLE_SINCE, None)
        if idle_since is None or time.monotonic() - idle_since < PING_IDLE_SECS:
            return  # new, or in steady use
        try:
            dialect.do_ping(dbapi_conn)
        except Exception as error:
            # The pool throws this connection away and checks out another.
            raise exc.DisconnectionError("stale pooled connection") from error

    def on_checkin(_dbapi_conn: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    event.listen(engine.sync_engine.pool, "checkout", on_checkout)
    event.listen(engine.sync_engine.pool, "checkin", on_checkin)
    return engine


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[DbSession]:
    return async_sessionmaker(engine, class_=DbSession, expire_on_commit=False)
