"""What a dbt build must redo (issue 7): everything after new code, seeds or as-of; otherwise the periods
from the earliest month whose files changed since the last complete build, or from where a source's as-of
month was, when it moved."""
from __future__ import annotations

from ingest.load_log import ACCEPTED, QUARANTINED, LoadEntry, LoadLog
from tiedolla.home import Home
from orchestration.build_record import NOTHING_TO_REBUILD, current_files, forget_build, plan_build, record_build


def land(home, load_id: str, source: str, period: str | None, status: str = ACCEPTED) -> None:
    LoadLog(home.load_log_dir).write(LoadEntry(
        sha256=load_id * 4, file_name=f"{load_id}.csv", source=source, municipality="905", period=period,
        version=1, size=1, status=status, load_seq=1, run_id="r", loaded_at="2026-01-01T00:00:00+00:00",
        load_id=load_id))


def built(home, code: str = "code-1", as_of: str | None = None) -> None:
    home.build_db.parent.mkdir(parents=True, exist_ok=True)
    home.build_db.touch()
    record_build(home, code, as_of, current_files(home))


def test_the_first_build_and_a_missing_build_database_are_full(home):
    land(home, "a", "avohilmo", "2024-01")
    assert plan_build(home, "code-1", None).full_refresh
    built(home)
    home.build_db.unlink()
    assert plan_build(home, "code-1", None).full_refresh


def test_new_code_or_another_as_of_month_rebuild_everything(home):
    land(home, "a", "avohilmo", "2024-01")
    built(home)
    assert not plan_build(home, "code-1", None).full_refresh
    assert plan_build(home, "code-2", None).full_refresh
    assert plan_build(home, "code-1", "2023-12").full_refresh


def test_nothing_changed_rebuilds_no_period(home):
    land(home, "a", "avohilmo", "2024-01")
    built(home)
    plan = plan_build(home, "code-1", None)
    assert (plan.full_refresh, plan.rebuild_from) == (False, NOTHING_TO_REBUILD)


def test_the_earliest_changed_month_of_any_source_decides(home):
    for load_id, source, period in [("a", "avohilmo", "2024-01"), ("b", "avohilmo", "2024-02"),
                                    ("r1", "rai", "2024-01"), ("r2", "rai", "2024-02"),
                                    ("p1", "population", "2023"), ("s", "sotkanet_regions", None)]:
        land(home, load_id, source, period)
    built(home)
    land(home, "c", "avohilmo", "2024-02")                    # a resubmission of the latest month
    assert plan_build(home, "code-1", None).rebuild_from == "2024-02"
    assert plan_build(home, "code-1", None).changed_sources == {"avohilmo"}
    land(home, "r1", "rai", "2024-01", status=QUARANTINED)    # a file's fate changed
    assert plan_build(home, "code-1", None).rebuild_from == "2024-01"
    assert plan_build(home, "code-1", None).changed_sources == {"avohilmo", "rai"}
    land(home, "p2", "population", "2023")                    # a year counts from its January
    assert plan_build(home, "code-1", None).rebuild_from == "2023-01"


def test_a_home_folder_that_moved_is_built_whole(home, tmp_path):
    # The staging views name the raw files by absolute path.
    land(home, "a", "avohilmo", "2024-01")
    built(home)
    moved = Home((tmp_path / "home").rename(tmp_path / "elsewhere"))
    plan = plan_build(moved, "code-1", None)
    assert plan.full_refresh and "moved" in plan.reason


def test_files_without_a_period_rebuild_no_period(home):
    land(home, "a", "avohilmo", "2024-01")
    built(home)
    land(home, "s", "sotkanet_indicators", None)
    assert plan_build(home, "code-1", None).rebuild_from == NOTHING_TO_REBUILD


def test_a_month_that_arrives_before_the_one_before_it_rebuilds_from_the_first_new_slot(home):
    # contacts up to 2024-03; then 2024-05 arrives first: 2024-04 becomes an expected, missing slot, which
    # changes the coverage of April, of the second quarter and of the year.
    for load_id, period in [("a", "2024-01"), ("b", "2024-02"), ("c", "2024-03")]:
        land(home, load_id, "contacts", period)
    built(home)
    land(home, "e", "contacts", "2024-05")
    assert plan_build(home, "code-1", None).rebuild_from == "2024-04"


def test_a_latest_file_quarantined_moves_the_as_of_month_back(home):
    for load_id, period in [("a", "2024-01"), ("b", "2024-02"), ("c", "2024-04")]:
        land(home, load_id, "rai", period)
    built(home)
    land(home, "c", "rai", "2024-04", status=QUARANTINED)
    assert plan_build(home, "code-1", None).rebuild_from == "2024-03"


def test_a_source_accepted_for_the_first_time_rebuilds_everything(home):
    # Its slots are expected from the municipality's first expected month on, long before its first file.
    land(home, "a", "avohilmo", "2024-01")
    built(home)
    land(home, "r", "rai", "2024-06")
    assert plan_build(home, "code-1", None).full_refresh


def test_a_build_that_may_fail_half_way_leaves_no_record(home):
    land(home, "a", "avohilmo", "2024-01")
    built(home)
    forget_build(home)
    assert plan_build(home, "code-1", None).full_refresh
