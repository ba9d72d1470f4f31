"""A serving process's collector: startup's objects frozen, garbage cycles still freed."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from livedesk.lib.heap import settle_heap


@pytest.fixture
def restored_gc() -> Iterator[None]:
    threshold = gc.get_threshold()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


class _Node:
    def __init__(self) -> None:
        self.me = self


@pytest.mark.usefixtures("restored_gc")
def test_startup_objects_are_frozen_and_new_cycles_are_still_collected() -> None:
    startup = _Node()
    settle_heap(young_threshold=2_000)
    assert gc.isenabled()
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold()[0] == 2_000
    del startup  # frozen: no longer the collector's to walk, nor to free

    cycle = _Node()
    freed = weakref.ref(cycle)
    del cycle
    # Allocations enough for the collector to run by itself several times over.
    held = [[] for _ in range(20_000)]
    assert freed() is None
    assert len(held) == 20_000
