"""The event log's order lock (realtime/log.py) is free again once a transaction that
logged events has ended, and the transaction leaves nothing open behind it: other
writers, on this node or any other, go on at once."""

from __future__ import annotations

import asyncio

import asyncpg
from sqlalchemy import func, select

from livedesk.config import Settings
from livedesk.db.dialect import POSTGRESQL
from livedesk.models import Event
from livedesk.realtime.log import ORDER_LOCK_KEY, stage_event
from livedesk.realtime.runtime import Runtime
from tests.databases import _dsn


async def _free_elsewhere(url: str) -> bool:
    """Another node's connection can take the lock at once (and gives it back)."""
    conn = await asyncpg.connect(_dsn(url))
    try:
        taken = bool(await conn.fetchval("SELECT pg_try_advisory_lock($1)", ORDER_LOCK_KEY))
        if taken:
            await conn.fetchval("SELECT pg_advisory_unlock($1)", ORDER_LOCK_KEY)
        return taken
    finally:
        await conn.close()


async def _open_transactions(url: str) -> int:
    conn = await asyncpg.connect(_dsn(url))
    try:
        count = await conn.fetchval(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND state LIKE 'idle in transaction%'"
        )
        return int(count)
    finally:
        await conn.close()


def test_the_lock_is_free_once_events_are_logged(settings: Settings, db_url: str) -> None:
    async def main() -> None:
        rt = Runtime.from_settings(settings)
        await rt.start()
        try:
            for n in range(3):
                async with rt.tx() as db:
                    stage_event(db, "note", {"n": n}, ["u1", "u2"])
                if rt.engine.dialect.name == POSTGRESQL:
                    assert await _free_elsewhere(db_url), f"still held after write {n}"
                    # The pooled connection is back with no transaction of its own open.
                    assert await _open_transactions(db_url) == 0
                else:
                    assert not rt.order_lock.locked()

            # Writers one after another on the pool's connections, each logging its event.
            async def write(n: int) -> None:
                async with rt.tx() as db:
                    stage_event(db, "note", {"n": n}, ["u1"])

            await asyncio.wait_for(asyncio.gather(*(write(n) for n in range(3, 23))), 30)
            async with rt.read() as db:
                logged = (await db.execute(select(func.count()).select_from(Event))).scalar()
            assert logged == 23
        finally:
            await rt.stop()

    asyncio.run(main())
