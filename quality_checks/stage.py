"""The validation stage: GX on every accepted-but-unvalidated file; blocking failures quarantine the file."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import pandas as pd

from ingest.atomic import replace_atomically, write_json_atomically
from ingest.load_log import ACCEPTED, PENDING, QUARANTINED, LoadEntry, LoadLog
from ingest.problems import FileProblem, LineProblem
from ingest.quarantine import quarantine_file
from quality_checks.suites import FileContext
from quality_checks.validate import RESULT_COLUMNS, UNEXPECTED_INDEX, Validator, read_frame
from tiedolla.home import Home

HISTORY_MONTHS = 12


@dataclass
class ValidationSummary:
    source: str
    validated: list[str] = field(default_factory=list)
    quarantined: list[str] = field(default_factory=list)
    warnings: dict[str, list[str]] = field(default_factory=dict)


def file_context(entry: LoadEntry, load_log: LoadLog) -> FileContext:
    """The municipality's previous ≤12 accepted months (live versions) before the file's own period."""
    live: dict[str, LoadEntry] = {}
    for other in load_log.of_source(entry.source):
        if (other.status == ACCEPTED and other.municipality == entry.municipality and other.period
                and other.period < entry.period):
            current = live.get(other.period)
            if current is None or (other.version, other.load_seq) > (current.version, current.load_seq):
                live[other.period] = other
    recent = [live[p] for p in sorted(live)][-HISTORY_MONTHS:]
    units = {unit for e in recent for unit in e.distinct_units}
    return FileContext(entry.source, entry.period, [e.data_lines for e in recent], units)


def validate_pending(home: Home, source: str, run_id: str, validator: Validator | None,
                     log: Callable[[str], None] = print) -> ValidationSummary:
    load_log = LoadLog(home.load_log_dir)
    summary = ValidationSummary(source)
    pending = load_log.pending(source)
    if not pending:
        return summary
    validator = validator or Validator()
    results_dir = home.checks_dir / source
    results_dir.mkdir(parents=True, exist_ok=True)
    for index, entry in enumerate(pending, 1):
        frame = read_frame(Path(entry.parquet_path))
        outcome = validator.validate(frame, file_context(entry, load_log), entry.file_name, entry.load_id,
                                     entry.municipality)
        stem = results_dir / entry.load_id[:16]
        write_json_atomically(stem.with_suffix(".gx.json"), outcome.gx_result)
        _write_rows(outcome.rows, stem.with_suffix(".parquet"))
        warnings = sorted({r["check_name"] for r in outcome.rows if r["status"] != "passed"} -
                          {r["check_name"] for r in outcome.blocking_failures})
        if warnings:
            summary.warnings[entry.file_name] = warnings
        entry.validated_at = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
        if outcome.blocking_failures:
            _quarantine_after_validation(home, entry, outcome.blocking_failures, frame, run_id, log)
            summary.quarantined.append(entry.file_name)
        else:
            entry.status = ACCEPTED
            summary.validated.append(entry.file_name)
        load_log.write(entry)
        if index % 100 == 0 or index == len(pending):
            log(f"{source}: validated {index}/{len(pending)} new files with Great Expectations")
    return summary


def _write_rows(rows: list[dict], path: Path) -> None:
    frame = pd.DataFrame(rows, columns=RESULT_COLUMNS)
    tmp = path.with_name(path.name + ".tmp")
    frame.astype({"rows_checked": "Int64", "rows_failed": "Int64", "share_failed": "Float64",
                  "threshold": "Float64"}).to_parquet(tmp, index=False)
    replace_atomically(tmp, path)


def _failing_lines(failures: list[dict], frame: pd.DataFrame) -> list[LineProblem]:
    """Map GX's row positions back to the file's line numbers (the `_source_line` lineage column)."""
    lines = []
    for failure in failures:
        positions = failure.get(UNEXPECTED_INDEX) or []
        for position in positions:
            line = int(frame["_source_line"].iloc[position]) if position < len(frame) else 0
            lines.append(LineProblem(line, failure["column"], failure["check_name"]))
        if not positions:
            lines.append(LineProblem(0, failure["column"], f"{failure['check_name']} (whole file)"))
    return sorted(lines, key=lambda p: p.line)[:10]


def _quarantine_after_validation(home: Home, entry: LoadEntry, failures: list[dict], frame: pd.DataFrame,
                                 run_id: str, log: Callable[[str], None]) -> None:
    names = ", ".join(f["check_name"] for f in failures)
    problem = FileProblem(
        "blocking_check_failed",
        f"blocking data-quality check(s) failed: {names}. "
        + "; ".join(f"{f['check_name']}: {f['rows_failed'] if f['rows_failed'] is not None else '?'} of "
                    f"{f['rows_checked']} rows ({f['note']})" for f in failures),
        _failing_lines(failures, frame), sum(f["rows_failed"] or 0 for f in failures))
    landed = home.source_landing(entry.source) / entry.file_name
    report = quarantine_file(landed, home.quarantine, run_id, entry.source, problem, entry.sha256)
    Path(entry.parquet_path).unlink(missing_ok=True)
    entry.status, entry.problem, entry.message = QUARANTINED, problem.code, problem.message
    entry.quarantine_report = str(report)
    log(f"QUARANTINED {entry.file_name}: {problem.message} (report: {report})")


def load_gx_result(home: Home, entry: LoadEntry) -> dict | None:
    path = home.checks_dir / entry.source / f"{entry.load_id[:16]}.gx.json"
    return json.loads(path.read_text()) if path.exists() else None
