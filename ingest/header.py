"""Header line → delimiter and canonical column positions (Finnish or Swedish names, any order)."""
from __future__ import annotations

import csv
from dataclasses import dataclass

from ingest.problems import FileProblem, LineProblem
from ingest.sources import SourceSpec

DELIMITERS = (";", "\t", ",")
# DuckDB's reader stops at 1 MiB per line (read_rows.py); no real record comes near it.
MAX_LINE_CHARS = 1 << 20


class LineTooLong(FileProblem):
    def __init__(self, line: int):
        super().__init__("line_too_long", f"line {line} is longer than {MAX_LINE_CHARS:,} characters, more than "
                         "any record of this source holds: the file is not a CSV of this source (or its line "
                         "breaks were lost). Export it again.", [LineProblem(line, None, "line too long")], 1)


@dataclass
class Header:
    delimiter: str
    positions: dict[str, int]      # canonical column → field index
    field_count: int
    unknown_columns: list[str]
    language: str                  # fi | sv | mixed


def _split(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter, quotechar='"'), [])


def read_header(line: str, spec: SourceSpec) -> Header:
    """Pick the delimiter under which most header names are known; map names to canonical ones."""
    if len(line) > MAX_LINE_CHARS:
        raise LineTooLong(1)
    known = spec.header_map()
    best: tuple[int, int, str, list[str]] | None = None
    for delimiter in DELIMITERS:
        names = [name.strip().lower() for name in _split(line, delimiter)]
        score = sum(name in known for name in names)
        if best is None or (score, len(names)) > best[:2]:
            best = (score, len(names), delimiter, names)
    score, count, delimiter, names = best
    positions: dict[str, int] = {}
    unknown: list[str] = []
    swedish = finnish = 0
    sv_names = {c.sv.lower() for c in spec.columns} | {a.lower() for a in spec.aliases}
    duplicates: list[LineProblem] = []
    for index, name in enumerate(names):
        canonical = known.get(name)
        if canonical in positions:
            duplicates.append(LineProblem(1, canonical, f"column named again in field {index + 1}"))
            continue
        if canonical is None:
            unknown.append(name)
            continue
        positions[canonical] = index
        if name == canonical.lower():
            finnish += 1
        elif name in sv_names:
            swedish += 1
    missing = [c for c in spec.required_columns if c not in positions]
    if missing:
        # A first line without a single known name is data or garbage, not a header: never echo it.
        found = (f"found: {', '.join(names)}" if positions
                 else "the first line names none of the source's columns: is the header missing?")
        raise FileProblem(
            "missing_required_column",
            f"line 1 (the header) lacks required column(s) {', '.join(missing)} "
            f"({found}). Columns may be named in Finnish or Swedish; "
            "fix the export and deliver the file again.",
            [LineProblem(1, column, "required column missing from the header") for column in missing], len(missing))
    if duplicates:
        raise FileProblem(
            "duplicate_column", f"line 1 (the header) names column(s) {', '.join(p.column for p in duplicates)} "
            "more than once (in Finnish, Swedish or both), so which field holds the values is unknown. "
            "Fix the export and deliver the file again.", duplicates, len(duplicates))
    language = "fi" if not swedish else "sv" if not finnish else "mixed"
    return Header(delimiter, positions, count, unknown, language)
