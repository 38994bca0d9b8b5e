"""Who is enrolled in which intervention and when, and the never-enrolled clients measured for comparison.

Every volume is per resident (scaled like the residents), so each municipality has the same mix of
participants and comparison clients in expectation: the participants' share of a cell's pairs, which the true
ANCOVA effect depends on a little (effects.py), is then the same everywhere. A client is drawn at most once,
for one role: one enrolment, or one comparison pair, in the whole sample; so the comparison group of
methods.md (never enrolled in any intervention using the measure) is exactly the comparison clients.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tiedolla.sample.clients import REGION_RESIDENTS, Clients, residents
from tiedolla.sample.layout import Layout, rng_for

ONGOING, COMPLETED, DROPPED_OUT = 0, 1, 2


@dataclass(frozen=True)
class Programme:
    code: str                      # interventions.csv
    ages: tuple[int, int]          # eligible ages, in full years on 1 July of the enrolment year
    older_weight: float            # how much likelier a 75+ client is picked than a younger eligible one
    yearly: float                  # enrolments a year in the region at scale 1
    completion: float              # share completed; the rest drop out
    days: tuple[int, int]          # duration of a completed enrolment
    unit: tuple[str, str]          # delivering unit (fi, sv), followed by the municipality's name


# Unit names carry ä/ö/å, so a Windows-1252 enrolment file differs from its UTF-8 bytes.
PROGRAMMES = (
    Programme("KOTIKUNTOUTUS", (65, 120), 3.0, 300, 0.75, (42, 84),
              ("Ikäihmisten kotikuntoutus", "Hemrehabilitering för äldre")),
    Programme("ETAKUNTOUTUS", (65, 120), 2.0, 150, 0.65, (56, 112),
              ("Etäkuntoutus", "Distansrehabilitering, äldreomsorgen")),
    Programme("ELINTAPAOHJAUS", (65, 120), 1.0, 200, 0.70, (90, 180),
              ("Ikäihmisten neuvola", "Seniorrådgivningen")),
    Programme("IPC", (16, 64), 1.0, 300, 0.70, (42, 70),
              ("Mielenterveys- ja päihdepalvelut", "Psykiatriska öppenvården")),
    Programme("LAPSET_PUHEEKSI", (4, 16), 1.0, 250, 0.80, (7, 45),
              ("Perhekeskus, lapsiperheiden sosiaalityö", "Familjecentrets rådgivning")),
    Programme("VOIMAPERHEET", (4, 16), 1.0, 150, 0.65, (70, 100),
              ("Perhekeskus, Voimaperheet-työ", "Familjecentrets rådgivning, Starka familjer")),
    Programme("AUDIT_MINI", (18, 74), 1.0, 300, 0.80, (0, 30),
              ("Terveysaseman päihdehoitaja", "Hälsostationens missbruksskötare")),
    Programme("MAKSUTON_EHKAISY", (15, 24), 1.0, 350, 0.80, (30, 365),
              ("Ehkäisyneuvola", "Preventivmedelsrådgivningen")),
    Programme("JALKAUTUVA_TIIMI", (13, 24), 1.0, 120, 0.60, (60, 240),
              ("Jalkautuva nuorisotyö", "Uppsökande ungdomsarbete, Öppna tjänster")),
)
PROGRAMME_CODES = tuple(p.code for p in PROGRAMMES)


@dataclass(frozen=True)
class ComparisonSet:
    measures: tuple[str, ...]      # measured together on the same two days
    ages: tuple[int, int]
    older_weight: float
    yearly: float                  # comparison clients a year in the region at scale 1
    unit: tuple[str, str]          # the measuring unit (the outcome files' extra column)


# About 1.5–2 comparison clients per participant of the interventions that use the measures.
COMPARISON_SETS = (
    ComparisonSet(("RAI_ADLH", "WHODAS12"), (65, 120), 2.0, 600,
                  ("Ikäihmisten kotikuntoutus", "Hemrehabilitering för äldre")),
    ComparisonSet(("EUROHIS8", "PROMIS10_FYYS"), (65, 120), 1.0, 300,
                  ("Ikäihmisten neuvola", "Seniorrådgivningen")),
    ComparisonSet(("PHQ9", "PROMIS10_PSYK"), (16, 64), 1.0, 500,
                  ("Mielenterveys- ja päihdepalvelut", "Psykiatriska öppenvården")),
    ComparisonSet(("SDQ",), (4, 16), 1.0, 450,
                  ("Perhekeskus, lapsiperheiden sosiaalityö", "Familjecentrets rådgivning")),
    ComparisonSet(("AUDIT_C", "AUDIT"), (18, 74), 1.0, 400,
                  ("Terveysaseman päihdehoitaja", "Hälsostationens missbruksskötare")),
)

# Measurement timing (days). Baseline: start − lag, mostly 0–30 days before; follow-up: start + lag, mostly
# 90–180 days after; a comparison client's second measurement follows the first like a follow-up.
BASELINE_LAG = np.r_[np.full(31, 0.85 / 31), np.full(30, 0.15 / 30)]                       # 0 … 60
FOLLOW_UP_LAG = np.r_[np.zeros(60), np.full(30, 0.10 / 30), np.full(91, 0.80 / 91),
                      np.full(60, 0.10 / 60)]                                              # 0 … 240
BASELINE_SHARE = 0.92                  # participants with a baseline
FOLLOW_UP_SHARE = {True: 0.88, False: 0.45}     # completers / dropouts with a follow-up
EXPORT_DELAY_DAYS = 14                 # a month's first enrolment file leaves 14 days after the month


@dataclass(frozen=True)
class Enrolments:
    client: np.ndarray             # index into Clients
    home: np.ndarray               # index into Clients.codes
    programme: np.ndarray          # index into PROGRAMMES
    start: np.ndarray              # datetime64[D]
    planned_end: np.ndarray        # the day it ends, even if after the sample's extraction day
    end: np.ndarray                # NaT while ongoing on the extraction day
    status: np.ndarray             # ONGOING | COMPLETED | DROPPED_OUT on the extraction day
    completes: np.ndarray          # bool: completed or will complete (drives follow-up)


@dataclass(frozen=True)
class Comparisons:
    client: np.ndarray
    home: np.ndarray
    group: np.ndarray              # index into COMPARISON_SETS
    first: np.ndarray              # day of the first measurement, within an expected month


@dataclass(frozen=True)
class Cohorts:
    enrolments: Enrolments
    comparisons: Comparisons
    extraction: np.datetime64      # the sample's "now": last day of its last month


def extraction_day(layout: Layout) -> np.datetime64:
    return (np.datetime64(layout.months[-1], "M") + 1).astype("datetime64[D]") - 1


def generate_cohorts(layout: Layout, clients: Clients, scale: float, seed: int) -> Cohorts:
    """Enrolments from the layout's first month (each municipality's first expected month) to its last."""
    extraction = extraction_day(layout)
    parts: dict[str, list[np.ndarray]] = {name: [] for name in ("client", "home", "programme", "start",
                                                                  "duration", "completes")}
    compared: dict[str, list[np.ndarray]] = {name: [] for name in ("client", "home", "group", "first")}
    ages_mid_year = {year: clients.ages_on(np.datetime64(f"{year}-07-01")) for year in layout.years}
    for code in layout.codes:
        # One stream per municipality: its cohorts stay the same whichever other municipalities are selected.
        rng = rng_for(seed, "cohorts", code)
        part = clients.of(code)
        home = clients.codes.index(code)
        used = np.zeros(part.stop - part.start, dtype=bool)
        per_resident = residents(code, scale) / REGION_RESIDENTS
        for year in layout.years:
            span = _covered_days(layout, code, year)
            if span is None:
                continue
            first, days = span
            ages = ages_mid_year[year][part]
            expected = per_resident * days / 365.25
            for index, programme in enumerate(PROGRAMMES):
                chosen = _pick(rng, ages, used, programme.ages, programme.older_weight,
                               int(rng.poisson(programme.yearly * expected)))
                n = len(chosen)
                low, high = programme.days
                parts["client"].append(part.start + chosen)
                parts["home"].append(np.full(n, home))
                parts["programme"].append(np.full(n, index))
                parts["start"].append(first + rng.integers(0, days, size=n))
                completes = rng.random(n) < programme.completion
                full = rng.integers(low, high + 1, size=n)
                # A dropout leaves after 10–70 % of the course.
                parts["duration"].append(np.where(completes, full,
                                                  np.floor(full * rng.uniform(0.1, 0.7, size=n)).astype(int)))
                parts["completes"].append(completes)
            for index, group in enumerate(COMPARISON_SETS):
                chosen = _pick(rng, ages, used, group.ages, group.older_weight,
                               int(rng.poisson(group.yearly * expected)))
                compared["client"].append(part.start + chosen)
                compared["home"].append(np.full(len(chosen), home))
                compared["group"].append(np.full(len(chosen), index))
                compared["first"].append(first + rng.integers(0, days, size=len(chosen)))
    p = {name: _concat(values, name) for name, values in parts.items()}
    planned_end = p["start"] + p["duration"]
    ongoing = planned_end > extraction
    enrolments = Enrolments(
        client=p["client"], home=p["home"], programme=p["programme"], start=p["start"],
        planned_end=planned_end, end=np.where(ongoing, np.datetime64("NaT"), planned_end),
        status=np.where(ongoing, ONGOING, np.where(p["completes"], COMPLETED, DROPPED_OUT)).astype(np.int8),
        completes=p["completes"])
    c = {name: _concat(values, name) for name, values in compared.items()}
    return Cohorts(enrolments, Comparisons(c["client"], c["home"], c["group"], c["first"]), extraction)


def _covered_days(layout: Layout, code: str, year: int) -> tuple[np.datetime64, int] | None:
    """First day and number of days of `year` whose months the layout expects from `code` (contiguous)."""
    months = [m for m in layout.months if m.startswith(str(year)) and layout.expected(code, m)]
    if not months:
        return None
    first = np.datetime64(months[0], "D")
    last = (np.datetime64(months[-1], "M") + 1).astype("datetime64[D]")
    return first, int((last - first).astype(int))


def _pick(rng: np.random.Generator, ages: np.ndarray, used: np.ndarray, bounds: tuple[int, int],
          older_weight: float, n: int) -> np.ndarray:
    """n unused eligible clients (indexes into the municipality's slice), 75+ weighted; fewer if the pool
    runs dry. Weighted sampling without replacement by exponential keys (Efraimidis–Spirakis)."""
    eligible = np.flatnonzero(~used & (ages >= bounds[0]) & (ages <= bounds[1]))
    keys = np.log(rng.random(len(eligible))) / np.where(ages[eligible] >= 75, older_weight, 1.0)
    chosen = eligible[np.argsort(-keys, kind="stable")[:n]]
    used[chosen] = True
    return np.sort(chosen)


def _concat(values: list[np.ndarray], name: str) -> np.ndarray:
    if values:
        return np.concatenate(values)
    return np.zeros(0, dtype="datetime64[D]" if name in ("start", "first") else
                    bool if name == "completes" else int)
