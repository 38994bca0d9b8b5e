"""Run GX on accepted files and turn each result into `check_results` rows (one shape for every check).

All pending files of a source are validated together: one batch frame holds their rows (`_file` numbers the
files), one suite checks every row with COMPLETE results, and each failing row is counted for its own file.
A file's result is then what GX reports on that file alone: the same counts, the same `mostly` rule, the same
first failing rows, serialised per file as a GX validation result (quality_checks/suites.py says how the
file-dependent checks become columns of the batch).
"""
from __future__ import annotations

import logging
import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from quality_checks.registry import BLOCKING, INGEST_CHECKS, Check, checks_for
from quality_checks.suites import (UNIT_SEEN_COLUMN, FileContext, _expectation, build_batch_suites,
                                   empty_unlikely, key_file_column, month_offset_column, rows_floor)
from tiedolla.reference import municipality_codes

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

RESULT_COLUMNS = ["check_name", "source", "file", "column", "rows_checked", "rows_failed", "share_failed",
                  "threshold", "severity", "status", "kahn_category", "load_id", "municipality", "period",
                  "note", "observed"]
# Frame positions of the first failing rows (not a result column; mapped to file lines for reports).
UNEXPECTED_INDEX = "unexpected_index"
# Files go to GX in batches of about this many rows: bounds the memory of a first load of many years (GX
# copies the frame per check; the run's process stays below ~1.5 GiB while dbt's DuckDB takes its 4 GB).
BATCH_ROWS = 1_000_000
# Every failing row, so each is attributed to its file; the per-file results keep GX's default (SUMMARY).
COMPLETE = {"result_format": "COMPLETE", "return_unexpected_index_query": False}
NO_EXCEPTION = {"raised_exception": False, "exception_traceback": None, "exception_message": None}


@dataclass
class PendingFile:
    """A file waiting for validation: where its rows are and what its checks depend on."""
    file_name: str
    load_id: str
    municipality: str | None
    parquet: Path
    ctx: FileContext
    rows: int = 0


@dataclass
class FileValidation:
    rows: list[dict]
    blocking_failures: list[dict]
    gx_result: dict
    frame: pd.DataFrame   # the file's `_source_line` by row position: failing positions → file lines


class Validator:
    """One ephemeral GX context per run; one suite per source, one batch per group of pending files."""

    def __init__(self):
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        logging.getLogger("great_expectations").setLevel(logging.ERROR)
        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
        self.datasource = self.context.data_sources.add_pandas("tiedolla_raw")
        self.batch_definitions: dict[str, object] = {}
        self.suites: dict[str, tuple] = {}
        self.configs: dict[tuple, dict] = {}

    def _batch_definition(self, name: str):
        if name not in self.batch_definitions:
            asset = self.datasource.add_dataframe_asset(name)
            self.batch_definitions[name] = asset.add_batch_definition_whole_dataframe(f"{name}_batch")
        return self.batch_definitions[name]

    def _validate(self, name: str, suite, frame: pd.DataFrame) -> tuple[dict, dict]:
        """GX's result per check name, and the batch's meta (GX version, batch markers)."""
        from great_expectations.util import convert_to_json_serializable

        with _without_fingerprint():
            batch = self._batch_definition(name).get_batch(batch_parameters={"dataframe": frame})
            result = batch.validate(suite, result_format=COMPLETE)
        return ({r.expectation_config.meta["check_name"]: r for r in result.results},
                convert_to_json_serializable(result.meta))

    def validate_files(self, source: str, files: list[PendingFile]) -> list[FileValidation]:
        """Validate files of one source together; each file's outcome is what validating it alone gives."""
        if source not in self.suites:
            self.suites[source] = build_batch_suites(source, source)
        row_suite, file_suite = self.suites[source]
        frame, present = read_batch(source, files)
        summary = summary_frame(source, files, frame)
        row_results, batch_meta = ({}, {}) if not row_suite.expectations else self._validate(
            source, row_suite, frame)
        file_results = {} if not file_suite.expectations else self._validate(
            f"{source}_files", file_suite, summary)[0]
        counts = np.bincount(frame["_file"].to_numpy(), minlength=len(files))
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
        per_check = {}
        for check in checks_for(source):
            if check.check_name in row_results:
                per_check[check.check_name] = _row_check_per_file(check, row_results[check.check_name], frame,
                                                                  starts, counts)
            else:
                per_check[check.check_name] = _file_check_per_file(check, file_results[check.check_name],
                                                                   summary)
        outcomes = []
        for number, pending in enumerate(files):
            lines = frame[["_source_line"]].iloc[starts[number]:starts[number] + counts[number]]
            outcomes.append(_file_validation(pending, number, per_check, present[number],
                                             lines.reset_index(drop=True), batch_meta,
                                             f"{self.datasource.name}-{source}", self.configs))
        return outcomes


@contextmanager
def _without_fingerprint():
    """GX tags every pandas batch under 1 GB with an MD5 of all its values (`pandas_data_fingerprint` in the
    batch markers); for a batch of many files that was the slowest step of validation, and no result of a
    file depends on it. GX's own threshold is lowered while our batches are made, and restored after."""
    from great_expectations.execution_engine import pandas_execution_engine as engine

    previous = engine.HASH_THRESHOLD
    engine.HASH_THRESHOLD = 0
    try:
        yield
    finally:
        engine.HASH_THRESHOLD = previous


def _split(positions: np.ndarray, starts: np.ndarray, counts: np.ndarray) -> list[np.ndarray]:
    """Failing batch positions → each file's own row positions (the batch is ordered by file)."""
    positions = np.sort(positions)
    bounds = np.searchsorted(positions, np.append(starts, starts[-1] + counts[-1]))
    return [positions[bounds[i]:bounds[i + 1]] - starts[i] for i in range(len(starts))]


def _per_file_sum(mask: np.ndarray, file_numbers: np.ndarray, files: int) -> np.ndarray:
    return np.bincount(file_numbers[mask], minlength=files)


def _row_check_per_file(check: Check, result, frame: pd.DataFrame, starts: np.ndarray,
                        counts: np.ndarray) -> list[dict]:
    """GX's result for one row-level check, restated per file with GX's own formatting and `mostly` rule."""
    from great_expectations.expectations.expectation import (_format_map_output, _mostly_success,
                                                             parse_result_format)

    if result.exception_info and result.exception_info.get("raised_exception"):
        return [{"success": False, "result": {}, "exception_info": result.exception_info}] * len(counts)
    kind, _, _ = check.expectation.partition(":")
    file_numbers = frame["_file"].to_numpy()
    files = len(counts)
    positions = np.asarray(result.result.get("unexpected_index_list") or [], dtype=np.int64)
    failing = _split(positions, starts, counts)
    keys = check.column.split("|")
    mostly = check.threshold if kind.startswith("not_null") else 1.0
    elements, nonnull = counts, None
    if kind == "not_null_nonurgent":
        elements = _per_file_sum((frame["kiireellisyys"] == "2").to_numpy(), file_numbers, files)
    elif kind == "compound_unique":
        elements_missing = frame[keys].isna().all(axis=1).to_numpy()
        nonnull = counts - _per_file_sum(elements_missing, file_numbers, files)
    elif kind != "not_null":
        nonnull = counts - _per_file_sum(frame[check.column].isna().to_numpy(), file_numbers, files)
    summary_format = parse_result_format("SUMMARY")
    out = []
    for number, positions in enumerate(failing):
        unexpected, total = len(positions), int(elements[number])
        if nonnull is None:
            success = total == 0 or (total - unexpected) / total >= mostly
        else:
            considered = int(nonnull[number])
            success = total == 0 or considered == 0 or _mostly_success(considered, unexpected, mostly)
        first = positions[:summary_format["partial_unexpected_count"]] + starts[number]
        if kind == "compound_unique":
            values = frame[keys].iloc[first].to_dict(orient="records")
        else:
            values = frame[check.column].iloc[first].tolist()
        out.append({"success": bool(success), "exception_info": NO_EXCEPTION, "result": _format_map_output(
            result_format=summary_format, success=bool(success), element_count=total,
            nonnull_count=None if nonnull is None else int(nonnull[number]), unexpected_count=unexpected,
            unexpected_list=values,
            unexpected_index_list=[int(p) for p in positions[:len(first)]])["result"]})
    return out


def _file_check_per_file(check: Check, result, summary: pd.DataFrame) -> list[dict]:
    """A table-level check, read back per file from the summary frame's failing rows."""
    if result.exception_info and result.exception_info.get("raised_exception"):
        return [{"success": False, "result": {}, "exception_info": result.exception_info}] * len(summary)
    failing = set(result.result.get("unexpected_index_list") or [])
    kind = check.expectation.partition(":")[0]
    out = []
    for number, row in enumerate(summary.itertuples(index=False)):
        if kind == "covers_municipalities":
            detail = {"observed_value": None, "missing_count": int(row.municipalities_missing),
                      "partial_missing_list": list(row.missing_list)}
        else:
            detail = {"observed_value": int(row.rows)}
        out.append({"success": number not in failing, "result": detail, "exception_info": NO_EXCEPTION})
    return out


def _file_validation(pending: PendingFile, number: int, per_check: dict[str, list[dict]], columns: set[str],
                     lines: pd.DataFrame, batch_meta: dict, batch_id: str, configs: dict) -> FileValidation:
    """The file's result rows and its GX validation result, as GX serialises one (`to_json_dict`)."""
    from great_expectations.core.expectation_validation_result import ExpectationValidationResult
    from great_expectations.util import convert_to_json_serializable

    ctx, results, rows = pending.ctx, [], []
    for check in checks_for(ctx.source):
        expectation = _expectation(check, ctx)
        if expectation is None:   # the file lacks the history the check needs
            continue
        outcome = per_check[check.check_name][number]
        missing = sorted(set(_columns_read(check)) - columns)
        if missing:   # as GX on the file alone: the expectation raises
            outcome = {"success": False, "result": {}, "exception_info": {
                "raised_exception": True, "exception_traceback": None,
                "exception_message": f"column(s) {', '.join(missing)} not in the file"}}
        result = ExpectationValidationResult(success=outcome["success"], result=outcome["result"],
                                             exception_info=outcome["exception_info"])
        rows.append(_result_row(result, check, len(lines), pending.file_name, pending.load_id,
                                pending.municipality, ctx.period))
        results.append({"success": outcome["success"],
                        "expectation_config": _config_json(expectation, batch_id, configs),
                        "result": convert_to_json_serializable(outcome["result"]), "meta": {},
                        "exception_info": outcome["exception_info"]})
    passed = sum(r["success"] for r in results)
    gx_result = {
        "success": passed == len(results), "results": results,
        "suite_name": f"{ctx.source}:{pending.file_name}", "suite_parameters": {},
        "statistics": {"evaluated_expectations": len(results), "successful_expectations": passed,
                       "unsuccessful_expectations": len(results) - passed,
                       "success_percent": 100 * passed / len(results) if results else None},
        "meta": {**batch_meta, "file": pending.file_name, "load_id": pending.load_id,
                 "validated_in": "one batch of the source's pending files; results restated for this file"},
        "id": None}
    blocking = [row for row in rows if row["severity"] == BLOCKING and row["status"] == "failed"]
    return FileValidation(rows, blocking, gx_result, lines)


def _config_json(expectation, batch_id: str, cache: dict) -> dict:
    """The expectation's configuration as GX serialises it (cached: most are the same for every file)."""
    import json

    config = expectation.configuration
    key = (config.type, json.dumps(config.kwargs, sort_keys=True, default=str), json.dumps(config.meta),
           batch_id)
    if key not in cache:
        serialised = config.to_json_dict()
        cache[key] = {**serialised, "kwargs": {"batch_id": batch_id, **serialised["kwargs"]}}
    return cache[key]


def _result_row(result, check: Check, row_count: int, file_name: str, load_id: str,
                municipality: str | None, period: str) -> dict:
    detail = result.result or {}
    failed = detail.get("unexpected_count")
    checked = detail.get("element_count", row_count)
    if result.exception_info and result.exception_info.get("raised_exception"):
        failed, status = None, "error"
    else:
        status = "passed" if result.success else "failed"
    observed = detail.get("observed_value")
    return {
        "check_name": check.check_name, "source": check.source, "file": file_name,
        "column": check.column or None,
        "rows_checked": checked, "rows_failed": failed,
        "share_failed": (failed / checked) if failed is not None and checked else None,
        "threshold": check.threshold, "severity": check.severity, "status": status,
        "kahn_category": check.kahn_category, "load_id": load_id, "municipality": municipality,
        "period": period, "note": check.note, "observed": None if observed is None else str(observed)[:200],
        UNEXPECTED_INDEX: list(detail.get("partial_unexpected_index_list") or [])[:10],
    }


def ingest_result_row(code: str, source: str, file_name: str, load_id: str | None, municipality: str | None,
                      period: str | None, rows_checked: int | None, rows_failed: int | None) -> dict:
    """A check row for a problem ingest found (quarantine, or rejected lines of an accepted file)."""
    category, note = INGEST_CHECKS[code]
    blocking = code != "row_rules"
    return {
        "check_name": f"ingest_{code}", "source": source, "file": file_name, "column": None,
        "rows_checked": rows_checked, "rows_failed": rows_failed,
        "share_failed": (rows_failed / rows_checked) if rows_checked and rows_failed is not None else None,
        "threshold": 0.05 if code in ("row_rules", "too_many_rejected_rows") else None,
        "severity": BLOCKING if blocking else "warning",
        "status": "failed" if (blocking or rows_failed) else "passed",
        "kahn_category": category, "load_id": load_id, "municipality": municipality, "period": period,
        "note": note, "observed": None,
    }


def _columns_read(check: Check) -> list[str]:
    """The file's own columns a check reads (`wait_days` is derived from two of them)."""
    kind = check.expectation.partition(":")[0]
    columns = [c for c in check.column.split("|") if c]
    if "wait_days" in columns:
        columns = [c for c in columns if c != "wait_days"] + ["kaynti_pvm", "hoidon_tarve_pvm"]
    if kind == "not_null_nonurgent":
        columns.append("kiireellisyys")
    return columns


def _month_number(period: str | None) -> int | None:
    if not period or len(period) < 7:
        return None
    return int(period[:4]) * 12 + int(period[5:7])


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def read_batch(source: str, files: list[PendingFile]) -> tuple[pd.DataFrame, list[set[str]]]:
    """The rows of the files as one frame, file by file in Parquet order, with `_file`, `_source_line`, the
    columns the checks read and the columns derived from each file's context; and each file's columns."""
    import duckdb

    checks = checks_for(source)
    paths = [str(f.parquet) for f in files]
    unit_check = next((c for c in checks if c.expectation == "units_seen_before"), None)
    # Per-file values, indexed by DuckDB's `file_index` (the position in the list of files read).
    parameters = {"month_number": [_month_number(f.ctx.period) for f in files],
                  "unit_history": [unit_check is not None and _expectation(unit_check, f.ctx) is not None
                                   for f in files],
                  "units": [sorted(f.ctx.history_units) for f in files], "paths": paths}
    per_file = "[file_index::bigint + 1]"
    con = duckdb.connect()
    try:
        present: dict[str, set[str]] = {p: set() for p in paths}
        for file_name, name in con.execute("select file_name, name from parquet_schema($paths)",
                                           {"paths": paths}).fetchall():
            present.setdefault(file_name, set()).add(name)
        everywhere = set().union(*present.values())
        wanted = sorted({c for check in checks for c in _columns_read(check)} | {"_source_line"})
        select = ["file_index::integer as _file", "file_row_number"] + [
            _quoted(c) if c in everywhere else f"null as {_quoted(c)}" for c in wanted]
        if "wait_days" in {c for check in checks for c in check.column.split("|")}:
            select.append("date_diff('day', hoidon_tarve_pvm, kaynti_pvm) as wait_days"
                          if {"kaynti_pvm", "hoidon_tarve_pvm"} <= everywhere
                          else "null::bigint as wait_days")
        for check in checks:
            kind = check.expectation.partition(":")[0]
            column = _quoted(check.column.split("|")[0]) if check.column else None
            if kind == "in_file_month":
                select.append((f"year({column}) * 12 + month({column}) - $month_number{per_file}"
                               if check.column in everywhere else "null::bigint")
                              + f" as {_quoted(month_offset_column(check.column))}")
            elif kind == "compound_unique":
                all_null = " and ".join(f"{_quoted(c)} is null" if c in everywhere else "true"
                                        for c in check.column.split("|"))
                select.append(f"case when {all_null} then null else file_index::integer end "
                              f"as {_quoted(key_file_column(check))}")
            elif kind == "units_seen_before":
                select.append((f"case when {column} is null or not $unit_history{per_file} then null "
                               f"else list_contains($units{per_file}, {column}) end"
                               if check.column in everywhere else "null::boolean")
                              + f" as {UNIT_SEEN_COLUMN}")
        used = {name: value for name, value in parameters.items()
                if name == "paths" or f"${name}" in " ".join(select)}
        table = con.execute(f"select {', '.join(select)} from read_parquet($paths, union_by_name = true, "
                            f"hive_partitioning = false)", used).to_arrow_table()
    finally:
        con.close()
    frame = _to_pandas(table)
    order = frame["_file"].to_numpy().astype(np.int64) * (1 << 32) + frame["file_row_number"].to_numpy()
    if len(order) and (np.diff(order) < 0).any():   # DuckDB keeps scan order here; never rely on it blindly
        frame = frame.iloc[np.argsort(order, kind="stable")].reset_index(drop=True)
    return frame.drop(columns="file_row_number"), [present.get(p, set()) for p in paths]


def _to_pandas(table) -> pd.DataFrame:
    """Arrow to pandas (several times faster than DuckDB's own conversion) in the dtypes GX is fast on: GX
    copies the frame for every expectation, and Arrow-backed strings are slow to copy. Strings that repeat
    become categoricals (codes are cheap to copy), ids become Python strings; dates become datetime64."""
    import pyarrow as pa
    import pyarrow.compute as pc

    strings = [name for name, kind in zip(table.column_names, table.schema.types)
               if pa.types.is_string(kind) or pa.types.is_large_string(kind)]
    frame = table.drop_columns(strings).to_pandas(date_as_object=False)
    for name in strings:
        column = table.column(name)
        sample = column.slice(0, 10_000)
        if pc.count_distinct(sample).as_py() * 10 < max(len(sample), 1):
            frame[name] = pc.dictionary_encode(column).to_pandas()
        else:
            frame[name] = pd.Series(column.to_numpy(zero_copy_only=False), dtype=object)
    return frame


def summary_frame(source: str, files: list[PendingFile], frame: pd.DataFrame) -> pd.DataFrame:
    """One row per file for the table-level checks: its row count, the least count its history accepts, the
    municipalities it leaves out."""
    checks = checks_for(source)
    counts = np.bincount(frame["_file"].to_numpy(), minlength=len(files))
    summary = pd.DataFrame({"_file": np.arange(len(files)), "rows": counts})
    floors = [np.nan] * len(files)
    for check in checks:
        if check.expectation == "rows_vs_history":
            floors = [np.nan if (floor := rows_floor(check, f.ctx)) is None else float(floor) for f in files]
    summary["rows_floor"] = floors
    minimum = next((c for c in checks if c.expectation.startswith("min_rows:")), None)
    summary["rows_min"] = [float(minimum.expectation.partition(":")[2])
                           if minimum is not None and empty_unlikely(f.ctx) else np.nan for f in files]
    cover = next((c for c in checks if c.expectation == "covers_municipalities"), None)
    missing = [[] for _ in files]
    if cover is not None:
        expected = set(municipality_codes())
        seen = frame.groupby("_file")[cover.column].agg(lambda values: set(values.dropna()))
        missing = [sorted(expected - seen.get(n, set())) for n in range(len(files))]
    summary["missing_list"] = missing
    summary["municipalities_missing"] = [len(m) for m in missing]
    return summary
