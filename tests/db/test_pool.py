"""PostgreSQL pool: a connection that sat idle is checked before use, so one the server
dropped meanwhile is replaced without the request noticing."""

from __future__ import annotations

import asyncio
from pathlib import Path
from unittest import mock

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from livedesk.db import engine as engine_module
from livedesk.db.engine import create_engine
from livedesk.db.session import reading
from tests.databases import _pg_admin, fresh_database


async def _backend_pid(engine: AsyncEngine) -> int:
    async with reading(engine) as db:
        return int((await db.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def _pooled_connection_dropped(url: str) -> tuple[AsyncEngine, int]:
    """An engine whose one pooled connection the server has just dropped; and its pid."""
    engine = create_engine(url)
    pid = await _backend_pid(engine)
    await _pg_admin(url, f"SELECT pg_terminate_backend({pid})")
    await asyncio.sleep(0.2)
    return engine, pid


def test_an_idle_connection_dropped_by_the_server_is_replaced(tmp_path: Path) -> None:
    with fresh_database("postgres", tmp_path, migrate=False) as url:

        async def main() -> None:
            with mock.patch.object(engine_module, "PING_IDLE_SECS", 0.0):
                engine, first = await _pooled_connection_dropped(url)
                assert await _backend_pid(engine) != first  # no error: pinged, replaced
            await engine.dispose()

        asyncio.run(main())


def test_a_connection_in_steady_use_is_not_pinged(tmp_path: Path) -> None:
    with fresh_database("postgres", tmp_path, migrate=False) as url:

        async def main() -> None:
            with mock.patch.object(engine_module, "PING_IDLE_SECS", 3600.0):
                engine, first = await _pooled_connection_dropped(url)
                # Not pinged: the dropped connection is found out by the statement itself,
                # and the pool is then renewed for the next request.
                with pytest.raises(DBAPIError):
                    await _backend_pid(engine)
                assert await _backend_pid(engine) != first
            await engine.dispose()

        asyncio.run(main())


def test_a_steady_writer_keeps_the_connection_it_warmed(tmp_path: Path) -> None:
    """After a burst opened several connections, one request after another gets the
    same connection back (the one whose prepared statements are warm), not each
    connection of the pool in turn."""
    with fresh_database("postgres", tmp_path, migrate=False) as url:

        async def main() -> None:
            engine = create_engine(url)
            try:

                async def held() -> int:
                    async with reading(engine) as db:
                        pid = (await db.execute(text("SELECT pg_backend_pid()"))).scalar_one()
                        await asyncio.sleep(0.2)
                        return int(pid)

                burst = set(await asyncio.gather(*(held() for _ in range(4))))
                assert len(burst) == 4
                steady = [await _backend_pid(engine) for _ in range(8)]
                assert len(set(steady)) == 1 and steady[0] in burst
            finally:
                await engine.dispose()

        asyncio.run(main())
