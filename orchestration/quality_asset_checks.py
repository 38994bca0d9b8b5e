"""Dagster asset checks that summarise each source's GX results for the files validated in the run."""

from collections import Counter
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pyarrow.dataset as ds
from dagster import AssetCheckExecutionContext, AssetCheckResult, AssetCheckSeverity, AssetKey, asset_check

from ingest.load_log import LoadLog
from ingest.sources import SOURCES
from orchestration.resources import HomeResource
from orchestration.run_settings import run_label
from tiedolla.home import Home


@lru_cache(maxsize=16)
def _run_results(root: str, source: str, label: str) -> pd.DataFrame:
    """The GX rows of the source's files validated in the run, read once for both checks of a source (the
    load log holds thousands of entries). A source's checks run after its validation, which is then final
    for the run; the run's label in the key keeps a long-lived process (dagster dev) from reusing a result."""
    home = Home(Path(root))
    paths = sorted(str(path) for entry in LoadLog(home.load_log_dir).of_source(source)
                   if entry.run_id == label and entry.validated_at
                   and (path := home.checks_dir / source / f"{entry.load_id[:16]}.parquet").exists())
    columns = ["check_name", "severity", "status", "file"]
    if not paths:
        return pd.DataFrame(columns=columns)
    return ds.dataset(paths, format="parquet").to_table(columns=columns).to_pandas()


def checks_for_source(source: str):
    key = AssetKey(f"validated_{source}")

    @asset_check(asset=key, name="no_blocking_failures",
                 description=f"No {source} file validated in this run failed a blocking GX check "
                             "(such files were quarantined).")
    def _blocking(context: AssetCheckExecutionContext, home: HomeResource) -> AssetCheckResult:
        results = _run_results(str(home.home().root), source, run_label(context))
        failed = results[(results["severity"] == "blocking") & (results["status"] != "passed")]
        return AssetCheckResult(
            passed=failed.empty, severity=AssetCheckSeverity.WARN,
            metadata={"files_checked": int(results["file"].nunique()) if len(results) else 0,
                      "files_quarantined": int(failed["file"].nunique()) if len(failed) else 0,
                      "failed_checks": dict(Counter(failed["check_name"]))})

    @asset_check(asset=key, name="warning_checks",
                 description=f"Warning-level GX checks of the {source} files validated in this run.")
    def _warnings(context: AssetCheckExecutionContext, home: HomeResource) -> AssetCheckResult:
        results = _run_results(str(home.home().root), source, run_label(context))
        failed = results[(results["severity"] == "warning") & (results["status"] != "passed")]
        return AssetCheckResult(
            passed=failed.empty, severity=AssetCheckSeverity.WARN,
            metadata={"files_with_warnings": int(failed["file"].nunique()) if len(failed) else 0,
                      "failed_checks": dict(Counter(failed["check_name"]))})

    return [_blocking, _warnings]


SOURCE_CHECKS = [check for source in SOURCES for check in checks_for_source(source)]
