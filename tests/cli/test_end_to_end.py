"""End to end through the command line on a temporary home (pipeline.md): land hand-made deliveries of
several variants, run, and compare the published marts with an independent computation (methods.md)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from tests.cli.independent import expected_wait_times
from tests.deliveries import VisitFile, population_file, visit

ROOT = Path(__file__).resolve().parents[2]
CHECK_MARTS = ROOT / "tests" / "reference" / "check_marts.py"
# Every mart of marts.md.
PUBLISHED_SO_FAR = ["dim_area", "wait_times", "data_quality", "contact_channels", "wait_time_benchmarks",
                    "indicator_catalog", "director_indicators", "segment_summary", "intervention_effects",
                    "publication"]
# Published beyond marts.md: the evaluators' yearly waiting times and the labels exports are built from.
PUBLISHED_EXTRA = ["wait_times_yearly", "category_labels", "column_catalog"]
ALL_MUNICIPALITIES = ["152", "231", "280", "287", "288", "399", "440", "475", "499", "545", "598", "599", "893",
                      "905", "946"]


def tiedolla(home: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "TIEDOLLA_HOME": str(home)}
    result = subprocess.run([sys.executable, "-m", "tiedolla.cli", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=600)
    if check and result.returncode != 0:
        raise AssertionError(f"tiedolla {' '.join(args)} exited {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


def random_month(rng, municipality: str, month: date, n: int, start_id: int) -> list[dict]:
    """n visits of a month: mixed lines, groups, urgencies, ages around the 23-year limit, waits 0–200 days."""
    rows = []
    for i in range(n):
        day = month + timedelta(days=int(rng.integers(0, 28)))
        wait = int(rng.choice([0, 3, 7, 8, 14, 15, 21, 22, 60, 90, 91, 120, 181, 200]))
        assessed = None if rng.random() < 0.1 else (day - timedelta(days=wait)).isoformat()
        service, occupation = [("T11", "2211"), ("T11", "2221"), ("T11", "2264"), ("T60", "2261"),
                               ("T60", "3251"), ("T40", "2221")][int(rng.integers(0, 6))]
        rows.append(visit(start_id + i, f"{municipality}-c{int(rng.integers(0, 40))}", day.isoformat(), assessed,
                          age=int(rng.choice([5, 22, 23, 40, 80])), service=service, occupation=occupation,
                          urgency="1" if rng.random() < 0.15 else "2", home=municipality))
    return rows


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """Land a small region (2023-08…2023-10) with every kind of trouble, run once, return what we know."""
    home = tmp_path_factory.mktemp("e2e") / "home"
    landing = home / "landing" / "avohilmo"
    rng = np.random.default_rng(7)
    live: list[dict] = []
    months = [date(2023, 8, 1), date(2023, 9, 1), date(2023, 10, 1)]

    def land(name, rows, is_live=True, **variant):
        VisitFile(rows, **variant).write(landing / name)
        if is_live:
            live.extend({**r, "municipality": name.split("_")[1]} for r in rows)

    rows_905 = {m: random_month(rng, "905", m, 300, 1000 * k) for k, m in enumerate(months)}
    land("avohilmo_905_2023-08.csv", rows_905[months[0]])
    land("avohilmo_905_2023-09.csv", rows_905[months[1]], is_live=False)
    land("avohilmo_905_2023-09_v2.csv", rows_905[months[1]][:250], delimiter=",", encoding="utf-8-sig")
    land("avohilmo_905_2023-10.csv", rows_905[months[2]], date_style="iso", line_ending="\r\n")
    land("avohilmo_499_2023-08.csv", random_month(rng, "499", months[0], 120, 5000), language="sv",
         encoding="cp1252", delimiter="\t")
    # 499 misses September; its October file is broken (a required column missing): quarantined.
    land("avohilmo_499_2023-10.csv", random_month(rng, "499", months[2], 50, 6000), is_live=False,
         columns=[c for c in VisitFile([]).columns if c != "kiireellisyys"])
    # Kronoby (expected from 2023-01) delivers a tiny month: suppressed cells.
    land("avohilmo_288_2023-09.csv", [visit(1, "k1", "2023-09-05", "2023-09-01", home="288"),
                                       visit(2, "k2", "2023-09-06", "2023-08-20", home="288")])
    population_file(home / "landing" / "population" / "vaesto_2023.csv",
                    [(m, g, s, 100) for m in ALL_MUNICIPALITIES for g in ("0-6", "18-64") for s in ("1", "2")])
    first = tiedolla(home, "run")
    return {"home": home, "live": pd.DataFrame(live), "first": first, "months": months}


def marts(home: Path, query: str) -> pd.DataFrame:
    con = duckdb.connect(str(home / "warehouse" / "marts.duckdb"), read_only=True)
    try:
        return con.execute(query).df()
    finally:
        con.close()


def expected_coverage(months: list[date]) -> dict:
    """Every municipality-month expected from deliveries_expected_from (Kronoby 2023-01) up to 2023-10."""
    accepted = {("905", months[0]), ("905", months[1]), ("905", months[2]), ("499", months[0]), ("288", months[1])}
    coverage = {}
    month = date(2019, 1, 1)
    while month <= months[-1]:
        expected = [m for m in ALL_MUNICIPALITIES if m != "288" or month >= date(2023, 1, 1)]
        for m in expected:
            coverage[(m, month)] = float((m, month) in accepted)
        coverage[("17", month)] = sum((m, month) in accepted for m in expected) / len(expected)
        month = (month + timedelta(days=32)).replace(day=1)
    return coverage


def test_run_publishes_and_reports_quarantine(published):
    out = published["first"].stdout
    assert "published publication 1" in out
    assert "avohilmo_499_2023-10.csv: missing_required_column" in out
    assert "select" in out  # the example queries


def test_published_file_meets_the_marts_contract(published):
    result = subprocess.run([sys.executable, str(CHECK_MARTS), str(published["home"]), "--only",
                             ",".join(PUBLISHED_SO_FAR)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
    tables = set(marts(published["home"], "select table_name from information_schema.tables")["table_name"])
    assert tables == set(PUBLISHED_SO_FAR + PUBLISHED_EXTRA)


def test_wait_times_equal_an_independent_computation(published):
    expected = expected_wait_times(published["live"].rename(columns={
        "asiakas_tunniste": "client", "ika": "age", "palvelumuoto": "service_type", "ammatti": "occupation",
        "kiireellisyys": "urgency", "kaynti_pvm": "visit_date", "hoidon_tarve_pvm": "assessed"}).assign(
        visit_date=lambda f: f["visit_date"].map(date.fromisoformat),
        assessed=lambda f: f["assessed"].map(lambda a: date.fromisoformat(a) if isinstance(a, str) else None)),
        expected_coverage(published["months"]))
    got = marts(published["home"], "select * from wait_times")
    got["period_start"] = got["period_start"].dt.date
    key = ["area_code", "period_start", "service_line", "professional_group"]
    assert len(got) == len(expected) == len(got.drop_duplicates(key))
    merged = expected.merge(got, on=key, suffixes=("_want", "_got"))
    assert len(merged) == len(expected)
    for column in ["visits_nonurgent", "visits_nonurgent_unassessed", "median_wait_days", "p90_wait_days",
                   "share_within_7d", "share_within_14d", "share_within_21d", "share_over_90d", "share_over_180d",
                   "share_within_guarantee", "guarantee_days", "coverage"]:
        want = pd.to_numeric(merged[f"{column}_want"], errors="coerce").astype(float)
        have = pd.to_numeric(merged[f"{column}_got"], errors="coerce").astype(float)
        assert ((want.isna() & have.isna()) | ((want - have).abs() < 1e-9)).all(), column
    assert (merged["is_suppressed_want"] == merged["is_suppressed_got"]).all()
    assert merged["is_suppressed_got"].any() and not merged["is_suppressed_got"].all()


def test_yearly_wait_times_equal_an_independent_computation_over_the_whole_year(published):
    """wait_times_yearly counts every visit of the year once, suppressed months included."""
    monthly = expected_coverage(published["months"])
    accepted, expected = {}, {}
    for (area, month), coverage in monthly.items():
        key = (area, date(month.year, 1, 1))
        slots = 1 if area != "17" else len([m for m in ALL_MUNICIPALITIES if m != "288" or month.year >= 2023])
        accepted[key] = accepted.get(key, 0) + coverage * slots
        expected[key] = expected.get(key, 0) + slots
    want = expected_wait_times(_live_visits(published), {k: accepted[k] / expected[k] for k in expected},
                               period=lambda day: date(day.year, 1, 1))
    got = marts(published["home"], "select * from wait_times_yearly")
    got["period_start"] = got["period_start"].dt.date
    key = ["area_code", "period_start", "service_line", "professional_group"]
    assert len(got) == len(want) == len(got.drop_duplicates(key))
    merged = want.merge(got, on=key, suffixes=("_want", "_got"))
    assert len(merged) == len(want)
    for column in ["visits_nonurgent", "visits_nonurgent_unassessed", "median_wait_days", "p90_wait_days",
                   "share_within_7d", "share_within_14d", "share_over_90d", "share_within_guarantee", "coverage"]:
        a = pd.to_numeric(merged[f"{column}_want"], errors="coerce").astype(float)
        b = pd.to_numeric(merged[f"{column}_got"], errors="coerce").astype(float)
        assert ((a.isna() & b.isna()) | ((a - b).abs() < 1e-9)).all(), column
    assert (merged["is_suppressed_want"] == merged["is_suppressed_got"]).all()
    # Kronoby's tiny September is suppressed by month and by year alike; 905's year is not.
    kronoby = merged[(merged.area_code == "288") & (merged.period_start == date(2023, 1, 1))]
    assert kronoby.is_suppressed_got.any()


def _live_visits(published) -> pd.DataFrame:
    return published["live"].rename(columns={
        "asiakas_tunniste": "client", "ika": "age", "palvelumuoto": "service_type", "ammatti": "occupation",
        "kiireellisyys": "urgency", "kaynti_pvm": "visit_date", "hoidon_tarve_pvm": "assessed"}).assign(
        visit_date=lambda f: f["visit_date"].map(date.fromisoformat),
        assessed=lambda f: f["assessed"].map(lambda a: date.fromisoformat(a) if isinstance(a, str) else None))


def test_data_quality_counts_files_rows_and_reliability(published):
    dq = marts(published["home"], "select * from data_quality where source = 'avohilmo'")
    dq["period_start"] = dq["period_start"].dt.date
    row = dq.set_index(["area_code", "period_start"])
    sept, octo = date(2023, 9, 1), date(2023, 10, 1)
    assert row.loc[("905", sept), "files_received"] == 2
    assert row.loc[("905", sept), "rows_received"] == 250
    assert row.loc[("905", sept), "reliability"] == "good"
    assert row.loc[("499", sept), "reliability"] == "missing"
    assert (row.loc[("499", octo), "files_quarantined"], row.loc[("499", octo), "deliveries_accepted"]) == (1, 0)
    assert row.loc[("499", octo), "reliability"] == "poor"
    assert row.loc[("17", sept), "deliveries_expected"] == 15
    assert row.loc[("17", sept), "deliveries_accepted"] == 2
    assert row.loc[("17", date(2022, 12, 1)), "deliveries_expected"] == 14
    assert row.loc[("17", sept), "files_received"] == 3
    pop = marts(published["home"], "select * from data_quality where source = 'population'")
    pop["year"] = pop["period_start"].dt.year
    municipal = pop[pop["area_level"] == "municipality"]
    # Yearly slots from deliveries_expected_from (2019; Kronoby 2023) up to the as-of year 2023.
    assert len(municipal) == 14 * 5 + 1
    assert set(municipal[municipal["year"] == 2023]["reliability"]) == {"good"}
    assert set(municipal[municipal["year"] < 2023]["reliability"]) == {"missing"}
    assert pop[(pop["area_level"] == "welfare_area") & (pop["year"] == 2023)]["files_received"].tolist() == [1]


def test_no_client_level_data_is_published(published):
    columns = marts(published["home"], "select column_name from information_schema.columns")["column_name"]
    assert not any(c in ("client_id", "asiakas_tunniste", "kaynti_id", "visit_id") for c in columns)
    assert (published["home"] / "raw").stat().st_mode & 0o077 == 0


def test_second_run_changes_nothing(published):
    home = published["home"]
    before = marts(home, "select * from wait_times order by all")
    second = tiedolla(home, "run")
    assert "no changes; publication 1 is current" in second.stdout
    assert marts(home, "select count(*) as n from publication")["n"][0] == 1
    pd.testing.assert_frame_equal(before, marts(home, "select * from wait_times order by all"))


def test_status_and_sql_read_the_publication(published):
    home = published["home"]
    status = json.loads(tiedolla(home, "status", "--json").stdout)
    assert status["publication"]["publication_id"] == 1
    assert {q["file"] for q in status["quarantined"]} == {"avohilmo_499_2023-10.csv"}
    csv_out = tiedolla(home, "sql", "select count(*) as n from marts.dim_area", "--format", "csv").stdout
    assert csv_out.splitlines() == ["n", "32"]
    bad = tiedolla(home, "sql", "select * from nowhere", check=False)
    assert bad.returncode == 1 and "query failed" in bad.stderr


def test_a_failed_run_publishes_nothing_and_the_next_run_completes_the_work(published):
    home = published["home"]
    before = (home / "warehouse" / "marts.duckdb").read_bytes()
    VisitFile([visit(1, "n1", "2023-11-02", "2023-10-30")]).write(home / "landing" / "avohilmo" / "avohilmo_905_2023-11.csv")
    (home / "warehouse" / "build.duckdb").write_bytes(b"not a database")   # a fault in the transform stage
    failed = tiedolla(home, "run", check=False)
    assert failed.returncode == 1 and "nothing was published" in failed.stderr
    assert (home / "warehouse" / "marts.duckdb").read_bytes() == before
    (home / "warehouse" / "build.duckdb").unlink()
    recovered = tiedolla(home, "run")
    assert "published publication 2" in recovered.stdout
    months = marts(home, "select max(period_start) as m from wait_times")["m"][0]
    assert str(months)[:7] == "2023-11"
