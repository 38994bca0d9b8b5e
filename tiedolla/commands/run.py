"""`tiedolla run`: the same Dagster job the UI runs, in-process, on the home's landing folder."""
from __future__ import annotations

import logging
import os
import sys
import time
from datetime import datetime, timezone

from tiedolla.home import Home

EXAMPLE_QUERIES = (
    "select period_start, share_within_7d, share_over_90d from marts.wait_times "
    "where area_code = '17' and service_line = 'primary_care' and professional_group = 'doctor' "
    "order by period_start desc limit 12",
    "select area_code, period_start, coverage, reliability, files_quarantined, rows_rejected "
    "from marts.data_quality where source = 'avohilmo' and reliability <> 'good' order by period_start",
    "select year(period_start) as year, service_line, sum(visits_nonurgent) as visits "
    "from marts.wait_times where area_code = '17' and professional_group = 'all' group by all order by all",
)


def run_command(args) -> int:
    home = Home.at(args.home).ensure()
    os.environ["TIEDOLLA_HOME"] = str(home.root)
    from orchestration.run_lock import LOCK_HELD_ENV, RunLock, RunLockBusy

    lock = RunLock(home)
    try:
        try:
            lock.acquire()
        except RunLockBusy:
            if not args.wait:
                raise
            waiting_since = time.monotonic()
            print(f"tiedolla run: another run is writing {home.root}; waiting up to {args.wait:g} s for it "
                  "to finish", file=sys.stderr, flush=True)
            _load_definitions(home)   # meanwhile, so this run starts as soon as the other ends
            lock.acquire(wait_seconds=max(0.0, args.wait - (time.monotonic() - waiting_since)))
    except RunLockBusy as busy:
        print(f"tiedolla run: {busy}", file=sys.stderr)
        return 3
    os.environ[LOCK_HELD_ENV] = str(os.getpid())
    try:
        return _run_locked(home, args.as_of)
    finally:
        os.environ.pop(LOCK_HELD_ENV, None)
        lock.release()


def _run_locked(home: Home, as_of: str | None) -> int:
    started = time.monotonic()
    print(f"tiedolla run on {home.root}" + (f" (as of {as_of})" if as_of else ""), flush=True)
    from publish.unchanged import current_publication, landing_snapshot, record_clean_run

    unchanged = current_publication(home, as_of)
    if unchanged is not None:
        print(f"no changes; publication {unchanged} is current: {home.marts_db} (landing/, the load log and "
              f"the code are as the last run left them; checked in {time.monotonic() - started:.1f} s)")
        return 0
    snapshot = landing_snapshot(home)
    from tiedolla.dagster_instance import use_home_instance

    defs = _load_definitions(home)
    from orchestration.run_settings import AS_OF_TAG, RUN_LABEL_TAG

    instance = use_home_instance(home)
    label = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    tags = {RUN_LABEL_TAG: label, "tiedolla/trigger": "command_line"}
    if as_of:
        tags[AS_OF_TAG] = as_of
    logging.getLogger("dagster").setLevel(logging.INFO)
    job = defs.resolve_job_def("tiedolla_run")
    result = job.execute_in_process(
        instance=instance, tags=tags, raise_on_error=False,
        run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}})
    elapsed = time.monotonic() - started
    if not result.success:
        print(f"\ntiedolla run FAILED after {elapsed:.0f} s; nothing was published "
              f"(the previous publication, if any, is unchanged). Dagster run id: {result.run_id}",
              file=sys.stderr)
        for event in result.all_events:
            if event.is_step_failure:
                error = event.step_failure_data.error
                print(f"  step {event.step_key}: {error.message.strip() if error else 'failed'}", file=sys.stderr)
        return 1
    record_clean_run(home, as_of, snapshot)
    return _report(home, result, label, elapsed)


def _load_definitions(home: Home):
    """dbt's manifest and Dagster's definitions: they touch the checkout, never the home, so need no lock."""
    from tiedolla.dbt_manifest import prepare_manifest

    prepare_manifest(home.root)
    from orchestration.definitions import defs
    return defs


def _report(home: Home, result, label: str, elapsed: float) -> int:
    from ingest.load_log import QUARANTINED, LoadLog

    publication = None
    for materialization in result.asset_materializations_for_node("published_marts"):
        metadata = materialization.metadata
        publication = (metadata["publication_id"].value, metadata["published"].value)
    quarantined = [e for e in LoadLog(home.load_log_dir).entries.values()
                   if e.run_id == label and e.status == QUARANTINED]
    print(f"\nfinished in {elapsed:.0f} s")
    if quarantined:
        print(f"{len(quarantined)} file(s) quarantined in this run (reports in {home.quarantine / label}):")
        for entry in sorted(quarantined, key=lambda e: e.file_name):
            print(f"  {entry.source}/{entry.file_name}: {entry.problem}: {entry.message}")
    if publication is None:
        return 0
    publication_id, published = publication
    if not publication_id:
        print(f"no changes; nothing has been delivered to {home.landing} yet (put files in landing/<source>/ "
              "or run `tiedolla sample`)")
        return 0
    if published:
        print(f"published publication {publication_id}: {home.marts_db}")
    else:
        print(f"no changes; publication {publication_id} is current: {home.marts_db}")
    print("\nexample queries (tiedolla sql \"…\", or open the file in any DuckDB client):")
    for query in EXAMPLE_QUERIES:
        print(f"  {query}")
    return 0
