"""What the last complete dbt build was made from, and what a new build must redo (issue 7).

The marts that aggregate client rows (wait_times, wait_times_yearly, segment_summary, int_indicator_values,
contact_channels, int_own_wait_figures_by_year) are incremental by period: a build recomputes only the periods
that end on or after the earliest month whose files changed since the last build (`rebuild_from`). That is
enough because every figure of a period depends on rows of that period and earlier ones (12-month windows,
the previous RAI assessment, the latest population year), never on later ones. The record is written only
after dbt succeeded, so a failed or killed build is followed by a full one.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from ingest.atomic import write_json_atomically
from ingest.load_log import LoadLog
from tiedolla.home import Home, private_files

RECORD_FILE = "last_build.json"
REBUILD_FROM_ENV = "TIEDOLLA_REBUILD_FROM"
NOTHING_TO_REBUILD = "9999-12"   # no period ends that late: every period is kept
_MONTH = re.compile(r"^(\d{4})(?:-(\d{2}))?")


@dataclass(frozen=True)
class BuildPlan:
    full_refresh: bool
    rebuild_from: str     # TIEDOLLA_REBUILD_FROM: 'YYYY-MM' = periods ending on or after it; '' = all
    reason: str


def _record_path(home: Home) -> Path:
    return home.warehouse / RECORD_FILE


def current_files(home: Home) -> dict[str, list]:
    """Every file of the load log: load id → [period, status] (a status change is a change of data)."""
    return {e.load_id: [e.period, e.status] for e in LoadLog(home.load_log_dir).entries.values()}


def _month(period: str | None) -> str | None:
    """A file's period as the first month it touches: 'YYYY-MM' as is, a year 'YYYY' as its January, a
    Sotkanet download date 'YYYY-MM-DD' as its month; None for files without a period (reference lists)."""
    match = _MONTH.match(period or "")
    if not match:
        return None
    return f"{match.group(1)}-{match.group(2) or '01'}"


def plan_build(home: Home, code: str, as_of: str | None) -> BuildPlan:
    path = _record_path(home)
    if not (path.exists() and home.build_db.exists()):
        return BuildPlan(True, "", "no complete build yet")
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return BuildPlan(True, "", "the record of the last build is unreadable")
    if record.get("code") != code:
        return BuildPlan(True, "", "code or seeds changed since the last build")
    if record.get("as_of") != (as_of or ""):
        return BuildPlan(True, "", "another as-of month than the last build")
    before, now = record.get("files", {}), current_files(home)
    changed = [now.get(load_id) or before.get(load_id) for load_id in set(before) | set(now)
               if before.get(load_id) != now.get(load_id)]
    months = sorted(m for m in (_month(period) for period, _ in changed) if m)
    if not months:
        return BuildPlan(False, NOTHING_TO_REBUILD, "no file with a period changed")
    return BuildPlan(False, months[0], f"{len(changed)} file(s) changed; periods from {months[0]} are rebuilt")


def record_build(home: Home, code: str, as_of: str | None, files: dict[str, list]) -> None:
    """`files`: the load log as the build read it (taken before dbt started)."""
    with private_files():   # warehouse/ is readable; only the published marts are meant for others
        write_json_atomically(_record_path(home), {"code": code, "as_of": as_of or "", "files": files})
