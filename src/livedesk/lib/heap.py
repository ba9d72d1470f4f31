"""The garbage collector of a serving process, set for short pauses.

CPython's cyclic collector walks every object of the generations it collects. A started
server holds some 150,000 long-lived objects (modules, classes, SQLAlchemy's and
pydantic's structures), and under load each full collection walked them all, with the
objects of every open connection: 50 to 150 ms with the event loop stopped, every few
seconds, and every message arriving meanwhile waited (BENCHMARKS.md). ``settle_heap``
moves what startup built out of the collector's sight (``gc.freeze``), and lets the
youngest generation grow larger before it is collected, so that far fewer objects of
requests still in flight are promoted to the older generations, to wait there for a full
collection. Cycles are still collected: only less often, and with less to walk.
"""

from __future__ import annotations

import gc

# Allocations (net of deallocations) between two collections of the youngest generation;
# CPython's default is 700. The older generations keep their defaults.
YOUNG_THRESHOLD = 10_000


def settle_heap(young_threshold: int = YOUNG_THRESHOLD) -> None:
    """Call once startup is done, in a process that is going to serve."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(young_threshold, middle, old)
