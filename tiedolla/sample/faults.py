"""Row- and line-level faults injected into one file's rows, leaving the rows the pipeline should keep intact.

Rows are dicts of numeric columns (visits.py). Bad lines are added as extra copies so that what loads is
still exactly the generated (calibrated) rows.
"""
from __future__ import annotations

import numpy as np

Rows = dict[str, np.ndarray]
BAD_DAY, US_DATE = 1, 2          # values of the `bad_date` column: day 32, or m/d/yyyy from a spreadsheet


class ExtraIds:
    """Ids for lines that are not real visits (cancelled, broken): a range apart, unique per municipality."""
    def __init__(self) -> None:
        self.next: dict[str, int] = {}

    def take(self, code: str, n: int) -> np.ndarray:
        first = self.next.get(code, 900_000_000)
        self.next[code] = first + n
        return np.arange(first, first + n, dtype=np.int64)


def take(rows: Rows, index: np.ndarray) -> Rows:
    return {name: column[index] for name, column in rows.items()}


def _interleave(rows: Rows, extra: Rows, after: np.ndarray) -> Rows:
    """Insert `extra` rows each right after row `after[i]` of `rows`."""
    n = len(rows["kaynti_id"])
    position = np.r_[np.arange(n, dtype=float), after + 0.5]
    order = np.argsort(position, kind="stable")
    return {name: np.concatenate([rows[name], extra[name]])[order] for name in rows}


def with_rejected_rows(rows: Rows, code: str, ids: ExtraIds, rng: np.random.Generator) -> Rows:
    """A few extra lines (< 2 % of the file) that break one row rule each: day 32, wait < 0, age 130."""
    n = len(rows["kaynti_id"])
    if n == 0:
        return rows
    count = max(1, min(8, n // 150))
    picked = np.sort(rng.choice(n, size=count, replace=False))
    bad = take(rows, picked)
    bad["kaynti_id"] = ids.take(code, count)
    reason = (np.arange(count) + rng.integers(3)) % 3
    bad["bad_date"] = np.where(reason == 0, BAD_DAY, 0).astype(np.int8)
    after_visit = reason == 1
    bad["assessment"] = np.where(after_visit, bad["visit"] + 3, bad["assessment"])
    bad["contact_date"] = np.where(after_visit, np.datetime64("NaT"), bad["contact_date"])
    bad["ika"] = np.where(reason == 2, 130, bad["ika"]).astype(np.int16)
    return _interleave(rows, bad, picked)


def with_duplicate_ids(rows: Rows, rng: np.random.Generator, valid_contacts: int) -> Rows:
    """A few visits first written with a wrong contact type, corrected by a later line with the same id.

    Contact codes 0 … valid_contacts-1 are the known ones; the wrong one is always a different known code.
    """
    n = len(rows["kaynti_id"])
    if n == 0:
        return rows
    count = max(1, min(5, n // 300))
    picked = np.sort(rng.choice(n, size=count, replace=False))
    rows = {name: column.copy() for name, column in rows.items()}
    corrections = take(rows, picked)
    shift = 1 + rng.integers(valid_contacts - 1, size=count)
    rows["contact"][picked] = (rows["contact"][picked] + shift) % valid_contacts
    return {name: np.concatenate([rows[name], corrections[name]]) for name in rows}


def as_first_version(rows: Rows, code: str, ids: ExtraIds, rng: np.random.Generator,
                     units: np.ndarray) -> Rows:
    """The delivery a `_v2` replaces: ~3 % more rows (visits later cancelled) and ~2 % wrong units."""
    n = len(rows["kaynti_id"])
    if n == 0:
        return rows
    rows = {name: column.copy() for name, column in rows.items()}
    wrong = rng.random(n) < 0.02
    rows["unit"][wrong] = rng.choice(units, size=int(wrong.sum()))
    count = max(1, round(0.03 * n))
    picked = np.sort(rng.choice(n, size=min(count, n), replace=False))
    cancelled = take(rows, picked)
    cancelled["kaynti_id"] = ids.take(code, len(picked))
    return _interleave(rows, cancelled, picked)


def with_bad_dates(rows: Rows, rng: np.random.Generator) -> Rows:
    """About 10 % of visit dates as m/d/yyyy (a spreadsheet round trip): more than 5 %, so quarantined."""
    n = len(rows["kaynti_id"])
    rows = dict(rows)
    bad = np.zeros(n, dtype=bool)
    bad[rng.choice(n, size=min(n, max(2, int(np.ceil(0.1 * n)))), replace=False)] = True
    rows["bad_date"] = np.where(bad, US_DATE, rows["bad_date"]).astype(np.int8)
    return rows


def with_extra_field(data: bytes, delimiter: str, rng: np.random.Generator) -> bytes:
    """One data line gets a free-text field more than the header (a comment column the export forgot)."""
    lines = data.split(b"\n")
    data_lines = [i for i in range(1, len(lines)) if lines[i]]
    if not data_lines:
        return data
    index = data_lines[int(rng.integers(len(data_lines)))]
    lines[index] += delimiter.encode() + "soitto peruttu".encode()
    return b"\n".join(lines)
