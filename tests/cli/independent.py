"""An independent computation of wait_times and intervention_effects (methods.md) from the rows the tests
landed, in pandas/numpy (and scipy.stats for the effects' quantiles).

Shares no code with the pipeline: reads the region's care_guarantee.csv directly from tests/reference (not the
dbt seed).
"""
from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

REFERENCE = Path(__file__).resolve().parents[1] / "reference"
CELLS = [("primary_care", "doctor"), ("primary_care", "nurse"), ("primary_care", "all"),
         ("oral_health", "dentist"), ("oral_health", "oral_hygienist"), ("oral_health", "all")]


def _group(code: str) -> str:
    if code == "2261":
        return "dentist"
    if code == "3251":
        return "oral_hygienist"
    if code.startswith("221"):
        return "doctor"
    if code.startswith(("222", "322")):
        return "nurse"
    return "other"


def guarantee_rules() -> list[dict]:
    with open(REFERENCE / "care_guarantee.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["valid_from"] = date.fromisoformat(row["valid_from"])
        row["valid_to"] = date.fromisoformat(row["valid_to"]) if row["valid_to"] else date(9999, 12, 31)
    return rows


def limit(rules, line, age, day) -> int | None:
    for rule in rules:
        if (rule["service_line"] == line and int(rule["age_min"]) <= age <= int(rule["age_max"])
                and rule["valid_from"] <= day <= rule["valid_to"]):
            return int(rule["days"])
    return None


def expected_wait_times(visits: pd.DataFrame, coverage: dict[tuple[str, date], float],
                        period=lambda day: day.replace(day=1)) -> pd.DataFrame:
    """visits: one row per live visit with municipality, client, age, service_type, occupation, urgency,
    assessed (date|None), visit_date (date). coverage: (area, period) → coverage for every expected
    area-period; `period` maps a visit date to its period's first day (month by default, or year)."""
    rules = guarantee_rules()
    v = visits.copy()
    v["line"] = v["service_type"].map({"T11": "primary_care", "T60": "oral_health"})
    v = v[v["line"].notna() & (v["urgency"] == "2")]
    v["group"] = v["occupation"].map(_group)
    v["month"] = v["visit_date"].map(period)
    v["wait"] = [(vd - a).days if a is not None else None for vd, a in zip(v["visit_date"], v["assessed"])]
    v["limit"] = [limit(rules, line, age, a) if a is not None else None
                  for line, age, a in zip(v["line"], v["age"], v["assessed"])]
    both = pd.concat([v.assign(area=v["municipality"]), v.assign(area="17")])
    out = []
    for (area, month), cov in coverage.items():
        for line, group in CELLS:
            cell = both[(both["area"] == area) & (both["month"] == month) & (both["line"] == line)]
            if group != "all":
                cell = cell[cell["group"] == group]
            assessed = cell[cell["wait"].notna()]
            waits = assessed["wait"].astype(float).to_numpy()
            persons = cell["client"].nunique()
            judged = assessed[assessed["limit"].notna()]
            row = {"area_code": area, "period_start": month, "service_line": line, "professional_group": group,
                   "visits_nonurgent": len(assessed), "visits_nonurgent_unassessed": len(cell) - len(assessed),
                   "median_wait_days": np.quantile(waits, 0.5) if len(waits) else None,
                   "p90_wait_days": np.quantile(waits, 0.9) if len(waits) else None,
                   "share_within_7d": (waits <= 7).mean() if len(waits) else None,
                   "share_within_14d": (waits <= 14).mean() if len(waits) else None,
                   "share_within_21d": (waits <= 21).mean() if len(waits) else None,
                   "share_over_90d": (waits > 90).mean() if len(waits) else None,
                   "share_over_180d": (waits > 180).mean() if len(waits) else None,
                   "share_within_guarantee": (judged["wait"] <= judged["limit"]).mean() if len(judged) else None,
                   "guarantee_days": limit(rules, line, 30, month), "coverage": cov,
                   "is_suppressed": 1 <= persons <= 4}
            if row["is_suppressed"]:
                for key in list(row)[4:14]:
                    row[key] = None
            out.append(row)
    return pd.DataFrame(out)


# --- Intervention effects (methods.md "Intervention effects" and "Revision 2") -----------------------------
# Written from the methods text, not from the pipeline: pandas loops, scipy.stats for the quantiles, numpy's
# least squares on the raw (uncentred) design for ANCOVA, and Newcombe's interval from Wilson's formula.

MIN_PERSONS, MAX_PERSONS = 1, 4            # reliability_thresholds.csv (suppress_min/max_persons)


# The region's interventions and the measures each is evaluated with (shared/data/interventions.csv, the
# `measures` column), written out here rather than read from the dbt seed.
INTERVENTION_MEASURES = {
    "KOTIKUNTOUTUS": ["RAI_ADLH", "WHODAS12"], "ETAKUNTOUTUS": ["RAI_ADLH", "WHODAS12"],
    "ELINTAPAOHJAUS": ["EUROHIS8", "PROMIS10_FYYS"], "IPC": ["PHQ9", "PROMIS10_PSYK"], "LAPSET_PUHEEKSI": ["SDQ"],
    "VOIMAPERHEET": ["SDQ"], "AUDIT_MINI": ["AUDIT_C", "AUDIT"], "MAKSUTON_EHKAISY": [],
    "JALKAUTUVA_TIIMI": ["SDQ", "PHQ9"],
}


def measures_table() -> dict[str, dict]:
    with open(REFERENCE / "measures.csv", encoding="utf-8") as handle:
        return {row["code"]: {"better": row["better"], "mcid": float(row["mcid"])} for row in csv.DictReader(handle)}


def intervention_measures() -> dict[str, list[str]]:
    return INTERVENTION_MEASURES


def participant_pairs(enrol: pd.DataFrame, meas: pd.DataFrame, intervention: str, measure: str) -> pd.DataFrame:
    """enrol: municipality, client, intervention, start (date), status; meas: municipality, client, measure,
    date, value. One pair per participant with a baseline (≤ 60 days before the start) and a follow-up."""
    rows = []
    for e in enrol[enrol["intervention"] == intervention].sort_values("start").itertuples():
        if any(r["client"] == e.client and r["start"].year == e.start.year for r in rows):
            continue        # the client's first enrolment of the year
        m = meas[(meas["client"] == e.client) & (meas["measure"] == measure)]
        base = m[(m["date"] <= e.start) & (m["date"] >= e.start - timedelta(days=60))].sort_values("date")
        follow = m[(m["date"] >= e.start + timedelta(days=60)) & (m["date"] <= e.start + timedelta(days=240))]
        if len(base) and len(follow):
            rows.append({"municipality": e.municipality, "client": e.client, "start": e.start,
                         "base": base["value"].iloc[-1], "follow": follow.sort_values("date")["value"].iloc[0]})
    return pd.DataFrame(rows, columns=["municipality", "client", "start", "base", "follow"])


def comparison_pairs(enrol: pd.DataFrame, meas: pd.DataFrame, measure: str, area: str, year: int) -> pd.DataFrame:
    """Clients never enrolled in any intervention listing `measure`, with the measure twice 60–240 days apart:
    first = their earliest measurement in `year` with a later one 60–240 days after, second = the first such."""
    users = [code for code, listed in intervention_measures().items() if measure in listed]
    enrolled = set(enrol[enrol["intervention"].isin(users)]["client"])
    m = meas[(meas["measure"] == measure) & ~meas["client"].isin(enrolled)
             & ((meas["municipality"] == area) | (area == "17"))]
    rows = []
    for client, own in m.groupby("client"):
        own = own.sort_values("date")
        for first in own.itertuples():
            later = own[(own["date"] >= first.date + timedelta(days=60))
                        & (own["date"] <= first.date + timedelta(days=240))]
            if first.date.year == year and len(later):
                rows.append({"client": client, "base": first.value, "follow": later["value"].iloc[0]})
                break
    return pd.DataFrame(rows, columns=["client", "base", "follow"])


def improved(measure: str, base: np.ndarray, follow: np.ndarray) -> np.ndarray:
    rule = measures_table()[measure]
    better = (base - follow) if rule["better"] == "lower" else (follow - base)
    return np.round(better, 10) >= rule["mcid"]


def ols_participant(base_x, follow_x, base_y, follow_y) -> tuple[float, float, float]:
    """follow ~ 1 + base + participant by least squares; the participant coefficient with its t-interval."""
    from scipy import stats
    design = np.column_stack([np.ones(len(base_x) + len(base_y)), np.r_[base_x, base_y],
                              np.r_[np.ones(len(base_x)), np.zeros(len(base_y))]])
    outcome = np.r_[follow_x, follow_y]
    beta, _, rank, _ = np.linalg.lstsq(design, outcome, rcond=None)
    if rank < 3:
        return np.nan, np.nan, np.nan
    df = len(outcome) - 3
    sigma2 = np.sum((outcome - design @ beta) ** 2) / df
    se = np.sqrt(sigma2 * np.linalg.inv(design.T @ design)[2, 2])
    half = stats.t.ppf(0.975, df) * se
    return beta[2], beta[2] - half, beta[2] + half


def wilson_interval(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = k / n
    root = z * np.sqrt(4 * n * p * (1 - p) + z * z)
    return (2 * n * p + z * z - root) / (2 * (n + z * z)), (2 * n * p + z * z + root) / (2 * (n + z * z))


def newcombe_difference(k1: int, n1: int, k2: int, n2: int) -> tuple[float, float, float]:
    """Newcombe (1998) method 10: p1 − p2 with δ = √((p1 − l1)² + (u2 − p2)²), ε = √((u1 − p1)² + (p2 − l2)²)."""
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = wilson_interval(k1, n1)
    l2, u2 = wilson_interval(k2, n2)
    d = p1 - p2
    return d, d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)


def _small(n) -> bool:
    return MIN_PERSONS <= n <= MAX_PERSONS


def expected_effect(enrol: pd.DataFrame, meas: pd.DataFrame, intervention: str, measure: str, area: str,
                    year: int, as_of_day: date) -> dict:
    """One published intervention_effects row, suppression included (NaN for NULL)."""
    from scipy import stats
    nan = np.nan
    pairs = participant_pairs(enrol, meas, intervention, measure)
    mine = enrol[(enrol["intervention"] == intervention)
                 & np.array([d.year == year for d in enrol["start"]], dtype=bool)]
    if area != "17":
        pairs = pairs[pairs["municipality"] == area]
        mine = mine[mine["municipality"] == area]
    pairs = pairs[np.array([d.year == year for d in pairs["start"]], dtype=bool)]
    comparison = comparison_pairs(enrol, meas, measure, area, year)
    x = (pairs["follow"] - pairs["base"]).to_numpy(float)
    y = (comparison["follow"] - comparison["base"]).to_numpy(float)
    n, m = len(x), len(y)
    participants = mine["client"].nunique()
    completers = mine[mine["status"].isin(["valmis", "slutförd", "completed"])]["client"].nunique()
    row = {"participants": nan if _small(participants) else participants,
           "completers": nan if _small(completers) or _small(participants - completers) else completers,
           "pairs": n, "is_low_precision": 5 <= n <= 9,
           "is_provisional": max(mine["start"]) + timedelta(days=240) > as_of_day,
           "is_suppressed": _small(n)}
    ix = improved(measure, pairs["base"].to_numpy(float), pairs["follow"].to_numpy(float))
    iy = improved(measure, comparison["base"].to_numpy(float), comparison["follow"].to_numpy(float))
    row.update({"baseline_mean": pairs["base"].mean() if n else nan,
                "followup_mean": pairs["follow"].mean() if n else nan,
                "mean_change": x.mean() if n else nan,
                "share_improved_mcid": ix.mean() if n else nan})
    if n >= 2:
        ci = stats.ttest_rel(pairs["follow"], pairs["base"]).confidence_interval(0.95)
        row.update(ci95_low=ci.low, ci95_high=ci.high)
    else:
        row.update(ci95_low=nan, ci95_high=nan)
    row.update({"comparison_clients": m, "comparison_pairs": m,
                "comparison_baseline_mean": comparison["base"].mean() if m else nan,
                "comparison_change": y.mean() if m else nan,
                "did_estimate": x.mean() - y.mean() if n and m else nan,
                "comparison_share_improved_mcid": iy.mean() if m else nan})
    if n >= 2 and m >= 2:
        welch = stats.ttest_ind(x, y, equal_var=False).confidence_interval(0.95)
        row.update(did_ci95_low=welch.low, did_ci95_high=welch.high)
    else:
        row.update(did_ci95_low=nan, did_ci95_high=nan)
    if n >= 5 and m >= 5:
        a = ols_participant(pairs["base"].to_numpy(float), pairs["follow"].to_numpy(float),
                            comparison["base"].to_numpy(float), comparison["follow"].to_numpy(float))
        d = newcombe_difference(int(ix.sum()), n, int(iy.sum()), m)
    else:
        a = d = (nan, nan, nan)
    row.update(zip(["ancova_estimate", "ancova_ci95_low", "ancova_ci95_high"], a))
    row.update(zip(["mcid_share_difference", "mcid_diff_ci95_low", "mcid_diff_ci95_high"], d))
    if row["is_suppressed"]:
        for key in ["pairs", *OWN_COLUMNS, *COMPARISON_COLUMNS]:
            row[key] = nan
    elif _small(m):
        for key in COMPARISON_COLUMNS:
            row[key] = nan
    return row


OWN_COLUMNS = ["baseline_mean", "followup_mean", "mean_change", "ci95_low", "ci95_high", "share_improved_mcid"]
COMPARISON_COLUMNS = ["comparison_clients", "comparison_pairs", "comparison_baseline_mean", "comparison_change",
                      "did_estimate", "did_ci95_low", "did_ci95_high", "ancova_estimate", "ancova_ci95_low",
                      "ancova_ci95_high", "comparison_share_improved_mcid", "mcid_share_difference",
                      "mcid_diff_ci95_low", "mcid_diff_ci95_high"]
EFFECT_COLUMNS = ["participants", "completers", "pairs", *OWN_COLUMNS, *COMPARISON_COLUMNS, "is_suppressed",
                  "is_low_precision", "is_provisional"]
