"""The registry of checks: one row per check (name, source, column, Kahn category, threshold, severity, note).

GX suites are built from these rows (quality_checks/suites.py); ingest's own file-level checks are listed
in INGEST_CHECKS so every failure, wherever it is found, comes out as the same kind of result row.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

REGISTRY = Path(__file__).with_name("registry.csv")
BLOCKING, WARNING = "blocking", "warning"


@dataclass(frozen=True)
class Check:
    check_name: str
    source: str
    column: str
    kahn_category: str
    expectation: str
    threshold: float | None
    severity: str
    needs_history_months: int
    note: str


@lru_cache(maxsize=None)
def load_registry(path: Path = REGISTRY) -> tuple[Check, ...]:
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    checks = []
    for row in rows:
        checks.append(Check(
            check_name=row["check_name"], source=row["source"], column=row["column"],
            kahn_category=row["kahn_category"], expectation=row["expectation"],
            threshold=float(row["threshold"]) if row["threshold"] else None, severity=row["severity"],
            needs_history_months=int(row["needs_history_months"]), note=row["note"]))
    for check in checks:
        assert check.severity in (BLOCKING, WARNING), f"{check.check_name}: severity {check.severity!r}"
        # results_store tells ingest's rows from GX's by this prefix.
        assert not check.check_name.startswith("ingest_"), f"{check.check_name}: 'ingest_' names ingest's checks"
        assert check.kahn_category in ("conformance", "completeness", "plausibility"), check.check_name
    return tuple(checks)


def checks_for(source: str) -> tuple[Check, ...]:
    return tuple(c for c in load_registry() if c.source == source)


# Problems found by ingest before GX sees a file; each quarantines the file (blocking), or, for
# `row_rules`, reports the rejected lines of an accepted file (warning).
INGEST_CHECKS = {
    "bad_file_name": ("conformance", "The file name does not follow the source's pattern."),
    "empty_file": ("completeness", "A 0-byte file."),
    "cannot_decode": ("conformance", "Not decodable as UTF-8 or Windows-1252 text."),
    "missing_required_column": ("conformance", "The header lacks a required column."),
    "field_count_mismatch": ("conformance", "A line has a different number of fields than the header."),
    "duplicate_column": ("conformance", "The header names a column twice."),
    "line_too_long": ("conformance", "A line longer than any record of the source (over 1 MiB)."),
    "period_in_future": ("plausibility", "The file name's period has not begun."),
    "too_many_rejected_rows": ("conformance", "More than 5 % of the data lines break the row rules."),
    "unreadable_file": ("conformance", "The reader could not make sense of the file's structure."),
    "cannot_parse_json": ("conformance", "A JSON download that is not valid JSON of the expected shape."),
    "bad_reference_rows": ("conformance", "A Sotkanet region or indicator list with incomplete objects."),
    "row_rules": ("conformance", "Data lines rejected by the row rules (line numbers in the reject log)."),
}
