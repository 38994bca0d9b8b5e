"""Before–after changes, their t-intervals, the difference-in-differences with Welch's interval, the
baseline-adjusted (ANCOVA) estimate and the MCID shares against the comparison group with Newcombe's interval.

A dbt Python model (dbt-duckdb runs it in-process) because the t quantiles come from scipy, the same
library the tests check the figures against; the pairing windows stay in SQL (int_intervention_pairs,
int_comparison_pairs), where their edges are unit-tested. Unsuppressed: intervention_effects suppresses.
"""
import math

import numpy as np
import pandas as pd
# The t and normal quantiles as scipy.special's inverse Student t and inverse normal: the values of
# scipy.stats.t.ppf / norm.ppf without the second it takes to import scipy.stats in dbt's process.
from scipy.special import ndtri, stdtrit

KEYS = ["intervention", "measure", "area_code", "area_level", "cohort_year"]
COMPARISON_KEYS = ["measure", "area_code", "cohort_year"]
# methods.md revision 2: the ANCOVA estimate and the MCID difference need 5 pairs in each group.
MIN_GROUP = 5
Z = float(ndtri(0.975))


def t_interval(values: np.ndarray) -> tuple[float, float]:
    """Mean ± t(0.975, n−1) · s/√n; NaN with fewer than two values."""
    n = len(values)
    if n < 2:
        return math.nan, math.nan
    mean, sd = values.mean(), values.std(ddof=1)
    half = stdtrit(n - 1, 0.975) * sd / math.sqrt(n)
    return mean - half, mean + half


def welch_interval(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(mean x − mean y) ± t(0.975, Welch–Satterthwaite df) · √(s²x/nx + s²y/ny)."""
    if len(x) < 2 or len(y) < 2:
        return math.nan, math.nan
    vx, vy = x.var(ddof=1) / len(x), y.var(ddof=1) / len(y)
    difference, se = x.mean() - y.mean(), math.sqrt(vx + vy)
    if se == 0:
        return difference, difference
    df = (vx + vy) ** 2 / (vx ** 2 / (len(x) - 1) + vy ** 2 / (len(y) - 1))
    half = stdtrit(df, 0.975) * se
    return difference - half, difference + half


def ancova(baseline_x: np.ndarray, followup_x: np.ndarray, baseline_y: np.ndarray, followup_y: np.ndarray,
           ) -> tuple[float, float, float]:
    """The participant coefficient of the OLS fit follow-up ~ 1 + baseline + participant over both groups'
    pairs, with its t-interval on n − 3 df. NaN when a group has fewer than MIN_GROUP pairs or the design is
    degenerate (every baseline equal: baseline and intercept collinear)."""
    if len(baseline_x) < MIN_GROUP or len(baseline_y) < MIN_GROUP:
        return math.nan, math.nan, math.nan
    baseline = np.concatenate([baseline_x, baseline_y])
    followup = np.concatenate([followup_x, followup_y])
    participant = np.r_[np.ones(len(baseline_x)), np.zeros(len(baseline_y))]
    # Centred baseline: the same coefficient of `participant`, a better-conditioned design.
    design = np.column_stack([np.ones(len(baseline)), baseline - baseline.mean(), participant])
    q, r = np.linalg.qr(design)
    diagonal = np.abs(np.diag(r))
    if diagonal.min() <= 1e-10 * diagonal.max():
        return math.nan, math.nan, math.nan
    coefficients = np.linalg.solve(r, q.T @ followup)
    residuals = followup - design @ coefficients
    df = len(followup) - 3
    variance = float(residuals @ residuals) / df
    # Var(β) = s² (XᵀX)⁻¹ = s² R⁻¹ R⁻ᵀ: the participant's entry is s² · Σ_j (R⁻¹)²_{2j}.
    r_inverse = np.linalg.solve(r, np.eye(3))
    se = math.sqrt(variance * float(r_inverse[2] @ r_inverse[2]))
    estimate = float(coefficients[2])
    half = stdtrit(df, 0.975) * se
    return estimate, estimate - half, estimate + half


def wilson(successes: int, n: int) -> tuple[float, float]:
    """Wilson's score interval (no continuity correction) of successes / n."""
    p = successes / n
    centre = p + Z * Z / (2 * n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    denominator = 1 + Z * Z / n
    return (centre - half) / denominator, (centre + half) / denominator


def newcombe(successes_x: int, n_x: int, successes_y: int, n_y: int) -> tuple[float, float, float]:
    """p_x − p_y with Newcombe's hybrid score interval (Newcombe 1998, method 10); NaN when a group has fewer
    than MIN_GROUP pairs."""
    if n_x < MIN_GROUP or n_y < MIN_GROUP:
        return math.nan, math.nan, math.nan
    p_x, p_y = successes_x / n_x, successes_y / n_y
    low_x, high_x = wilson(successes_x, n_x)
    low_y, high_y = wilson(successes_y, n_y)
    difference = p_x - p_y
    return (difference,
            difference - math.sqrt((p_x - low_x) ** 2 + (high_y - p_y) ** 2),
            difference + math.sqrt((high_x - p_x) ** 2 + (p_y - low_y) ** 2))


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(list(frame.columns), ignore_index=True)


EMPTY = np.array([], dtype=float)


def model(dbt, session):
    dbt.config(materialized="table")
    groups = dbt.ref("int_intervention_participants").df()
    measures = dbt.ref("interventions").df()
    # DuckDB returns rows in no fixed order, and a float sum depends on its order: sorted, every build publishes
    # the same digits (unsorted, the last of ~16 digits varied between builds).
    pairs = _sorted(dbt.ref("int_intervention_pairs").df())
    comparison = _sorted(dbt.ref("int_comparison_pairs").df())
    measures = measures.assign(measure=measures["measures"].fillna("").str.split(";")).explode("measure")
    measures = measures[measures["measure"] != ""][["code", "measure"]].rename(columns={"code": "intervention"})
    cells = groups.merge(measures, on="intervention")[KEYS]
    columns_of = ("change", "baseline_value", "followup_value", "improved_mcid")
    pairs_by = {key: {c: frame[c].to_numpy(float) for c in columns_of} for key, frame in pairs.groupby(KEYS)}
    comparison_by = {key: {"change": frame["change"].to_numpy(float),
                           "baseline_value": frame["first_value"].to_numpy(float),
                           "followup_value": frame["second_value"].to_numpy(float),
                           "improved_mcid": frame["improved_mcid"].to_numpy(float)}
                     for key, frame in comparison.groupby(COMPARISON_KEYS)}
    nothing = {c: EMPTY for c in columns_of}
    rows = []
    for cell in cells.itertuples(index=False):
        own = pairs_by.get(tuple(cell), nothing)
        other = comparison_by.get((cell.measure, cell.area_code, cell.cohort_year), nothing)
        x, y = own["change"], other["change"]
        low, high = t_interval(x)
        did_low, did_high = welch_interval(x, y)
        estimate, ancova_low, ancova_high = ancova(own["baseline_value"], own["followup_value"],
                                                   other["baseline_value"], other["followup_value"])
        improved_x, improved_y = int(own["improved_mcid"].sum()), int(other["improved_mcid"].sum())
        share_difference, mcid_low, mcid_high = newcombe(improved_x, len(x), improved_y, len(y))
        mean_change = x.mean() if len(x) else math.nan
        comparison_change = y.mean() if len(y) else math.nan
        rows.append({
            **cell._asdict(),
            "pairs": len(x),
            "baseline_mean": own["baseline_value"].mean() if len(x) else math.nan,
            "followup_mean": own["followup_value"].mean() if len(x) else math.nan,
            "mean_change": mean_change, "ci95_low": low, "ci95_high": high,
            "comparison_clients": len(y), "comparison_pairs": len(y),
            "comparison_baseline_mean": other["baseline_value"].mean() if len(y) else math.nan,
            "comparison_change": comparison_change,
            "did_estimate": mean_change - comparison_change if len(x) and len(y) else math.nan,
            "did_ci95_low": did_low, "did_ci95_high": did_high,
            "ancova_estimate": estimate, "ancova_ci95_low": ancova_low, "ancova_ci95_high": ancova_high,
            "share_improved_mcid": improved_x / len(x) if len(x) else math.nan,
            "comparison_share_improved_mcid": improved_y / len(y) if len(y) else math.nan,
            "mcid_share_difference": share_difference,
            "mcid_diff_ci95_low": mcid_low, "mcid_diff_ci95_high": mcid_high,
        })
    columns = KEYS + ["pairs", "baseline_mean", "followup_mean", "mean_change", "ci95_low", "ci95_high",
                      "comparison_clients", "comparison_pairs", "comparison_baseline_mean", "comparison_change",
                      "did_estimate", "did_ci95_low", "did_ci95_high",
                      "ancova_estimate", "ancova_ci95_low", "ancova_ci95_high", "share_improved_mcid",
                      "comparison_share_improved_mcid", "mcid_share_difference", "mcid_diff_ci95_low",
                      "mcid_diff_ci95_high"]
    return pd.DataFrame(rows, columns=columns)
