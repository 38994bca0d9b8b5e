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
from quality_checks.validate import (BATCH_ROWS, RESULT_COLUMNS, UNEXPECTED_INDEX, FileValidation,
                                     PendingFile, Validator)
from tiedolla.home import Home

HISTORY_MONTHS = 12


@dataclass
class ValidationSummary:
    source: str
    validated: list[str] = field(default_factory=list)
    quarantined: list[str] = field(default_factory=list)
    warnings: dict[str, list[str]] = field(default_factory=dict)


def file_context(entry: LoadEntry, load_log: LoadLog, accepted_now: set[str] = frozenset()) -> FileContext:
    """The municipality's previous ≤12 accepted months (live versions) before the file's own period; files of
    this run count as accepted once validated without a blocking failure (`accepted_now`)."""
    live: dict[str, LoadEntry] = {}
    for other in load_log.of_source(entry.source):
        accepted = other.status == ACCEPTED or other.load_id in accepted_now
        if (accepted and other.municipality == entry.municipality and other.period
                and other.period < entry.period):
            current = live.get(other.period)
            if current is None or (other.version, other.load_seq) > (current.version, current.load_seq):
                live[other.period] = other
    recent = [live[p] for p in sorted(live)][-HISTORY_MONTHS:]
    units = {unit for e in recent for unit in e.distinct_units}
    return FileContext(entry.source, entry.period, [e.data_lines for e in recent], units)


def _contexts(pending: list[LoadEntry], load_log: LoadLog, blocked: set[str]) -> list[FileContext]:
    """Each file's context as if the files were validated one by one in load order: an earlier file of this
    run is history for a later one unless a blocking check quarantined it."""
    contexts, accepted_now = [], set()
    for entry in pending:
        contexts.append(file_context(entry, load_log, accepted_now))
        if entry.load_id not in blocked:
            accepted_now.add(entry.load_id)
    return contexts


def _batches(files: list[PendingFile]) -> list[list[PendingFile]]:
    batches, size = [[]], 0
    for pending in files:
        if batches[-1] and size + pending.rows > BATCH_ROWS:
            batches.append([])
            size = 0
        batches[-1].append(pending)
        size += pending.rows
    return batches


def validate_pending(home: Home, source: str, run_id: str, validator: Validator | None,
                     log: Callable[[str], None] = print) -> ValidationSummary:
    """Validate every pending file of the source (in batches of files, see validate.py); write each file's
    result rows and GX result; accept the file or quarantine it on a blocking failure."""
    load_log = LoadLog(home.load_log_dir)
    summary = ValidationSummary(source)
    pending = load_log.pending(source)
    if not pending:
        return summary
    validator = validator or Validator()
    results_dir = home.checks_dir / source
    results_dir.mkdir(parents=True, exist_ok=True)
    outcomes: dict[str, FileValidation] = {}
    validated_with: dict[str, FileContext] = {}
    blocked: set[str] = set()
    todo = pending
    while todo:
        # A history check only warns, so this loop ends after one pass in practice; it repeats for the files
        # whose history changed should a blocking check ever depend on it.
        contexts = dict(zip((e.load_id for e in pending), _contexts(pending, load_log, blocked)))
        files = [PendingFile(e.file_name, e.load_id, e.municipality, Path(e.parquet_path),
                             contexts[e.load_id], e.rows_accepted) for e in todo]
        batches, done = _batches(files), 0
        for batch in batches:
            for file, outcome in zip(batch, validator.validate_files(source, batch)):
                outcomes[file.load_id], validated_with[file.load_id] = outcome, file.ctx
            done += len(batch)
            if len(batches) > 1:
                log(f"{source}: checked {done}/{len(files)} new files with Great Expectations")
        blocked = {load_id for load_id, outcome in outcomes.items() if outcome.blocking_failures}
        contexts = dict(zip((e.load_id for e in pending), _contexts(pending, load_log, blocked)))
        todo = [e for e in pending if contexts[e.load_id] != validated_with[e.load_id]]
    for index, entry in enumerate(pending, 1):
        outcome = outcomes[entry.load_id]
        stem = results_dir / entry.load_id[:16]
        write_json_atomically(stem.with_suffix(".gx.json"), outcome.gx_result)
        _write_rows(outcome.rows, stem.with_suffix(".parquet"))
        warnings = sorted({r["check_name"] for r in outcome.rows if r["status"] != "passed"} -
                          {r["check_name"] for r in outcome.blocking_failures})
        if warnings:
            summary.warnings[entry.file_name] = warnings
        entry.validated_at = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
        if outcome.blocking_failures:
            _quarantine_after_validation(home, entry, outcome.blocking_failures, outcome.frame, run_id, log)
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
