"""Group commit (db/batch.py): concurrent items share a transaction, each caller gets its own
answer once it has committed, and one bad item never fails its neighbours."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from typing import Any

from livedesk.db.batch import GroupCommit


def run(test: Callable[[], Coroutine[Any, Any, None]]) -> Callable[[], None]:
    @functools.wraps(test)
    def sync() -> None:
        asyncio.run(test())

    return sync


class Refused(Exception):
    pass


class Broken(Exception):
    pass


class FakeDb:
    """Stands for a transaction: records what was handled in it and whether it committed."""

    def __init__(self, log: list[FakeDb]) -> None:
        self.items: list[Any] = []
        self.committed = False
        log.append(self)


def make_group(log: list[FakeDb], gate: asyncio.Event) -> GroupCommit[int, str]:
    """Odd items are refused; a negative item breaks any batch it is not alone in; every
    handler call first waits for ``gate``."""

    @asynccontextmanager
    async def tx() -> AsyncIterator[Any]:
        db = FakeDb(log)
        yield db
        db.committed = True  # only reached when the block did not raise

    async def handle(db: Any, items: Sequence[int]) -> list[str | Exception]:
        await gate.wait()
        if any(i < 0 for i in items) and len(items) > 1:
            raise Broken("a negative item breaks a whole batch")
        db.items.extend(items)
        return [Refused(f"odd {i}") if i % 2 else f"ok {i}" for i in items]

    return GroupCommit(tx, handle)


async def behind_a_batch(
    items: Sequence[int], *, max_batch: int = 64, cancel: Sequence[int] = ()
) -> tuple[list[Any], list[FakeDb]]:
    """Queue ``items`` while a first batch (item 0 alone) is being written, cancel the
    callers of ``cancel`` meanwhile, then let it all run: each item's answer (or error)
    and the transactions, in order."""
    log: list[FakeDb] = []
    gate = asyncio.Event()
    group = make_group(log, gate)
    group._max_batch = max_batch
    first = asyncio.create_task(group.run(0))
    await asyncio.sleep(0)  # the first batch is now waiting in its handler
    tasks = [asyncio.create_task(group.run(i)) for i in items]
    await asyncio.sleep(0)
    for i, task in zip(items, tasks, strict=True):
        if i in cancel:
            task.cancel()
    gate.set()
    assert await first == "ok 0"
    return list(await asyncio.gather(*tasks, return_exceptions=True)), log


@run
async def test_items_queued_behind_a_batch_go_together_in_order() -> None:
    results, log = await behind_a_batch([2, 4, 6])
    assert results == ["ok 2", "ok 4", "ok 6"]
    assert [db.items for db in log] == [[0], [2, 4, 6]]
    assert all(db.committed for db in log)


@run
async def test_a_refused_item_gets_its_error_and_the_others_are_written() -> None:
    results, log = await behind_a_batch([2, 3, 4])
    assert results[0] == "ok 2" and results[2] == "ok 4"
    assert isinstance(results[1], Refused)
    assert [db.items for db in log] == [[0], [2, 3, 4]]  # one transaction for the three


@run
async def test_a_failing_batch_is_rolled_back_and_each_item_runs_alone() -> None:
    results, log = await behind_a_batch([2, -2, 4])
    # Alone, the negative item is handled like any other: only a batch breaks on it.
    assert results == ["ok 2", "ok -2", "ok 4"]
    batch, *alone = log[1:]
    assert not batch.committed and batch.items == []
    assert [db.items for db in alone] == [[2], [-2], [4]]
    assert all(db.committed for db in alone)


@run
async def test_an_item_that_fails_alone_fails_only_its_caller() -> None:
    log: list[FakeDb] = []

    @asynccontextmanager
    async def tx() -> AsyncIterator[Any]:
        yield FakeDb(log)

    async def handle(db: Any, items: Sequence[int]) -> list[str | Exception]:
        if 13 in items:
            raise Broken("unlucky")
        return [f"ok {i}" for i in items]

    group: GroupCommit[int, str] = GroupCommit(tx, handle)
    results = await asyncio.gather(*(group.run(i) for i in (12, 13, 14)), return_exceptions=True)
    assert results[0] == "ok 12" and results[2] == "ok 14"
    assert isinstance(results[1], Broken)


@run
async def test_a_caller_gone_before_its_batch_starts_is_skipped() -> None:
    results, log = await behind_a_batch([2, 4], cancel=[2])
    assert isinstance(results[0], asyncio.CancelledError) and results[1] == "ok 4"
    assert [db.items for db in log] == [[0], [4]]


@run
async def test_batches_are_bounded() -> None:
    results, log = await behind_a_batch(list(range(2, 16, 2)), max_batch=3)
    assert results == [f"ok {i}" for i in range(2, 16, 2)]
    assert [db.items for db in log] == [[0], [2, 4, 6], [8, 10, 12], [14]]
