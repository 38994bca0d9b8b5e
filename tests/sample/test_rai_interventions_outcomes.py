"""The synthetic RAI, intervention and outcome extracts, read back independently of the pipeline: names,
patchiness, Kronoby, window edges, and the true intervention effects recovered from the CSVs."""
from __future__ import annotations

import csv
import io
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tiedolla.sample import generate_sample
from tiedolla.sample import summary as kinds
from tiedolla.sample.effects import (MEASURES, TRUE_EFFECTS, expected_change, measures_of, pair_moments,
                                     true_ancova, true_did, true_effects)

MEASURES_CSV = Path(__file__).resolve().parents[1] / "reference" / "measures.csv"
SOURCES = ("rai", "interventions", "outcomes")
NAME = re.compile(r"(rai|interventions|outcomes)_(\d{3})_(\d{4}-(?:0[1-9]|1[0-2]))(?:_v(\d+))?\.csv")
# 12 months, 3 municipalities (two Swedish-majority); the scale lets Vaasa's outcome files pass 50 rows,
# the size from which one rejected line stays under 2 %.
KINDS_LAYOUT = {"scale": 0.15, "months": ("2021-01", "2021-12"), "municipalities": ["905", "499", "598"]}
SMALL = {"scale": 0.03, "months": ("2021-07", "2022-02"), "municipalities": ["905", "288", "893"]}
EFFECTS_LAYOUT = {"scale": 0.3, "months": ("2019-01", "2020-12")}
SV_TO_FI = {"klient_id": "asiakas_tunniste", "bedomning_datum": "arviointi_pvm", "instrument": "instrumentti",
            "intervention": "interventio", "enhet": "yksikko", "start_datum": "aloitus_pvm",
            "slut_datum": "lopetus_pvm", "status": "tila", "matare": "mittari",
            "matning_datum": "mittaus_pvm", "varde": "arvo"}
STATUS_WORDS = {"fi": {"kesken": "ongoing", "valmis": "completed", "keskeytynyt": "dropped_out"},
                "sv": {"pågående": "ongoing", "slutförd": "completed", "avbruten": "dropped_out"}}
STATUS = STATUS_WORDS["fi"] | STATUS_WORDS["sv"]
RAI_SCALES = {"maple": (1, 5), "cps": (0, 6), "adlh": (0, 6), "iadl": (0, 48), "drs": (0, 14),
              "chess": (0, 5)}


# --- reading the files back ---------------------------------------------------------------------------------

def decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def header(path: Path) -> str:
    return decode(path.read_bytes()).split("\n", 1)[0].rstrip("\r")


def read_csv(path: Path) -> pd.DataFrame:
    """Any accepted variant → text columns with Finnish names."""
    text = decode(path.read_bytes())
    delimiter = max((";", ",", "\t"), key=text.split("\n", 1)[0].count)
    frame = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False)
    frame.columns = [SV_TO_FI.get(c.strip().lower(), c.strip().lower()) for c in frame.columns]
    return frame


def parse_dates(values: pd.Series) -> pd.Series:
    filled = values[values != ""]
    iso = filled.str.contains("-").mean() >= 0.5 if len(filled) else True
    return pd.to_datetime(values.where(values != ""), format="%Y-%m-%d" if iso else "%d.%m.%Y",
                          errors="coerce")


def measure_ranges() -> dict[str, tuple[float, float]]:
    frame = pd.read_csv(MEASURES_CSV)
    return {row.code: (float(row.min), float(row.max)) for row in frame.itertuples()}


def live_files(landing: Path, summary, source: str) -> list[Path]:
    """The highest not-quarantined version of each municipality-month."""
    broken = {f.split("/", 1)[1] for f in summary.expected_quarantined()}
    live: dict[tuple[str, str], tuple[int, Path]] = {}
    for path in (landing / source).iterdir():
        match = NAME.fullmatch(path.name)
        if not match or path.name in broken:
            continue
        slot, version = (match[2], match[3]), int(match[4] or 1)
        if slot not in live or live[slot][0] < version:
            live[slot] = (version, path)
    return [path for _, path in sorted(live.values(), key=lambda item: item[1].name)]


def valid_outcomes(path: Path, ranges: dict[str, tuple[float, float]]) -> pd.DataFrame:
    """A file's rows that follow the row rules: a known measure, a value in its range, the file's month."""
    frame = read_csv(path)
    frame["day"] = parse_dates(frame["mittaus_pvm"])
    frame["value"] = pd.to_numeric(frame["arvo"].str.replace(",", "."), errors="coerce")
    low = frame["mittari"].map(lambda code: ranges.get(code, (np.nan, np.nan))[0]).astype(float)
    high = frame["mittari"].map(lambda code: ranges.get(code, (np.nan, np.nan))[1]).astype(float)
    month = NAME.fullmatch(path.name)[3]
    ok = frame["value"].between(low, high) & (frame["day"].dt.strftime("%Y-%m") == month)
    return frame[ok].drop_duplicates(["asiakas_tunniste", "mittari", "day"], keep="last")


def live_outcomes(landing: Path, summary) -> pd.DataFrame:
    ranges = measure_ranges()
    return pd.concat([valid_outcomes(p, ranges) for p in live_files(landing, summary, "outcomes")],
                     ignore_index=True)


def live_enrolments(landing: Path, summary) -> pd.DataFrame:
    frames = []
    for path in live_files(landing, summary, "interventions"):
        frame = read_csv(path)
        frame["start"], frame["end"] = parse_dates(frame["aloitus_pvm"]), parse_dates(frame["lopetus_pvm"])
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def participant_pairs(enrolments: pd.DataFrame, outcomes: pd.DataFrame) -> pd.DataFrame:
    """methods.md: baseline = last measurement in [start − 60, start], follow-up = first in [start + 60,
    start + 240]; one change per participant and measure, with the days from the start."""
    joined = enrolments[["asiakas_tunniste", "interventio", "start"]].merge(
        outcomes[["asiakas_tunniste", "mittari", "day", "value"]], on="asiakas_tunniste")
    joined["offset"] = (joined["day"] - joined["start"]).dt.days
    key = ["asiakas_tunniste", "interventio", "mittari"]
    baseline = joined[joined["offset"].between(-60, 0)].sort_values("day").groupby(key).last()
    follow_up = joined[joined["offset"].between(60, 240)].sort_values("day").groupby(key).first()
    pairs = baseline[["value", "offset"]].join(follow_up[["value", "offset"]], how="inner", lsuffix="_b",
                                               rsuffix="_f")
    return pairs.assign(change=pairs["value_f"] - pairs["value_b"]).reset_index()


def comparison_pairs(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Every client's pair per measure and year: the earliest measurement of the year with a later one
    60–240 days after it, and the first such later one."""
    rows = outcomes[["asiakas_tunniste", "mittari", "day", "value"]]
    both = rows.merge(rows, on=["asiakas_tunniste", "mittari"], suffixes=("_1", "_2"))
    gap = (both["day_2"] - both["day_1"]).dt.days
    both = both[gap.between(60, 240)].assign(year=lambda f: f["day_1"].dt.year)
    first = both.sort_values(["day_1", "day_2"]).groupby(["asiakas_tunniste", "mittari", "year"]).first()
    return first.assign(change=first["value_2"] - first["value_1"]).reset_index()


# --- fixtures -----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def kinds_sample(tmp_path_factory):
    landing = tmp_path_factory.mktemp("kinds") / "landing"
    return landing, generate_sample(landing, seed=4, log=lambda _: None, **KINDS_LAYOUT)


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    landing = tmp_path_factory.mktemp("small") / "landing"
    return landing, generate_sample(landing, seed=1, log=lambda _: None, **SMALL)


@pytest.fixture(scope="module")
def effects_sample(tmp_path_factory):
    landing = tmp_path_factory.mktemp("effects") / "landing"
    summary = generate_sample(landing, seed=7, log=lambda _: None, **EFFECTS_LAYOUT)
    return landing, summary, live_enrolments(landing, summary), live_outcomes(landing, summary)


def files(landing: Path, summary, kind: str, source: str) -> list[Path]:
    return [landing / f for f in summary.files_with(kind) if f.startswith(source + "/")]


# --- names, determinism, Kronoby ----------------------------------------------------------------------------

@pytest.mark.parametrize("source", SOURCES)
def test_file_names_follow_the_pattern(small, source):
    landing, summary = small
    names = sorted(p.name for p in (landing / source).iterdir())
    assert names and names == sorted(summary.files[source])
    for name in names:
        match = NAME.fullmatch(name)
        assert match and match[1] == source and match[2] in SMALL["municipalities"]
        assert SMALL["months"][0] <= match[3] <= SMALL["months"][1]


def test_same_seed_same_bytes(tmp_path, small):
    landing, _ = small
    again, other = tmp_path / "again", tmp_path / "other"
    generate_sample(again, seed=1, log=lambda _: None, **SMALL)
    generate_sample(other, seed=2, log=lambda _: None, **SMALL)

    def contents(root):
        return {p.relative_to(root): p.read_bytes()
                for source in SOURCES for p in sorted((root / source).iterdir())}
    assert contents(landing) == contents(again)
    assert contents(landing) != contents(other)


def test_kronoby_has_no_files_before_2023(tmp_path):
    landing = tmp_path / "landing"
    summary = generate_sample(landing, scale=0.05, seed=2, months=("2022-10", "2023-03"),
                              municipalities=["288", "598"], log=lambda _: None)
    for source in SOURCES:
        kronoby = {NAME.fullmatch(n)[3] for n in summary.files[source] if NAME.fullmatch(n)[2] == "288"}
        assert kronoby and min(kronoby) >= "2023-01", source
        early = f"{source}/{source}_288_2022"
        assert not [f for f in summary.files_with(kinds.MISSING_SLOT) if f.startswith(early)]
    assert not any("_288_2022" in p.name for p in landing.rglob("*.csv"))


# --- patchiness ---------------------------------------------------------------------------------------------

EVERY_SOURCE = {kinds.MISSING_SLOT, kinds.RESUBMISSION, kinds.FIRST_VERSION, kinds.FIELD_COUNT,
                kinds.SWEDISH_HEADER, kinds.WINDOWS_1252, kinds.UTF8_BOM, kinds.DELIMITER_COMMA,
                kinds.DELIMITER_TAB}
PER_SOURCE = {"rai": set(), "interventions": {kinds.STATUS_UPDATE},
              "outcomes": {kinds.DECIMAL_COMMA, kinds.WINDOW_EDGE, kinds.REJECTED_ROWS}}


@pytest.mark.parametrize("source", SOURCES)
def test_every_kind_in_a_year_of_three_municipalities(kinds_sample, source):
    _, summary = kinds_sample
    shown = {kind for kind, names in summary.patchiness.items()
             if any(name.startswith(source + "/") for name in names)}
    assert EVERY_SOURCE | PER_SOURCE[source] <= shown
    broken = [f for f in summary.expected_quarantined() if f.startswith(source + "/")]
    assert len(broken) == 1 and broken == files_named(summary, kinds.FIELD_COUNT, source)


def files_named(summary, kind: str, source: str) -> list[str]:
    return [f for f in summary.files_with(kind) if f.startswith(source + "/")]


@pytest.mark.parametrize("source", SOURCES)
def test_files_are_what_the_summary_says(kinds_sample, source):
    landing, summary = kinds_sample

    def of(kind):
        return files(landing, summary, kind, source)

    assert all(not p.exists() for p in of(kinds.MISSING_SLOT))
    for path in of(kinds.WINDOWS_1252):
        data = path.read_bytes()
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")
        assert re.search("[äöåÄÖÅ]", data.decode("cp1252"))
    assert all(p.read_bytes().startswith(b"\xef\xbb\xbf") for p in of(kinds.UTF8_BOM))
    assert all("\t" in header(p) for p in of(kinds.DELIMITER_TAB))
    for path in of(kinds.DELIMITER_COMMA):
        rows = list(csv.reader(io.StringIO(decode(path.read_bytes()))))
        assert len(rows[0]) > 3 and {len(row) for row in rows if row} == {len(rows[0])}
    assert all("klient_id" in header(p) for p in of(kinds.SWEDISH_HEADER))
    for path in of(kinds.FIELD_COUNT):
        text = decode(path.read_bytes())
        delimiter = max((";", ",", "\t"), key=text.split("\n", 1)[0].count)
        assert len({len(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter) if row}) == 2
    for path in of(kinds.RESUBMISSION):
        first = path.with_name(path.name.replace("_v2", ""))
        assert first.exists() and first.read_bytes() != path.read_bytes() and len(read_csv(path)) > 0
    assert all(len(read_csv(p)) == 0 for p in of(kinds.HEADER_ONLY))


def test_status_update_completes_ongoing_enrolments(kinds_sample):
    landing, summary = kinds_sample
    (path,) = files(landing, summary, kinds.STATUS_UPDATE, "interventions")
    first, final = read_csv(path.with_name(path.name.replace("_v2", ""))), read_csv(path)
    both = first.merge(final, on=["asiakas_tunniste", "interventio", "aloitus_pvm"], suffixes=("_1", "_2"))
    assert len(both) == len(first) == len(final)
    changed = both[both["tila_1"] != both["tila_2"]]
    assert len(changed) and (changed["tila_1"].map(STATUS) == "ongoing").all()
    assert (changed["lopetus_pvm_1"] == "").all() and (changed["lopetus_pvm_2"] != "").all()


def test_status_words_follow_the_header_language(kinds_sample):
    landing, summary = kinds_sample
    broken = set(summary.expected_quarantined())
    for path in (landing / "interventions").iterdir():
        if f"interventions/{path.name}" not in broken:
            language = "sv" if "klient_id" in header(path) else "fi"
            assert set(read_csv(path)["tila"]) <= set(STATUS_WORDS[language]), path.name


def test_outcome_row_faults_and_decimal_commas(kinds_sample):
    landing, summary = kinds_sample
    ranges = measure_ranges()
    for path in files(landing, summary, kinds.REJECTED_ROWS, "outcomes"):
        lines, valid = len(read_csv(path)), len(valid_outcomes(path, ranges))
        assert 0 < lines - valid < 0.02 * lines
    for path in files(landing, summary, kinds.DECIMAL_COMMA, "outcomes"):
        values = read_csv(path)["arvo"]
        assert values.str.fullmatch(r"\d+,\d+").any() and not values.str.contains(r"\.").any()
    values = pd.concat([read_csv(p) for p in live_files(landing, summary, "outcomes")])
    eurohis = values[values["mittari"] == "EUROHIS8"]["arvo"].str.replace(",", ".").astype(float)
    assert len(eurohis) and ((eurohis * 8) % 1 == 0).all()


# --- contents -----------------------------------------------------------------------------------------------

def test_rai_clients_are_reassessed_about_every_six_months(effects_sample):
    landing, summary, _, _ = effects_sample
    frame = pd.concat([read_csv(p).pipe(lambda f: f.assign(day=parse_dates(f["arviointi_pvm"])))
                       for p in live_files(landing, summary, "rai")], ignore_index=True)
    for column, (low, high) in RAI_SCALES.items():
        values = pd.to_numeric(frame[column].replace("", np.nan)).dropna()
        assert values.between(low, high).all() and (values % 1 == 0).all(), column
    assert frame["iadl"].eq("").mean() > 0.1 and frame["maple"].ne("").all()
    assert set(frame["instrumentti"]) == {"HC", "LTCF", "CHA"}
    # A few thousand clients at scale 1 (about 4 300); here scale 0.3 and two years.
    assert 900 < frame["asiakas_tunniste"].nunique() < 1800
    frame = frame.sort_values(["asiakas_tunniste", "day"])
    gap = frame.groupby("asiakas_tunniste")["day"].diff().dt.days.dropna()
    assert 150 < gap.median() < 210 and gap.max() <= 365
    step = frame.groupby("asiakas_tunniste")["maple"].transform(lambda s: s.astype(int).diff()).dropna()
    assert (step > 0).mean() > 0.1 and (step < 0).mean() > 0.05


def test_enrolments_are_consistent(effects_sample):
    _, _, enrolments, _ = effects_sample
    assert enrolments["tila"].isin(STATUS).all()
    status = enrolments["tila"].map(STATUS)
    assert ((status == "ongoing") == (enrolments["lopetus_pvm"] == "")).all()
    ended = enrolments["end"].notna()
    assert (enrolments.loc[ended, "end"] >= enrolments.loc[ended, "start"]).all()
    assert 0.6 < (status[status != "ongoing"] == "completed").mean() < 0.85
    per_year = enrolments.groupby([enrolments["start"].dt.year, "interventio"]).size()
    assert per_year.min() > 20
    assert set(enrolments["interventio"]) == {p for p, _ in TRUE_EFFECTS} | {"MAKSUTON_EHKAISY"}
    assert not enrolments.duplicated("asiakas_tunniste").any()


@pytest.mark.parametrize("sample", ["kinds_sample", "effects_sample"])
def test_window_edge_measurements_exist(request, sample):
    landing, summary, *read = request.getfixturevalue(sample)
    enrolments, outcomes = read or (live_enrolments(landing, summary), live_outcomes(landing, summary))
    joined = enrolments.merge(outcomes, on="asiakas_tunniste")
    joined["offset"] = (joined["day"] - joined["start"]).dt.days
    pairs = participant_pairs(enrolments, outcomes)
    # On the edge, inside the window: a baseline 60 days before, follow-ups 60 and 240 days after.
    assert (pairs["offset_b"] == -60).any()
    assert (pairs["offset_f"] == 60).any() and (pairs["offset_f"] == 240).any()
    # Just outside: 59 days after is no follow-up (a later one is), 241 days after pairs with nothing.
    key = ["asiakas_tunniste", "interventio", "mittari"]
    at_59 = joined[joined["offset"] == 59][key].merge(pairs, on=key)
    assert len(at_59) and (at_59["offset_f"] > 59).all()
    at_241 = joined[joined["offset"] == 241][key].merge(pairs, on=key, how="left")
    assert len(at_241) and at_241["change"].isna().all()
    assert summary.files_with(kinds.WINDOW_EDGE)


def test_expected_changes_match_a_simulation():
    rng = np.random.default_rng(0)
    ranges = measure_ranges()
    for code, model in MEASURES.items():
        low, high = ranges[code]

        def q(x):
            return np.clip(np.rint((x - low) / model.step) * model.step + low, low, high)
        latent = rng.normal(*model.participants, size=400_000)
        change = q(latent - 2 * model.noise + rng.normal(0, model.noise, size=len(latent))) - q(latent)
        expected = expected_change(code, model.participants, -2 * model.noise)
        assert expected == pytest.approx(change.mean(), abs=4 * change.std() / math.sqrt(len(change))), code


def test_pair_moments_match_a_simulation():
    """The exact moments behind the true ANCOVA effect (effects.pair_moments) against 400,000 simulated pairs,
    at the range edges too (PHQ9 under a large improvement piles up at 0)."""
    rng = np.random.default_rng(1)
    ranges = measure_ranges()
    for code, model in MEASURES.items():
        low, high = ranges[code]

        def q(x):
            return np.clip(np.rint((x - low) / model.step) * model.step + low, low, high)
        change = -2 * model.noise
        latent = rng.normal(*model.participants, size=400_000)
        base, follow = q(latent), q(latent + change + rng.normal(0, model.noise, size=len(latent)))
        got = pair_moments(code, model.participants, change)
        n = len(base)
        assert got.baseline == pytest.approx(base.mean(), abs=4 * base.std() / math.sqrt(n)), code
        assert got.followup == pytest.approx(follow.mean(), abs=4 * follow.std() / math.sqrt(n)), code
        assert got.baseline_variance == pytest.approx(base.var(), rel=0.01), code
        assert got.covariance == pytest.approx(np.cov(base, follow)[0, 1], rel=0.01), code


def test_true_effects_table():
    effects, did = true_effects(), true_did()
    assert set(effects) == set(TRUE_EFFECTS) == set(did) == set(true_ancova())
    # Without rounding and clipping the ANCOVA limit would be the DiD; with them it stays close.
    for key in TRUE_EFFECTS:
        assert abs(true_ancova()[key] - did[key]) < 0.2, key
    for key, change in TRUE_EFFECTS.items():
        if change is None:
            assert did[key] == pytest.approx(0, abs=1e-9)
        else:
            assert abs(did[key]) > 0.2
    assert did[("KOTIKUNTOUTUS", "WHODAS12")] < -7 and did[("IPC", "PHQ9")] < -3


TRUE_EFFECTS_PROGRAMMES = sorted({programme for programme, _ in TRUE_EFFECTS})


def test_true_effects_are_recovered_from_the_csvs(effects_sample):
    _, _, enrolments, outcomes = effects_sample
    participants = participant_pairs(enrolments, outcomes)
    comparison = comparison_pairs(outcomes)
    # methods.md revision 2: the comparison group leaves out everyone enrolled in any intervention using the
    # measure (the measures each programme lists in the interventions table).
    users = {m: {code for code in TRUE_EFFECTS_PROGRAMMES if m in measures_of(code)} for m in MEASURES}
    enrolled = set(zip(enrolments["asiakas_tunniste"], enrolments["interventio"]))
    misses = []
    for (programme, measure), truth in true_did().items():
        mine = participants[(participants["interventio"] == programme) & (participants["mittari"] == measure)]
        others = comparison[comparison["mittari"] == measure]
        others = others[[not any((client, user) in enrolled for user in users[measure])
                         for client in others["asiakas_tunniste"]]]
        assert len(mine) > 25 and len(others) > 100, (programme, measure)
        estimate = mine["change"].mean() - others["change"].mean()
        se = math.sqrt(mine["change"].var() / len(mine) + others["change"].var() / len(others))
        if abs(estimate - truth) > 3 * se:
            misses.append((programme, measure, round(estimate, 2), round(truth, 2), round(se, 2)))
    assert not misses
