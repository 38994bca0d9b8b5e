"""pipeline.md, "Bad input, faults and privacy": a run killed at any moment (kill -9) leaves the published marts
as they were, and the next run completes the work without duplicates, equal to a clean run."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from tests.cli.test_end_to_end import tiedolla

ROOT = Path(__file__).resolve().parents[2]
# Lines a run prints as it goes through the stages; the harness kills the run when one appears.
KILL_POINTS = {
    "ingest": "QUARANTINED",
    "validation": "with Great Expectations",
    "dbt start": "dbt build: seeds",
    "dbt marts": "OK created sql table model marts.",
    "publish": "publishing: copying the marts",
}
MARTS = ["dim_area", "wait_times", "data_quality", "contact_channels", "wait_time_benchmarks",
         "director_indicators", "segment_summary", "intervention_effects"]


def run_and_kill(home: Path, marker: str, timeout: float = 300) -> bool:
    """Start `tiedolla run`, SIGKILL it when `marker` appears in its output. False if it finished first."""
    env = {**os.environ, "TIEDOLLA_HOME": str(home), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen([sys.executable, "-m", "tiedolla.cli", "run", "--verbose"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    deadline = time.monotonic() + timeout
    for line in process.stdout:
        if marker in line:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            return True
        if time.monotonic() > deadline:
            break
    process.wait()
    return False


def mart_frames(home: Path) -> dict[str, pd.DataFrame]:
    con = duckdb.connect(str(home / "warehouse" / "marts.duckdb"), read_only=True)
    try:
        frames = {}
        for table in MARTS:
            frame = con.execute(f"select * from {table} order by all").df()
            frames[table] = frame.drop(columns=[c for c in ("last_delivery_at",) if c in frame.columns])
        return frames
    finally:
        con.close()


@pytest.fixture(scope="module")
def homes(tmp_path_factory):
    base = tmp_path_factory.mktemp("crash")
    home = base / "home"
    tiedolla(home, "sample", "--scale", "0.02", "--months", "2023-01:2023-04", "--municipalities", "905,499,288")
    tiedolla(home, "run")
    shutil.copytree(home / "landing", base / "first_landing")
    # A second delivery lands; the runs that process it are killed at every stage.
    tiedolla(home, "sample", "--scale", "0.02", "--months", "2023-05:2023-08", "--municipalities", "905,499,288",
             "--seed", "2")
    return home, base


def test_a_run_killed_at_any_stage_leaves_the_previous_publication(homes):
    home, _ = homes
    published = home / "warehouse" / "marts.duckdb"
    before = published.read_bytes()
    killed = []
    for stage, marker in KILL_POINTS.items():
        if run_and_kill(home, marker):
            killed.append(stage)
            assert published.read_bytes() == before, f"killed at {stage}: the publication changed"
            con = duckdb.connect(str(published), read_only=True)
            assert con.execute("select count(*) from publication").fetchone() == (1,)
            con.close()
        else:
            break   # the run finished before the marker: nothing left to kill
    assert len(killed) >= 5, f"only killed at {killed}"


def test_the_next_run_completes_and_equals_a_clean_run(homes):
    home, base = homes
    result = tiedolla(home, "run")
    assert "published publication 2" in result.stdout
    # The clean home sees the same history without kills: the first delivery, a run, the second, a run.
    clean = base / "clean"
    shutil.copytree(base / "first_landing", clean / "landing")
    tiedolla(clean, "run")
    shutil.copytree(home / "landing", clean / "landing", dirs_exist_ok=True)
    tiedolla(clean, "run")
    after_kills, fresh = mart_frames(home), mart_frames(clean)
    for table in MARTS:
        pd.testing.assert_frame_equal(after_kills[table], fresh[table], check_exact=False, rtol=1e-12,
                                      obj=table)
    load_log = list((home / "raw" / "_load_log").glob("*.json"))
    assert len(load_log) == len(list((clean / "raw" / "_load_log").glob("*.json")))
    assert not list((home / "warehouse").glob("marts.duckdb.tmp-*"))   # copies of killed runs are cleared
