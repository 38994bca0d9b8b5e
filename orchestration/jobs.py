"""One job for the whole graph, the monthly schedule and the landing sensor (pipeline.md)."""

import hashlib

from dagster import (AssetSelection, RunRequest, ScheduleDefinition, SensorEvaluationContext, SkipReason,
                     define_asset_job, in_process_executor, sensor)

from ingest.load_log import LoadLog
from tiedolla.home import Home

# In-process: one GX context and one run lock for the whole run, and only dbt opens build.duckdb.
tiedolla_job = define_asset_job("tiedolla_run", selection=AssetSelection.all(), executor_def=in_process_executor,
                                description="landing → raw → validated → staged → marts → published")

monthly_schedule = ScheduleDefinition(
    name="monthly_run", job=tiedolla_job, cron_schedule="0 6 10 * *", execution_timezone="Europe/Helsinki",
    description="The 10th of each month at 06:00 Helsinki time, after the month's extracts have landed.")


def landing_signature(home: Home) -> tuple[str, int]:
    """A cheap fingerprint of landing/ (names, sizes, mtimes) and how many files are not in the load log."""
    known = {(e.file_name, e.size) for e in LoadLog(home.load_log_dir).entries.values()}
    digest, unknown = hashlib.sha256(), 0
    for path in sorted(p for p in home.landing.glob("*/*") if p.is_file()):
        stat = path.stat()
        digest.update(f"{path.relative_to(home.landing)}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
        unknown += (path.name, stat.st_size) not in known
    return digest.hexdigest(), unknown


@sensor(job=tiedolla_job, minimum_interval_seconds=60,
        description="Starts a run when files appear in landing/ that the load log does not know yet.")
def landing_sensor(context: SensorEvaluationContext):
    home = Home.at()
    if not home.landing.exists():
        return SkipReason(f"no landing folder at {home.landing}")
    signature, unknown = landing_signature(home)
    if not unknown:
        return SkipReason("no new files in landing/")
    if signature == context.cursor:
        return SkipReason("new files already handed to a run")
    context.update_cursor(signature)
    return RunRequest(run_key=signature, tags={"tiedolla/trigger": "landing_sensor"})
