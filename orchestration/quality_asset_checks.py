"""Dagster asset checks that summarise each source's GX results for the files validated in the run."""

from collections import Counter

import pandas as pd
from dagster import AssetCheckExecutionContext, AssetCheckResult, AssetCheckSeverity, AssetKey, asset_check

from ingest.load_log import LoadLog
from ingest.sources import SOURCES
from orchestration.resources import HomeResource
from orchestration.run_settings import run_label


def _run_results(home, source: str, label: str) -> pd.DataFrame:
    entries = [e for e in LoadLog(home.load_log_dir).of_source(source) if e.run_id == label and e.validated_at]
    frames = [pd.read_parquet(p) for e in entries
              if (p := home.checks_dir / source / f"{e.load_id[:16]}.parquet").exists()]
    return pd.concat(frames) if frames else pd.DataFrame(columns=["check_name", "severity", "status", "file"])


def checks_for_source(source: str):
    key = AssetKey(f"validated_{source}")

    @asset_check(asset=key, name="no_blocking_failures",
                 description=f"No {source} file validated in this run failed a blocking GX check "
                             "(such files were quarantined).")
    def _blocking(context: AssetCheckExecutionContext, home: HomeResource) -> AssetCheckResult:
        results = _run_results(home.home(), source, run_label(context))
        failed = results[(results["severity"] == "blocking") & (results["status"] != "passed")]
        return AssetCheckResult(
            passed=failed.empty, severity=AssetCheckSeverity.WARN,
            metadata={"files_checked": int(results["file"].nunique()) if len(results) else 0,
                      "files_quarantined": int(failed["file"].nunique()) if len(failed) else 0,
                      "failed_checks": dict(Counter(failed["check_name"]))})

    @asset_check(asset=key, name="warning_checks",
                 description=f"Warning-level GX checks of the {source} files validated in this run.")
    def _warnings(context: AssetCheckExecutionContext, home: HomeResource) -> AssetCheckResult:
        results = _run_results(home.home(), source, run_label(context))
        failed = results[(results["severity"] == "warning") & (results["status"] != "passed")]
        return AssetCheckResult(
            passed=failed.empty, severity=AssetCheckSeverity.WARN,
            metadata={"files_with_warnings": int(failed["file"].nunique()) if len(failed) else 0,
                      "failed_checks": dict(Counter(failed["check_name"]))})

    return [_blocking, _warnings]


SOURCE_CHECKS = [check for source in SOURCES for check in checks_for_source(source)]
