"""landing → raw → validated: one ingest and one validation asset per source, and the catalog dbt reads."""

from dagster import AssetExecutionContext, AssetKey, AssetSpec, MaterializeResult, asset, multi_asset

from ingest.landing import ingest_source
from ingest.snapshot import write_load_log_snapshot, write_rejects_snapshot, write_schema_file
from ingest.sotkanet import ingest_sotkanet
from ingest.sources import SOURCES
from orchestration.resources import GreatExpectationsResource, HomeResource
from orchestration.run_settings import run_label
from quality_checks.results_store import write_check_results_snapshot
from quality_checks.stage import validate_pending
from tiedolla.home import private_files


# Sources whose landing folder holds more than one kind of file get their own ingest function.
INGESTERS = {"sotkanet": ingest_sotkanet}


def raw_asset(source: str):
    spec = SOURCES[source]
    ingest = INGESTERS.get(source, ingest_source)

    @asset(name=f"raw_{source}", group_name="ingest",
           description=f"landing/{source}/ → raw/{source}/: new files (by SHA-256) parsed, row-checked and "
                       "written as Parquet; broken files quarantined with a report.")
    def _raw(context: AssetExecutionContext, home: HomeResource) -> MaterializeResult:
        folder = home.home()
        with private_files():
            write_schema_file(folder, spec)
            summary = ingest(folder, spec, run_label(context), log=context.log.info)
        context.log.info(f"{source}: {len(summary.new_files)} new file(s), {summary.skipped_known} already loaded")
        return MaterializeResult(metadata={
            "new_files": len(summary.new_files), "loaded": len(summary.loaded),
            "quarantined": len(summary.quarantined), "ignored_lower_versions": len(summary.ignored),
            "already_loaded": summary.skipped_known})

    return _raw


def validated_asset(source: str):
    @asset(name=f"validated_{source}", group_name="validation", deps=[AssetKey(f"raw_{source}")],
           description=f"Great Expectations suite of {source} (built from quality_checks/registry.csv) on every "
                       "new accepted file; blocking failures quarantine the file.")
    def _validated(context: AssetExecutionContext, home: HomeResource,
                   great_expectations: GreatExpectationsResource) -> MaterializeResult:
        folder = home.home()
        with private_files():
            summary = validate_pending(folder, source, run_label(context),
                                       _lazy(great_expectations, folder, source), log=context.log.info)
        for file_name, warnings in summary.warnings.items():
            context.log.warning(f"{file_name}: warning check(s) failed: {', '.join(warnings)}")
        return MaterializeResult(metadata={
            "validated": len(summary.validated), "quarantined_by_checks": len(summary.quarantined),
            "files_with_warnings": len(summary.warnings)})

    return _validated


def _lazy(great_expectations: GreatExpectationsResource, home, source):
    """Only import GX (seconds) when the source has files waiting for validation."""
    from ingest.load_log import LoadLog

    return great_expectations.validator() if LoadLog(home.load_log_dir).pending(source) else None


CATALOG_KEYS = {"load_log": "The load log: one row per distinct file received, with its status.",
                "rejected_rows": "The reject log: every rejected line with its line number and reason.",
                "check_results": "Every check's result row (GX suites and ingest's file-level checks)."}


@multi_asset(specs=[AssetSpec(key, group_name="validation", description=text,
                              deps=[AssetKey(f"validated_{s}") for s in SOURCES])
                    for key, text in CATALOG_KEYS.items()],
             name="ingest_catalog")
def ingest_catalog(context: AssetExecutionContext, home: HomeResource):
    """Snapshots of the load log, the reject log and check_results as Parquet: dbt's sources."""
    folder = home.home()
    with private_files():
        for spec in SOURCES.values():
            write_schema_file(folder, spec)
        paths = {"load_log": write_load_log_snapshot(folder), "rejected_rows": write_rejects_snapshot(folder),
                 "check_results": write_check_results_snapshot(folder)}
    for key, path in paths.items():
        yield MaterializeResult(asset_key=key, metadata={"path": str(path)})


RAW_ASSETS = [raw_asset(s) for s in SOURCES]
VALIDATED_ASSETS = [validated_asset(s) for s in SOURCES]
