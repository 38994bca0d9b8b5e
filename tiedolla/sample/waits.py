"""Waiting days from needs assessment to visit, by stratified quotas so published shares hold at any scale."""
from __future__ import annotations

import numpy as np

# THL's reporting bands (days); waits are uniform within a band.
BANDS: tuple[tuple[int, int], ...] = ((0, 0), (1, 7), (8, 14), (15, 21), (22, 90), (91, 180), (181, 365))

# Share (%) of non-urgent assessed visits in each band, by service group, from the month given until the
# next entry. 2019 doctors: >7 d 47.1 %, >90 d 6.4 % (Sotkanet); 2019 dentists: >21 d 54.8 % (Sotkanet),
# >90 d 11 %, >180 d 2 % (THL Avohilmo). Queues shorten 2020–2023; the 14-day primary-care and 4-month
# oral-health guarantees of 2023-09-01 show as a jump.
WAIT_SHARES: dict[str, dict[str, tuple[float, ...]]] = {
    #                 0     1-7   8-14  15-21 22-90 91-180 181-365
    "primary_doctor": {
        "2019-01": (12.9, 40.0, 14.0, 9.0, 17.7, 5.4, 1.0),
        "2020-01": (13.5, 41.5, 14.0, 9.0, 16.5, 4.6, 0.9),
        "2021-01": (14.5, 43.5, 14.0, 8.5, 15.0, 3.8, 0.7),
        "2022-01": (16.0, 46.0, 13.5, 8.0, 13.4, 2.6, 0.5),
        "2023-01": (18.0, 48.0, 13.0, 7.5, 11.5, 1.7, 0.3),
        "2023-09": (24.0, 50.0, 14.0, 4.5, 6.5, 0.9, 0.1),
        "2024-01": (25.0, 50.5, 13.5, 4.0, 6.0, 0.9, 0.1),
    },
    "primary_nurse": {
        "2019-01": (22.0, 40.0, 12.0, 7.0, 15.0, 3.3, 0.7),
        "2021-01": (23.0, 42.0, 12.0, 7.0, 13.0, 2.5, 0.5),
        "2023-01": (25.0, 44.0, 11.0, 6.5, 11.5, 1.7, 0.3),
        "2023-09": (34.0, 48.0, 8.0, 3.5, 5.6, 0.8, 0.1),
    },
    "primary_other": {
        "2019-01": (10.0, 35.0, 20.0, 12.0, 20.0, 2.5, 0.5),
        "2023-09": (15.0, 45.0, 25.0, 6.0, 8.0, 1.0, 0.0),
    },
    "oral_dentist": {
        "2019-01": (5.0, 15.0, 13.0, 12.2, 43.8, 9.0, 2.0),
        "2020-01": (5.5, 15.5, 13.0, 12.5, 43.5, 8.3, 1.7),
        "2021-01": (6.0, 16.5, 13.5, 12.5, 43.0, 7.2, 1.3),
        "2022-01": (7.0, 18.0, 14.0, 12.5, 41.5, 6.0, 1.0),
        "2023-01": (8.0, 19.5, 14.5, 12.5, 40.0, 4.8, 0.7),
        "2023-09": (9.0, 21.0, 15.0, 13.0, 38.5, 3.2, 0.3),
        "2024-01": (9.5, 22.0, 15.5, 13.0, 37.5, 2.3, 0.2),
    },
    "oral_hygienist": {
        "2019-01": (4.0, 12.0, 12.0, 12.0, 45.0, 12.0, 3.0),
        "2021-01": (5.0, 14.0, 13.0, 12.0, 45.0, 9.0, 2.0),
        "2023-01": (6.0, 16.0, 14.0, 12.0, 44.0, 7.0, 1.0),
        "2023-09": (7.0, 18.0, 15.0, 13.0, 42.5, 4.0, 0.5),
    },
    "other": {
        "2019-01": (20.0, 35.0, 15.0, 10.0, 17.0, 2.5, 0.5),
    },
}
GROUPS = tuple(WAIT_SHARES)


def group_of(service: str, occupation: str) -> str:
    """The wait group of a service type (T11, T60, …) and occupation code (groups as in avohilmo.md)."""
    if service == "T11":
        if occupation.startswith("221"):
            return "primary_doctor"
        if occupation.startswith(("222", "322")):
            return "primary_nurse"
        return "primary_other"
    if service == "T60" and occupation in ("2261", "3251"):
        return "oral_dentist" if occupation == "2261" else "oral_hygienist"
    return "other"


def shares_for(group: str, month: str) -> np.ndarray:
    """Band shares (fractions) in force for `group` in `month` ('YYYY-MM')."""
    periods = WAIT_SHARES[group]
    starts = [start for start in sorted(periods) if start <= month]
    shares = np.array(periods[starts[-1] if starts else min(periods)], dtype=float)
    return shares / shares.sum()


def cumulative_table(months: tuple[str, ...]) -> np.ndarray:
    """cum[g * len(months) + m, b]: share of waits in bands 0…b for GROUPS[g] in months[m].

    The last band is set to exactly 1 so every p ≤ 1 finds a band.
    """
    cum = np.array([np.cumsum(shares_for(group, month)) for group in GROUPS for month in months])
    cum[:, -1] = 1.0
    return cum


def stratified_waits(cell: np.ndarray, table: np.ndarray, cum: np.ndarray,
                     rng: np.random.Generator) -> np.ndarray:
    """Waiting days for rows grouped in cells; `table` picks each row's row of `cum` (constant within a cell).

    Within a cell the rows are put in random order; row r of n gets p = (r + u) / n with one u ~ U(0, 1)
    per cell, and the first band whose cumulative share ≥ p: every cell's band counts are within one row of
    its quota, so shares pooled over any set of whole cells hold at any scale.
    """
    n = len(cell)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort((rng.random(n), cell))
    new_cell = np.r_[True, cell[order][1:] != cell[order][:-1]]
    first = np.flatnonzero(new_cell)
    run = np.cumsum(new_cell) - 1
    size = np.diff(np.r_[first, n])[run]
    p = (np.arange(n) - first[run] + rng.random(len(first))[run]) / size
    # One searchsorted for all tables at once: table t's cumulative shares are shifted into [2t, 2t + 1].
    shifted = (cum + 2.0 * np.arange(len(cum))[:, None]).ravel()
    t = table[order].astype(np.int64)
    band = np.searchsorted(shifted, 2.0 * t + p, side="left") - t * len(BANDS)
    band = np.clip(band, 0, len(BANDS) - 1)
    low = np.array([b[0] for b in BANDS])[band]
    width = np.array([b[1] - b[0] + 1 for b in BANDS])[band]
    days = np.empty(n, dtype=np.int64)
    days[order] = low + np.floor(rng.random(n) * width).astype(np.int64)
    return days
