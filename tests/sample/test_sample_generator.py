"""The synthetic sample: calibration to the published 2019 waits, every kind of patchiness, determinism."""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tiedolla.sample import generate_sample
from tiedolla.sample import summary as kinds
from tiedolla.sample.waits import BANDS, WAIT_SHARES, shares_for

SMALL = {"scale": 0.05, "months": ("2023-01", "2023-03"), "municipalities": ["905", "288", "499"]}
SV_TO_FI = {"besok_id": "kaynti_id", "klient_id": "asiakas_tunniste", "hemkommun": "kotikunta",
            "alder": "ika", "enhet": "yksikko", "serviceform": "palvelumuoto", "yrke": "ammatti",
            "kontaktsatt": "yhteystapa", "bradskande": "kiireellisyys", "kontakt_datum": "yhteydenotto_pvm",
            "vardbehov_datum": "hoidon_tarve_pvm", "besok_datum": "kaynti_pvm",
            "kommun": "kunta", "åldersgrupp": "ikaryhma", "kön": "sukupuoli", "befolkning": "vaesto"}
VISIT_NAME = re.compile(r"avohilmo_(\d{3})_(\d{4})-(0[1-9]|1[0-2])(?:_v(\d+))?\.csv")
POPULATION_NAME = re.compile(r"vaesto_(\d{4})(?:_v(\d+))?\.csv")


# --- reading the files back, independently of the pipeline -------------------------------------------------

def decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def read_csv(path: Path) -> pd.DataFrame:
    """Any accepted variant → text columns with Finnish names."""
    text = decode(path.read_bytes())
    header = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=header.count)
    frame = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False)
    frame.columns = [SV_TO_FI.get(c.strip().lower(), c.strip().lower()) for c in frame.columns]
    return frame


def parse_dates(values: pd.Series) -> pd.Series:
    filled = values[values != ""]
    iso = filled.str.contains("-").mean() >= 0.5 if len(filled) else True
    fmt = "%Y-%m-%d" if iso else "%d.%m.%Y"
    return pd.to_datetime(values.where(values != ""), format=fmt, errors="coerce")


def valid_visits(path: Path) -> pd.DataFrame:
    """A file's rows that follow the row rules, the later line winning among duplicated ids."""
    frame = read_csv(path)
    for column in ("yhteydenotto_pvm", "hoidon_tarve_pvm", "kaynti_pvm"):
        frame[column + "_d"] = parse_dates(frame[column])
    bad_assessment = frame["hoidon_tarve_pvm"].ne("") & frame["hoidon_tarve_pvm_d"].isna()
    bad_date = frame["kaynti_pvm_d"].isna() | bad_assessment
    wait = (frame["kaynti_pvm_d"] - frame["hoidon_tarve_pvm_d"]).dt.days
    frame = frame[~bad_date & ~(wait < 0) & ~(wait > 730) & (frame["ika"].astype(int) <= 120)]
    return frame.drop_duplicates("kaynti_id", keep="last").assign(_file=path.name)


def live_visits(landing: Path, summary) -> pd.DataFrame:
    """Rows of the highest version of each municipality-month that is not meant to be quarantined."""
    broken = {f.split("/", 1)[1] for f in summary.expected_quarantined()}
    live: dict[tuple[str, str], tuple[int, Path]] = {}
    for path in (landing / "avohilmo").iterdir():
        match = VISIT_NAME.fullmatch(path.name)
        if not match or path.name in broken:
            continue
        slot, version = (match[1], f"{match[2]}-{match[3]}"), int(match[4] or 1)
        if slot not in live or live[slot][0] < version:
            live[slot] = (version, path)
    frames = [valid_visits(path).assign(_slot=slot[0]) for slot, (_, path) in sorted(live.items())]
    return pd.concat(frames, ignore_index=True)


def wait_shares(visits: pd.DataFrame, year: int) -> dict[str, float]:
    """Sotkanet's shares over non-urgent visits with a needs assessment, visits of `year`."""
    assessed = visits[(visits["kiireellisyys"] == "2") & visits["hoidon_tarve_pvm_d"].notna()
                      & (visits["kaynti_pvm_d"].dt.year == year)]
    wait = (assessed["kaynti_pvm_d"] - assessed["hoidon_tarve_pvm_d"]).dt.days
    doctor = (assessed["palvelumuoto"] == "T11") & assessed["ammatti"].str.startswith("221")
    dentist = (assessed["palvelumuoto"] == "T60") & (assessed["ammatti"] == "2261")
    return {"doctor_over_7": (wait[doctor] > 7).mean(), "doctor_over_90": (wait[doctor] > 90).mean(),
            "dentist_over_21": (wait[dentist] > 21).mean(), "dentist_over_90": (wait[dentist] > 90).mean(),
            "dentist_over_180": (wait[dentist] > 180).mean(),
            "doctor_visits": int(doctor.sum()), "dentist_visits": int(dentist.sum())}


PUBLISHED_2019 = {"doctor_over_7": 0.471, "doctor_over_90": 0.064, "dentist_over_21": 0.548,
                  "dentist_over_90": 0.11, "dentist_over_180": 0.02}


# --- fixtures ----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def small(tmp_path_factory):
    landing = tmp_path_factory.mktemp("small") / "landing"
    return landing, generate_sample(landing, seed=1, log=lambda _: None, **SMALL)


# --- tests ----------------------------------------------------------------------------------------------

def test_wait_table_rows_are_shares_of_all_bands():
    for group, periods in WAIT_SHARES.items():
        for start, shares in periods.items():
            assert len(shares) == len(BANDS) and abs(sum(shares) - 100) < 1e-9, (group, start)


def test_waits_shorten_and_the_2023_guarantee_shows():
    def within(group, month, band):
        return shares_for(group, month)[:band + 1].sum()
    assert within("primary_doctor", "2023-09", 2) >= 0.85 > within("primary_doctor", "2023-08", 2)
    for group in ("primary_doctor", "oral_dentist"):
        yearly = [within(group, f"{year}-06", 3) for year in range(2019, 2024)]
        assert yearly == sorted(yearly)


def test_2019_waits_match_published_figures(tmp_path):
    landing = tmp_path / "landing"
    summary = generate_sample(landing, scale=0.05, seed=3, months=("2019-01", "2019-12"), log=lambda _: None)
    shares = wait_shares(live_visits(landing, summary), 2019)
    for name, published in PUBLISHED_2019.items():
        assert shares[name] == pytest.approx(published, abs=0.01), (name, shares)


def test_every_kind_of_patchiness_in_a_small_layout(small):
    landing, summary = small
    every = ({kinds.MISSING_SLOT, kinds.RESUBMISSION, kinds.FIRST_VERSION, kinds.HEADER_ONLY,
              kinds.REJECTED_ROWS, kinds.DUPLICATE_IDS, kinds.DUPLICATE_KEY}
             | set(kinds.FORMAT_KINDS) | set(kinds.QUARANTINE_KINDS))
    assert every <= set(summary.patchiness)
    visit_kinds = {kind for kind, files in summary.patchiness.items()
                   if any(f.startswith("avohilmo/") for f in files)}
    assert every - {kinds.DUPLICATE_KEY} <= visit_kinds


def test_visit_format_kinds_show_on_live_files(small):
    _, summary = small
    hidden = kinds.QUARANTINE_KINDS | {kinds.HEADER_ONLY, kinds.FIRST_VERSION}
    files = [f"avohilmo/{name}" for name in summary.files["avohilmo"]]
    live = [f for f in files if not set(summary.kinds_of(f)) & hidden]
    assert set(kinds.FORMAT_KINDS) <= {kind for f in live for kind in summary.kinds_of(f)}


def test_files_are_what_the_summary_says(small):
    landing, summary = small

    def files(kind, source="avohilmo"):
        found = [landing / f for f in summary.files_with(kind) if f.startswith(source + "/")]
        assert found, kind
        return found

    def header(path):
        return decode(path.read_bytes()).split("\n", 1)[0].rstrip("\r")

    assert all(p.stat().st_size == 0 for p in files(kinds.ZERO_BYTES))
    assert all(not p.exists() for p in files(kinds.MISSING_SLOT))
    for path in files(kinds.WINDOWS_1252) + files(kinds.WINDOWS_1252, "population"):
        data = path.read_bytes()
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")
        assert re.search("[äöå]", data.decode("cp1252"))
    assert all(p.read_bytes().startswith(b"\xef\xbb\xbf") for p in files(kinds.UTF8_BOM))
    assert all(b"\r\n" in p.read_bytes() for p in files(kinds.CRLF))
    assert all(p.read_bytes().endswith((b"\n\n", b"\r\n\r\n")) for p in files(kinds.TRAILING_EMPTY_LINE))
    assert all("\t" in header(p) for p in files(kinds.DELIMITER_TAB))
    for path in files(kinds.DELIMITER_COMMA):
        assert header(path).count(",") == 11 + ("kesto_h" in header(path) or "varaktighet_h" in header(path))
        rows = list(csv.reader(io.StringIO(decode(path.read_bytes()))))
        assert {len(row) for row in rows if row} == {len(rows[0])}
    assert all("besok_id" in header(p) for p in files(kinds.SWEDISH_HEADER))
    assert all(not header(p).startswith(("kaynti_id", "besok_id")) for p in files(kinds.COLUMN_ORDER))
    for path in files(kinds.EXTRA_COLUMN):
        frame = read_csv(path)
        extra = "kesto_h" if "kesto_h" in frame else "varaktighet_h"
        assert frame[extra].str.fullmatch(r"\d+,\d+").all()
    patterns = {kinds.DATE_ISO: r"\d{4}-\d{2}-\d{2}", kinds.DATE_DD_MM_YYYY: r"\d{2}\.\d{2}\.\d{4}",
                kinds.DATE_D_M_YYYY: r"\d{1,2}\.\d{1,2}\.\d{4}"}
    for kind, pattern in patterns.items():
        for path in files(kind):
            if f"avohilmo/{path.name}" in summary.expected_quarantined():
                continue
            dates = read_csv(path)["kaynti_pvm"]
            assert dates.str.fullmatch(pattern).mean() > 0.95, (kind, path.name)
    assert files(kinds.DATE_D_M_YYYY) and any(
        read_csv(p)["kaynti_pvm"].str.match(r"\d\.").any() for p in files(kinds.DATE_D_M_YYYY))
    assert all(len(read_csv(p)) == 0 for p in files(kinds.HEADER_ONLY))
    for path in files(kinds.MISSING_COLUMN):
        names = re.split("[;,\t]", header(path).lower())
        assert not {"kiireellisyys", "bradskande"} & set(names)
        assert "_v2" in path.name and path.with_name(path.name.replace("_v2", "")).exists()
    assert all(not VISIT_NAME.fullmatch(p.name) for p in files(kinds.BAD_FILE_NAME))
    for path in files(kinds.FIELD_COUNT):
        text = decode(path.read_bytes())
        delimiter = max((";", ",", "\t"), key=text.split("\n", 1)[0].count)
        counts = {len(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter) if row}
        assert len(counts) == 2
    for path in files(kinds.BAD_DATES):
        dates = read_csv(path)["kaynti_pvm"]
        assert dates.str.contains("/").mean() > 0.05
    for path in files(kinds.REJECTED_ROWS):
        lines, valid = len(read_csv(path)), len(valid_visits(path))
        duplicates = read_csv(path)["kaynti_id"].duplicated().sum()
        assert 0 < lines - duplicates - valid < 0.02 * lines
    for path in files(kinds.DUPLICATE_IDS):
        assert read_csv(path)["kaynti_id"].duplicated().any()
    for path in files(kinds.RESUBMISSION):
        first = path.with_name(path.name.replace("_v2", ""))
        assert first.exists() and len(read_csv(first)) > len(read_csv(path)) > 0
    for path in files(kinds.DUPLICATE_KEY, "population"):
        frame = read_csv(path)
        assert frame.duplicated(["kunta", "ikaryhma", "sukupuoli"]).sum() == 1


def test_kronoby_delivers_from_2023(tmp_path):
    landing = tmp_path / "landing"
    summary = generate_sample(landing, scale=0.05, seed=2, months=("2022-10", "2023-02"),
                              municipalities=["288", "598"], log=lambda _: None)
    names = [f for f in summary.files["avohilmo"] if VISIT_NAME.fullmatch(f)]
    kronoby = {f"{m[2]}-{m[3]}" for m in map(VISIT_NAME.fullmatch, names) if m[1] == "288"}
    assert kronoby and min(kronoby) >= "2023-01"
    assert not any(f.startswith("avohilmo/avohilmo_288_2022") for f in summary.files_with(kinds.MISSING_SLOT))
    for path in (landing / "population").iterdir():
        assert "288" in set(read_csv(path)["kunta"])


def test_same_seed_same_bytes(tmp_path, small):
    landing, _ = small
    again = tmp_path / "again"
    generate_sample(again, seed=1, log=lambda _: None, **SMALL)
    other = tmp_path / "other"
    generate_sample(other, seed=2, log=lambda _: None, **SMALL)

    def contents(root):
        return {p.relative_to(root): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
    assert contents(landing) == contents(again)
    assert contents(landing) != contents(other)


def test_file_names_follow_the_patterns(small):
    landing, summary = small
    bad = {f.split("/", 1)[1] for f in summary.files_with(kinds.BAD_FILE_NAME)}
    visits = [p.name for p in (landing / "avohilmo").iterdir()]
    assert visits and all(VISIT_NAME.fullmatch(name) for name in visits if name not in bad)
    assert all(re.fullmatch(r"avohilmo_\d{3}_\d{4}-\d{2}(_v\d+)?\.csv", name) for name in visits)
    population = [p.name for p in (landing / "population").iterdir()]
    assert population and all(POPULATION_NAME.fullmatch(name) for name in population)
    assert sorted(visits) == sorted(summary.files["avohilmo"])


def test_population_is_the_regions_size_and_age(tmp_path):
    landing = tmp_path / "landing"
    summary = generate_sample(landing, scale=0.05, seed=1, months=("2019-01", "2020-12"), log=lambda _: None)
    assert sorted(summary.files["population"]) == ["vaesto_2019.csv", "vaesto_2020.csv", "vaesto_2020_v2.csv"]
    frame = read_csv(landing / "population" / "vaesto_2019.csv")
    frame["vaesto"] = frame["vaesto"].astype(int)
    assert len(set(frame["kunta"])) == 15 and (frame["vaesto"] >= 0).all()
    assert frame["vaesto"].sum() == pytest.approx(176_000 * 0.05, rel=0.03)
    old = frame[frame["ikaryhma"].isin(["65-74", "75+"])]["vaesto"].sum() / frame["vaesto"].sum()
    assert 0.22 < old < 0.28


def test_visits_are_consistent(small):
    landing, summary = small
    visits = live_visits(landing, summary)
    assert visits["ika"].astype(int).between(0, 120).all()
    assert visits["asiakas_tunniste"].str.fullmatch(r"[0-9a-f]{16}").all()
    assert visits.groupby("_slot")["kaynti_id"].apply(lambda ids: ids.is_unique).all()
    assert set(visits["kiireellisyys"]) == {"1", "2"}
    assert visits["yhteystapa"].str.fullmatch(r"R\d{2}").all()
    assert (visits["kotikunta"].eq("") | visits["kotikunta"].str.fullmatch(r"\d{3}")).all()
    # One birth date fits all of a client's visits: age = full years since it.
    year = visits["kaynti_pvm_d"].dt.year + (visits["kaynti_pvm_d"].dt.dayofyear - 1) / 365.25
    born = pd.DataFrame({"client": visits["asiakas_tunniste"], "latest": year - visits["ika"].astype(int),
                         "earliest": year - visits["ika"].astype(int) - 1})
    span = born.groupby("client").agg(latest=("latest", "min"), earliest=("earliest", "max"))
    assert (span["earliest"] < span["latest"] + 0.01).all()
    assessed = visits[visits["hoidon_tarve_pvm_d"].notna()]
    contact, assessment = assessed["yhteydenotto_pvm_d"], assessed["hoidon_tarve_pvm_d"]
    assert (contact.isna() | (contact <= assessment)).all()
    booked = visits[(visits["kiireellisyys"] == "2") & visits["palvelumuoto"].isin(["T11", "T60"])]
    share = booked["hoidon_tarve_pvm"].ne("").mean()
    assert 0.84 < share < 0.91
    assert np.isin(visits[visits["palvelumuoto"] == "T60"]["ammatti"].unique(), ["2261", "3251"]).all()
