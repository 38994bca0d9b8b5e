"""pipeline.md, "Bad input, faults and privacy" and marts.md, "Where they live": directors keep reading while a
run publishes (each connection sees one whole publication, none is ever refused), and only one run writes a
home at a time, whether it was started from the command line, the schedule or the sensor."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from publish.publisher import publish
from tests.reliability.two_runs import LOCK_TAKEN, ROOT, SAMPLE, tiedolla, two_runs_at_once
from tiedolla.home import Home

CHECK_MARTS = ROOT / "tests" / "reference" / "check_marts.py"
# One connection, several marts: a reader mixing two publications would pair a publication id with the
# figures of another.
QUERIES = ["select max(publication_id) from publication",
           "select count(*), sum(hash(w))::varchar from wait_times w",
           "select count(*) from data_quality",
           "select max(publication_id) from publication"]
# A director's SQL client: connect read-only, read several marts, disconnect, again until told to stop.
READER = """
import json, os, sys, duckdb
path, stop, queries = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
seen, errors = [], []
while not os.path.exists(stop):
    try:
        con = duckdb.connect(path, read_only=True)
        try:
            seen.append([list(con.execute(q).fetchone()) for q in queries])
        finally:
            con.close()
    except Exception as error:
        errors.append(repr(error))
    if len(seen) + len(errors) == 1:
        print("ready", flush=True)
print(json.dumps({"seen": seen, "errors": errors}))
"""
# A director who connected before the publications and never reconnects.
HOLDER = """
import json, os, sys, duckdb
path, stop, queries = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
con = duckdb.connect(path, read_only=True)
seen, errors = [], []
while not os.path.exists(stop):
    try:
        seen.append([list(con.execute(q).fetchone()) for q in queries])
    except Exception as error:
        errors.append(repr(error))
    if len(seen) + len(errors) == 1:
        print("ready", flush=True)
print(json.dumps({"seen": seen, "errors": errors}))
"""
# Holds the home's run lock (as a running `tiedolla run` does) until its stdin closes.
LOCK_HOLDER = """
import fcntl, os, sys
handle = open(sys.argv[1], "a+")
fcntl.flock(handle, fcntl.LOCK_EX)
handle.truncate(0)
handle.write(f"{os.getpid()}\\n")
handle.flush()
print("locked", flush=True)
sys.stdin.read()
"""


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    return two_runs_at_once(tmp_path_factory.mktemp("two_runs"))


def query(path: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def load_log(home: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted((home / "raw" / "_load_log").glob("*.json"))]


def test_two_runs_started_at_once_one_publishes_and_the_other_refuses_with_exit_3(runs):
    winner, loser = sorted(runs.racers, key=lambda r: r.code)
    assert (winner.code, loser.code) == (0, 3), f"{winner.output}\n{loser.output}"
    assert "published publication 1" in winner.output
    assert "another run" in loser.output and "nothing was changed" in loser.output
    assert LOCK_TAKEN not in loser.output
    marts = runs.home / "warehouse" / "marts.duckdb"
    assert query(marts, "select publication_id from publication") == [(1,)]
    assert query(marts, "select count(*) from (select area_code, period_start, service_line, professional_group "
                        "from wait_times group by all having count(*) > 1)") == [(0,)]
    entries = load_log(runs.home)
    assert len({(e["file_name"], e["sha256"]) for e in entries}) == len(entries)
    check = subprocess.run([sys.executable, str(CHECK_MARTS), str(runs.home)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_a_run_with_wait_waits_for_the_holder_and_adds_no_duplicate(runs):
    winner = next(r for r in runs.racers if r.code == 0)
    waiter = runs.waiter
    assert waiter.code == 0, waiter.output
    # It found the home held, waited, and ran after the winner had published.
    assert "waiting up to 600 s for it to finish" in waiter.output
    assert waiter.first(LOCK_TAKEN) > winner.first("dbt build: seeds")
    assert "no changes; publication 1 is current" in waiter.output
    assert query(runs.home / "warehouse" / "marts.duckdb", "select count(*) from publication") == [(1,)]
    entries = load_log(runs.home)
    assert len({(e["file_name"], e["sha256"]) for e in entries}) == len(entries)
    assert not list((runs.home / "warehouse").glob("marts.duckdb.tmp-*"))


def copy_of_the_warehouse(runs, tmp_path: Path) -> Home:
    """A home holding the real build and publication, so publications can follow each other in seconds."""
    home = Home.at(tmp_path / "home").ensure()
    for name in ("build.duckdb", "marts.duckdb", "publications.json"):
        shutil.copy2(runs.home / "warehouse" / name, home.warehouse / name)
    return home


def change_the_build(home: Home) -> None:
    """What the next run's dbt build would do: other figures, another number of rows."""
    con = duckdb.connect(str(home.build_db))
    con.execute("update marts.wait_times set median_wait_days = median_wait_days + 1 "
                "where median_wait_days is not null")
    con.execute("delete from marts.data_quality where rowid = (select min(rowid) from marts.data_quality)")
    con.close()


def figures(marts: Path) -> list:
    """What a reader of this publication must see: the answers of QUERIES but the publication ids."""
    con = duckdb.connect(str(marts), read_only=True)
    try:
        return [list(con.execute(q).fetchone()) for q in QUERIES[1:3]]
    finally:
        con.close()


def start_readers(script: str, marts: Path, stop: Path, count: int) -> list[subprocess.Popen]:
    readers = [subprocess.Popen([sys.executable, "-c", script, str(marts), str(stop), json.dumps(QUERIES)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(count)]
    for reader in readers:
        assert reader.stdout.readline().strip() == "ready", reader.stderr.read()
    return readers


def test_readers_see_one_whole_publication_per_connection_while_publications_replace_the_file(runs, tmp_path):
    home = copy_of_the_warehouse(runs, tmp_path)
    known = {1: figures(home.marts_db)}
    stop = tmp_path / "stop"
    readers = start_readers(READER, home.marts_db, stop, 3)
    holder, = start_readers(HOLDER, home.marts_db, stop, 1)
    try:
        for n in (2, 3):   # two publications after the first, with the readers reading throughout
            change_the_build(home)
            publication = publish(home, f"fingerprint-{n}", "2023-02", None, [], {"test": n})
            assert publication.publication_id == n
            known[n] = figures(home.marts_db)
    finally:
        stop.touch()
    results = [json.loads(r.communicate(timeout=60)[0]) for r in readers]
    held = json.loads(holder.communicate(timeout=60)[0])
    assert [r["errors"] for r in results] == [[], [], []] and held["errors"] == []
    seen = Counter()
    for observation in (o for r in results for o in r["seen"]):
        (first_id,), wait_times, quality, (last_id,) = observation
        assert first_id == last_id and [wait_times, quality] == known[first_id], observation
        seen[first_id] += 1
    assert len(seen) >= 2, f"the readers saw only {dict(seen)}"
    # The director who never reconnected still reads the first publication, whole.
    assert {(o[0][0], json.dumps(o[1:3])) for o in held["seen"]} == {(1, json.dumps(known[1]))}
    assert query(home.marts_db, "select publication_id from publication order by 1") == [(1,), (2,), (3,)]


def test_a_director_holding_the_file_open_for_writing_does_not_block_a_publication(runs, tmp_path):
    home = copy_of_the_warehouse(runs, tmp_path)
    # The DuckDB command line opens a file read-write unless told otherwise; that locks the file it opened.
    director = subprocess.Popen([sys.executable, "-c", "import duckdb, sys; con = duckdb.connect(sys.argv[1]); "
                                 "print('open', flush=True); sys.stdin.read()", str(home.marts_db)],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert director.stdout.readline().strip() == "open"
        change_the_build(home)
        assert publish(home, "fingerprint-2", "2023-02", None, [], {}).publication_id == 2
    finally:
        director.communicate("", timeout=60)
    assert query(home.marts_db, "select publication_id from publication order by 1") == [(1,), (2,)]


@pytest.fixture(scope="module")
def deliveries(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("deliveries")
    sample = tiedolla(home, "sample", *SAMPLE)
    assert sample.wait(timeout=120) == 0, sample.stdout.read()
    return home / "landing"


@pytest.fixture
def held_home(deliveries, tmp_path, monkeypatch):
    """A home with deliveries and no run yet, whose lock another process holds; TIEDOLLA_HOME points at it."""
    home = Home.at(tmp_path / "home").ensure()
    shutil.copytree(deliveries, home.landing, dirs_exist_ok=True)
    monkeypatch.setenv("TIEDOLLA_HOME", str(home.root))
    holder = subprocess.Popen([sys.executable, "-c", LOCK_HOLDER, str(home.lock_file)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    yield home, holder
    if holder.poll() is None:
        holder.communicate("", timeout=60)


def tree(home: Home) -> dict[str, tuple]:
    return {str(p.relative_to(home.root)): (p.is_dir(), p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(home.root.rglob("*")) if p.name != ".run.lock"}


@pytest.fixture(scope="module")
def defs(dbt_manifest):
    from orchestration.definitions import defs
    return defs


def test_a_dagster_run_started_while_another_holds_the_home_writes_nothing(defs, held_home):
    from dagster import DagsterInstance

    home, _ = held_home
    before = tree(home)
    job = defs.resolve_job_def("tiedolla_run")
    with DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(instance=instance, raise_on_error=False,
                                        tags={"tiedolla/trigger": "landing_sensor"})
    assert not result.success
    failure = next(e for e in result.all_events if e.is_run_failure)
    assert "another run" in str(failure.event_specific_data)
    assert not [e for e in result.all_events if e.event_type_value in ("STEP_START", "ASSET_MATERIALIZATION")]
    assert tree(home) == before


def test_the_sensor_and_the_schedule_start_no_run_while_another_holds_the_home(defs, held_home):
    from dagster import DagsterInstance, build_schedule_context, build_sensor_context

    home, holder = held_home
    sensor, schedule = defs.resolve_sensor_def("landing_sensor"), defs.resolve_schedule_def("monthly_run")
    with DagsterInstance.ephemeral() as instance:
        busy = sensor.evaluate_tick(build_sensor_context(instance=instance))
        assert not busy.run_requests and "another run" in busy.skip_message
        assert busy.cursor is None   # the files are not marked as handed to a run
        scheduled = schedule.evaluate_tick(build_schedule_context(instance=instance))
        assert not scheduled.run_requests and "another run" in scheduled.skip_message
        holder.communicate("", timeout=60)   # the other run ends
        assert len(sensor.evaluate_tick(build_sensor_context(instance=instance)).run_requests) == 1
        assert len(schedule.evaluate_tick(build_schedule_context(instance=instance)).run_requests) == 1
