"""Before–after changes, their t-intervals and the difference-in-differences with Welch's interval.

A dbt Python model (dbt-duckdb runs it in-process) because the t quantiles come from scipy, the same
library the tests check the figures against; the pairing windows stay in SQL (int_intervention_pairs,
int_comparison_pairs), where their edges are unit-tested.
"""
import math

import numpy as np
import pandas as pd
# The t quantile as scipy.special's inverse Student t: the values of scipy.stats.t.ppf without the second
# it takes to import scipy.stats in dbt's process on every build.
from scipy.special import stdtrit

KEYS = ["intervention", "measure", "area_code", "area_level", "cohort_year"]


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


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(list(frame.columns), ignore_index=True)


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
    pairs_by = {key: frame for key, frame in pairs.groupby(KEYS)}
    comparison_by = {key: frame["change"].to_numpy(float)
                     for key, frame in comparison.groupby(["intervention", "measure", "area_code", "cohort_year"])}
    rows = []
    for cell in cells.itertuples(index=False):
        key = tuple(cell)
        own = pairs_by.get(key)
        x = own["change"].to_numpy(float) if own is not None else np.array([])
        y = comparison_by.get((cell.intervention, cell.measure, cell.area_code, cell.cohort_year), np.array([]))
        low, high = t_interval(x)
        did_low, did_high = welch_interval(x, y)
        mean_change = x.mean() if len(x) else math.nan
        comparison_change = y.mean() if len(y) else math.nan
        rows.append({
            **cell._asdict(),
            "pairs": len(x),
            "baseline_mean": own["baseline_value"].mean() if len(x) else math.nan,
            "followup_mean": own["followup_value"].mean() if len(x) else math.nan,
            "mean_change": mean_change, "ci95_low": low, "ci95_high": high,
            "comparison_pairs": len(y), "comparison_change": comparison_change,
            "did_estimate": mean_change - comparison_change if len(x) and len(y) else math.nan,
            "did_ci95_low": did_low, "did_ci95_high": did_high,
            "share_improved_mcid": own["improved_mcid"].astype(float).mean() if len(x) else math.nan,
        })
    columns = KEYS + ["pairs", "baseline_mean", "followup_mean", "mean_change", "ci95_low", "ci95_high",
                      "comparison_pairs", "comparison_change", "did_estimate", "did_ci95_low", "did_ci95_high",
                      "share_improved_mcid"]
    return pd.DataFrame(rows, columns=columns)
