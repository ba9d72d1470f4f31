"""``bench/results/<date>-<engine>.json``: one file per engine per day.

A run with ``--only`` adds its scenarios to the day's file when that file holds the same
load; a run with another load replaces the file.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from livedesk.bench.scenarios import Results
from livedesk.bench.stats import Figures, ratio

CEILINGS = ("minimal", "bare")


def results_path(out: Path, engine: str, day: str) -> Path:
    return out / f"{day}-{engine}.json"


def _previous(path: Path, load: Figures) -> Figures:
    try:
        doc: Figures = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return doc if doc.get("load") == load else {}


def write_results(out: Path, engine: str, results: Results, machine: Figures, command: str) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    day = date.today().isoformat()
    path = results_path(out, engine, day)
    load = asdict(results.load)
    load["latency_rates"] = list(load["latency_rates"])
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    previous = _previous(path, load)
    scenarios: dict[str, Any] = dict(previous.get("scenarios", {}))
    for name, scenario in results.scenarios.items():
        scenarios[name] = {**scenario.to_json(), "command": command, "measured_at": stamp}
    doc = {
        "engine": engine,
        "date": day,
        "measured_at": stamp,
        "command": command,
        "machine": machine,
        "load": load,
        "seeded": results.seeded or previous.get("seeded", {}),
        "scenarios": dict(sorted(scenarios.items())),
        "ratios": ceiling_ratios(scenarios),
    }
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    return path


def _median(scenarios: dict[str, Any], name: str, key: str) -> float | None:
    value = scenarios.get(name, {}).get("median", {}).get(key)
    return float(value) if isinstance(value, int | float) else None


def ceiling_ratios(scenarios: dict[str, Any]) -> Figures:
    """livedesk's figures over each ceiling's: throughput as the share of the ceiling
    reached, latency as how many times the ceiling's."""
    out: Figures = {}
    for kind in CEILINGS:
        for what in ("accepted", "delivered"):
            key = f"messages_per_sec_{what}"
            out[f"ingest_{what}_vs_{kind}"] = ratio(
                _median(scenarios, "ingest", key), _median(scenarios, f"ceiling_{kind}_ingest", key)
            )
        for name in scenarios:
            if name.startswith(f"ceiling_{kind}_latency_"):
                mine = name.removeprefix(f"ceiling_{kind}_")
                out[f"{mine}_p99_vs_{kind}"] = ratio(
                    _median(scenarios, mine, "delivery_p99_ms"),
                    _median(scenarios, name, "delivery_p99_ms"),
                )
    return out
