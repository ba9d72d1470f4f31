"""`livedesk bench --tiny` runs end to end and writes well-formed results.

Benchmarks are not timed tests: nothing here asserts a speed. It checks that every
scenario ran as many times as asked, that the figures are numbers where they must be
positive, that the medians are the medians of the runs, and that BENCHMARKS.md got its
table.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.databases import postgres_admin_url, redis_url

BENCH_TIMEOUT_SECS = 280
pytestmark = pytest.mark.timeout(BENCH_TIMEOUT_SECS + 20)
TINY_RUNS = 2
TINY_RATES = (50, 100)
CEILINGS = [
    f"ceiling_{kind}_{what}"
    for kind in ("minimal", "bare")
    for what in ("ingest", f"latency_{max(TINY_RATES)}")
]
ONE_NODE = [
    "connections",
    "counters",
    "ingest",
    *(f"latency_{rate}" for rate in TINY_RATES),
    "search_in_session",
    "search_session_names",
    "session_list",
    "take_storm",
]
TWO_NODES = ["ingest_2nodes", *(f"latency_{rate}_2nodes" for rate in TINY_RATES)]
# Figures that must be above zero in every run (others, such as failures, may be zero).
POSITIVE = {
    "ingest": ["messages_per_sec_accepted", "messages_per_sec_delivered", "post_p50_ms"],
    "latency": ["messages_accepted", "rate_achieved", "delivery_p50_ms", "delivery_p99_ms"],
    "connections": ["sockets_held", "sockets_on_server", "rss_after_mib", "connects_per_sec"],
    "take_storm": ["storms", "take_p50_ms", "storm_p95_ms"],
    "counters": ["requests", "get_p50_ms", "get_p95_ms"],
    "session_list": ["requests", "get_p50_ms", "get_p95_ms"],
    "search": ["requests", "search_p50_ms", "search_p95_ms"],
}


def _bench(tmp_path: Path, engine: str, env: dict[str, str]) -> tuple[dict[str, Any], str]:
    out, report = tmp_path / "results", tmp_path / "BENCHMARKS.md"
    args = ["--tiny", "--engine", engine, "--out", str(out), "--report", str(report)]
    result = subprocess.run(
        [sys.executable, "-m", "livedesk", "bench", *args],
        env={k: v for k, v in os.environ.items() if not k.startswith("LIVEDESK_")} | env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=BENCH_TIMEOUT_SECS,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    files = sorted(out.glob(f"*-{engine}.json"))
    assert len(files) == 1, files
    return json.loads(files[0].read_text()), report.read_text()


def _positive_keys(name: str) -> list[str]:
    base = name.removeprefix("ceiling_minimal_").removeprefix("ceiling_bare_")
    return next((keys for prefix, keys in POSITIVE.items() if base.startswith(prefix)), [])


def _check_scenario(name: str, scenario: dict[str, Any]) -> None:
    assert isinstance(scenario["params"], dict) and scenario["params"], name
    runs, median = scenario["runs"], scenario["median"]
    assert len(runs) == TINY_RUNS, name
    for run in runs:
        for key, value in run.items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                assert value >= 0 or key == "kib_per_socket", (name, key, value)
        for key in _positive_keys(name):
            assert run[key] > 0, (name, key, run)
        assert run.get("requests_failed", 0) == 0, (name, run)
    assert set(median) == set(runs[0]), name
    for key, value in median.items():
        values = [run[key] for run in runs]
        if isinstance(value, bool):
            assert value == all(values), (name, key)
        elif isinstance(value, int | float):
            assert value == pytest.approx(statistics.median(values), abs=1e-3), (name, key)


def _check_results(doc: dict[str, Any], engine: str, expected: list[str]) -> None:
    assert doc["engine"] == engine
    machine = doc["machine"]
    assert machine["cores"] > 0 and machine["ram_gib"] > 0
    assert machine["cpu_model"] and machine["python"].count(".") == 2
    assert doc["command"].startswith("livedesk bench --tiny")
    assert doc["load"]["runs"] == TINY_RUNS
    assert sorted(doc["scenarios"]) == sorted(expected)
    for name, scenario in doc["scenarios"].items():
        _check_scenario(name, scenario)
    assert doc["scenarios"]["take_storm"]["median"]["one_winner_each"] is True
    ratios = doc["ratios"]
    assert ratios and all(isinstance(v, float) and v > 0 for v in ratios.values()), ratios


def test_tiny_bench_on_sqlite_writes_well_formed_results(tmp_path: Path) -> None:
    doc, report = _bench(tmp_path, "sqlite", {})
    _check_results(doc, "sqlite", [*CEILINGS, *ONE_NODE])
    assert "bench:begin" in report and "| what | target | SQLite |" in report


def test_tiny_bench_on_postgres_one_and_two_nodes_writes_well_formed_results(
    tmp_path: Path,
) -> None:
    env = {
        "LIVEDESK_BENCH_POSTGRES_URL": postgres_admin_url(),
        "LIVEDESK_BENCH_REDIS_URL": redis_url(),
    }
    doc, report = _bench(tmp_path, "postgres", env)
    _check_results(doc, "postgres", [*CEILINGS, *ONE_NODE, *TWO_NODES])
    assert "PostgreSQL + Redis, 2 nodes" in report
