"""Database sessions and transactions with before/after-commit hooks.

Actions run in ``transaction()``. Code that must act around the commit (the event log
appends its rows under an ordering lock and publishes after commit) registers hooks on
the session instead of committing itself.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from livedesk.db.dialect import POSTGRESQL

log = logging.getLogger(__name__)

Hook = Callable[["DbSession"], Awaitable[None]]


class DbSession(AsyncSession):
    """An AsyncSession with hooks run around the commit of ``transaction()``."""

    def _hooks(self, name: str) -> list[Hook]:
        hooks: list[Hook] = self.info.setdefault(name, [])
        return hooks

    def before_commit(self, hook: Hook) -> None:
        self._hooks("before_commit").append(hook)

    def after_commit(self, hook: Hook) -> None:
        """Run after a successful commit; failures are logged, never raised."""
        self._hooks("after_commit").append(hook)

    def on_end(self, hook: Hook) -> None:
        """Run once the transaction ends, committed or not (release locks here)."""
        self._hooks("on_end").append(hook)

    def has_hook_flag(self, flag: str) -> bool:
        return bool(self.info.get(flag))

    def set_hook_flag(self, flag: str) -> None:
        self.info[flag] = True


async def _run_all(session: DbSession, name: str) -> None:
    for hook in session._hooks(name):
        try:
            await hook(session)
        except Exception:
            log.exception("%s hook failed", name)


@asynccontextmanager
async def transaction(engine: AsyncEngine) -> AsyncIterator[DbSession]:
    """One unit of work on a connection of its own, committed on success.

    The connection stays ours until the after-commit hooks have run, so that a
    PostgreSQL session-level lock taken before commit can be released after them.
    """
    async with engine.connect() as conn:
        session = DbSession(bind=conn, expire_on_commit=False)
        try:
            try:
                yield session
                for hook in session._hooks("before_commit"):
                    await hook(session)
                await session.commit()
            except BaseException:
                await session.rollback()
                raise
            await _run_all(session, "after_commit")
        finally:
            await _run_all(session, "on_end")
            await session.close()


@asynccontextmanager
async def reading(engine: AsyncEngine) -> AsyncIterator[DbSession]:
    """A read-only unit of work (rolled back at the end).

    On PostgreSQL it runs without a transaction (autocommit): no BEGIN and ROLLBACK round
    trips around a read, each statement reading the latest committed data. On SQLite (one
    connection, statements inline) the transaction costs nothing and is kept.
    """
    async with engine.connect() as conn:
        if conn.dialect.name == POSTGRESQL:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
        session = DbSession(bind=conn, expire_on_commit=False)
        try:
            yield session
        finally:
            # close(), not rollback(): rows read here stay loaded (detached) for the caller;
            # leaving engine.connect() rolls the connection back.
            await session.close()
