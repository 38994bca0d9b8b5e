"""Header line → delimiter and canonical column positions (Finnish or Swedish names, any order)."""
from __future__ import annotations

import csv
from dataclasses import dataclass

from ingest.problems import FileProblem, LineProblem
from ingest.sources import SourceSpec

DELIMITERS = (";", "\t", ",")


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
    for index, name in enumerate(names):
        canonical = known.get(name)
        if canonical is None or canonical in positions:
            unknown.append(name)
            continue
        positions[canonical] = index
        if name == canonical.lower():
            finnish += 1
        elif name in sv_names:
            swedish += 1
    missing = [c for c in spec.required_columns if c not in positions]
    if missing:
        raise FileProblem(
            "missing_required_column",
            f"line 1 (the header) lacks required column(s) {', '.join(missing)} "
            f"(found: {', '.join(names) or 'nothing'}). Columns may be named in Finnish or Swedish; "
            "fix the export and deliver the file again.",
            [LineProblem(1, column, "required column missing from the header") for column in missing], len(missing))
    language = "fi" if not swedish else "sv" if not finnish else "mixed"
    return Header(delimiter, positions, count, unknown, language)
