"""A protected table in one language: labelled headers, labelled codes, '..' for hidden cells, safe text."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

from export.labels import Labels
from export.tables import ProtectedTable

SUPPRESSED = ".."                       # Statistics Finland's mark in fi, sv and en alike
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Presented:
    """What every writer writes: headers, rows of plain values, and each column's kind for number formats."""
    name: str
    sheet_name: str
    headers: list[str]
    kinds: list[str]                    # text | integer | number | share | year | date
    rows: list[list]


def safe_text(value: str) -> str:
    """Text that Excel or LibreOffice cannot run as a formula: a leading =, +, -, @ gets an apostrophe."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def present(table: ProtectedTable, labels: Labels) -> Presented:
    spec, frame = table.spec, table.frame
    columns: list[tuple[str, str, object]] = []     # (header, kind, function row → value)
    for column in spec.columns:
        header = labels.column(spec.mart, column if column not in spec.language_columns
                               else f"{column}_{labels.language}")
        if column == "area_code":
            columns.append((header, "text", _getter(frame, column)))
            columns.append((labels.text("col_area_name"), "text",
                            _labelled(frame, column, "area", labels)))
        elif column in spec.categories:
            columns.append((header, "text", _labelled(frame, column, spec.categories[column], labels)))
        elif column == spec.year_column:
            header = labels.text(spec.year_header) if spec.year_header else header
            columns.append((header, "year", lambda i, c=column: _year(frame.at[i, c])))
        else:
            columns.append((header, _kind(frame[column], column), _getter(frame, column)))
    rows = []
    for i in frame.index:
        row = []
        for (header, kind, get), column in zip(columns, _source_columns(spec)):
            value = get(i)
            if column in table.hidden.columns and table.hidden.at[i, column]:
                value = SUPPRESSED
            elif isinstance(value, str):
                value = safe_text(value)
            row.append(value)
        rows.append(row)
    return Presented(spec.name, labels.text(spec.sheet_text), [c[0] for c in columns],
                     [c[1] for c in columns], rows)


def _source_columns(spec) -> list[str]:
    """The mart column behind each presented column (the area name repeats area_code)."""
    out = []
    for column in spec.columns:
        out.append(column)
        if column == "area_code":
            out.append("area_name")
    return out


def _getter(frame: pd.DataFrame, column: str):
    return lambda i: _plain(frame.at[i, column])


def _labelled(frame: pd.DataFrame, column: str, category: str, labels: Labels):
    return lambda i: None if _plain(frame.at[i, column]) is None else labels.category(category, frame.at[i, column])


def _plain(value):
    """Python values the writers understand: None for missing, int for integral counts."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if hasattr(value, "item"):
        value = value.item()
        if isinstance(value, float) and math.isnan(value):
            return None
    return value


def _year(value) -> int | None:
    value = _plain(value)
    return value.year if isinstance(value, (date, datetime)) else None


def _kind(series: pd.Series, column: str) -> str:
    if column.startswith("share_") or column in ("coverage", "value_share"):
        return "share"
    if pd.api.types.is_integer_dtype(series) or column in ("participants", "completers", "pairs",
                                                           "comparison_pairs", "comparison_clients", "clients", "moved_up",
                                                           "moved_down", "visits_nonurgent",
                                                           "visits_nonurgent_unassessed"):
        return "integer"
    if pd.api.types.is_numeric_dtype(series):
        return "number"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "date"
    return "text"


def present_plain(name: str, sheet_name: str, headers: list[str], kinds: list[str], rows: list[list]) -> Presented:
    """A table built directly from labelled values (definitions, notes): text made safe like any other."""
    safe = [[safe_text(v) if isinstance(v, str) else v for v in row] for row in rows]
    return Presented(name, sheet_name, headers, kinds, safe)
