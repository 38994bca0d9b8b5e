"""Thin and missing deliveries (methods.md revision 2, "Coverage of thin deliveries" and the annualised
`visits_pc_per_1000`), end to end through the command line on real files: Vaasa sends seven ordinary months,
then a header-only export, then nothing; Isokyrö sends every month.

- the header-only month of a municipality with history reads as `poor` with a thin slot, not as zero visits;
- the welfare area's row coverage shows how much of the usual volume is missing;
- a quarter with one month of Vaasa's data is not diluted by the two months without it."""
from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from tests.cli.test_end_to_end import ALL_MUNICIPALITIES, marts, random_month, tiedolla
from tests.deliveries import VisitFile, population_file

HISTORY = [f"2023-0{m}" for m in range(1, 8)]          # seven ordinary months: rows_expected is known
HEADER_ONLY, MISSING = "2023-08", "2023-09"
VAASA_ROWS, ISOKYRO_ROWS = 300, 40
RESIDENTS = {m: (2000 + 10 * i) * 2 for i, m in enumerate(ALL_MUNICIPALITIES)}


@pytest.fixture(scope="module")
def thin(tmp_path_factory):
    home = tmp_path_factory.mktemp("thin") / "home"
    landing = home / "landing" / "avohilmo"
    rng = np.random.default_rng(5)
    visits = {}
    for k, month in enumerate(HISTORY + [HEADER_ONLY, MISSING]):
        first = date.fromisoformat(month + "-01")
        isokyro = random_month(rng, "152", first, ISOKYRO_ROWS, 100000 + 1000 * k)
        VisitFile(isokyro).write(landing / f"avohilmo_152_{month}.csv")
        visits[("152", month)] = isokyro
        if month in HISTORY:
            vaasa = random_month(rng, "905", first, VAASA_ROWS, 1000 * k)
            VisitFile(vaasa).write(landing / f"avohilmo_905_{month}.csv")
            visits[("905", month)] = vaasa
        elif month == HEADER_ONLY:
            VisitFile([]).write(landing / f"avohilmo_905_{month}.csv")
    population_file(home / "landing" / "population" / "vaesto_2022.csv",
                    [(m, "18-64", s, RESIDENTS[m] // 2) for m in ALL_MUNICIPALITIES for s in ("1", "2")])
    tiedolla(home, "run")
    return {"home": home, "visits": visits}


def quality(home, area: str, month: str):
    return marts(home, f"""select * from data_quality where source = 'avohilmo' and area_code = '{area}'
                           and period_start = '{month}-01'""").iloc[0]


def test_a_header_only_file_from_a_municipality_with_history_reads_as_poor_not_as_zero_visits(thin):
    row = quality(thin["home"], "905", HEADER_ONLY)
    assert row["files_received"] == 1 and row["rows_received"] == 0
    assert row["rows_expected"] == VAASA_ROWS
    assert row["thin_slots"] == 1 and row["deliveries_accepted"] == 0
    assert row["coverage"] == 0 and row["coverage_rows"] == 0
    assert row["reliability"] == "poor"
    waits = marts(thin["home"], f"""select reliability from wait_times where area_code = '905'
                                   and period_start = '{HEADER_ONLY}-01'""")
    assert set(waits["reliability"]) == {"poor"}
    rate = marts(thin["home"], f"""select value, reliability from director_indicators
                                  where indicator_id = 'visits_pc_per_1000' and area_code = '905'
                                  and period_grain = 'month' and period_start = '{HEADER_ONLY}-01'""").iloc[0]
    assert np.isnan(rate["value"]) and rate["reliability"] == "poor"     # missing data, not zero visits


def test_an_ordinary_month_is_neither_thin_nor_short_of_rows(thin):
    row = quality(thin["home"], "905", HISTORY[-1])
    assert row["thin_slots"] == 0 and row["coverage"] == 1 and row["coverage_rows"] == 1
    assert row["reliability"] == "good"


def test_the_welfare_area_row_coverage_counts_the_usual_volume_of_what_is_missing(thin):
    for month in (HEADER_ONLY, MISSING):
        row = quality(thin["home"], "17", month)
        # Isokyrö delivered its 40 lines; Vaasa's 300 were expected; the other municipalities have no history
        # and so expect nothing beyond the slot coverage.
        assert row["coverage_rows"] == pytest.approx(ISOKYRO_ROWS / (ISOKYRO_ROWS + VAASA_ROWS), abs=1e-12)
        assert row["reliability"] == "poor"
    assert quality(thin["home"], "17", HEADER_ONLY)["thin_slots"] == 1
    assert quality(thin["home"], "17", MISSING)["thin_slots"] == 0


def test_visits_per_1000_are_annualised_over_the_months_with_data(thin):
    got = marts(thin["home"], """select area_code, value, numerator, denominator from director_indicators
                                 where indicator_id = 'visits_pc_per_1000' and period_grain = 'quarter'
                                 and period_start = '2023-07-01'""").set_index("area_code")
    visits = thin["visits"]
    quarter = ("2023-07", HEADER_ONLY, MISSING)
    for area, months in {"905": [("905", "2023-07")],
                         "17": [("905", "2023-07")] + [("152", m) for m in quarter]}.items():
        person_years = sum(RESIDENTS[m] / 12 for m, _ in months)
        t11 = sum(1 for key in months for v in visits[key] if v["palvelumuoto"] == "T11")
        assert got.loc[area, "denominator"] == pytest.approx(person_years, abs=1e-9)
        assert got.loc[area, "numerator"] == t11
        assert got.loc[area, "value"] == pytest.approx(1000 * t11 / person_years, abs=1e-9)
