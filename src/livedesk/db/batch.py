"""Group commit: concurrent writes of one kind share one transaction.

Under load most of a small write's cost is not its own row but what surrounds it: the
request's own queries, taking the connection, the event log's ordering lock and inserts,
the commit, the publish. Items handed to ``GroupCommit.run`` while a batch is being written
wait for it, then go together, in arrival order, to one call of the handler in one
transaction, which can answer all of them with one statement per step. Each caller gets
its own result once that transaction has committed, so it is as durable as a transaction
of its own would make it.

The handler answers each item with a result or an exception (a refused item: bad token,
bad attachment), checked before that item writes anything. When the handler itself
raises, the batch is rolled back and each of its items is handled again alone, so that
an unexpected failure fails one item, never its neighbours. A handler therefore acts
through its database session only: it may run twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Generic, TypeVar

from livedesk.db.session import DbSession

log = logging.getLogger(__name__)

I = TypeVar("I")  # noqa: E741
R = TypeVar("R")
Handler = Callable[[DbSession, Sequence[I]], Awaitable[Sequence[R | Exception]]]
# Enough to amortize a transaction; small enough that one batch stays short.
MAX_BATCH = 64


class GroupCommit(Generic[I, R]):
    """Hands queued items to ``handle`` in shared transactions opened by ``tx``, one batch
    at a time."""

    def __init__(
        self,
        tx: Callable[[], AbstractAsyncContextManager[DbSession]],
        handle: Handler[I, R],
        max_batch: int = MAX_BATCH,
    ) -> None:
        self._tx = tx
        self._handle = handle
        self._max_batch = max_batch
        self._queue: deque[tuple[I, asyncio.Future[R]]] = deque()
        self._writer: asyncio.Task[None] | None = None

    async def run(self, item: I) -> R:
        """``item``'s result once its transaction has committed; its exception if refused."""
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._queue.append((item, future))
        if self._writer is None:
            self._writer = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        batch: list[tuple[I, asyncio.Future[R]]] = []
        try:
            while self._queue:
                count = min(len(self._queue), self._max_batch)
                # A caller gone before its batch started (a client that hung up) is
                # skipped, as its own transaction would never have begun.
                batch = [
                    (item, future)
                    for item, future in (self._queue.popleft() for _ in range(count))
                    if not future.done()
                ]
                if len(batch) > 1 and await self._write(batch, alone=False):
                    continue
                for one in batch:
                    await self._write([one], alone=True)
        except BaseException:
            # Stopped (the server shutting down): no caller is left waiting.
            for _, future in [*batch, *self._queue]:
                future.cancel()
            self._queue.clear()
            raise
        finally:
            self._writer = None

    async def _write(self, batch: list[tuple[I, asyncio.Future[R]]], *, alone: bool) -> bool:
        try:
            async with self._tx() as db:
                answers = await self._handle(db, [item for item, _ in batch])
                if len(answers) != len(batch):
                    raise RuntimeError("a group commit handler must answer every item")
        except Exception as exc:
            if not alone:
                log.debug("a batch of %d failed; each item runs alone", len(batch), exc_info=True)
                return False
            answers = [exc]
        for (_, future), answer in zip(batch, answers, strict=True):
            if future.done():
                continue
            if isinstance(answer, Exception):
                future.set_exception(answer)
            else:
                future.set_result(answer)
        return True
