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
    frame = pd.DataFrame(measurements, columns=["municipality", "client", "measure", "date", "value"])
    for (municipality, month), rows in frame.groupby([frame["municipality"], frame["date"].map(lambda d: d.strftime("%Y-%m"))]):
        out = [[r.client, r.measure, fi(r.date), str(r.value).replace(".", ",")] for r in rows.itertuples()]
        if (municipality, month) == ("905", "2023-03"):
            out += [["905-bad", "PHQ9", "2.3.2023", "31"]] + [[f"905-pad{j}", "PHQ9", "2.3.2023", "1"] for j in range(40)]
        header = ["asiakas_tunniste", "mittari", "mittaus_pvm", "arvo"] if municipality == "905" else \
            ["klient_id", "matare", "matning_datum", "varde"]
        write(landing / "outcomes" / f"outcomes_{municipality}_{month}.csv", header, out)
    enrol = pd.DataFrame(enrolments, columns=["municipality", "client", "intervention", "start", "status"])
    for municipality, rows in enrol.groupby("municipality"):
        header = ["asiakas_tunniste", "interventio", "yksikko", "aloitus_pvm", "lopetus_pvm", "tila"] \
            if municipality == "905" else ["klient_id", "intervention", "enhet", "start_datum", "slut_datum", "status"]
        write(landing / "interventions" / f"interventions_{municipality}_2023-03.csv", header,
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


def participant_pairs(enrol: pd.DataFrame, meas: pd.DataFrame, intervention: str, measure: str) -> pd.DataFrame:
    rows = []
    for e in enrol[enrol["intervention"] == intervention].itertuples():
        m = meas[(meas["client"] == e.client) & (meas["measure"] == measure)]
        base = m[(m["date"] <= e.start) & (m["date"] >= e.start - timedelta(days=60))].sort_values("date")
        follow = m[(m["date"] >= e.start + timedelta(days=60)) & (m["date"] <= e.start + timedelta(days=240))]
        if len(base) and len(follow):
            rows.append({"municipality": e.municipality, "client": e.client, "base": base["value"].iloc[-1],
                         "follow": follow.sort_values("date")["value"].iloc[0]})
    return pd.DataFrame(rows)


def comparison_changes(enrol, meas, intervention, measure, area) -> np.ndarray:
    enrolled = set(enrol[enrol["intervention"] == intervention]["client"])
    m = meas[(meas["measure"] == measure) & ~meas["client"].isin(enrolled)
             & ((meas["municipality"] == area) | (area == "17"))]
    changes = []
    for client, rows in m.groupby("client"):
        rows = rows.sort_values("date")
        for first in rows.itertuples():
            later = rows[(rows["date"] >= first.date + timedelta(days=60)) & (rows["date"] <= first.date + timedelta(days=240))]
            if first.date.year == 2023 and len(later):
                changes.append(later["value"].iloc[0] - first.value)
                break
    return np.array(changes)


def effect_row(effects, intervention, measure, area):
    got = marts(effects["home"], "select * from intervention_effects")
    row = got[(got["intervention"] == intervention) & (got["measure"] == measure) & (got["area_code"] == area)]
    assert len(row) == 1
    return row.iloc[0]


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
    comparison = comparison_changes(effects["enrolments"], effects["measurements"], "IPC", measure, area)
    if len(comparison) >= 2:
        welch = stats.ttest_ind(change, comparison, equal_var=False).confidence_interval(0.95)
        assert abs(row["comparison_change"] - comparison.mean()) < 1e-9
        assert abs(row["did_estimate"] - (change.mean() - comparison.mean())) < 1e-9
        assert abs(row["did_ci95_low"] - welch.low) < 1e-9 and abs(row["did_ci95_high"] - welch.high) < 1e-9
    better = -change if measure == "PHQ9" else change
    mcid = 5
    assert abs(row["share_improved_mcid"] - (better.round(10) >= mcid).mean()) < 1e-9
    assert f"n = {len(pairs)}" in row["method_note_en"] and "not randomised" in row["method_note_en"]


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
    got = marts(effects["home"], "select * from segment_summary where area_code = '905' and period_start = '2023-01-01'")
    got = got.set_index(["scheme", "segment"])
    quarter_end = date(2023, 3, 31)
    latest = {}
    for client, day, level in sorted(effects["rai"], key=lambda r: r[1]):
        if day <= quarter_end and day >= quarter_end - timedelta(days=365):
            latest[client] = (day, level)
    previous = {}
    history = {}
    for client, day, level in sorted(effects["rai"], key=lambda r: r[1]):
        previous[(client, day)] = history.get(client)
        history[client] = level
    visits = pd.Series([v["asiakas_tunniste"] for d, v in effects["visits"] if date(2022, 4, 1) <= d <= quarter_end])
    per_client = visits.value_counts()
    for level in range(1, 6):
        clients = [c for c, (d, m) in latest.items() if m == level]
        row = got.loc[("rai_maple", f"maple_{level}")]
        if 1 <= len(clients) <= 4:
            assert bool(row["is_suppressed"]) and pd.isna(row["clients"])
            continue
        assert row["clients"] == len(clients)
        assert abs(row["share_of_clients"] - len(clients) / len(latest)) < 1e-9
        assert abs(row["visits_per_client"] - np.mean([per_client.get(c, 0) for c in clients])) < 1e-9
        up = sum(1 for c in clients if latest[c][0] >= date(2023, 1, 1) and previous[(c, latest[c][0])] is not None
                 and level > previous[(c, latest[c][0])])
        down = sum(1 for c in clients if latest[c][0] >= date(2023, 1, 1) and previous[(c, latest[c][0])] is not None
                   and level < previous[(c, latest[c][0])])
        assert (row["moved_up"], row["moved_down"]) == (up, down)
    assert "905-old" not in latest
    bands = {"light": (1, 2), "moderate": (3, 9), "heavy": (10, 10 ** 6)}
    total = len(per_client)
    for segment, (low, high) in bands.items():
        clients = per_client[(per_client >= low) & (per_client <= high)]
        row = got.loc[("service_use", segment)]
        assert row["clients"] == len(clients) and pd.isna(row["moved_up"])
        assert abs(row["share_of_clients"] - len(clients) / total) < 1e-9
        assert abs(row["visits_per_client"] - clients.mean()) < 1e-9
