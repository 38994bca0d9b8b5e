"""Run GX on accepted files and turn each result into `check_results` rows (one shape for every check)."""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from quality_checks.registry import BLOCKING, INGEST_CHECKS, Check
from quality_checks.suites import FileContext, build_suite

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

RESULT_COLUMNS = ["check_name", "source", "file", "column", "rows_checked", "rows_failed", "share_failed",
                  "threshold", "severity", "status", "kahn_category", "load_id", "municipality", "period",
                  "note", "observed"]
# Frame positions of the first failing rows (not a result column; mapped to file lines for reports).
UNEXPECTED_INDEX = "unexpected_index"


@dataclass
class FileValidation:
    rows: list[dict]
    blocking_failures: list[dict]
    gx_result: dict


class Validator:
    """One ephemeral GX context per run; a fresh suite per file (its thresholds depend on the file)."""

    def __init__(self):
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        logging.getLogger("great_expectations").setLevel(logging.ERROR)
        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
        self.datasource = self.context.data_sources.add_pandas("tiedolla_raw")
        self.batch_definitions: dict[str, object] = {}

    def _batch_definition(self, source: str):
        if source not in self.batch_definitions:
            asset = self.datasource.add_dataframe_asset(source)
            self.batch_definitions[source] = asset.add_batch_definition_whole_dataframe(f"{source}_file")
        return self.batch_definitions[source]

    def validate(self, frame: pd.DataFrame, ctx: FileContext, file_name: str, load_id: str,
                 municipality: str | None) -> FileValidation:
        suite, used = build_suite(ctx, f"{ctx.source}:{file_name}")
        batch = self._batch_definition(ctx.source).get_batch(batch_parameters={"dataframe": frame})
        result = batch.validate(suite)
        rows = [_result_row(r, used[r.expectation_config.meta["check_name"]], len(frame), file_name, load_id,
                            municipality, ctx.period) for r in result.results]
        blocking = [row for row in rows if row["severity"] == BLOCKING and row["status"] == "failed"]
        return FileValidation(rows, blocking, result.to_json_dict())


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
        "check_name": check.check_name, "source": check.source, "file": file_name, "column": check.column or None,
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


def read_frame(parquet: Path) -> pd.DataFrame:
    """The accepted rows of a file as the DataFrame GX validates, with derived columns checks refer to."""
    import duckdb

    con = duckdb.connect()
    try:
        frame = con.execute(f"select * from read_parquet('{parquet}', hive_partitioning = false)").df()
    finally:
        con.close()
    if "hoidon_tarve_pvm" in frame.columns:
        frame["wait_days"] = (pd.to_datetime(frame["kaynti_pvm"]) - pd.to_datetime(frame["hoidon_tarve_pvm"])).dt.days
    return frame
