"""Wall time and peak memory of a command, and a description of the machine it ran on."""
from __future__ import annotations

import os
import platform
import subprocess
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import psutil

POLL_SECONDS = 0.05


@dataclass
class Measured:
    seconds: float
    peak_tree_rss: int        # bytes: the largest sum of RSS over the process and its descendants (polled)
    peak_process_rss: int     # bytes: the largest RSS of any single process of the tree (from the kernel)
    returncode: int


def run_measured(command: list[str], cwd: Path, env: dict[str, str], log: Path) -> Measured:
    """Run `command` to completion, output into `log`; poll the RSS of its whole process tree meanwhile."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        out.write(f"$ {' '.join(command)}\n".encode())
        out.flush()
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        watched = psutil.Process(process.pid)
        peak = 0
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            peak = max(peak, _tree_rss(watched))
            time.sleep(POLL_SECONDS)
        elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    return Measured(elapsed, peak, usage.ru_maxrss * 1024, process.returncode)


def _tree_rss(process: psutil.Process) -> int:
    total = 0
    try:
        members = [process] + process.children(recursive=True)
    except psutil.Error:
        return 0
    for member in members:
        try:
            total += member.memory_info().rss
        except psutil.Error:
            pass
    return total


def machine() -> dict[str, str]:
    """CPU model, cores, RAM, OS, library versions and the date, for the report."""
    import dagster
    import dbt.version
    import duckdb
    import great_expectations
    import pandas

    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": f"{model}, {psutil.cpu_count(logical=False) or '?'} cores / {psutil.cpu_count()} threads",
        "ram": f"{psutil.virtual_memory().total / 2**30:.1f} GiB",
        "os": f"{platform.system()} {platform.release()} ({platform.machine()})",
        "load": load,
        "versions": (f"Python {platform.python_version()}, DuckDB {duckdb.__version__}, "
                     f"dbt-core {dbt.version.__version__}, Dagster {dagster.__version__}, "
                     f"Great Expectations {great_expectations.__version__}, pandas {pandas.__version__}"),
    }
