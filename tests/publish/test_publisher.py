"""pipeline.md, "Publish": copy, check, atomic rename; readers keep reading; a refused file changes nothing."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.run_lock import RunLock
from publish.checks import PublicationRefused
from publish.history import read_history
from publish.publisher import publish

ROOT = Path(__file__).resolve().parents[2]


def build_database(home, waits: list[tuple]) -> None:
    """A build.duckdb holding a marts schema, as dbt leaves it."""
    home.build_db.unlink(missing_ok=True)
    con = duckdb.connect(str(home.build_db))
    con.execute("create schema marts")
    con.execute("create table marts.dim_area as select '905' as area_code, 'municipality' as area_level")
    con.execute("create table marts.wait_times (area_code varchar, visits_nonurgent integer, "
                "visits_nonurgent_unassessed integer, median_wait_days double, p90_wait_days double, "
                "share_within_7d double, share_within_14d double, share_within_21d double, share_over_90d double, "
                "share_over_180d double, share_within_guarantee double, is_suppressed boolean)")
    con.executemany("insert into marts.wait_times values (?, ?, 0, 1, 1, 1, 1, 1, 0, 0, 1, ?)", waits)
    con.execute("create table marts.client_rows as select 'x' as client_id")   # never on the allow-list
    con.close()


def publish_now(home, fingerprint="f1"):
    return publish(home, fingerprint, "2019-03", None, [{"file": "a.csv", "sha256": "00"}], {"test": True})


def test_publication_copies_the_allow_listed_marts_into_main(home):
    build_database(home, [("905", 10, False)])
    publication = publish_now(home)
    con = duckdb.connect(str(home.marts_db), read_only=True)
    assert con.execute("select visits_nonurgent from marts.wait_times").fetchall() == [(10,)]
    tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
    schemas = {r[0] for r in con.execute("select distinct table_schema from information_schema.tables").fetchall()}
    assert tables == {"dim_area", "wait_times", "publication"} and schemas == {"main"}
    assert con.execute("select publication_id, fingerprint, as_of from publication").fetchall() == [(1, "f1", "2019-03")]
    assert publication.publication_id == 1
    assert not list(home.warehouse.glob("marts.duckdb.tmp-*"))


def test_history_grows_and_is_written_into_every_new_file(home):
    build_database(home, [("905", 10, False)])
    publish_now(home, "f1")
    publish_now(home, "f2")
    con = duckdb.connect(str(home.marts_db), read_only=True)
    assert con.execute("select publication_id, fingerprint from publication order by 1").fetchall() == [
        (1, "f1"), (2, "f2")]
    assert [r["publication_id"] for r in read_history(home)] == [1, 2]


def test_a_reader_holding_the_file_open_keeps_reading_the_old_version(home):
    build_database(home, [("905", 10, False)])
    publish_now(home, "f1")
    reader = duckdb.connect(str(home.marts_db), read_only=True)
    build_database(home, [("905", 20, False)])
    publish_now(home, "f2")
    assert reader.execute("select visits_nonurgent from wait_times").fetchall() == [(10,)]
    # A new reader (another process, as a director's SQL client is) sees the new publication.
    fresh = subprocess.run([sys.executable, "-c", "import duckdb, sys; print(duckdb.connect(sys.argv[1], "
                            "read_only=True).execute('select visits_nonurgent from wait_times').fetchone()[0])",
                            str(home.marts_db)], capture_output=True, text=True, check=True)
    assert fresh.stdout.strip() == "20"


@pytest.mark.parametrize("waits, problem", [
    ([("905", 3, False)], "1–4 visits are not suppressed"),
    ([("905", 30, True)], "suppressed rows still show values"),
])
def test_a_file_breaking_suppression_is_refused_and_the_previous_publication_stays(home, waits, problem):
    build_database(home, [("905", 10, False)])
    publish_now(home, "f1")
    before = home.marts_db.read_bytes()
    build_database(home, waits)
    with pytest.raises(PublicationRefused, match=problem):
        publish_now(home, "f2")
    assert home.marts_db.read_bytes() == before
    assert not list(home.warehouse.glob("marts.duckdb.tmp-*"))


def test_a_second_concurrent_run_refuses_with_exit_3(home):
    lock = RunLock(home)
    lock.acquire()
    try:
        env = {**os.environ, "TIEDOLLA_HOME": str(home.root)}
        result = subprocess.run([sys.executable, "-m", "tiedolla.cli", "run", "--wait", "1"], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=120)
    finally:
        lock.release()
    assert result.returncode == 3
    assert "another run" in result.stderr and "nothing was changed" in result.stderr
    assert not home.marts_db.exists()


def test_the_lock_is_free_again_after_a_run_released_it(home):
    first = RunLock(home)
    first.acquire()
    first.release()
    second = RunLock(home)
    second.acquire()
    second.release()
