"""Incremental runs give the marts a full rebuild gives (issue 7): a home that received its deliveries over
four runs (new months, a month delivered after the one following it, resubmissions that replace live files
of earlier months, broken files quarantined on the way) publishes exactly what a fresh home that receives
them all at once publishes. Also: a run with
nothing new stops before Dagster."""
from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from tests.cli.test_end_to_end import tiedolla

MONTHS = "2023-01:2023-06"
# Held back from the first run: the last months of every source and the resubmissions (version 2 replaces a
# live version 1 in the second run, the way a municipality's correction arrives).
LATER = ("2023-05", "2023-06")
# When a file arrived is not a figure: the two homes loaded the same files at different times.
WALL_CLOCK = {"data_quality": ["last_delivery_at"]}


def _held_back(path: Path) -> bool:
    return any(month in path.name for month in LATER) or "_v2" in path.name


def _move(files: list[Path], source_root: Path, target_root: Path) -> None:
    for path in files:
        target = target_root / path.relative_to(source_root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(path, target)


def _marts(home: Path) -> dict[str, pd.DataFrame]:
    con = duckdb.connect(str(home / "warehouse" / "marts.duckdb"), read_only=True)
    try:
        names = [r[0] for r in con.execute("select table_name from information_schema.tables "
                                           "where table_name <> 'publication' order by 1").fetchall()]
        return {name: con.execute(f"select * exclude ({', '.join(WALL_CLOCK[name])}) from {name} order by all"
                                  if name in WALL_CLOCK else f"select * from {name} order by all").df()
                for name in names}
    finally:
        con.close()


@pytest.fixture(scope="module")
def two_homes(tmp_path_factory):
    root = tmp_path_factory.mktemp("incremental")
    full, stepwise, later = root / "full", root / "stepwise", root / "later"
    tiedolla(full, "sample", "--scale", "0.02", "--months", MONTHS, "--municipalities", "905,499")
    shutil.copytree(full, stepwise)
    held = [p for p in (stepwise / "landing").rglob("*") if p.is_file() and _held_back(p)]
    assert any("avohilmo" in p.name and "_v2" in p.name for p in held), "the sample has no resubmission"
    _move(held, stepwise / "landing", later / "landing")
    runs = [tiedolla(stepwise, "run", "--verbose")]
    # Second run: the next month of every source only (the months before it are kept as built), but the
    # region's contacts file of the month after instead of its own: a gap in the middle of the series.
    next_month = [p for p in (later / "landing").rglob("*") if p.is_file() and "_v2" not in p.name
                  and LATER[p.parent.name == "contacts"] in p.name]
    assert any(p.parent.name == "contacts" for p in next_month)
    _move(next_month, later / "landing", stepwise / "landing")
    runs.append(tiedolla(stepwise, "run", "--verbose"))
    # Third run: the last month and the resubmissions of the visits only, which reach back into months built
    # twice already; the models that read no visits are kept as built. Fourth: the other sources' last month.
    _move([p for p in (later / "landing" / "avohilmo").glob("*") if p.is_file()], later / "landing",
          stepwise / "landing")
    runs.append(tiedolla(stepwise, "run", "--verbose"))
    _move([p for p in (later / "landing").rglob("*") if p.is_file()], later / "landing", stepwise / "landing")
    runs.append(tiedolla(stepwise, "run", "--verbose"))
    runs.append(tiedolla(stepwise, "run", "--verbose"))
    tiedolla(full, "run")
    return {"full": full, "stepwise": stepwise, "runs": runs}


def test_the_incremental_home_publishes_what_a_full_rebuild_publishes(two_homes):
    full, stepwise = _marts(two_homes["full"]), _marts(two_homes["stepwise"])
    assert set(full) == set(stepwise) and "wait_times" in full
    different = []
    for name in full:
        try:
            pd.testing.assert_frame_equal(stepwise[name], full[name], check_dtype=True, obj=name)
        except AssertionError as difference:
            different.append(str(difference).splitlines()[0])
    assert not different, different


def test_later_runs_rebuilt_only_what_changed(two_homes):
    first, second, third, fourth = two_homes["runs"][:4]
    assert "dbt: full refresh (no complete build yet)" in first.stderr
    assert "published publication 2" in second.stdout and "published publication 4" in fourth.stdout
    # The code did not change between the runs: the visits were extended and the marts rebuilt from the
    # earliest changed month on.
    assert f"periods from {LATER[0]} are rebuilt" in second.stderr
    later_runs = second.stderr + third.stderr + fourth.stderr
    assert "dbt: incremental" in third.stderr and "full refresh" not in later_runs
    # Only visits changed in the third run: the effect models and the other sources' staging were kept.
    kept = _kept_as_built(third)
    assert {"int_intervention_statistics", "stg_rai__assessments"} <= kept
    assert not kept & {"stg_avohilmo__visits", "int_visits_with_wait_days", "wait_times", "segment_summary"}
    assert "int_intervention_statistics" not in _kept_as_built(fourth)


def _kept_as_built(run) -> set[str]:
    """The models a run's incremental dbt build left out, from its log line."""
    for line in run.stderr.splitlines():
        if "kept as built: " in line:
            return set(line.split("kept as built: ", 1)[1].strip().split(", "))
    return set()
    con = duckdb.connect(str(two_homes["stepwise"] / "warehouse" / "build.duckdb"), read_only=True)
    try:
        stale = con.execute("""
            select count(*) from intermediate.int_visits_with_wait_days
            where load_id not in (select load_id from staging.stg_ingest__load_log where is_live)""").fetchone()
        assert stale == (0,)
    finally:
        con.close()


def test_a_run_with_nothing_new_stops_before_dagster(two_homes):
    last = two_homes["runs"][4]
    assert "no changes; publication 4 is current" in last.stdout
    assert "as the last run left them" in last.stdout   # the quick path, not a Dagster run
