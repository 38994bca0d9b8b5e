"""CSV and Parquet copies of the presented tables.

CSV is for Excel in the Nordic locales: UTF-8 with a BOM (so ä, ö, å open right), `;` between fields in
every language, a decimal comma in Finnish and Swedish. Parquet keeps the values typed: hidden cells are
NULL there, and a last column says which rows hold a hidden cell.
"""
from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from export.labels import DECIMAL_COMMA
from export.presentation import SUPPRESSED, Presented


def write_csv(table: Presented, path: Path, language: str) -> Path:
    comma = DECIMAL_COMMA[language]
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
        writer.writerow(table.headers)
        for row in table.rows:
            writer.writerow([_csv_value(value, comma) for value in row])
    return path


def _csv_value(value, decimal_comma: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        text = repr(value)
        return text.replace(".", ",") if decimal_comma else text
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def write_parquet(table: Presented, path: Path, hidden_label: str) -> Path:
    columns = {}
    for position, header in enumerate(_unique(table.headers)):
        values = [None if row[position] == SUPPRESSED else row[position] for row in table.rows]
        if table.kinds[position] in ("number", "share"):
            values = [None if v is None else float(v) for v in values]
        columns[header] = values
    columns[hidden_label] = [any(value == SUPPRESSED for value in row) for row in table.rows]
    pq.write_table(pa.table(columns), path)
    return path


def _unique(headers: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for header in headers:
        seen[header] = seen.get(header, 0) + 1
        out.append(header if seen[header] == 1 else f"{header} ({seen[header]})")
    return out
