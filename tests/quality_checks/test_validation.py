"""pipeline.md, "Validation": GX suites built from the registry; blocking failures quarantine, warnings load."""
from __future__ import annotations

import json

import duckdb
import pandas as pd
import pytest

from ingest.landing import ingest_source
from ingest.load_log import ACCEPTED, QUARANTINED, LoadLog
from ingest.sources import AVOHILMO
from quality_checks.registry import BLOCKING, WARNING, load_registry
from quality_checks.results_store import write_check_results_snapshot
from quality_checks.stage import validate_pending
from quality_checks.validate import Validator
from tests.deliveries import VisitFile, visit


@pytest.fixture(scope="module")
def validator():
    return Validator()


def land_and_validate(home, validator, files: dict[str, list[dict]], tamper=None):
    for name, rows in files.items():
        VisitFile(rows).write(home.source_landing("avohilmo") / name)
    ingest_source(home, AVOHILMO, "run1", log=lambda _: None)
    if tamper:
        for entry in LoadLog(home.load_log_dir).pending("avohilmo"):
            tamper(entry.parquet_path)
    summary = validate_pending(home, "avohilmo", "run1", validator, log=lambda _: None)
    return summary, {e.file_name: e for e in LoadLog(home.load_log_dir).entries.values()}


def results(home) -> pd.DataFrame:
    write_check_results_snapshot(home)
    return pd.read_parquet(home.meta_dir / "check_results.parquet")


def month(period: str, n: int, unit="Vaasan terveysasema", assessed=True) -> list[dict]:
    return [visit(i, f"c{i}", visit_date=f"{period}-15", assessed=f"{period}-10" if assessed else None, unit=unit)
            for i in range(n)]


def test_registry_rows_are_well_formed():
    checks = load_registry()
    assert {c.severity for c in checks} == {BLOCKING, WARNING}
    assert len({(c.source, c.check_name) for c in checks}) == len(checks)
    assert {c.source for c in checks} == {"avohilmo", "population", "contacts", "sotkanet", "rai", "interventions",
                                          "outcomes"}


def test_clean_file_passes_and_results_are_rows_of_one_shape(home, validator):
    summary, entries = land_and_validate(home, validator, {"avohilmo_905_2019-03.csv": month("2019-03", 10)})
    assert summary.validated == ["avohilmo_905_2019-03.csv"] and not summary.quarantined
    assert entries["avohilmo_905_2019-03.csv"].status == ACCEPTED
    frame = results(home)
    assert list(frame.columns[:10]) == ["check_name", "source", "file", "column", "rows_checked", "rows_failed",
                                        "share_failed", "threshold", "severity", "status"]
    gx = frame[~frame["check_name"].str.startswith("ingest_")]
    assert set(gx["status"]) == {"passed"} and "visit_id_unique" in set(gx["check_name"])
    stored = json.loads((home.checks_dir / "avohilmo" / f"{entries['avohilmo_905_2019-03.csv'].load_id[:16]}.gx.json").read_text())
    assert stored["success"] is True


def test_blocking_failure_quarantines_the_file_and_nothing_of_it_stays(home, validator):
    def duplicate_ids(path):
        duckdb.sql(f"copy (select * from read_parquet('{path}') union all select * from read_parquet('{path}') "
                   f"limit 3) to '{path}.x' (format parquet)")
        import os
        os.replace(f"{path}.x", path)
    summary, entries = land_and_validate(home, validator, {"avohilmo_905_2019-03.csv": month("2019-03", 2)},
                                         tamper=duplicate_ids)
    entry = entries["avohilmo_905_2019-03.csv"]
    assert summary.quarantined == ["avohilmo_905_2019-03.csv"]
    assert entry.status == QUARANTINED and entry.problem == "blocking_check_failed"
    assert "visit_id_unique" in entry.message
    report = json.loads(open(entry.quarantine_report).read())
    assert report["first_lines"] and report["first_lines"][0]["column"] == "kaynti_id"
    assert not list(home.source_raw("avohilmo").rglob("*.parquet"))
    failed = results(home).query("status == 'failed'")
    assert ("visit_id_unique", "blocking") in set(zip(failed["check_name"], failed["severity"]))


def test_header_only_file_meets_no_blocking_check(home, validator):
    summary, entries = land_and_validate(home, validator, {"avohilmo_905_2019-03.csv": []})
    assert entries["avohilmo_905_2019-03.csv"].status == ACCEPTED
    # Without history an empty month is nothing unusual: file_has_rows does not apply.
    assert summary.warnings == {}


def test_header_only_file_warns_only_when_the_slots_history_makes_an_empty_month_unlikely(home, validator):
    files = {f"avohilmo_905_2019-{m:02d}.csv": month(f"2019-{m:02d}", 200) for m in range(1, 7)}
    files["avohilmo_905_2019-07.csv"] = []
    files.update({f"avohilmo_152_2019-{m:02d}.csv": month(f"2019-{m:02d}", n) for m, n in
                  zip(range(1, 7), (0, 3, 1, 0, 2, 3))})
    files["avohilmo_152_2019-07.csv"] = []
    summary, entries = land_and_validate(home, validator, files)
    assert all(e.status == ACCEPTED for e in entries.values())
    assert "file_has_rows" in summary.warnings["avohilmo_905_2019-07.csv"]
    assert "file_has_rows" not in summary.warnings.get("avohilmo_152_2019-07.csv", [])
    assert not any("file_has_rows" in checks for name, checks in summary.warnings.items()
                   if name != "avohilmo_905_2019-07.csv")


def test_more_than_half_of_nonurgent_visits_unassessed_is_a_warning(home, validator):
    rows = month("2019-03", 4) + [visit(100 + i, f"u{i}", assessed=None) for i in range(5)]
    summary, entries = land_and_validate(home, validator, {"avohilmo_905_2019-03.csv": rows})
    assert entries["avohilmo_905_2019-03.csv"].status == ACCEPTED
    assert summary.warnings["avohilmo_905_2019-03.csv"] == ["nonurgent_assessed"]


def test_row_count_far_below_history_and_new_unit_are_warnings_once_there_is_history(home, validator):
    files = {f"avohilmo_905_2019-{m:02d}.csv": month(f"2019-{m:02d}", 20) for m in range(1, 7)}
    files["avohilmo_905_2019-07.csv"] = month("2019-07", 9, unit="Uusi yksikkö")
    summary, entries = land_and_validate(home, validator, files)
    assert all(e.status == ACCEPTED for e in entries.values())
    assert summary.warnings == {"avohilmo_905_2019-07.csv": ["rows_vs_history", "units_seen_before"]}


def test_files_validated_together_give_each_file_its_own_result_and_quarantine_only_the_failing_one(
        tmp_path, validator):
    """One GX batch for all pending files: a blocking failure quarantines its file with its line numbers;
    every other file's rows and GX result are what validating it alone gives (a quarantined month is no
    history for the later ones either way)."""
    from tiedolla.home import Home

    good = {f"avohilmo_905_2019-{m:02d}.csv": month(f"2019-{m:02d}", 20) for m in (1, 2, 3, 5, 6, 7)}
    good["avohilmo_905_2019-08.csv"] = month("2019-08", 9, unit="Uusi yksikkö")
    good["avohilmo_499_2019-03.csv"] = month("2019-03", 5, assessed=False)
    bad_name = "avohilmo_905_2019-04.csv"

    def ages_out_of_range(path):
        if "2019-04" in path:
            duckdb.sql(f"copy (select * replace (case when _source_line in (3, 5) then 130 else ika end as ika) "
                       f"from read_parquet('{path}')) to '{path}.x' (format parquet)")
            import os
            os.replace(f"{path}.x", path)

    together = Home.at(tmp_path / "together").ensure()
    summary, entries = land_and_validate(together, validator, {**good, bad_name: month("2019-04", 20)},
                                         tamper=ages_out_of_range)
    assert summary.quarantined == [bad_name] and sorted(summary.validated) == sorted(good)
    bad = entries[bad_name]
    assert bad.status == QUARANTINED and "age_in_range" in bad.message
    report = json.loads(open(bad.quarantine_report).read())
    assert [(p["line"], p["column"]) for p in report["first_lines"]] == [(3, "ika"), (5, "ika")]

    alone = Home.at(tmp_path / "alone").ensure()
    for name in sorted(good):
        land_and_validate(alone, validator, {name: good[name]})
    rows_together, rows_alone = results(together), results(alone)
    rows_together = rows_together[rows_together["file"] != bad_name]
    key = ["file", "check_name"]
    pd.testing.assert_frame_equal(rows_together.sort_values(key).reset_index(drop=True),
                                  rows_alone.sort_values(key).reset_index(drop=True))
    assert set(rows_together.query("status != 'passed'")["check_name"]) >= {"rows_vs_history", "units_seen_before",
                                                                            "nonurgent_assessed"}
    for name in good:
        load_id = entries[name].load_id[:16]
        stored = [json.loads((home.checks_dir / "avohilmo" / f"{load_id}.gx.json").read_text())
                  for home in (together, alone)]
        assert stored[0]["results"] == stored[1]["results"] and stored[0]["success"] == stored[1]["success"]
