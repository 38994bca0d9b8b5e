"""The synthetic contact-centre extracts and Sotkanet downloads, read back independently of the pipeline."""
from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tiedolla.sample import generate_sample
from tiedolla.sample import summary as kinds
from tiedolla.sample.contact_rows import expected_contacts
from tiedolla.sample.contacts import plan_files
from tiedolla.sample.layout import Layout, month_range

PUBLISHED = Path(__file__).resolve().parents[1] / "reference" / "published_figures_2019.csv"
SHORT = {"scale": 0.02, "months": ("2021-10", "2022-03"), "municipalities": ["905", "288", "499"]}
LONG = {"scale": 0.02, "months": ("2019-01", "2024-12"), "municipalities": ["905", "231"]}
CONTACT_NAME = re.compile(r"contacts_(\d{4}-(?:0[1-9]|1[0-2]))(?:_v(\d+))?\.csv")
SOTKANET_DATA = re.compile(r"sotkanet_(\d+)_(\d{4}-\d{2}-\d{2})\.(csv|json)")
SV_TO_FI = {"kontakt_id": "yhteys_id", "kanal": "kanava", "började": "alkoi", "kötid_s": "jonotus_s",
            "besvarad": "vastattu", "hemkommun": "kotikunta"}
CHANNELS = {"puhelin", "takaisinsoitto", "chat", "omaolo", "sahkoinen_asiointi"}
DIGITAL = {"chat", "omaolo", "sahkoinen_asiointi"}
TIMESTAMP_FORMATS = {kinds.TIMESTAMP_D_M_YYYY_HH_MM: "%d.%m.%Y %H:%M",
                     kinds.TIMESTAMP_D_M_YYYY_HH_MM_SS: "%d.%m.%Y %H:%M:%S",
                     kinds.TIMESTAMP_ISO_T: "%Y-%m-%dT%H:%M:%S",
                     kinds.TIMESTAMP_ISO_SPACE: "%Y-%m-%d %H:%M:%S"}
# Kinds every contacts sample of 4 months or more shows; timestamps all from 6 months (test below).
CONTACT_KINDS = {kinds.MISSING_SLOT, kinds.RESUBMISSION, kinds.FIRST_VERSION, kinds.FIELD_COUNT,
                 kinds.REJECTED_ROWS, kinds.SWEDISH_HEADER, kinds.WINDOWS_1252, kinds.UTF8_BOM,
                 kinds.DELIMITER_COMMA, kinds.DELIMITER_TAB}


# --- reading the files back ---------------------------------------------------------------------------------

def decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def read_contacts(path: Path) -> pd.DataFrame:
    """Any accepted variant → text columns with Finnish names, `alkoi_t` parsed (NaT when it does not)."""
    text = decode(path.read_bytes())
    header = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=header.count)
    frame = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False)
    frame.columns = [SV_TO_FI.get(c.strip().lower(), c.strip().lower()) for c in frame.columns]
    parsed = [pd.to_datetime(frame["alkoi"], format=f, errors="coerce") for f in TIMESTAMP_FORMATS.values()]
    frame["alkoi_t"] = max(parsed, key=lambda p: p.notna().sum())
    return frame


def valid_contacts(path: Path) -> pd.DataFrame:
    """The rows that follow the row rules: known channel, queue ≥ 0, start within the file's month."""
    frame = read_contacts(path)
    month = pd.Period(CONTACT_NAME.fullmatch(path.name)[1], "M")
    queue = pd.to_numeric(frame["jonotus_s"], errors="coerce")
    ok = frame["kanava"].isin(CHANNELS) & (queue >= 0) & (frame["alkoi_t"].dt.to_period("M") == month)
    return frame[ok]


def live_contacts(landing: Path, summary) -> pd.DataFrame:
    """Valid rows of the highest not-quarantined version of each month."""
    broken = {f.split("/", 1)[1] for f in summary.expected_quarantined()}
    live: dict[str, tuple[int, Path]] = {}
    for path in (landing / "contacts").iterdir():
        match = CONTACT_NAME.fullmatch(path.name)
        if not match or path.name in broken:
            continue
        version = int(match[2] or 1)
        if match[1] not in live or live[match[1]][0] < version:
            live[match[1]] = (version, path)
    return pd.concat([valid_contacts(path).assign(_month=month) for month, (_, path) in sorted(live.items())],
                     ignore_index=True)


def sotkanet_rows(landing: Path) -> pd.DataFrame:
    """Every data file's rows with the download date; the latest download of an indicator-year wins."""
    frames = []
    for path in sorted((landing / "sotkanet").iterdir()):
        match = SOTKANET_DATA.fullmatch(path.name)
        if not match:
            continue
        if match[3] == "json":
            frame = pd.DataFrame(json.loads(path.read_text(encoding="utf-8")))
            frame = frame.rename(columns={"value": "primary value", "absValue": "absolute value"})
        else:
            frame = pd.read_csv(path, sep=";", dtype=str)
            frame.columns = [c.replace(".", " ") for c in frame.columns]
        frames.append(frame.astype({"indicator": int, "region": int, "year": int, "primary value": float})
                      .assign(downloaded=match[2], file=path.name))
    rows = pd.concat(frames, ignore_index=True)
    latest = rows.groupby(["indicator", "year"])["downloaded"].transform("max")
    return rows[rows["downloaded"] == latest]


def region_list(landing: Path) -> pd.DataFrame:
    path = landing / "sotkanet" / "sotkanet_regions.json"
    return pd.DataFrame(json.loads(path.read_text(encoding="utf-8")))


# --- fixtures -----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def short(tmp_path_factory):
    landing = tmp_path_factory.mktemp("short") / "landing"
    return landing, generate_sample(landing, seed=1, log=lambda _: None, **SHORT)


@pytest.fixture(scope="module")
def long(tmp_path_factory):
    landing = tmp_path_factory.mktemp("long") / "landing"
    return landing, generate_sample(landing, seed=5, log=lambda _: None, **LONG)


def contact_files(summary, kind: str, landing: Path) -> list[Path]:
    found = [landing / f for f in summary.files_with(kind) if f.startswith("contacts/")]
    assert found, kind
    return found


# --- contacts -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("sample, options", [("short", SHORT), ("long", LONG)])
def test_contact_file_names_follow_the_pattern(request, sample, options):
    landing, summary = request.getfixturevalue(sample)
    names = sorted(p.name for p in (landing / "contacts").iterdir())
    assert names == sorted(summary.files["contacts"])
    assert all(CONTACT_NAME.fullmatch(name) for name in names)
    months = set(month_range(*options["months"]))
    delivered = {CONTACT_NAME.fullmatch(name)[1] for name in names}
    assert delivered <= months and len(months - delivered) == 1      # one month left undelivered


def test_every_contacts_kind_in_six_months(short):
    landing, summary = short
    shown = {kind for kind, files in summary.patchiness.items()
             if any(f.startswith("contacts/") for f in files)}
    assert CONTACT_KINDS | set(kinds.TIMESTAMP_KINDS) <= shown
    broken = contact_files(summary, kinds.FIELD_COUNT, landing)
    assert [f"contacts/{p.name}" for p in broken] == [f for f in summary.expected_quarantined()
                                                      if f.startswith("contacts/")]


@pytest.mark.parametrize("count", [4, 5, 7, 12])
def test_every_contacts_kind_from_four_months(count):
    months = month_range("2022-11", str(np.datetime64("2022-11") + count - 1))
    for seed in range(1, 6):
        planned, missing = plan_files(months, {month: 500 for month in months}, seed)
        assert len(missing) == 1
        shown = {kind for plan in planned for kind in plan.kinds} | {kinds.MISSING_SLOT}
        shown |= {kind for plan in planned if plan.live for kind in plan.fmt.kinds()}
        assert CONTACT_KINDS <= shown, (count, seed, CONTACT_KINDS - shown)


def test_contact_files_are_what_the_summary_says(short):
    landing, summary = short

    def header(path):
        return decode(path.read_bytes()).split("\n", 1)[0].rstrip("\r")

    assert all(not p.exists() for p in contact_files(summary, kinds.MISSING_SLOT, landing))
    for path in contact_files(summary, kinds.WINDOWS_1252, landing):
        with pytest.raises(UnicodeDecodeError):
            path.read_bytes().decode("utf-8")
        assert "började" in path.read_bytes().decode("cp1252")
    bom = contact_files(summary, kinds.UTF8_BOM, landing)
    assert all(p.read_bytes().startswith(b"\xef\xbb\xbf") for p in bom)
    assert all("\t" in header(p) for p in contact_files(summary, kinds.DELIMITER_TAB, landing))
    assert all(header(p).count(",") == 5 for p in contact_files(summary, kinds.DELIMITER_COMMA, landing))
    swedish = contact_files(summary, kinds.SWEDISH_HEADER, landing)
    assert all(header(p).lower().startswith("kontakt_id") for p in swedish)
    for kind, fmt in TIMESTAMP_FORMATS.items():
        for path in contact_files(summary, kind, landing):
            if f"contacts/{path.name}" in summary.expected_quarantined():
                continue
            parsed = pd.to_datetime(read_contacts(path)["alkoi"], format=fmt, errors="coerce")
            assert parsed.notna().mean() > 0.99, (kind, path.name)
    for path in contact_files(summary, kinds.FIELD_COUNT, landing):
        text = decode(path.read_bytes())
        delimiter = max((";", ",", "\t"), key=text.split("\n", 1)[0].count)
        assert len({len(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter) if row}) == 2
    for path in contact_files(summary, kinds.REJECTED_ROWS, landing):
        lines, valid = len(read_contacts(path)), len(valid_contacts(path))
        assert 0 < lines - valid < 0.02 * lines
    for path in contact_files(summary, kinds.RESUBMISSION, landing):
        first = path.with_name(path.name.replace("_v2", ""))
        assert first.exists() and len(read_contacts(first)) > len(valid_contacts(path)) > 0


def test_contacts_are_consistent(short):
    landing, summary = short
    contacts = live_contacts(landing, summary)
    assert contacts.groupby("_month")["yhteys_id"].apply(lambda ids: ids.is_unique).all()
    assert set(contacts["vastattu"]) == {"0", "1"}
    assert set(contacts["kanava"]) == CHANNELS
    # Kronoby's residents used Soite's services until 2022: no contacts from there before 2023.
    assert set(contacts["kotikunta"]) == {"", "905", "499"}
    assert 0.04 < contacts["kotikunta"].eq("").mean() < 0.11
    queue = contacts["jonotus_s"].astype(int)
    phone = contacts["kanava"] == "puhelin"
    assert 60 < queue[phone & contacts["vastattu"].eq("1")].median() < 600
    assert queue[contacts["kanava"].isin(["omaolo", "sahkoinen_asiointi"])].quantile(0.9) < 60
    assert 0.78 < contacts.loc[phone, "vastattu"].eq("1").mean() < 0.93
    assert contacts.loc[contacts["kanava"].isin(DIGITAL), "vastattu"].eq("1").mean() > 0.97


def test_digital_share_rises_from_2021_to_2024(long):
    landing, summary = long
    contacts = live_contacts(landing, summary)
    year = contacts["alkoi_t"].dt.year
    share = contacts["kanava"].isin(DIGITAL).groupby(year).mean()
    assert 0.07 < share[2019] < 0.13 and 0.07 < share[2020] < 0.14
    assert 0.12 < share[2021] < 0.19 < 0.33 < share[2024] < 0.42
    assert list(share.loc[2021:2024]) == sorted(share.loc[2021:2024])
    assert contacts.loc[year == 2019, "kanava"].eq("takaisinsoitto").mean() < \
        contacts.loc[year == 2024, "kanava"].eq("takaisinsoitto").mean()


def test_contact_volumes_at_scale_one():
    layout = Layout.build(("2019-01", "2024-12"), None)
    volumes = [expected_contacts(layout, month, 1.0)[0] for month in layout.months]
    assert 23_000 < min(volumes) and max(volumes) < 40_000
    assert 25_000 < np.median(volumes) < 35_000


# --- Sotkanet -----------------------------------------------------------------------------------------------

def test_sotkanet_files(long):
    landing, summary = long
    names = sorted(p.name for p in (landing / "sotkanet").iterdir())
    assert names == sorted(summary.files["sotkanet"])
    data = [SOTKANET_DATA.fullmatch(name) for name in names if name.startswith("sotkanet_") and
            name not in ("sotkanet_regions.json", "sotkanet_indicators.json")]
    assert all(data) and {m[1] for m in data} == {"3176", "2676", "9021"}
    assert {m[3] for m in data} == {"csv", "json"}
    headers = {(landing / "sotkanet" / m[0]).read_text(encoding="utf-8").split("\n", 1)[0]
               for m in data if m[3] == "csv"}
    assert headers == {"indicator;region;year;gender;primary value;absolute value",
                       "indicator;region;year;gender;primary.value;absolute.value"}
    meta = json.loads((landing / "sotkanet" / "sotkanet_indicators.json").read_text(encoding="utf-8"))
    titles = {m["id"]: m["title"]["fi"] for m in meta}
    assert titles[3176] == ("Perusterveydenhuollon avosairaanhoidon lääkärin kiireettömän käynnin odotusaika "
                            "yli 3 kk hoidon tarpeen arvioinnista, % toteutuneista käynneistä")
    assert titles[2676] == titles[3176].replace("yli 3 kk", "yli 7 vrk")
    assert titles[9021] == ("Hammaslääkärin kiireettömän käynnin odotusaika yli 21 vrk hoidon tarpeen "
                            "arvioinnista, % toteutuneista käynneistä")
    assert all(m["decimals"] == 1 and set(m["title"]) == {"fi", "sv", "en"} for m in meta)
    for match in data:
        if match[3] == "csv":
            lines = (landing / "sotkanet" / match[0]).read_text(encoding="utf-8").splitlines()[1:]
            values = [line.split(";")[4] for line in lines]
            assert all(re.fullmatch(r"\d{1,3}\.\d", v) and 0 <= float(v) <= 100 for v in values)
        else:
            rows = json.loads((landing / "sotkanet" / match[0]).read_text(encoding="utf-8"))
            assert all(round(row["value"], 1) == row["value"] and 0 <= row["value"] <= 100 for row in rows)
            assert 0 < sum("absValue" not in row for row in rows) < len(rows)


def test_sotkanet_2019_is_the_published_figures(long):
    landing, _ = long
    regions = region_list(landing).set_index("id")
    rows = sotkanet_rows(landing)
    rows = rows.join(regions[["code", "category"]], on="region")
    meta = json.loads((landing / "sotkanet" / "sotkanet_indicators.json").read_text(encoding="utf-8"))
    with open(PUBLISHED, encoding="utf-8") as handle:
        published = [r for r in csv.DictReader(handle) if r["source"] == "Sotkanet"]
    assert len(published) == 6
    for figure in published:
        limit = re.search(r"yli \d+ (?:kk|vrk)", figure["indicator"])[0]
        indicator = next(m["id"] for m in meta if limit in m["title"]["fi"])
        category = "MAA" if figure["area"] == "whole country" else "HYVINVOINTIALUE"
        found = rows[(rows["indicator"] == indicator) & (rows["year"] == 2019) & (rows["gender"] == "total")
                     & (rows["category"] == category)]
        assert list(found["primary value"]) == [float(figure["value_percent"])], (figure, found)


def test_ostrobothnia_renumbered_in_2022(long):
    landing, _ = long
    regions = region_list(landing)
    area = regions[regions["category"] == "HYVINVOINTIALUE"].set_index("id")["code"].to_dict()
    assert area == {891: "13", 971: "17"}
    municipalities = regions[regions["category"] == "KUNTA"]
    assert sorted(municipalities["code"]) == sorted(LONG["municipalities"])
    assert regions["id"].is_unique and set(regions[regions["category"] == "MAA"]["id"]) == {658}
    rows = sotkanet_rows(landing)
    assert set(rows["region"]) <= set(regions["id"])
    years = rows[rows["region"].isin([891, 971])].groupby("region")["year"].agg(["min", "max"])
    assert years.loc[891].tolist() == [2019, 2021] and years.loc[971].tolist() == [2022, 2024]
    assert set(rows["gender"]) == {"total", "male", "female"}
    per_key = rows.groupby(["indicator", "region", "year"]).size()
    assert (per_key == 3).all()


def test_later_download_revises_only_the_last_years(long):
    landing, summary = long
    revisions = summary.files_with(kinds.LATER_DOWNLOAD)
    assert len(revisions) == 1
    match = SOTKANET_DATA.fullmatch(revisions[0].split("/", 1)[1])
    revised = pd.read_csv(landing / revisions[0], sep=";", dtype={"primary value": str})
    assert sorted(set(revised["year"])) == [2023, 2024]
    earlier = [m for m in map(SOTKANET_DATA.fullmatch, summary.files["sotkanet"])
               if m and m[1] == match[1] and m[2] < match[2]]
    assert len(earlier) == 1
    rows = sotkanet_rows(landing)
    latest = rows[rows["indicator"] == int(match[1])]
    assert set(latest[latest["year"] >= 2023]["file"]) == {match[0]}
    assert set(latest[latest["year"] < 2023]["file"]) == {earlier[0][0]}
    # Same keys as the earlier download, slightly different values.
    before = pd.DataFrame(json.loads((landing / "sotkanet" / earlier[0][0]).read_text(encoding="utf-8")))
    before = before[before["year"] >= 2023].set_index(["region", "year", "gender"])["value"]
    after = revised.set_index(["region", "year", "gender"])["primary value"].astype(float)
    assert sorted(before.index) == sorted(after.index)
    change = (after - before.loc[after.index]).abs()
    assert (change > 0).mean() > 0.8 and change.max() < 1.0


def test_same_seed_same_bytes(tmp_path, short):
    landing, _ = short
    again, other = tmp_path / "again", tmp_path / "other"
    generate_sample(again, seed=1, log=lambda _: None, **SHORT)
    generate_sample(other, seed=2, log=lambda _: None, **SHORT)

    def contents(root, source):
        return {p.name: p.read_bytes() for p in sorted((root / source).iterdir())}
    for source in ("contacts", "sotkanet"):
        assert contents(landing, source) == contents(again, source)
        assert contents(landing, source) != contents(other, source)
