"""One job for the whole graph, the monthly schedule and the landing sensor (pipeline.md)."""

import hashlib

from dagster import (AssetSelection, RunRequest, ScheduleEvaluationContext, SensorEvaluationContext, SkipReason,
                     define_asset_job, in_process_executor, schedule, sensor)

from ingest.load_log import LoadLog
from orchestration.run_lock import RunLock
from tiedolla.home import Home

# In-process: one GX context and one run lock for the whole run, and only dbt opens build.duckdb.
tiedolla_job = define_asset_job("tiedolla_run", selection=AssetSelection.all(), executor_def=in_process_executor,
                                description="landing → raw → validated → staged → marts → published")


# The schedule and the sensor do not start a run while another holds the home (a run they start anyway, in
# the moment between asking and starting, fails on the lock before it writes anything: see HomeResource).
def _busy(home: Home) -> SkipReason | None:
    if RunLock(home).held():
        return SkipReason(f"another run is writing {home.root}: no second run is started")
    return None


@schedule(name="monthly_run", job=tiedolla_job, cron_schedule="0 6 10 * *", execution_timezone="Europe/Helsinki",
          description="The 10th of each month at 06:00 Helsinki time, after the month's extracts have landed.")
def monthly_schedule(context: ScheduleEvaluationContext):
    return _busy(Home.at()) or RunRequest(tags={"tiedolla/trigger": "monthly_run"})


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
    busy = _busy(home)
    if busy:   # the cursor stays: the next tick after that run asks again
        return busy
    context.update_cursor(signature)
    return RunRequest(run_key=signature, tags={"tiedolla/trigger": "landing_sensor"})
