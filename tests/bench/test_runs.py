"""A timed run of the bench is not interrupted by the load generator's own collector."""

from __future__ import annotations

import asyncio
import gc

from livedesk.bench.load import tiny_load
from livedesk.bench.scenarios import Results


def test_each_timed_run_has_the_collector_off_and_it_comes_back_after() -> None:
    seen: list[tuple[bool, int]] = []

    async def one_run(run: int) -> dict[str, object]:
        seen.append((gc.isenabled(), gc.get_freeze_count()))
        return {"run": run}

    results = Results("sqlite", tiny_load(runs=2))
    assert gc.isenabled()
    asyncio.run(results.repeat("one", {}, one_run))
    assert [enabled for enabled, _ in seen] == [False] * results.load.runs
    assert all(frozen > 0 for _, frozen in seen)  # what was there before the run
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0
    assert [r["run"] for r in results.scenarios["one"].runs] == list(range(results.load.runs))
