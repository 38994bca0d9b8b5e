"""The bundled sample through the command line (issue: "one end-to-end test that drives the CLI on a
temporary home with a small sample layout"): every broken file quarantined, the rest published, and the
region's published 2019 waiting-time figures reproduced from the marts."""
from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.cli.test_end_to_end import CHECK_MARTS, PUBLISHED_SO_FAR, tiedolla
from tiedolla.sample import generate_sample

PUBLISHED = Path(__file__).resolve().parents[1] / "reference" / "published_figures_2019.csv"


@pytest.fixture(scope="module")
def sample_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("sample") / "home"
    sample = tiedolla(home, "sample", "--scale", "0.05", "--months", "2019-01:2019-12", "--seed", "3")
    assert "done in" in sample.stdout
    run = tiedolla(home, "run")
    # The same generator call, in-process, tells which files were meant to be broken.
    summary = generate_sample(tmp_path_factory.mktemp("again") / "landing", scale=0.05, seed=3,
                              months=("2019-01", "2019-12"), log=lambda _: None)
    return home, run, summary


def query(home: Path, sql: str):
    con = duckdb.connect(str(home / "warehouse" / "marts.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def published_2019() -> dict[str, float]:
    with open(PUBLISHED, encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["area"] == "Pohjanmaa"]
    return {r["indicator"]: float(r["value_percent"]) / 100 for r in rows}


def test_every_broken_sample_file_is_quarantined_and_nothing_else(sample_home):
    home, run, summary = sample_home
    status = json.loads(tiedolla(home, "status", "--json").stdout)
    quarantined = {f"{q['source']}/{q['file']}" for q in status["quarantined"]}
    assert quarantined == set(summary.expected_quarantined())
    assert "published publication 1" in run.stdout


def test_sample_publication_meets_the_contract(sample_home):
    home, _, _ = sample_home
    result = subprocess.run([sys.executable, str(CHECK_MARTS), str(home), "--only", ",".join(PUBLISHED_SO_FAR)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_2019_welfare_area_figures_reproduce_the_published_ones(sample_home):
    home, _, _ = sample_home
    figures = dict(query(home, """
        select service_line || ':' || professional_group || ':' || band, share from (
            select service_line, professional_group,
                   1 - sum(share_within_7d * visits_nonurgent) / sum(visits_nonurgent) as over_7,
                   1 - sum(share_within_21d * visits_nonurgent) / sum(visits_nonurgent) as over_21,
                   sum(share_over_90d * visits_nonurgent) / sum(visits_nonurgent) as over_90,
                   sum(share_over_180d * visits_nonurgent) / sum(visits_nonurgent) as over_180
            from wait_times where area_code = '17' and year(period_start) = 2019
            group by all
        ) unpivot (share for band in (over_7, over_21, over_90, over_180))"""))
    published = published_2019()
    doctor_over_7 = next(v for k, v in published.items() if "yli 7 vrk" in k)
    doctor_over_90 = next(v for k, v in published.items() if "yli 3 kk" in k)
    dentist_over_21 = next(v for k, v in published.items() if "yli 21 vrk" in k)
    assert figures["primary_care:doctor:over_7"] == pytest.approx(doctor_over_7, abs=0.01)
    assert figures["primary_care:doctor:over_90"] == pytest.approx(doctor_over_90, abs=0.01)
    assert figures["oral_health:dentist:over_21"] == pytest.approx(dentist_over_21, abs=0.01)
    assert figures["oral_health:dentist:over_90"] == pytest.approx(0.11, abs=0.01)
    assert figures["oral_health:dentist:over_180"] == pytest.approx(0.02, abs=0.01)


def test_kronoby_has_no_expected_slots_before_2023(sample_home):
    home, _, _ = sample_home
    assert query(home, "select count(*) from wait_times where area_code = '288'") == [(0,)]
    assert query(home, "select distinct deliveries_expected from data_quality where area_code = '17' "
                       "and source = 'avohilmo'") == [(14,)]


def test_2019_own_figures_land_within_a_point_of_sotkanets(sample_home):
    home, _, _ = sample_home
    rows = query(home, """
        select indicator_id, value, own_value, own_minus_published from wait_time_benchmarks
        where area_code = '17' and year(period_start) = 2019 order by 1""")
    assert [r[0] for r in rows] == ["wait_dentist_over_21d", "wait_pc_doctor_over_7d", "wait_pc_doctor_over_90d"]
    published = {"wait_dentist_over_21d": 0.548, "wait_pc_doctor_over_7d": 0.471, "wait_pc_doctor_over_90d": 0.064}
    for indicator, value, own, gap in rows:
        assert value == pytest.approx(published[indicator], abs=1e-12)
        assert abs(gap) <= 0.01 and own == pytest.approx(value + gap, abs=1e-12)


def test_sample_director_indicators_cover_every_indicator_with_a_delivered_source(sample_home):
    home, _, _ = sample_home
    indicators = {r[0] for r in query(home, "select distinct indicator_id from director_indicators")}
    assert indicators == {"wait_pc_doctor_over_7d", "wait_pc_doctor_over_90d", "wait_pc_within_guarantee",
                          "wait_pc_median_days", "wait_dentist_over_21d", "wait_oral_within_guarantee",
                          "contacts_answered", "contacts_digital", "visits_pc_per_1000", "data_coverage",
                          "intervention_completion", "rai_maple_high"}


def test_status_lists_off_target_indicators_once_each_and_never_an_immature_completion(sample_home):
    """methods.md revision 2 / issue 16: completion of the latest months is not_mature (ongoing enrolments are not
    failures), so `tiedolla status` never lists it as off target; each off-target indicator is one line."""
    home, _, _ = sample_home
    immature = query(home, """select count(*) from director_indicators where indicator_id = 'intervention_completion'
                              and status = 'not_mature' and value is null and numerator is null""")[0][0]
    assert immature > 0
    assert query(home, """select count(*) from director_indicators where indicator_id = 'intervention_completion'
                          and period_start + interval 1 year > '2019-12-31' and period_grain = 'month'
                          and status <> 'not_mature'""")[0][0] == 0
    status = json.loads(tiedolla(home, "status", "--json").stdout)["off_target"]
    listed = [item["indicator_id"] for item in status["indicators"]]
    assert len(listed) == len(set(listed)) and "intervention_completion" not in listed
    text = tiedolla(home, "status").stdout
    block = text.split("off target in", 1)[1].split("\n\n", 1)[0].splitlines()[1:]
    assert [line.split(" (", 1)[0].strip() for line in block] == listed
    for item in status["indicators"]:
        assert query(home, f"""select count(*) from director_indicators where indicator_id = '{item['indicator_id']}'
                               and period_grain = 'month' and period_start = '{status['month']}-01'
                               and status = 'off_target'""")[0][0] == len(item["areas"])
