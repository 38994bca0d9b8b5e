"""`tiedolla run` reads like a report: progress lines and a short summary; the full log goes to a file."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TIEDOLLA = [sys.executable, "-m", "tiedolla.cli"]


def _tiedolla(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*TIEDOLLA, *args], cwd=ROOT, capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="module")
def sampled(tmp_path_factory):
    home = tmp_path_factory.mktemp("run_summary")
    sample = _tiedolla("sample", "--home", str(home), "--scale", "0.05", "--months", "2024-01:2024-03",
                       "--municipalities", "905,152")
    assert sample.returncode == 0, sample.stderr
    return home


def test_run_prints_a_short_summary_and_writes_the_full_log(sampled):
    run = _tiedolla("run", "--home", str(sampled))
    assert run.returncode == 0, run.stderr
    lines = (run.stdout + run.stderr).splitlines()
    assert len(lines) <= 40, run.stdout + run.stderr
    assert "published publication 1" in run.stdout
    assert "Running with dbt" not in run.stdout and " - dagster - " not in run.stdout + run.stderr
    match = re.search(r"full log: (\S+run-\S+\.log)", run.stdout)
    assert match, run.stdout
    log = Path(match.group(1))
    assert log.parent == sampled / "logs" and (log.parent.stat().st_mode & 0o077) == 0
    text = log.read_text(encoding="utf-8")
    assert "STEP_SUCCESS" in text or " - dagster - INFO - " in text
    assert "dbt build" in text and "PASS" in text
    for stage in ("ingest:", "validation:", "dbt:", "publish:"):
        assert any(line.startswith(stage) for line in lines), stage
    assert "tiedolla status" in run.stdout


def test_verbose_streams_dagster_and_dbt(tmp_path):
    home = tmp_path / "home"
    sample = _tiedolla("sample", "--home", str(home), "--scale", "0.05", "--months", "2024-01:2024-02",
                       "--municipalities", "905")
    assert sample.returncode == 0, sample.stderr
    run = _tiedolla("run", "--home", str(home), "--verbose")
    assert run.returncode == 0, run.stderr
    out = run.stdout + run.stderr
    assert len(out.splitlines()) > 40
    assert "Running with dbt" in out and " - dagster - " in out and "PASS" in out
    assert "finished in" in run.stdout and "published publication 1" in run.stdout
