"""The intervention effects hidden in the sample outcomes, and the figures the methods of methods.md
("Intervention effects", "Revision 2") must recover from them: the difference-in-differences and the
baseline-adjusted (ANCOVA) estimate.

Each measurement is a latent normal value rounded to the measure's step and clipped to its range:
baseline B = q(X), follow-up F = q(X + change + noise). TRUE_EFFECTS gives the participants' latent mean
change; NATURAL_CHANGE (in MEASURES) that of never-enrolled comparison clients. The comparison group is
every client never enrolled in any intervention using the measure (revision 2); in the sample those are
exactly the comparison clients of enrolments.COMPARISON_SETS (a client has one role in the whole sample, and
participants are measured only with their own programme's measures), so no other programme's participants
mix into it. What the method sees still differs from the latent numbers through rounding and clipping,
computed exactly here (no simulation):

- DiD: E[F − B] is not the latent change when values pile up at a range edge (PHQ9's floor at 0 under
  IPC's follow-up, RAI_ADLH's 0–6). The true DiD is E[F − B | participants] − E[F − B | comparison].
- ANCOVA: the OLS fit F ~ 1 + B + participant converges to c = ΔE[F] − b·ΔE[B], with b the pooled
  within-group slope Cov(B, F) / Var(B) (each group weighted by its expected share of the pairs). In the
  latent model the change does not depend on the baseline, so both groups' slopes are 1 and c = DiD; the
  rounding (a measurement error of the baseline) and the clipping (a floor under the follow-up) bend the
  slopes below 1, so c differs from the DiD by (1 − b)·ΔE[B] and more where the groups' baselines differ
  (true_ancova, from the groups' exact moments of the delivered values).

An intervention marked NO_EFFECT gets the latent change that makes its participants' expected change equal
to the comparison group's: its true difference-in-differences is exactly 0 (its ANCOVA truth is near 0).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.special import ndtr

from tiedolla.reference import read_seed
from tiedolla.sample.enrolments import BASELINE_SHARE, COMPARISON_SETS, FOLLOW_UP_SHARE, PROGRAMMES

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
    comparison: float      # expected mean change of the comparison group's pairs (never-enrolled clients)
    ancova: float          # the OLS limit of the participant coefficient of F ~ 1 + B + participant

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
    above = ndtr((mean - thresholds) / sd)
    return float(low + step * above.sum())


def expected_change(code: str, baseline: tuple[float, float], latent_change: float) -> float:
    """E[F − B] for B = q(X), F = q(X + change + noise), X ~ N(baseline)."""
    mean, sd = baseline
    noise = MEASURES[code].noise
    return (expected_value(code, mean + latent_change, math.hypot(sd, noise))
            - expected_value(code, mean, sd))


@dataclass(frozen=True)
class Moments:
    """Of a group's delivered (baseline, follow-up) pairs."""
    baseline: float
    followup: float
    baseline_variance: float
    covariance: float


@lru_cache(maxsize=None)
def pair_moments(code: str, baseline: tuple[float, float], latent_change: float) -> Moments:
    """E[B], E[F], Var(B) and Cov(B, F) for B = q(X), F = q(X + change + ε), X ~ N(baseline), ε ~ N(0, noise):
    E[B·F] = Σ_k v_k ∫_{cell k} E[q(x + change + ε)] φ(x) dx, by Gauss–Legendre within each rounding cell (the
    outer cells, which take the clipped tails, cut at 12 sd)."""
    mean, sd = baseline
    noise = MEASURES[code].noise
    values, thresholds = _grid(code)
    edges = np.r_[min(thresholds[0], mean) - 12 * sd, thresholds, max(thresholds[-1], mean) + 12 * sd]
    nodes, weights = np.polynomial.legendre.leggauss(24)
    low, high = edges[:-1, None], edges[1:, None]
    x = (low + high) / 2 + (high - low) / 2 * nodes                   # cells × nodes
    w = (high - low) / 2 * weights * np.exp(-0.5 * ((x - mean) / sd) ** 2) / (sd * math.sqrt(2 * math.pi))
    held = w.sum(axis=1) > 1e-17                                      # cells with any mass (PROMIS: 521)
    values, x, w = values[held], x[held], w[held]
    # E[q(x + change + ε)] = lowest value + step × Σ_thresholds P(x + change + ε > t).
    step = MEASURES[code].step
    above = ndtr((x[..., None] + latent_change - thresholds) / noise).sum(axis=-1)
    followup_given_x = values[0] + step * above
    mass = w.sum(axis=1)                                              # P(B = v_k)
    e_b = float(values @ mass)
    e_bb = float((values ** 2) @ mass)
    e_f = float((w * followup_given_x).sum())
    e_bf = float(values @ (w * followup_given_x).sum(axis=1))
    return Moments(e_b, e_f, e_bb - e_b ** 2, e_bf - e_b * e_f)


def ancova_limit(participants: Moments, comparison: Moments, share: float) -> float:
    """The participant coefficient OLS converges to when a share `share` of the pairs are participants'."""
    slope = ((share * participants.covariance + (1 - share) * comparison.covariance)
             / (share * participants.baseline_variance + (1 - share) * comparison.baseline_variance))
    return ((participants.followup - comparison.followup)
            - slope * (participants.baseline - comparison.baseline))


def participant_share(key: tuple[str, str]) -> float:
    """Expected share of a cell's pairs that are participants' (the rest: comparison clients' pairs), from
    the yearly volumes of enrolments.py (the same per resident everywhere, so the same in every area)."""
    programme, measure = key
    p = next(p for p in PROGRAMMES if p.code == programme)
    pairs = p.yearly * BASELINE_SHARE * (p.completion * FOLLOW_UP_SHARE[True]
                                         + (1 - p.completion) * FOLLOW_UP_SHARE[False])
    comparison = sum(s.yearly for s in COMPARISON_SETS if measure in s.measures)
    return pairs / (pairs + comparison)


@lru_cache(maxsize=None)
def true_effects() -> dict[tuple[str, str], TrueEffect]:
    """Every intervention × measure: latent and expected changes of participants and comparison group, and
    the ANCOVA limit."""
    out = {}
    for key, change in TRUE_EFFECTS.items():
        measure = key[1]
        model = MEASURES[measure]
        comparison = expected_change(measure, model.comparison, model.natural)
        latent = _solve(measure, model.participants, comparison) if change is NO_EFFECT else change
        ancova = ancova_limit(pair_moments(measure, model.participants, latent),
                              pair_moments(measure, model.comparison, model.natural), participant_share(key))
        out[key] = TrueEffect(latent, expected_change(measure, model.participants, latent), comparison, ancova)
    return out


def true_did() -> dict[tuple[str, str], float]:
    """The true difference-in-differences (participants − comparison) per intervention × measure: what the
    method's estimate converges to on this sample (0 for the NO_EFFECT rows)."""
    return {key: effect.did for key, effect in true_effects().items()}


def true_ancova() -> dict[tuple[str, str], float]:
    """The true baseline-adjusted effect per intervention × measure: what ancova_estimate converges to."""
    return {key: effect.ancova for key, effect in true_effects().items()}


def _solve(code: str, baseline: tuple[float, float], target: float) -> float:
    """The latent change whose expected change is `target` (bisection: expected change rises with it)."""
    low, high = measure_range(code)
    lo, hi = -(high - low), high - low
    for _ in range(80):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if expected_change(code, baseline, mid) < target else (lo, mid)
    return (lo + hi) / 2


@lru_cache(maxsize=None)
def _grid(code: str) -> tuple[np.ndarray, np.ndarray]:
    """A measure's delivered values and the rounding thresholds between them."""
    low, high = measure_range(code)
    step = MEASURES[code].step
    count = round((high - low) / step)
    return low + step * np.arange(count + 1), low + (np.arange(1, count + 1) - 0.5) * step


@lru_cache(maxsize=None)
def _ranges() -> dict[str, tuple[float, float]]:
    return {row["code"]: (float(row["min"]), float(row["max"])) for row in read_seed("measures")}


@lru_cache(maxsize=None)
def _measures_of() -> dict[str, tuple[str, ...]]:
    return {row["code"]: tuple(m for m in row["measures"].split(";") if m)
            for row in read_seed("interventions")}
