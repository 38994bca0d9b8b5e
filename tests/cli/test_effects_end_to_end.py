"""Segments and intervention effects end to end (issue 4): enrolments, outcome measurements (window edges,
out-of-range values, Swedish statuses, fewer than 5 pairs), RAI assessments whose MAPLe rises and falls, and
visits are landed in a fresh home and run through the command line; the published intervention_effects
and segment_summary must equal an independent computation with pandas and scipy to 1e-9."""
from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from tests.cli import independent_segments
from tests.cli.independent import (COMPARISON_COLUMNS, EFFECT_COLUMNS, comparison_pairs, expected_effect,
                                   participant_pairs)
from tests.cli.test_end_to_end import marts, tiedolla
from tests.deliveries import VisitFile, visit

START = date(2023, 3, 1)


def write(path, header: list[str], rows: list[list], delimiter=";", encoding="utf-8"):
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [delimiter.join(header)] + [delimiter.join("" if v is None else str(v) for v in row) for row in rows]
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))


def fi(d: date) -> str:
    return f"{d.day}.{d.month}.{d.year}"


@pytest.fixture(scope="module")
def effects(tmp_path_factory):
    home = tmp_path_factory.mktemp("effects") / "home"
    landing = home / "landing"
    rng = np.random.default_rng(5)
    enrolments, measurements = [], []
    # IPC in Vaasa (Finnish statuses) and Korsholm (Swedish statuses); PHQ9 and PROMIS10_PSYK.
    for municipality, words in (("905", ("valmis", "keskeytynyt")), ("499", ("slutförd", "avbruten"))):
        for i in range(25):
            client = f"{municipality}-ipc{i}"
            start = START + timedelta(days=int(rng.integers(0, 28)))
            status = words[0] if i % 4 else words[1]
            enrolments.append((municipality, client, "IPC", start, status))
            base = float(rng.integers(8, 20))
            measurements.append((municipality, client, "PHQ9", start - timedelta(days=int(rng.integers(0, 61))), base))
            if i % 6:   # some miss their follow-up
                measurements.append((municipality, client, "PHQ9",
                                     start + timedelta(days=int(rng.integers(60, 241))),
                                     float(np.clip(base - rng.normal(5, 3), 0, 27).round(1))))
            measurements.append((municipality, client, "PROMIS10_PSYK", start - timedelta(days=3),
                                 float(rng.integers(30, 50))))
            measurements.append((municipality, client, "PROMIS10_PSYK", start + timedelta(days=100),
                                 float(rng.integers(32, 56))))
    # Window edges for one Vaasa participant each: baselines 60 / 61 days before; follow-ups at 59/60/240/241.
    for k, (before, after) in enumerate([(60, 60), (10, 240), (10, 59), (10, 241), (61, 100)]):
        client = f"905-edge{k}"
        enrolments.append(("905", client, "IPC", START, "valmis"))
        measurements.append(("905", client, "PHQ9", START - timedelta(days=before), 18.0))
        measurements.append(("905", client, "PHQ9", START + timedelta(days=after), 9.0))
    # Home rehabilitation with 3 pairs only: suppressed.
    for i in range(3):
        client = f"905-koti{i}"
        enrolments.append(("905", client, "KOTIKUNTOUTUS", START, "kesken"))
        measurements.append(("905", client, "RAI_ADLH", START, 4.0))
        measurements.append(("905", client, "RAI_ADLH", START + timedelta(days=90), 3.0))
    # Comparison clients never enrolled: measured twice 60–240 days apart (plus one only 50 days apart).
    for municipality in ("905", "499"):
        for i in range(12):
            client = f"{municipality}-cmp{i}"
            first = date(2023, 2, 1) + timedelta(days=int(rng.integers(0, 60)))
            gap = 50 if i == 0 else int(rng.integers(60, 241))
            measurements.append((municipality, client, "PHQ9", first, float(rng.integers(5, 20))))
            measurements.append((municipality, client, "PHQ9", first + timedelta(days=gap), float(rng.integers(4, 20))))
    # Methods revision 2: the comparison group leaves out everyone enrolled in ANY intervention using the measure.
    # Outreach-team (JALKAUTUVA_TIIMI, measured with PHQ9) participants in Vaasa, starting in September: measured
    # with PHQ9 60–90 days apart, they are not comparison clients of IPC; 6 of the 7 complete (completers are
    # then hidden: the one non-completer would follow by subtraction), 7 pairs (low precision), and their
    # follow-up windows are still open at the last outcome month (provisional).
    late = date(2023, 9, 1)
    for i in range(7):
        client = f"905-jt{i}"
        start = late + timedelta(days=i)
        enrolments.append(("905", client, "JALKAUTUVA_TIIMI", start, "valmis" if i else "keskeytynyt"))
        measurements.append(("905", client, "PHQ9", start - timedelta(days=int(rng.integers(0, 20))),
                             float(rng.integers(8, 20))))
        measurements.append(("905", client, "PHQ9", start + timedelta(days=int(rng.integers(60, 91))),
                             float(rng.integers(4, 16))))
    # Lifestyle-counselling participants (measured with EUROHIS8 and PROMIS10_FYYS, not PHQ9) whose PHQ9 was
    # measured twice: they stay in the PHQ9 comparison group.
    for i in range(6):
        client = f"905-elo{i}"
        enrolments.append(("905", client, "ELINTAPAOHJAUS", START, "valmis"))
        first = date(2023, 2, 10) + timedelta(days=i)
        measurements.append(("905", client, "PHQ9", first, float(rng.integers(5, 20))))
        measurements.append(("905", client, "PHQ9", first + timedelta(days=100 + i), float(rng.integers(2, 20))))
    # PROMIS10_PSYK comparison clients in Korsholm: 3, so every comparison figure of IPC × PROMIS10_PSYK there
    # (and in the welfare area) is suppressed while the participants' own figures are published.
    for i in range(3):
        client = f"499-pcmp{i}"
        measurements.append(("499", client, "PROMIS10_PSYK", date(2023, 3, 5 + i), float(40 + i)))
        measurements.append(("499", client, "PROMIS10_PSYK", date(2023, 6, 5 + i), float(44 - i)))
    frame = pd.DataFrame(measurements, columns=["municipality", "client", "measure", "date", "value"])
    for (municipality, month), rows in frame.groupby([frame["municipality"], frame["date"].map(lambda d: d.strftime("%Y-%m"))]):
        out = [[r.client, r.measure, fi(r.date), str(r.value).replace(".", ",")] for r in rows.itertuples()]
        if (municipality, month) == ("905", "2023-03"):
            out += [["905-bad", "PHQ9", "2.3.2023", "31"]] + [[f"905-pad{j}", "PHQ9", "2.3.2023", "1"] for j in range(40)]
        header = ["asiakas_tunniste", "mittari", "mittaus_pvm", "arvo"] if municipality == "905" else \
            ["klient_id", "matare", "matning_datum", "varde"]
        write(landing / "outcomes" / f"outcomes_{municipality}_{month}.csv", header, out)
    enrol = pd.DataFrame(enrolments, columns=["municipality", "client", "intervention", "start", "status"])
    for (municipality, month), rows in enrol.groupby([enrol["municipality"], enrol["start"].map(lambda d: d.strftime("%Y-%m"))]):
        header = ["asiakas_tunniste", "interventio", "yksikko", "aloitus_pvm", "lopetus_pvm", "tila"] \
            if municipality == "905" else ["klient_id", "intervention", "enhet", "start_datum", "slut_datum", "status"]
        write(landing / "interventions" / f"interventions_{municipality}_{month}.csv", header,
              [[r.client, r.intervention, "Yksikkö", fi(r.start), "", r.status] for r in rows.itertuples()],
              delimiter="\t" if municipality == "499" else ";")
    # RAI: MAPLe rises for some clients, falls for others, and one assessment is older than 365 days.
    rai = []
    for i in range(30):
        client = f"905-rai{i}"
        first, second = 1 + i % 5, 1 + (i + (1 if i % 3 else -1)) % 5
        rai.append((client, date(2022, 11, 10), first))
        rai.append((client, date(2023, 2, 1 + i % 27), second))
    rai.append(("905-old", date(2022, 3, 30), 5))
    for month in ("2022-03", "2022-11", "2023-02"):
        rows = [[c, fi(d), "HC", m, 2, 3, "", "", ""] for c, d, m in rai if d.strftime("%Y-%m") == month]
        write(landing / "rai" / f"rai_905_{month}.csv",
              ["asiakas_tunniste", "arviointi_pvm", "instrumentti", "maple", "cps", "adlh", "iadl", "drs", "chess"], rows)
    # Visits for service use: client k has k % 12 primary-care visits in the year before 2023-03.
    visits = []
    for k in range(40):
        for j in range(k % 12):
            day = date(2022, 4, 1) + timedelta(days=(k * 7 + j * 29) % 360)
            visits.append((day, visit(f"{k}-{j}", f"905-rai{k}" if k < 30 else f"905-v{k}", day.isoformat(), None,
                                      urgency="1")))
    for month in sorted({d.strftime("%Y-%m") for d, _ in visits}):
        VisitFile([v for d, v in visits if d.strftime("%Y-%m") == month]).write(
            landing / "avohilmo" / f"avohilmo_905_{month}.csv")
    run = tiedolla(home, "run")
    return {"home": home, "run": run, "enrolments": enrol, "measurements": frame, "rai": rai, "visits": visits}


def effect_row(effects, intervention, measure, area):
    got = marts(effects["home"], "select * from intervention_effects")
    row = got[(got["intervention"] == intervention) & (got["measure"] == measure) & (got["area_code"] == area)]
    assert len(row) == 1
    return row.iloc[0]


def as_of_day(effects) -> date:
    """The last day of the latest month with an outcome file (no --as-of): follow-up windows are judged there."""
    latest = max(effects["measurements"]["date"]).replace(day=1)
    return (latest + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def published_cells(effects) -> pd.DataFrame:
    return marts(effects["home"], "select * from intervention_effects")


def test_every_effect_row_equals_the_independent_computation(effects):
    """Every published row, every column of methods.md (revision 2 included), suppression included, to 1e-9."""
    got = published_cells(effects)
    assert len(got) >= 16
    for row in got.itertuples():
        want = expected_effect(effects["enrolments"], effects["measurements"], row.intervention, row.measure,
                               row.area_code, row.period_start.year, as_of_day(effects))
        for column in EFFECT_COLUMNS:
            value, expected = getattr(row, column), want[column]
            where = (row.intervention, row.measure, row.area_code, column, value, expected)
            if expected is None or (isinstance(expected, float) and np.isnan(expected)):
                assert pd.isna(value), where
            elif isinstance(expected, (bool, np.bool_)):
                assert bool(value) == bool(expected), where
            else:
                assert not pd.isna(value) and abs(float(value) - float(expected)) < 1e-9, where


@pytest.mark.parametrize("area", ["905", "499", "17"])
@pytest.mark.parametrize("measure", ["PHQ9", "PROMIS10_PSYK"])
def test_effects_equal_scipy_on_the_same_rows(effects, area, measure):
    pairs = participant_pairs(effects["enrolments"], effects["measurements"], "IPC", measure)
    if area != "17":
        pairs = pairs[pairs["municipality"] == area]
    row = effect_row(effects, "IPC", measure, area)
    change = pairs["follow"] - pairs["base"]
    paired = stats.ttest_rel(pairs["follow"], pairs["base"]).confidence_interval(0.95)
    assert row["pairs"] == len(pairs)
    assert abs(row["mean_change"] - change.mean()) < 1e-9
    assert abs(row["baseline_mean"] - pairs["base"].mean()) < 1e-9
    assert abs(row["ci95_low"] - paired.low) < 1e-9 and abs(row["ci95_high"] - paired.high) < 1e-9
    comparison = comparison_pairs(effects["enrolments"], effects["measurements"], measure, area, 2023)
    comparison = (comparison["follow"] - comparison["base"]).to_numpy(float)
    if len(comparison) >= 5:
        welch = stats.ttest_ind(change, comparison, equal_var=False).confidence_interval(0.95)
        assert abs(row["comparison_change"] - comparison.mean()) < 1e-9
        assert abs(row["did_estimate"] - (change.mean() - comparison.mean())) < 1e-9
        assert abs(row["did_ci95_low"] - welch.low) < 1e-9 and abs(row["did_ci95_high"] - welch.high) < 1e-9
    elif len(comparison):
        assert pd.isna(row["comparison_change"]) and pd.isna(row["comparison_clients"]), row
    better = -change if measure == "PHQ9" else change
    mcid = 5
    assert abs(row["share_improved_mcid"] - (better.round(10) >= mcid).mean()) < 1e-9
    assert f"n = {len(pairs)}" in row["method_note_en"] and "not randomised" in row["method_note_en"]


def test_comparison_group_leaves_out_every_programme_using_the_measure(effects):
    """IPC's PHQ9 comparison in Vaasa: the 11 never-enrolled clients (one of 12 was measured 50 days apart) and
    the 6 lifestyle-counselling participants, not the 7 outreach-team participants (their programme uses PHQ9)."""
    row = effect_row(effects, "IPC", "PHQ9", "905")
    assert row["comparison_clients"] == 11 + 6 == row["comparison_pairs"]
    outreach = effect_row(effects, "JALKAUTUVA_TIIMI", "PHQ9", "905")
    assert outreach["comparison_clients"] == 17 and outreach["pairs"] == 7
    assert "programme measured with this measure" in row["method_note_en"]


def test_comparison_figures_of_one_to_four_clients_are_suppressed(effects):
    row = effect_row(effects, "IPC", "PROMIS10_PSYK", "499")
    assert not bool(row["is_suppressed"]) and row["pairs"] >= 10 and not pd.isna(row["mean_change"])
    for column in COMPARISON_COLUMNS:
        assert pd.isna(row[column]), column
    assert "fewer than 5 clients" in row["method_note_en"] and "(n = 3)" not in row["method_note_en"]
    # No comparison clients at all (Vaasa): zero is not suppressed, the comparison figures are simply empty.
    vaasa = effect_row(effects, "IPC", "PROMIS10_PSYK", "905")
    assert vaasa["comparison_clients"] == 0 and pd.isna(vaasa["did_estimate"]) and pd.isna(vaasa["ancova_estimate"])


def test_completers_hidden_when_the_non_completers_are_few(effects):
    row = effect_row(effects, "JALKAUTUVA_TIIMI", "PHQ9", "905")
    assert row["participants"] == 7 and pd.isna(row["completers"])   # 6 completers, 1 non-completer
    ipc = effect_row(effects, "IPC", "PHQ9", "905")
    assert ipc["completers"] == 23 and ipc["participants"] == 30


def test_low_precision_and_provisional_rows_say_so(effects):
    row = effect_row(effects, "JALKAUTUVA_TIIMI", "PHQ9", "905")
    assert bool(row["is_low_precision"]) and bool(row["is_provisional"])
    assert "Indicative (few pairs)" in row["method_note_en"] and "Provisional" in row["method_note_en"]
    assert "Suuntaa antava (vähän pareja)" in row["method_note_fi"] and "Alustava" in row["method_note_fi"]
    assert "Riktgivande (få par)" in row["method_note_sv"] and "Preliminär" in row["method_note_sv"]
    ipc = effect_row(effects, "IPC", "PHQ9", "905")
    assert not bool(ipc["is_low_precision"]) and not bool(ipc["is_provisional"])
    assert "Indicative" not in ipc["method_note_en"] and "Provisional" not in ipc["method_note_en"]


def test_new_columns_are_in_the_column_catalog(effects):
    catalog = marts(effects["home"], "select * from column_catalog where mart = 'intervention_effects'")
    documented = catalog.set_index("column_name")
    for column in ["comparison_clients", "ancova_estimate", "ancova_ci95_low", "ancova_ci95_high",
                   "comparison_share_improved_mcid", "mcid_share_difference", "mcid_diff_ci95_low",
                   "mcid_diff_ci95_high", "comparison_baseline_mean", "is_low_precision", "is_provisional"]:
        for label in ("label_fi", "label_sv", "label_en", "description", "description_fi", "description_sv"):
            assert isinstance(documented.loc[column, label], str) and documented.loc[column, label], (column, label)


def test_window_edges_and_participants(effects):
    row = effect_row(effects, "IPC", "PHQ9", "905")
    pairs = participant_pairs(effects["enrolments"], effects["measurements"], "IPC", "PHQ9")
    edge_clients = set(pairs[pairs["client"].str.contains("edge")]["client"])
    assert edge_clients == {"905-edge0", "905-edge1"}   # 60 before, 60 and 240 after; not 61 before, 59 or 241 after
    published = effect_row(effects, "IPC", "PHQ9", "905")["pairs"]
    assert published == len(pairs[pairs["municipality"] == "905"])
    enrol = effects["enrolments"]
    vaasa_ipc = enrol[(enrol["intervention"] == "IPC") & (enrol["municipality"] == "905")]
    assert row["participants"] == len(vaasa_ipc)
    assert row["completers"] == (vaasa_ipc["status"] == "valmis").sum()
    korsholm = effect_row(effects, "IPC", "PHQ9", "499")
    assert korsholm["completers"] == (enrol[(enrol["municipality"] == "499")]["status"] == "slutförd").sum()


def test_fewer_than_five_pairs_are_suppressed(effects):
    row = effect_row(effects, "KOTIKUNTOUTUS", "RAI_ADLH", "905")
    assert bool(row["is_suppressed"]) and pd.isna(row["mean_change"]) and pd.isna(row["participants"])
    unpaired = effect_row(effects, "KOTIKUNTOUTUS", "WHODAS12", "905")
    assert not bool(unpaired["is_suppressed"]) and pd.isna(unpaired["mean_change"])


def test_out_of_range_value_is_a_rejected_row_not_a_number(effects):
    status = tiedolla(effects["home"], "status", "--json").stdout
    assert '"reason": "out_of_range"' in status and '"column": "arvo"' in status


def test_segments_equal_an_independent_computation(effects):
    """Every segment of Vaasa's 2023-Q1 against tests/cli/independent_segments.py (methods revision 2: moves
    against the previous quarter's segment, share 0 for empty segments), suppression included."""
    got = marts(effects["home"], "select * from segment_summary where area_code = '905' and period_start = '2023-01-01'")
    got = got.set_index(["scheme", "segment"])
    assessments = pd.DataFrame([("905", c, d, m) for c, d, m in effects["rai"]],
                               columns=["municipality", "client", "date", "maple"])
    visits = pd.DataFrame([("905", v["asiakas_tunniste"], d) for d, v in effects["visits"]],
                          columns=["municipality", "client", "date"])
    expected = independent_segments.expected_segments(assessments, visits, date(2023, 1, 1), "905")
    assert len(got) == len(expected)
    for key, want in expected.items():
        row = got.loc[key]
        for column, value in want.items():
            if value is None:
                assert pd.isna(row[column]), (key, column, row[column])
            else:
                assert not pd.isna(row[column]) and abs(float(row[column]) - float(value)) < 1e-9, \
                    (key, column, row[column], value)
        assert bool(row["window_complete"]) == independent_segments.window_complete(key[0], date(2023, 1, 1), "905")
    assert "905-old" not in independent_segments.latest_segments(assessments, date(2023, 3, 31), ["905"])
