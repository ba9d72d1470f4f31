"""The garbage collector of a serving process, set for short pauses.

CPython's cyclic collector walks every object of the generations it collects. A started
server holds some 150,000 long-lived objects (modules, classes, SQLAlchemy's and
pydantic's structures), and under load a full collection, which walked them all with the
objects of every open connection, came every few seconds and stopped the event loop for
100 to 170 ms: every message arriving meanwhile waited (BENCHMARKS.md). ``settle_heap``
moves what startup built out of the collector's sight (``gc.freeze``) and lets the
youngest generation grow to 25,000 objects before it is collected instead of 700, so that
objects of requests still in flight are seldom promoted to the older generations, to wait
there for a full collection. Under the bench's load that leaves a collection of the
youngest generation every few seconds (20 to 35 ms, most of it freeing that garbage) and
almost no others. Cycles are still collected: only less often, with less to walk.
"""

from __future__ import annotations

import gc

# Allocations (net of deallocations) between two collections of the youngest generation;
# CPython's default is 700. The older generations keep their defaults.
YOUNG_THRESHOLD = 25_000


def settle_heap(young_threshold: int = YOUNG_THRESHOLD) -> None:
    """Call once startup is done, in a process that is going to serve."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(young_threshold, middle, old)
