"""Percentiles of samples and medians over runs."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

Figures = dict[str, Any]


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) with linear interpolation; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def latency_ms(prefix: str, secs: Sequence[float]) -> Figures:
    """``<prefix>_p50_ms``, ``_p95_ms``, ``_p99_ms`` and ``_max_ms`` of samples in seconds."""
    ms = [s * 1000 for s in secs]
    return {
        f"{prefix}_p50_ms": round(percentile(ms, 50), 3),
        f"{prefix}_p95_ms": round(percentile(ms, 95), 3),
        f"{prefix}_p99_ms": round(percentile(ms, 99), 3),
        f"{prefix}_max_ms": round(max(ms, default=0.0), 3),
    }


def median_of_runs(runs: Sequence[Figures]) -> Figures:
    """Per figure: the median of the runs' numbers; for flags, whether every run held."""
    out: Figures = {}
    for key in runs[0] if runs else ():
        values = [run[key] for run in runs if key in run]
        if all(isinstance(v, bool) for v in values):
            out[key] = all(values)
        elif all(isinstance(v, int | float) for v in values):
            out[key] = round(float(statistics.median(values)), 3)
        else:
            out[key] = values[0]
    return out


def ratio(part: float | None, whole: float | None) -> float | None:
    if not part or not whole:
        return None
    return round(part / whole, 4)
