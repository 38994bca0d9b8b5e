"""pipeline.md, "Bad input, faults and privacy": bad input never crashes a run and never loses good data.

The whole corpus (tests/reliability/corpus.py) and a few good deliveries land in one home; `tiedolla run` runs
once; every file must then meet exactly the fate its source's spec gives it, and the good rows come through.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from tests.cli.test_end_to_end import tiedolla
from tests.reliability.corpus import CASES, GOOD_FILES, GOOD_VISITS, MARK, Case

SOURCES = {"avohilmo", "population", "contacts", "rai", "interventions", "outcomes", "sotkanet"}


@dataclass
class Outcome:
    home: Path
    output: str
    load_log: pd.DataFrame       # one row per file received
    rejects: pd.DataFrame        # the reject log: rejected lines of accepted files
    checks: pd.DataFrame         # check_results: GX and ingest checks
    reports: dict[str, Path]     # file name → its quarantine report (JSON)


@pytest.fixture(scope="module")
def outcome(tmp_path_factory) -> Outcome:
    home = tmp_path_factory.mktemp("corpus") / "home"
    for source, name, build in [(c.source, c.file_name, c.build) for c in CASES] + GOOD_FILES:
        folder = home / "landing" / source
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(build())
    result = tiedolla(home, "run", check=False)
    assert result.returncode == 0, f"the run failed on bad input:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    meta = home / "raw" / "_meta"
    reports = {}
    for path in (home / "quarantine").glob("*/*/*.report.json"):
        name = path.name.removesuffix(".report.json")
        assert name not in reports, f"{name} was quarantined twice"
        reports[name] = path
    return Outcome(home, result.stdout + result.stderr, pd.read_parquet(meta / "load_log.parquet"),
                   pd.read_parquet(meta / "rejected_rows.parquet"), pd.read_parquet(meta / "check_results.parquet"),
                   reports)


def text(value) -> str:
    return value if isinstance(value, str) else ""


def entry_of(outcome: Outcome, file_name: str) -> pd.Series:
    rows = outcome.load_log[outcome.load_log["file_name"] == file_name]
    assert len(rows) == 1, f"{file_name}: {len(rows)} load-log entries"
    return rows.iloc[0]


def rejected_lines(outcome: Outcome, file_name: str) -> list[tuple]:
    rows = outcome.rejects[outcome.rejects["file_name"] == file_name].sort_values("line")
    return [(int(r.line), r.column_name, r.reason) for r in rows.itertuples()]


def warnings_of(outcome: Outcome, entry: pd.Series) -> str:
    """The load report's warnings and the names of the warning checks that failed, as one text."""
    checks = outcome.checks[(outcome.checks["file"] == entry.file_name) & (outcome.checks["severity"] == "warning")
                            & (outcome.checks["status"] == "failed")]
    return " | ".join([text(entry.warnings)] + sorted(checks["check_name"]))


def accepted_lines(entry: pd.Series) -> list[int]:
    return duckdb.sql(f"select _source_line from read_parquet('{entry.parquet_path}') order by 1").fetchnumpy()[
        "_source_line"].tolist()


def test_the_corpus_has_thirty_cases_over_every_source_and_one_slot_each():
    assert len(CASES) >= 30
    assert {c.source for c in CASES} == SOURCES
    names = [c.file_name for c in CASES] + [name for _, name, _ in GOOD_FILES]
    assert len(names) == len(set(names))
    assert {c.fate.kind for c in CASES} == {"quarantined", "rows_rejected", "loaded"}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_bad_file_meets_the_fate_its_spec_gives_it(outcome, case: Case):
    entry, fate = entry_of(outcome, case.file_name), case.fate
    if fate.kind == "quarantined":
        assert entry.status == "quarantined" and entry.problem == fate.problem, (case.rule, entry.message)
        report = json.loads(outcome.reports[case.file_name].read_text(encoding="utf-8"))
        assert report["problem"] == fate.problem and report["file_name"] == case.file_name
        assert outcome.reports[case.file_name].with_suffix(".txt").exists()
        if fate.lines:
            assert list(dict.fromkeys(item["line"] for item in report["first_lines"])) == list(fate.lines)
        assert not text(entry.parquet_path) or not Path(entry.parquet_path).exists(), "nothing of it loads"
        assert rejected_lines(outcome, case.file_name) == []
        return
    assert entry.status == "accepted", (case.rule, entry.problem, entry.message)
    assert case.file_name not in outcome.reports
    assert rejected_lines(outcome, case.file_name) == list(fate.rejected), case.rule
    assert (entry.rows_accepted, entry.rows_rejected, entry.rows_duplicate) == (
        fate.accepted, len(fate.rejected), fate.duplicates)
    lines = accepted_lines(entry)
    assert len(lines) == fate.accepted and not set(lines) & {line for line, _, _ in fate.rejected}
    if fate.warning:
        assert fate.warning in warnings_of(outcome, entry), case.rule


def test_every_landed_file_ends_in_exactly_one_fate(outcome):
    """One load-log entry per file; a quarantine report exactly for the quarantined ones, accepted the rest."""
    landed = {p.name for p in (outcome.home / "landing").glob("*/*")}
    assert sorted(outcome.load_log["file_name"]) == sorted(landed)
    quarantined = set(outcome.load_log.loc[outcome.load_log["status"] == "quarantined", "file_name"])
    accepted = set(outcome.load_log.loc[outcome.load_log["status"] == "accepted", "file_name"])
    assert quarantined | accepted == landed and not quarantined & accepted
    assert set(outcome.reports) == quarantined


def test_good_deliveries_land_untouched_beside_the_bad(outcome):
    for _, name, _ in GOOD_FILES:
        entry = entry_of(outcome, name)
        assert entry.status == "accepted" and entry.rows_rejected == 0 and not text(entry.warnings)
    entry = entry_of(outcome, GOOD_VISITS[1])
    stored = duckdb.sql(f"select kaynti_id, asiakas_tunniste, ika, yksikko, hoidon_tarve_pvm::varchar, "
                        f"kaynti_pvm::varchar from read_parquet('{entry.parquet_path}') "
                        "order by _source_line").fetchall()
    expected = [(r["kaynti_id"], r["asiakas_tunniste"], r["ika"], r["yksikko"], r["hoidon_tarve_pvm"],
                 r["kaynti_pvm"]) for r in GOOD_VISITS[2]()]
    assert stored == expected
    con = duckdb.connect(str(outcome.home / "warehouse" / "marts.duckdb"), read_only=True)
    try:
        (visits,) = con.execute("""
            select sum(visits_nonurgent) from wait_times where area_code = '905' and period_start = date '2023-01-01'
                and service_line = 'primary_care' and professional_group = 'doctor'""").fetchone()
        quality = dict(con.execute("""
            select area_code, files_quarantined from data_quality
            where source = 'avohilmo' and period_start = date '2023-01-01'
                and area_code in ('152', '905')""").fetchall())
        (rejected,) = con.execute("""
            select rows_rejected from data_quality
            where source = 'avohilmo' and period_start = date '2023-02-01' and area_code = '287'""").fetchone()
    finally:
        con.close()
    assert visits == len(expected)                 # the good file's 40 visits, nothing of the bad ones
    assert quality == {"152": 1, "905": 0}         # truncated file of 152 counted; 905's bad names name no slot
    assert rejected == 2


def test_a_quote_inside_an_unquoted_field_is_kept_as_written(outcome):
    entry = entry_of(outcome, "avohilmo_231_2023-05.csv")
    (unit,) = duckdb.sql(f"select yksikko from read_parquet('{entry.parquet_path}') where _source_line = 10").fetchone()
    assert unit == 'Vaasan "keskus"'


def test_reports_logs_and_the_reject_log_never_quote_an_identifying_value(outcome):
    """avohilmo.md: reports and logs may quote an offending value, never asiakas_tunniste or kaynti_id."""
    for path in (outcome.home / "quarantine").glob("*/*/*.report.*"):
        assert MARK.lower() not in path.read_text(encoding="utf-8").lower(), path.name
    assert MARK not in outcome.output
    values = outcome.rejects["value"].dropna()
    assert not values.str.contains(MARK, case=False).any()
    observed = outcome.checks["observed"].dropna()
    assert not observed.str.contains(MARK, case=False).any()
