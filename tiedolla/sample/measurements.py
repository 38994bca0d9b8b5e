"""Outcome measurements of participants (baseline, follow-up) and of comparison clients (two measurements),
with the true effects of effects.py; and the measurements exactly on the windows' edges.

Dropouts change like completers and only miss their follow-up more often, and whether a measurement exists
never depends on its value: the pairs the method finds are an unbiased sample of the true changes.

Rows are numeric columns; measurement days outside the sample's expected slots are dropped by the writer.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from tiedolla.sample.effects import MEASURE_CODES, MEASURES, measures_of, quantise, true_effects
from tiedolla.sample.enrolments import (BASELINE_LAG, BASELINE_SHARE, COMPARISON_SETS, FOLLOW_UP_LAG,
                                        FOLLOW_UP_SHARE, PROGRAMMES, Cohorts)
from tiedolla.sample.layout import rng_for

Live = Callable[[np.ndarray, np.ndarray], np.ndarray]     # (day, home) → does a measurement there load?

BASELINE, FOLLOW_UP, FIRST, SECOND, EXTRA = 0, 1, 2, 3, 4       # `role` of a measurement
SHARED_SEVERITY = 0.7      # a client's baselines share a severity: correlation 0.49 between two measures
# Window edges, as days from the start: one participant each gets an added measurement there. A baseline
# exactly 60 days before (counts: the participant had none), follow-ups exactly 60 and 240 days after
# (count: none before), one 59 days after ahead of the regular follow-up (not a follow-up: the regular one
# is), and a follow-up 241 days after (not a follow-up: that participant has no pair).
EDGES = (("baseline_60", BASELINE, -60), ("follow_up_60", FOLLOW_UP, 60), ("follow_up_240", FOLLOW_UP, 240),
         ("extra_59", EXTRA, 59), ("follow_up_241", FOLLOW_UP, 241))


@dataclass(frozen=True)
class Measurements:
    client: np.ndarray     # index into Clients
    home: np.ndarray       # index into Clients.codes
    measure: np.ndarray    # index into MEASURE_CODES
    day: np.ndarray        # datetime64[D]
    value: np.ndarray      # float, already rounded and clipped
    owner: np.ndarray      # enrolment index (participants) or -1 − comparison index
    role: np.ndarray       # BASELINE | FOLLOW_UP | FIRST | SECOND | EXTRA

    def take(self, index: np.ndarray) -> "Measurements":
        return Measurements(*(getattr(self, name)[index] for name in self.__dataclass_fields__))

    def __len__(self) -> int:
        return len(self.day)


def generate_measurements(cohorts: Cohorts, seed: int) -> Measurements:
    """Every participant of an intervention with measures, and every comparison client, measured."""
    rng = rng_for(seed, "outcomes", "values")
    effects = true_effects()
    parts: list[dict[str, np.ndarray]] = []
    e = cohorts.enrolments
    for index, programme in enumerate(PROGRAMMES):
        measures = measures_of(programme.code)
        who = np.flatnonzero(e.programme == index)
        if not measures or not len(who):
            continue
        n = len(who)
        baseline_day = e.start[who] - rng.choice(len(BASELINE_LAG), size=n, p=BASELINE_LAG)
        follow_up_day = e.start[who] + rng.choice(len(FOLLOW_UP_LAG), size=n, p=FOLLOW_UP_LAG)
        has_baseline = rng.random(n) < BASELINE_SHARE
        has_follow_up = rng.random(n) < np.where(e.completes[who], FOLLOW_UP_SHARE[True],
                                                 FOLLOW_UP_SHARE[False])
        severity = rng.normal(size=n)
        for measure in measures:
            model = MEASURES[measure]
            latent = _baseline(rng, model.participants, severity)
            later = latent + effects[(programme.code, measure)].latent + rng.normal(0, model.noise, size=n)
            for role, day, value, present in ((BASELINE, baseline_day, latent, has_baseline),
                                              (FOLLOW_UP, follow_up_day, later, has_follow_up)):
                parts.append(_rows(e.client[who], e.home[who], measure, day, quantise(measure, value), who,
                                   role, present))
    c = cohorts.comparisons
    for index, group in enumerate(COMPARISON_SETS):
        who = np.flatnonzero(c.group == index)
        n = len(who)
        second_day = c.first[who] + rng.choice(len(FOLLOW_UP_LAG), size=n, p=FOLLOW_UP_LAG)
        severity = rng.normal(size=n)
        for measure in group.measures:
            model = MEASURES[measure]
            latent = _baseline(rng, model.comparison, severity)
            later = latent + model.natural + rng.normal(0, model.noise, size=n)
            everyone = np.ones(n, dtype=bool)
            parts.append(_rows(c.client[who], c.home[who], measure, c.first[who], quantise(measure, latent),
                               -1 - who, FIRST, everyone))
            parts.append(_rows(c.client[who], c.home[who], measure, second_day, quantise(measure, later),
                               -1 - who, SECOND, everyone))
    if not parts:
        types = (int, int, int, "datetime64[D]", float, int, int)
        return Measurements(*(np.zeros(0, dtype=t) for t in types))
    return Measurements(**{name: np.concatenate([p[name] for p in parts]) for name in parts[0]})


def with_window_edges(rows: Measurements, cohorts: Cohorts, live: Live,
                      rng: np.random.Generator) -> tuple[Measurements, dict[str, int]]:
    """Add one participant's measurement (all its measures) exactly on each window edge. Rows are only
    added, so no file planned with rows loses them.

    `live(day, home)` → bool array: whether a measurement on that day reaches a loading file. Participants of
    interventions whose measures no other intervention uses are preferred (an edge participant stays out of
    every comparison group of its measures either way: methods.md revision 2). Returns the rows and the chosen enrolment per edge (absent when none fits)."""
    e = cohorts.enrolments
    effects = true_effects()
    baseline, follow_up = _day_of(rows, e, BASELINE), _day_of(rows, e, FOLLOW_UP)
    has_baseline, has_follow_up = ~np.isnat(baseline), ~np.isnat(follow_up)
    # The participant's existing measurements must load too, or the edge would pair with nothing.
    has_baseline[has_baseline] = live(baseline[has_baseline], e.home[has_baseline])
    has_follow_up[has_follow_up] = live(follow_up[has_follow_up], e.home[has_follow_up])
    shared = {m for p in PROGRAMMES for m in measures_of(p.code)
              if sum(m in measures_of(q.code) for q in PROGRAMMES) > 1}
    unshared = np.array([bool(measures_of(p.code)) and not set(measures_of(p.code)) & shared
                         for p in PROGRAMMES])
    measured = np.array([bool(measures_of(p.code)) for p in PROGRAMMES])[e.programme]
    chosen: dict[str, int] = {}
    added = []
    for name, role, offset in EDGES:
        if role == BASELINE:
            ok = np.isnat(baseline) & has_follow_up          # no baseline yet, a follow-up that loads
        elif role == FOLLOW_UP:
            ok = has_baseline & np.isnat(follow_up)
        else:
            ok = has_baseline & has_follow_up & (follow_up > e.start + offset)
        ok &= measured
        ok[list(chosen.values())] = False
        ok[ok] = live(e.start[ok] + offset, e.home[ok])
        candidates = np.flatnonzero(ok & unshared[e.programme])
        if not len(candidates):
            candidates = np.flatnonzero(ok)
        if not len(candidates):
            continue
        pick = int(candidates[rng.integers(len(candidates))])
        chosen[name] = pick
        # The new rows copy the participant's other measurement (one row per measure).
        other = FOLLOW_UP if role == BASELINE else BASELINE
        source = np.flatnonzero((rows.owner == pick) & (rows.role == other))
        new = rows.take(source)
        value = new.value.copy()
        for i, measure in enumerate(MEASURE_CODES[m] for m in new.measure):
            model = MEASURES[measure]
            if role == BASELINE:
                value[i] = quantise(measure, rng.normal(*model.participants, size=1))[0]
            elif role == FOLLOW_UP:
                change = effects[(PROGRAMMES[e.programme[pick]].code, measure)].latent
                value[i] = quantise(measure, value[i:i + 1] + change + rng.normal(0, model.noise, size=1))[0]
        day = np.full(len(new), e.start[pick] + offset)
        added.append(Measurements(new.client, new.home, new.measure, day, value, new.owner,
                                  np.full(len(new), role)))
    rows = Measurements(*(np.concatenate([getattr(part, f) for part in (rows, *added)])
                          for f in rows.__dataclass_fields__))
    return rows, chosen


def _baseline(rng: np.random.Generator, model: tuple[float, float], severity: np.ndarray) -> np.ndarray:
    """Baselines N(mean, sd) that share part of a client's `severity` (AUDIT-C and AUDIT of one client
    agree): correlated across measures, each still normal with the model's mean and sd."""
    mean, sd = model
    return mean + sd * (SHARED_SEVERITY * severity
                        + np.sqrt(1 - SHARED_SEVERITY ** 2) * rng.normal(size=len(severity)))


def _day_of(rows: Measurements, e, role: int) -> np.ndarray:
    """Per enrolment, the day of its measurement of `role` (NaT without one)."""
    day = np.full(len(e.start), np.datetime64("NaT"), dtype="datetime64[D]")
    mine = (rows.owner >= 0) & (rows.role == role)
    day[rows.owner[mine]] = rows.day[mine]
    return day


def _rows(client: np.ndarray, home: np.ndarray, measure: str, day: np.ndarray, value: np.ndarray,
          owner: np.ndarray, role: int, present: np.ndarray) -> dict[str, np.ndarray]:
    keep = np.flatnonzero(present)
    return {"client": client[keep], "home": home[keep],
            "measure": np.full(len(keep), MEASURE_CODES.index(measure)),
            "day": day[keep].astype("datetime64[D]"),
            "value": value[keep], "owner": owner[keep], "role": np.full(len(keep), role)}
