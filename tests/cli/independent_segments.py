"""An independent computation of segment_summary (methods.md "Segments" as "Revision 2" amends it) from the
rows the tests landed, in plain pandas/Python.

Shares no code with the pipeline. The welfare area and the first expected slot of each municipality come from
the region's municipalities.csv in tests/reference (not the dbt seed); the segment bands are written out from
the methods text.

- rai_maple: each client's latest assessment on or before the quarter's last day and at most 365 days old.
  moved_up / moved_down compare that MAPLe with the client's segment at the previous quarter's end (same rule,
  any municipality of the welfare area), counted in the welfare area and in the municipality of this quarter's
  assessment; no segment in the previous quarter: neither.
- service_use: primary-care visits in the 12 calendar months ending with the quarter's last month.
- share_of_clients: 0 for a segment without clients (also when the scheme has none: 0 ÷ 0 is 0).
- Cells of 1–4 clients: every value NULL, is_suppressed true.
- window_complete: the window (quarter end − 365 days; first of the 12 months) starts on or after the first
  expected slot of the area's municipality, or for the welfare area of each municipality expected by the
  quarter's end; reliability then at most partial.
"""
from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

REFERENCE = Path(__file__).resolve().parents[1] / "reference"
MIN_PERSONS, MAX_PERSONS = 1, 4          # reliability_thresholds (suppress_min/max_persons)
SERVICE_USE = {"light": (1, 2), "moderate": (3, 9), "heavy": (10, None)}
MAPLE = [f"maple_{level}" for level in range(1, 6)]


def municipalities() -> dict[str, dict]:
    with open(REFERENCE / "municipalities.csv", encoding="utf-8") as handle:
        return {row["code"]: {"welfare_area": row["welfare_area_code"],
                              "first_slot": date.fromisoformat(row["deliveries_expected_from"]).replace(day=1)}
                for row in csv.DictReader(handle)}


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def quarter_end(quarter_start: date) -> date:
    return _add_months(quarter_start, 3) - timedelta(days=1)


def members(area: str) -> list[str]:
    table = municipalities()
    if area in table:
        return [area]
    return [code for code, row in table.items() if row["welfare_area"] == area]


def welfare_area(area: str) -> str:
    table = municipalities()
    return table[area]["welfare_area"] if area in table else area


def latest_segments(assessments: pd.DataFrame, day: date, municipality_codes: list[str]) -> dict[str, dict]:
    """client → {maple, municipality} of the latest assessment on or before `day`, at most 365 days old."""
    rows = assessments[assessments["municipality"].isin(municipality_codes)
                       & (assessments["date"] <= day) & (assessments["date"] >= day - timedelta(days=365))]
    latest: dict[str, dict] = {}
    for row in rows.sort_values(["date", "maple", "municipality"]).itertuples():
        latest[row.client] = {"maple": int(row.maple), "municipality": row.municipality}
    return latest


def window_complete(scheme: str, quarter_start: date, area: str) -> bool:
    table = municipalities()
    end = quarter_end(quarter_start)
    start = end - timedelta(days=365) if scheme == "rai_maple" else _add_months(quarter_start, -9)
    counted = [code for code in members(area) if table[code]["first_slot"] <= end]
    return all(start >= table[code]["first_slot"] for code in counted)


def capped(reliability: str, complete: bool) -> str:
    return "partial" if reliability == "good" and not complete else reliability


def _cell(scheme: str, clients: int, total: int, visits_per_client, up=None, down=None) -> dict:
    row = {"clients": clients, "share_of_clients": clients / total if clients else 0.0,
           "visits_per_client": visits_per_client if clients else None,
           "moved_up": up if scheme == "rai_maple" else None,
           "moved_down": down if scheme == "rai_maple" else None,
           "is_suppressed": MIN_PERSONS <= clients <= MAX_PERSONS}
    if row["is_suppressed"]:
        for key in ("clients", "share_of_clients", "visits_per_client", "moved_up", "moved_down"):
            row[key] = None
    return row


def expected_segments(assessments: pd.DataFrame, visits: pd.DataFrame, quarter_start: date,
                      area: str) -> dict[tuple[str, str], dict]:
    """assessments: municipality, client, date, maple; visits: municipality, client, date (primary care, T11,
    any urgency). Returns (scheme, segment) → the row's values for the area and quarter."""
    end = quarter_end(quarter_start)
    codes = members(area)
    region = members(welfare_area(area))
    current = latest_segments(assessments, end, codes)
    region_now = latest_segments(assessments, end, region)
    region_before = latest_segments(assessments, quarter_start - timedelta(days=1), region)
    moves = {}
    for client, now in region_now.items():
        before = region_before.get(client)
        if before is None or (area != welfare_area(area) and now["municipality"] != area):
            continue    # no segment in the previous quarter, or this quarter's assessment is another area's
        moves[client] = "up" if now["maple"] > before["maple"] else "down" if now["maple"] < before["maple"] else None
    window = visits[visits["municipality"].isin(codes) & (visits["date"] >= _add_months(quarter_start, -9))
                    & (visits["date"] <= end)]
    per_client = window["client"].value_counts().to_dict()
    out = {}
    for level, segment in enumerate(MAPLE, start=1):
        clients = [c for c, s in current.items() if s["maple"] == level]
        mean = sum(per_client.get(c, 0) for c in clients) / len(clients) if clients else None
        out[("rai_maple", segment)] = _cell(
            "rai_maple", len(clients), len(current), mean,
            sum(1 for c in clients if moves.get(c) == "up"), sum(1 for c in clients if moves.get(c) == "down"))
    for segment, (low, high) in SERVICE_USE.items():
        counts = [n for n in per_client.values() if n >= low and (high is None or n <= high)]
        out[("service_use", segment)] = _cell("service_use", len(counts), len(per_client),
                                              sum(counts) / len(counts) if counts else None)
    return out
