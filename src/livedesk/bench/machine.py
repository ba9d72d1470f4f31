"""What the machine is, and what its processes spend: read from /proc, no extra packages.

CPU figures are in cores (CPU seconds per wall second), so 1.0 is one core fully busy.
"""

from __future__ import annotations

import os
import platform
import resource
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from livedesk.bench.stats import Figures

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
MIB = 1024 * 1024


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def _cpu_model() -> str:
    for line in _read("/proc/cpuinfo").splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _ram_bytes() -> int:
    for line in _read("/proc/meminfo").splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) * 1024
    return 0


def machine_info() -> Figures:
    """Cores, CPU model, RAM, Python, kernel, the open-files limit and the load at start."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return {
        "cores": os.cpu_count() or 0,
        "cpu_model": _cpu_model(),
        "ram_gib": round(_ram_bytes() / 1024**3, 1),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "kernel": platform.release(),
        "open_files_limit": [soft, hard],
        "load_average_at_start": list(os.getloadavg()),
    }


def raise_open_files_limit() -> int:
    """Lift this process's soft limit on open files to the hard one (children inherit it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        return int(hard)
    return int(soft if hard == resource.RLIM_INFINITY else hard)


def process_cpu_secs(pid: int) -> float:
    """User + system CPU seconds of a process (fields 14 and 15 of /proc/<pid>/stat)."""
    raw = _read(f"/proc/{pid}/stat")
    if not raw:
        return 0.0
    fields = raw.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def process_rss_bytes(pid: int) -> int:
    """Resident memory of a process (field 2 of /proc/<pid>/statm, in pages)."""
    raw = _read(f"/proc/{pid}/statm").split()
    return int(raw[1]) * PAGE_BYTES if len(raw) > 1 else 0


def _self_cpu_secs() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _machine_busy_secs() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine, all cores (first line of /proc/stat)."""
    parts = _read("/proc/stat").splitlines()[0].split()[1:]
    values = [int(p) for p in parts[:8]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values) - idle) / CLOCK_TICKS, sum(values) / CLOCK_TICKS


@dataclass
class CpuMeter:
    """CPU spent between ``start()`` and ``figures()`` by the server processes, by this
    process (the load generator) and by the whole machine (everything else that runs)."""

    server_pids: Sequence[int]
    _wall: float = 0.0
    _servers: list[float] = field(default_factory=list)
    _self: float = 0.0
    _machine: tuple[float, float] = (0.0, 0.0)

    def start(self) -> CpuMeter:
        self._wall = time.monotonic()
        self._servers = [process_cpu_secs(p) for p in self.server_pids]
        self._self = _self_cpu_secs()
        self._machine = _machine_busy_secs()
        return self

    def figures(self) -> Figures:
        wall = max(time.monotonic() - self._wall, 1e-6)
        servers = [
            (process_cpu_secs(p) - before) / wall
            for p, before in zip(self.server_pids, self._servers, strict=True)
        ]
        busy, total = _machine_busy_secs()
        cores = os.cpu_count() or 1
        machine = (busy - self._machine[0]) / max(total - self._machine[1], 1e-6) * cores
        generator = (_self_cpu_secs() - self._self) / wall
        return {
            "server_cpu_cores": round(sum(servers), 3),
            "generator_cpu_cores": round(generator, 3),
            "machine_cpu_cores": round(machine, 3),
            # Everything else: the database and Redis, and whatever else runs on the machine.
            "other_cpu_cores": round(max(0.0, machine - sum(servers) - generator), 3),
        }
