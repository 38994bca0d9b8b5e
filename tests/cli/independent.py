"""An independent computation of wait_times (methods.md) from the rows the tests landed, in pandas/numpy.

Shares no code with the pipeline: reads the region's care_guarantee.csv directly from tests/reference (not the
dbt seed).
"""
from __future__ import annotations

import csv
from datetime import date
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
