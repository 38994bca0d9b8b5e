"""The intervention effects hidden in the sample outcomes, and the difference-in-differences the method
of methods.md ("Intervention effects") must recover from them.

Each measurement is a latent normal value rounded to the measure's step and clipped to its range:
baseline B = q(X), follow-up F = q(X + change + noise). TRUE_EFFECTS gives the participants' latent mean
change; NATURAL_CHANGE (in MEASURES) that of never-enrolled comparison clients. What the method sees differs
from these latent numbers in two ways, both computed exactly here (no simulation):

- rounding and clipping: E[F − B] is not the latent change when values pile up at a range edge. The means
  are kept well inside the ranges, so this bias is small (largest for RAI_ADLH, an integer 0–6);
- contamination: an intervention's comparison group is every client of the area never enrolled in *it*,
  so participants of another intervention using the same measure (KOTIKUNTOUTUS and ETAKUNTOUTUS share
  RAI_ADLH and WHODAS12; IPC and JALKAUTUVA_TIIMI share PHQ9; three share SDQ) count as comparison clients
  with their own change. The comparison change is the pair-weighted mix (weights from enrolments.py).

An intervention marked NO_EFFECT gets the latent change that makes its participants' expected change equal
to its comparison group's: its true difference-in-differences is exactly 0.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from tiedolla.reference import read_seed
from tiedolla.sample.enrolments import (BASELINE_LAG, BASELINE_SHARE, COMPARISON_SETS, FOLLOW_UP_LAG,
                                        FOLLOW_UP_SHARE, PROGRAMMES)

NO_EFFECT = None


@dataclass(frozen=True)
class MeasureModel:
    step: float                                # resolution of a delivered value
    participants: tuple[float, float]          # baseline mean and sd of participants
    comparison: tuple[float, float]            # baseline mean and sd of never-enrolled comparison clients
    noise: float                               # sd of an individual change around the mean change
    natural: float                             # latent mean change of non-participants, 60–240 days apart


MEASURES = {
    "WHODAS12": MeasureModel(1, (38, 13), (30, 12), 7, 1.0),
    "PROMIS10_FYYS": MeasureModel(0.1, (42, 8), (45, 7), 5, -0.5),
    "PROMIS10_PSYK": MeasureModel(0.1, (42, 8), (46, 7), 5, 0.5),
    "EUROHIS8": MeasureModel(0.125, (3.2, 0.6), (3.4, 0.5), 0.35, 0.0),
    "RAI_ADLH": MeasureModel(1, (3, 1.3), (2.6, 1.2), 0.8, 0.2),
    "AUDIT": MeasureModel(1, (14, 5), (11, 4), 3, -0.5),
    "AUDIT_C": MeasureModel(1, (7, 2), (6, 1.8), 1.5, -0.3),
    "PHQ9": MeasureModel(1, (12, 5), (10, 4), 3.5, -1.0),
    "SDQ": MeasureModel(1, (16, 6), (14, 5), 4, -1.0),
}

# Participants' latent mean change (intervention, measure) → change, in the measure's units.
TRUE_EFFECTS: dict[tuple[str, str], float | None] = {
    ("KOTIKUNTOUTUS", "RAI_ADLH"): -1.0,        # lower is better: one ADL level better
    ("KOTIKUNTOUTUS", "WHODAS12"): -8.0,
    ("ETAKUNTOUTUS", "RAI_ADLH"): -0.4,
    ("ETAKUNTOUTUS", "WHODAS12"): NO_EFFECT,
    ("ELINTAPAOHJAUS", "EUROHIS8"): 0.3,        # higher is better
    ("ELINTAPAOHJAUS", "PROMIS10_FYYS"): 2.0,
    ("IPC", "PHQ9"): -5.0,
    ("IPC", "PROMIS10_PSYK"): 4.0,
    ("LAPSET_PUHEEKSI", "SDQ"): -3.0,
    ("VOIMAPERHEET", "SDQ"): NO_EFFECT,
    ("AUDIT_MINI", "AUDIT_C"): -1.5,
    ("AUDIT_MINI", "AUDIT"): -3.0,
    ("JALKAUTUVA_TIIMI", "SDQ"): -2.0,
    ("JALKAUTUVA_TIIMI", "PHQ9"): NO_EFFECT,
}
MEASURE_CODES = tuple(MEASURES)


@dataclass(frozen=True)
class TrueEffect:
    latent: float          # participants' latent mean change (what the generator adds)
    participants: float    # expected mean (follow-up − baseline) of participants' pairs
    comparison: float      # expected mean change of the comparison group's pairs (contamination included)

    @property
    def did(self) -> float:
        return self.participants - self.comparison


def measure_range(code: str) -> tuple[float, float]:
    return _ranges()[code]


def measures_of(programme: str) -> tuple[str, ...]:
    """The measures interventions.csv lists for an intervention (empty for MAKSUTON_EHKAISY)."""
    return _measures_of()[programme]


def quantise(code: str, latent: np.ndarray) -> np.ndarray:
    """Latent values → delivered values: rounded to the measure's step, clipped to its range."""
    low, high = measure_range(code)
    step = MEASURES[code].step
    return np.clip(np.rint((latent - low) / step) * step + low, low, high)


def expected_value(code: str, mean: float, sd: float) -> float:
    """E[quantise(N(mean, sd))]: the lowest value plus one step for every threshold passed."""
    low, high = measure_range(code)
    step = MEASURES[code].step
    thresholds = low + (np.arange(1, round((high - low) / step) + 1) - 0.5) * step
    above = 0.5 * (1 - _erf((thresholds - mean) / (sd * math.sqrt(2))))
    return float(low + step * above.sum())


def expected_change(code: str, baseline: tuple[float, float], latent_change: float) -> float:
    """E[F − B] for B = q(X), F = q(X + change + noise), X ~ N(baseline)."""
    mean, sd = baseline
    noise = MEASURES[code].noise
    return (expected_value(code, mean + latent_change, math.hypot(sd, noise))
            - expected_value(code, mean, sd))


@lru_cache(maxsize=None)
def true_effects() -> dict[tuple[str, str], TrueEffect]:
    """Every intervention × measure: latent and expected changes of participants and comparison group."""
    latent = {key: (MEASURES[key[1]].natural if change is NO_EFFECT else change)
              for key, change in TRUE_EFFECTS.items()}
    # NO_EFFECT changes depend on each other through contamination (three interventions share SDQ):
    # a fixed point, reached in a few rounds because the contamination weights are well below 1.
    for _ in range(60):
        participants = {key: expected_change(key[1], MEASURES[key[1]].participants, change)
                        for key, change in latent.items()}
        comparison = {key: _comparison_change(key, participants) for key in latent}
        for key, change in TRUE_EFFECTS.items():
            if change is NO_EFFECT:
                latent[key] = _solve(key[1], MEASURES[key[1]].participants, comparison[key])
    participants = {key: expected_change(key[1], MEASURES[key[1]].participants, change)
                    for key, change in latent.items()}
    return {key: TrueEffect(latent[key], participants[key], _comparison_change(key, participants))
            for key in TRUE_EFFECTS}


def true_did() -> dict[tuple[str, str], float]:
    """The true difference-in-differences (participants − comparison) per intervention × measure: what the
    method's estimate converges to on this sample (0 for the NO_EFFECT rows)."""
    return {key: effect.did for key, effect in true_effects().items()}


def comparison_weights(key: tuple[str, str]) -> dict[str, float]:
    """Expected comparison pairs a year (scale 1) behind intervention × measure `key`'s comparison group:
    'comparison' for the never-enrolled comparison clients, else the other intervention's code."""
    programme, measure = key
    weights = {"comparison": sum(s.yearly for s in COMPARISON_SETS if measure in s.measures)}
    for other in PROGRAMMES:
        if other.code != programme and measure in measures_of(other.code):
            follow_up = (other.completion * FOLLOW_UP_SHARE[True]
                         + (1 - other.completion) * FOLLOW_UP_SHARE[False])
            weights[other.code] = other.yearly * BASELINE_SHARE * follow_up * _pair_within_window()
    return weights


def _comparison_change(key: tuple[str, str], participants: dict[tuple[str, str], float]) -> float:
    measure = key[1]
    model = MEASURES[measure]
    changes = {"comparison": expected_change(measure, model.comparison, model.natural)}
    changes.update({other: participants[(other, measure)] for other in comparison_weights(key)
                    if other != "comparison"})
    weights = comparison_weights(key)
    return sum(weights[g] * changes[g] for g in weights) / sum(weights.values())


@lru_cache(maxsize=None)
def _pair_within_window() -> float:
    """P(follow-up − baseline ≤ 240 days): a participant's two measurements then form a comparison pair for
    every other intervention using the measure (they are always ≥ 60 days apart)."""
    gap = np.convolve(BASELINE_LAG, FOLLOW_UP_LAG)
    return float(gap[:241].sum() / gap.sum())


def _solve(code: str, baseline: tuple[float, float], target: float) -> float:
    """The latent change whose expected change is `target` (bisection: expected change rises with it)."""
    low, high = measure_range(code)
    lo, hi = -(high - low), high - low
    for _ in range(80):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if expected_change(code, baseline, mid) < target else (lo, mid)
    return (lo + hi) / 2


def _erf(x: np.ndarray) -> np.ndarray:
    """numpy has no erf (and scipy is not a dependency): math.erf over a few hundred thresholds."""
    return np.array([math.erf(value) for value in x], dtype=float)


@lru_cache(maxsize=None)
def _ranges() -> dict[str, tuple[float, float]]:
    return {row["code"]: (float(row["min"]), float(row["max"])) for row in read_seed("measures")}


@lru_cache(maxsize=None)
def _measures_of() -> dict[str, tuple[str, ...]]:
    return {row["code"]: tuple(m for m in row["measures"].split(";") if m)
            for row in read_seed("interventions")}
