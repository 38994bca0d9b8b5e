"""segment_summary under methods revision 2, end to end: hand-made RAI assessments and visits for Vaasa (905,
expected from 2019-01) and Kronoby (288, expected only from 2023-01) are landed in a fresh home and run through
the command line, then one more month is landed and run incrementally. Every row of the two municipalities and
the welfare area must equal an independent computation (tests/cli/independent_segments.py), suppression
included; the named clients show the rules one by one:

- moved_up / moved_down compare with the client's segment at the previous quarter's end: `up` goes 2 → 4,
  `down` 4 → 2, `stale` reaches 4 but its earlier assessment is older than 365 days at the previous quarter's
  end (neither), `back` falls within the quarter and returns to its previous level (neither), `mover` goes from
  1 in Kronoby to 3 in Vaasa (up in Vaasa and the welfare area, neither in Kronoby);
- a segment without clients has share 0;
- window_complete is false for the first quarters of a municipality's data (and of the welfare area while
  such a municipality counts), and reliability there is at most partial.
"""
from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from tests.cli import independent_segments as independent
from tests.cli.test_end_to_end import marts, tiedolla
from tests.deliveries import VisitFile, visit

RAI_HEADER = ["asiakas_tunniste", "arviointi_pvm", "instrumentti", "maple", "cps", "adlh", "iadl", "drs", "chess"]
GROUP = 5   # clients per named group: cells of 1–4 clients are suppressed
AREAS = ("905", "288", "17")


def months(first: str, last: str) -> list[date]:
    out, day = [], date.fromisoformat(first + "-01")
    while day <= date.fromisoformat(last + "-01"):
        out.append(day)
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return out


def fi(d: date) -> str:
    return f"{d.day}.{d.month}.{d.year}"


def named_assessments() -> list[tuple[str, str, date, int]]:
    rows = []
    for k in range(GROUP):
        rows += [("905", f"up{k}", date(2023, 2, 15), 2), ("905", f"up{k}", date(2023, 5, 10), 4),
                 ("905", f"stale{k}", date(2022, 3, 20), 2), ("905", f"stale{k}", date(2023, 5, 12), 4),
                 ("905", f"down{k}", date(2023, 1, 10), 4), ("905", f"down{k}", date(2023, 6, 5), 2),
                 ("905", f"back{k}", date(2023, 3, 10), 3), ("905", f"back{k}", date(2023, 4, 2), 1),
                 ("905", f"back{k}", date(2023, 6, 20), 3),
                 ("288", f"mover{k}", date(2023, 2, 1), 1), ("905", f"mover{k}", date(2023, 5, 20), 3),
                 # The next month, landed in a second (incremental) run: `down` rises again, to 5.
                 ("905", f"down{k}", date(2023, 7, 10), 5)]
    return rows


def regular_assessments(rng, municipality: str, span: list[date]) -> list[tuple[str, str, date, int]]:
    """20 regular clients, each reassessed every fourth month at a random level: every file has 5 rows more."""
    rows = []
    for index, month in enumerate(span):
        for k in range(20):
            if (k + index) % 4 == 0:
                rows.append((municipality, f"r{municipality}-{k}", month + timedelta(days=int(rng.integers(0, 28))),
                             int(rng.integers(1, 6))))
    return rows


def month_visits(rng, municipality: str, month: date, clients: list[str], start_id: int) -> list[tuple]:
    """14 primary-care visits (any urgency) of the month and one oral-health visit, which does not count."""
    rows = []
    for j in range(15):
        day = month + timedelta(days=int(rng.integers(0, 28)))
        client = clients[int(rng.integers(0, len(clients)))]
        service = "T60" if j == 14 else "T11"
        rows.append((municipality, client, day, service,
                     visit(f"{municipality}-{start_id + j}", client, day.isoformat(), None, urgency="1",
                           service=service, home=municipality)))
    return rows


def land(home, assessments, visits, only_month: str | None = None) -> None:
    frame = pd.DataFrame(assessments, columns=["municipality", "client", "date", "maple"])
    for (municipality, month), rows in frame.groupby([frame["municipality"], frame["date"].map(lambda d: d.strftime("%Y-%m"))]):
        if only_month and month != only_month:
            continue
        path = home / "landing" / "rai" / f"rai_{municipality}_{month}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = [";".join(RAI_HEADER)] + [";".join([r.client, fi(r.date), "HC", str(r.maple), "2", "3", "", "", ""])
                                          for r in rows.itertuples()]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    by_file: dict[tuple[str, str], list[dict]] = {}
    for municipality, _, day, _, row in visits:
        by_file.setdefault((municipality, day.strftime("%Y-%m")), []).append(row)
    for (municipality, month), rows in by_file.items():
        if only_month and month != only_month:
            continue
        VisitFile(rows).write(home / "landing" / "avohilmo" / f"avohilmo_{municipality}_{month}.csv")


@pytest.fixture(scope="module")
def segments(tmp_path_factory):
    home = tmp_path_factory.mktemp("segments") / "home"
    rng = np.random.default_rng(16)
    assessments = named_assessments()
    assessments += regular_assessments(rng, "905", months("2022-01", "2023-07"))
    assessments += regular_assessments(rng, "288", months("2023-01", "2023-07"))
    visits, next_id = [], 0
    named = [f"{g}{k}" for g in ("up", "stale", "down", "back", "mover") for k in range(GROUP)]
    for municipality, span in (("905", months("2022-04", "2023-07")), ("288", months("2023-01", "2023-07"))):
        clients = [f"r{municipality}-{k}" for k in range(20)] + (named if municipality == "905" else []) \
            + [f"v{municipality}-{k}" for k in range(6)]
        for month in span:
            visits += month_visits(rng, municipality, month, clients, next_id)
            next_id += 15
    first = [a for a in assessments if a[2] < date(2023, 7, 1)]
    land(home, first, [v for v in visits if v[2] < date(2023, 7, 1)])
    first_run = tiedolla(home, "run", "--verbose")
    before = marts(home, "select * from segment_summary")
    land(home, assessments, visits, only_month="2023-07")
    second_run = tiedolla(home, "run", "--verbose")
    return {"home": home, "assessments": pd.DataFrame(assessments, columns=["municipality", "client", "date", "maple"]),
            "visits": pd.DataFrame([(m, c, d) for m, c, d, s, _ in visits if s == "T11"],
                                   columns=["municipality", "client", "date"]),
            "before": before, "runs": (first_run, second_run),
            "mart": marts(home, "select * from segment_summary")}


def row(frame: pd.DataFrame, area: str, quarter: str, scheme: str, segment: str) -> pd.Series:
    hit = frame[(frame["area_code"] == area) & (frame["period_start"] == pd.Timestamp(quarter))
                & (frame["scheme"] == scheme) & (frame["segment"] == segment)]
    assert len(hit) == 1, (area, quarter, scheme, segment)
    return hit.iloc[0]


def same(got, want) -> bool:
    if want is None:
        return pd.isna(got)
    if isinstance(want, float):
        return not pd.isna(got) and abs(got - want) < 1e-9
    return not pd.isna(got) and got == want


def test_the_second_run_was_incremental(segments):
    output = segments["runs"][1].stdout + segments["runs"][1].stderr
    assert "dbt: incremental" in output and "dbt: full refresh" not in output
    kept = segments["before"][segments["before"]["period_start"] < pd.Timestamp("2023-07-01")]
    now = segments["mart"][segments["mart"]["period_start"] < pd.Timestamp("2023-07-01")]
    key = ["area_code", "period_start", "scheme", "segment"]
    pd.testing.assert_frame_equal(kept.sort_values(key).reset_index(drop=True),
                                  now.sort_values(key).reset_index(drop=True))


@pytest.mark.parametrize("quarter", ["2022-01-01", "2022-04-01", "2022-07-01", "2022-10-01", "2023-01-01",
                                     "2023-04-01", "2023-07-01"])
@pytest.mark.parametrize("area", AREAS)
def test_every_row_equals_the_independent_computation(segments, area, quarter):
    start = date.fromisoformat(quarter)
    if area == "288" and start < date(2023, 1, 1):
        assert segments["mart"][(segments["mart"]["area_code"] == "288")
                                & (segments["mart"]["period_start"] == pd.Timestamp(quarter))].empty
        return
    expected = independent.expected_segments(segments["assessments"], segments["visits"], start, area)
    for (scheme, segment), want in expected.items():
        got = row(segments["mart"], area, quarter, scheme, segment)
        for column, value in want.items():
            assert same(got[column], value), (area, quarter, scheme, segment, column, got[column], value)
        assert bool(got["window_complete"]) == independent.window_complete(scheme, start, area)
        if not got["window_complete"]:
            assert got["reliability"] != "good"


def test_moves_against_the_previous_quarters_segment(segments):
    mart, assessments = segments["mart"], segments["assessments"]

    def regular_moves(area: str, quarter_end: date, previous_end: date, level: int, direction: int) -> int:
        """The regular clients (random levels) of the area who moved into the level in that direction."""
        now = independent.latest_segments(assessments, quarter_end, [area])
        before = independent.latest_segments(assessments, previous_end, ["905", "288"])
        return sum(1 for c, s in now.items() if c.startswith("r") and s["maple"] == level and c in before
                   and np.sign(s["maple"] - before[c]["maple"]) == direction)

    q2, end, previous = "2023-04-01", date(2023, 6, 30), date(2023, 3, 31)
    # maple_4 in Vaasa: `up` (2 → 4) moved up; `stale` (its 2 is older than 365 days at 2023-03-31) did not.
    maple_4 = row(mart, "905", q2, "rai_maple", "maple_4")
    assert maple_4["clients"] >= 2 * GROUP
    assert maple_4["moved_up"] == GROUP + regular_moves("905", end, previous, 4, 1)
    assert maple_4["moved_down"] == regular_moves("905", end, previous, 4, -1)
    # maple_2: `down` (4 → 2) moved down.
    assert row(mart, "905", q2, "rai_maple", "maple_2")["moved_down"] == GROUP + regular_moves("905", end, previous, 2, -1)
    # maple_3: `mover` (1 in Kronoby → 3 in Vaasa) moved up; `back` (3 → 1 → 3 within the quarter) did not.
    maple_3 = row(mart, "905", q2, "rai_maple", "maple_3")
    assert maple_3["moved_up"] == GROUP + regular_moves("905", end, previous, 3, 1)
    assert maple_3["moved_down"] == regular_moves("905", end, previous, 3, -1)
    # In Kronoby the movers are still at 1 (their Kronoby assessment): neither there.
    kronoby = row(mart, "288", q2, "rai_maple", "maple_1")
    assert kronoby["clients"] >= GROUP
    assert kronoby["moved_up"] == 0 and kronoby["moved_down"] == regular_moves("288", end, previous, 1, -1)
    # The welfare area counts the movers too.
    assert row(mart, "17", q2, "rai_maple", "maple_3")["moved_up"] == \
        GROUP + regular_moves("905", end, previous, 3, 1) + regular_moves("288", end, previous, 3, 1)
    # Computed incrementally (the second run rebuilt 2023-Q3 only): `down` is 5 against its 2 at the end of Q2.
    assert row(mart, "905", "2023-07-01", "rai_maple", "maple_5")["moved_up"] == \
        GROUP + regular_moves("905", date(2023, 9, 30), end, 5, 1)


def test_segments_without_clients_have_share_0(segments):
    mart = segments["mart"]
    published = mart[~mart["is_suppressed"].astype(bool)]
    assert published["share_of_clients"].notna().all()
    empty = published[published["clients"] == 0]
    assert len(empty) and (empty["share_of_clients"] == 0).all()
    # Kronoby's 2023-Q2: the movers' maple_1 (5 clients) beside empty levels; shares add up to 1 over the
    # published cells when none is suppressed.
    kronoby = mart[(mart["area_code"] == "288") & (mart["period_start"] == pd.Timestamp("2023-04-01"))
                   & (mart["scheme"] == "rai_maple")]
    if not kronoby["is_suppressed"].astype(bool).any():
        assert abs(kronoby["share_of_clients"].sum() - 1) < 1e-9
    # Vaasa before any data (2019): no clients in any scheme, every share 0 (0 ÷ 0 is published as 0).
    early = mart[(mart["area_code"] == "905") & (mart["period_start"] == pd.Timestamp("2019-04-01"))]
    assert len(early) == 8 and (early["clients"] == 0).all() and (early["share_of_clients"] == 0).all()


def test_first_quarters_of_a_municipalitys_data_are_incomplete_and_at_most_partial(segments):
    mart = segments["mart"]

    def check(area, quarter, scheme, complete, reliability):
        got = row(mart, area, quarter, scheme, "maple_1" if scheme == "rai_maple" else "light")
        assert (bool(got["window_complete"]), got["reliability"]) == (complete, reliability), (area, quarter, scheme)

    # Kronoby delivered every month from its first expected one (coverage good): its RAI look-back reaches
    # before 2023-01 through 2023-Q4, its 12 months of visits through 2023-Q3. Values kept, reliability partial.
    for quarter in ("2023-01-01", "2023-04-01", "2023-07-01"):
        check("288", quarter, "rai_maple", False, "partial")
        check("288", quarter, "service_use", False, "partial")
    assert row(mart, "288", "2023-04-01", "rai_maple", "maple_1")["clients"] >= GROUP
    # Vaasa, expected from 2019-01: complete and good where every month arrived.
    check("905", "2023-04-01", "rai_maple", True, "good")
    check("905", "2023-04-01", "service_use", True, "good")
    # Vaasa's own first quarters (nothing delivered then: missing stays missing).
    check("905", "2019-10-01", "rai_maple", False, "missing")
    check("905", "2020-01-01", "rai_maple", True, "missing")
    check("905", "2019-07-01", "service_use", False, "missing")
    check("905", "2019-10-01", "service_use", True, "missing")
    # The welfare area counts Kronoby from 2023-01: complete in 2022-Q4, incomplete in 2023 (poor stays poor).
    check("17", "2022-10-01", "rai_maple", True, "poor")
    check("17", "2023-01-01", "rai_maple", False, "poor")
