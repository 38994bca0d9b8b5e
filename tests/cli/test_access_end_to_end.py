"""Access and channels end to end (issue 3): contacts, Sotkanet downloads and visits landed in a fresh home,
run through the command line, and the published contact_channels, wait_time_benchmarks and
director_indicators compared with an independent pandas computation of sotkanet.md and methods.md."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.cli.test_end_to_end import ALL_MUNICIPALITIES, marts, random_month, tiedolla
from tests.deliveries import VisitFile, population_file

CHANNELS = ["puhelin", "takaisinsoitto", "chat", "omaolo", "sahkoinen_asiointi"]
DIGITAL = {"chat", "omaolo", "sahkoinen_asiointi"}
TITLE_2676 = ("Perusterveydenhuollon avosairaanhoidon lääkärin kiireettömän käynnin odotusaika yli 7 vrk hoidon "
              "tarpeen arvioinnista, % toteutuneista käynneistä")


def contacts_month(rng, month: date, n: int, start: int) -> pd.DataFrame:
    starts = [datetime(month.year, month.month, 1) + timedelta(minutes=int(m))
              for m in rng.integers(0, 27 * 24 * 60, n)]
    home = rng.choice(["905", "499", "152", "", "091"], n, p=[0.5, 0.25, 0.1, 0.1, 0.05])
    return pd.DataFrame({"id": range(start, start + n), "channel": rng.choice(CHANNELS, n),
                         "started": starts, "queue": rng.integers(0, 900, n), "answered": rng.random(n) < 0.85,
                         "home": home})


def write_contacts(path: Path, frame: pd.DataFrame, header: list[str], delimiter: str, stamp: str) -> None:
    lines = [delimiter.join(header)]
    for row in frame.itertuples():
        lines.append(delimiter.join([str(row.id), row.channel, row.started.strftime(stamp), str(row.queue),
                                     "1" if row.answered else "0", row.home]))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


SOTKANET_2676 = {  # (region id, year) → percent; 891 is the welfare area's old id, 971 its new one
    (658, 2022): 48.1, (891, 2022): 38.4, (1905, 2022): 41.0, (1499, 2022): 35.5,
    (658, 2023): 42.2, (971, 2023): 30.3, (1905, 2023): 31.6, (1499, 2023): 27.3,
}
REVISED_2676 = {(658, 2023): 42.9, (971, 2023): 31.1, (1905, 2023): 32.0}   # a later download of 2023 only
SOTKANET_3176 = {(658, 2022): 2.1, (891, 2022): 5.0, (658, 2023): 1.9, (971, 2023): 3.5, (1905, 2023): 4.0}
AREAS = {658: ("SSS", "country"), 891: ("17", "welfare_area"), 971: ("17", "welfare_area"),
         1905: ("905", "municipality"), 1499: ("499", "municipality")}


DELIVERED_VISIT_MONTHS = {"905": ["2022-01", "2023-01", "2023-02"], "499": ["2022-01", "2023-01"]}


@pytest.fixture(scope="module")
def access(tmp_path_factory):
    home = tmp_path_factory.mktemp("access") / "home"
    landing = home / "landing"
    rng = np.random.default_rng(11)
    visits = []
    for municipality, months in DELIVERED_VISIT_MONTHS.items():
        for k, month in enumerate(months):
            rows = random_month(rng, municipality, date.fromisoformat(month + "-01"), 200, 10000 * k)
            VisitFile(rows).write(landing / "avohilmo" / f"avohilmo_{municipality}_{month}.csv")
            visits += [{**r, "municipality": municipality} for r in rows]
    population_file(landing / "population" / "vaesto_2022.csv",
                    [(m, g, s, 1000 + 10 * i) for i, m in enumerate(ALL_MUNICIPALITIES)
                     for g in ("0-6", "18-64", "75+") for s in ("1", "2")])
    contacts = []
    for k, (month, header, delimiter, stamp) in enumerate([
        ("2022-01", ["yhteys_id", "kanava", "alkoi", "jonotus_s", "vastattu", "kotikunta"], ";", "%-d.%-m.%Y %H:%M"),
        ("2023-01", ["kontakt_id", "kanal", "började", "kötid_s", "besvarad", "hemkommun"], "\t", "%Y-%m-%dT%H:%M:%S"),
        ("2023-02", ["yhteys_id", "kanava", "alkoi", "jonotus_s", "vastattu", "kotikunta"], ",", "%Y-%m-%d %H:%M:%S"),
    ]):
        frame = contacts_month(rng, date.fromisoformat(month + "-01"), 400, 1000 * k)
        write_contacts(landing / "contacts" / f"contacts_{month}.csv", frame, header, delimiter, stamp)
        contacts.append(frame)
    sotkanet = landing / "sotkanet"
    sotkanet.mkdir(parents=True)
    regions = [{"id": 658, "code": "SSS", "category": "MAA", "title": {"fi": "Koko maa", "sv": "Hela landet", "en": "Finland"}},
               {"id": 971, "code": "17", "category": "HYVINVOINTIALUE", "title": {"fi": "Pohjanmaa"}},
               {"id": 891, "code": "13", "category": "HYVINVOINTIALUE", "title": {"fi": "Pohjanmaa (vanha)"}},
               {"id": 1905, "code": "905", "category": "KUNTA", "title": {"fi": "Vaasa"}},
               {"id": 1499, "code": "499", "category": "KUNTA", "title": {"fi": "Mustasaari"}}]
    (sotkanet / "sotkanet_regions.json").write_text(json.dumps(regions, ensure_ascii=False))
    (sotkanet / "sotkanet_indicators.json").write_text(json.dumps(
        [{"id": 2676, "title": {"fi": TITLE_2676}}, {"id": 3176, "title": {"fi": "Vanhentunut otsikko"}}],
        ensure_ascii=False))
    dotted = ["indicator;region;year;gender;primary.value;absolute.value"]
    dotted += [f"2676;{r};{y};total;{v};{int(v * 10)}" for (r, y), v in SOTKANET_2676.items()]
    dotted += [f"2676;{r};{y};male;{v + 1};" for (r, y), v in SOTKANET_2676.items()]
    (sotkanet / "sotkanet_2676_2024-01-10.csv").write_text("\n".join(dotted) + "\n")
    revised = ["indicator;region;year;gender;primary value;absolute value"]
    revised += [f"2676;{r};{y};total;{v};" for (r, y), v in REVISED_2676.items()]
    (sotkanet / "sotkanet_2676_2024-06-01.csv").write_text("\n".join(revised) + "\n")
    (sotkanet / "sotkanet_3176_2024-01-10.json").write_text(json.dumps(
        [{"indicator": 3176, "region": r, "year": y, "gender": "total", "value": v}
         for (r, y), v in SOTKANET_3176.items()]))
    run = tiedolla(home, "run", "--verbose")   # the title warning is in the full log
    return {"home": home, "run": run, "visits": pd.DataFrame(visits), "contacts": pd.concat(contacts)}


def close(a, b) -> bool:
    if a is None or (isinstance(a, float) and np.isnan(a)):
        return b is None or (isinstance(b, float) and np.isnan(b))
    return b is not None and not (isinstance(b, float) and np.isnan(b)) and abs(float(a) - float(b)) < 1e-9


def test_run_publishes_the_access_marts_and_warns_about_a_changed_title(access):
    out = access["run"].stdout + access["run"].stderr
    assert "published publication 1" in out
    assert "Sotkanet indicator 3176: title 'Vanhentunut otsikko' no longer matches" in out


def test_contact_channels_equal_an_independent_computation(access):
    c = access["contacts"].assign(month=lambda f: f["started"].map(lambda t: date(t.year, t.month, 1)))
    by_area = pd.concat([c[c["home"].isin(ALL_MUNICIPALITIES)].assign(area=lambda f: f["home"]), c.assign(area="17")])
    got = marts(access["home"], "select * from contact_channels")
    got["period_start"] = got["period_start"].dt.date
    months = len(pd.period_range("2019-01", "2023-02", freq="M"))
    assert len(got) == months * 16 * 5
    got = got.set_index(["area_code", "period_start", "channel"])
    for (area, month), cell in by_area.groupby(["area", "month"]):
        digital = cell["channel"].isin(DIGITAL).mean()
        for channel in CHANNELS:
            rows = cell[cell["channel"] == channel]
            row = got.loc[(area, month, channel)]
            assert row["contacts"] == len(rows)
            answered = rows[rows["answered"]]
            assert close(row["share_answered"], rows["answered"].mean() if len(rows) else None)
            assert close(row["median_queue_seconds"],
                         np.quantile(answered["queue"], 0.5) if len(answered) else None)
            assert close(row["share_digital"], digital)
            assert row["coverage"] == 1.0 and row["reliability"] == "good"
    assert got.loc[("17", date(2022, 2, 1), "chat"), "reliability"] == "missing"


def test_benchmarks_use_the_newest_download_and_both_region_numberings(access):
    latest = {**{k: v for k, v in SOTKANET_2676.items() if k[1] != 2023}, **REVISED_2676}
    expected = []
    for indicator, values in (("wait_pc_doctor_over_7d", latest), ("wait_pc_doctor_over_90d", SOTKANET_3176)):
        for (region, year), percent in values.items():
            area, level = AREAS[region]
            expected.append({"indicator_id": indicator, "area_code": area, "area_level": level, "year": year,
                             "value": percent / 100, "national_value": values[(658, year)] / 100})
    expected = pd.DataFrame(expected)
    got = marts(access["home"], "select *, year(period_start) as year from wait_time_benchmarks")
    assert len(got) == len(expected)
    merged = expected.merge(got, on=["indicator_id", "area_code", "year"], suffixes=("", "_got"))
    assert len(merged) == len(expected)
    for column in ("value", "national_value"):
        assert (merged[column] - merged[f"{column}_got"]).abs().max() < 1e-9
    assert ((merged["value"] - merged["national_value"]) - merged["difference"]).abs().max() < 1e-9


def own_share(visits: pd.DataFrame, area: str, year: int, limit: int) -> float:
    v = visits if area == "17" else visits[visits["municipality"] == area]
    v = v[(v["palvelumuoto"] == "T11") & (v["ammatti"].str.startswith("221")) & (v["kiireellisyys"] == "2")
          & v["hoidon_tarve_pvm"].notna() & (v["kaynti_pvm"].str[:4] == str(year))]
    waits = (pd.to_datetime(v["kaynti_pvm"]) - pd.to_datetime(v["hoidon_tarve_pvm"])).dt.days
    return (waits > limit).mean()


def test_own_value_is_our_figure_for_the_same_definition_area_and_year(access):
    got = marts(access["home"], "select indicator_id, area_code, year(period_start) as year, value, own_value, "
                                "own_minus_published, coverage from wait_time_benchmarks")
    for row in got.itertuples():
        if row.area_code == "SSS":
            assert np.isnan(row.own_value) and np.isnan(row.coverage)
            continue
        limit = 7 if row.indicator_id == "wait_pc_doctor_over_7d" else 90
        want = own_share(access["visits"], row.area_code, row.year, limit)
        assert close(row.own_value, want) and close(row.own_minus_published, want - row.value)


def status(value, operator, target, unit="share"):
    if operator is None:
        return None
    if value is None:
        return "no_data"
    miss = {"<=": value - target, ">=": target - value, "=": abs(value - target)}[operator]
    near = 0.05 if unit == "share" else 0.10 * abs(target)
    return "on_target" if round(miss, 10) <= 0 else "near" if round(miss, 10) <= round(near, 10) else "off_target"


def test_director_indicators_equal_an_independent_computation(access):
    visits, contacts = access["visits"], access["contacts"]
    got = marts(access["home"], "select *, year(period_start) as year from director_indicators")
    got["period_start"] = got["period_start"].dt.date
    row = got.set_index(["indicator_id", "area_code", "period_grain", "period_start"])
    periods = {("month", date(2023, 1, 1)): lambda d: d[:7] == "2023-01",
               ("quarter", date(2023, 1, 1)): lambda d: d[:7] in ("2023-01", "2023-02", "2023-03"),
               ("year", date(2022, 1, 1)): lambda d: d[:4] == "2022"}
    residents = {m: (1000 + 10 * i) * 6 for i, m in enumerate(ALL_MUNICIPALITIES)}
    for (grain, start), in_period in periods.items():
        for area in ("17", "905"):
            v = visits if area == "17" else visits[visits["municipality"] == area]
            v = v[v["kaynti_pvm"].map(in_period)]
            doctor = v[(v["palvelumuoto"] == "T11") & v["ammatti"].str.startswith("221") & (v["kiireellisyys"] == "2")
                       & v["hoidon_tarve_pvm"].notna()]
            waits = (pd.to_datetime(doctor["kaynti_pvm"]) - pd.to_datetime(doctor["hoidon_tarve_pvm"])).dt.days
            over_7 = (waits > 7).mean()
            r = row.loc[("wait_pc_doctor_over_7d", area, grain, start)]
            assert close(r["value"], over_7) and r["numerator"] == (waits > 7).sum() and r["denominator"] == len(waits)
            assert r["status"] == status(over_7, "<=", 0.5)
            # Annualised over the person-years of the municipality-months with data (methods.md revision 2): a
            # quarter with one month of 499 and two of 905 is not diluted by 499's missing month.
            person_years = sum(residents[m] / 12 for m, months in DELIVERED_VISIT_MONTHS.items()
                               for month in months if in_period(month + "-01") and area in ("17", m))
            per_1000 = 1000 * (v["palvelumuoto"] == "T11").sum() / person_years
            rate = row.loc[("visits_pc_per_1000", area, grain, start)]
            assert close(rate["value"], per_1000) and close(rate["denominator"], person_years)
        c = contacts[contacts["started"].map(lambda t: in_period(t.strftime("%Y-%m-%d")))]
        answered = row.loc[("contacts_answered", "17", grain, start)]
        assert close(answered["value"], c["answered"].mean())
        assert answered["status"] == status(c["answered"].mean(), ">=", 0.9)
        digital = row.loc[("contacts_digital", "17", grain, start)]
        assert close(digital["value"], c["channel"].isin(DIGITAL).mean())
    assert ("contacts_answered", "905", "month", date(2023, 1, 1)) not in row.index   # regional source
    change = row.loc[("contacts_answered", "17", "month", date(2023, 1, 1)), "change_12m"]
    jan = lambda y: contacts[contacts["started"].map(lambda t: (t.year, t.month) == (y, 1))]["answered"].mean()
    assert close(change, jan(2023) - jan(2022))
    assert np.isnan(row.loc[("contacts_answered", "17", "month", date(2023, 2, 1)), "change_12m"])
    national = row.loc[("wait_pc_doctor_over_7d", "17", "quarter", date(2023, 1, 1)), "national_value"]
    assert close(national, REVISED_2676[(658, 2023)] / 100)
    coverage = row.loc[("data_coverage", "17", "year", date(2023, 1, 1))]
    assert (coverage["numerator"], coverage["denominator"]) == (3 + 2, 15 * 2 + 2)
    assert coverage["status"] == "off_target"
    assert np.isnan(row.loc[("wait_pc_median_days", "17", "year", date(2022, 1, 1)), "target"])
