"""What the last complete dbt build was made from, and what a new build must redo (issue 7).

The marts that aggregate client rows (wait_times, wait_times_yearly, segment_summary, int_indicator_values,
contact_channels, int_own_wait_figures_by_year) are incremental by period: a build recomputes only the periods
that end on or after the earliest month whose files changed since the last build (`rebuild_from`). That is
enough because every figure of a period depends on rows of that period and earlier ones (12-month windows,
the previous RAI assessment, the latest population year), never on later ones; the one exception, the grid
of expected deliveries, reaches up to each source's as-of month, so when that moves the periods from the
earlier of the two are rebuilt as well. The record is written only
after a complete build succeeded and removed before a full or partial one starts, so a failed or killed
full build is followed by another; a failed incremental build leaves the record of the last complete one,
against which the next build's changes are a superset of what is left to redo.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from ingest.atomic import write_json_atomically
from ingest.load_log import ACCEPTED, LoadLog
from tiedolla.home import PROJECT_ROOT, Home, private_files

RECORD_FILE = "last_build.json"
REBUILD_FROM_ENV = "TIEDOLLA_REBUILD_FROM"
NOTHING_TO_REBUILD = "9999-12"   # no period ends that late: every period is kept
_MONTH = re.compile(r"^(\d{4})(?:-(\d{2}))?")


@dataclass(frozen=True)
class BuildPlan:
    full_refresh: bool
    rebuild_from: str     # TIEDOLLA_REBUILD_FROM: 'YYYY-MM' = periods ending on or after it; '' = all
    reason: str
    # The sources with a file that arrived, left or changed its fate since the last build (incremental
    # builds only): models that read none of them are kept as they are (build_scope.py).
    changed_sources: frozenset[str] = frozenset()


def _record_path(home: Home) -> Path:
    return home.warehouse / RECORD_FILE


def current_files(home: Home) -> dict[str, list]:
    """Every file of the load log: load id → [source, period, status] (a status change is a change of data)."""
    return {e.load_id: [e.source, e.period, e.status] for e in LoadLog(home.load_log_dir).entries.values()}


def build_digest(code: str, root: Path = PROJECT_ROOT) -> str:
    """The publication's code digest plus what decides how a build runs: this orchestration and the locked
    library versions (a new DuckDB or dbt may compute a figure differently)."""
    digest = hashlib.sha256(code.encode())
    for path in sorted([*(root / "orchestration").glob("*.py"), root / "requirements.lock"]):
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _next_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    return f"{year + number // 12}-{number % 12 + 1:02d}"


def _latest_accepted(files: dict[str, list]) -> dict[str, str]:
    """Each source's latest accepted month: its as-of month, up to which its slots are expected."""
    latest: dict[str, str] = {}
    for source, period, status in files.values():
        month = _month(period)
        if status == ACCEPTED and month and month > latest.get(source, ""):
            latest[source] = month
    return latest


def _month(period: str | None) -> str | None:
    """A file's period as the first month it touches: 'YYYY-MM' as is, a year 'YYYY' as its January, a
    Sotkanet download date 'YYYY-MM-DD' as its month; None for files without a period (reference lists)."""
    match = _MONTH.match(period or "")
    if not match:
        return None
    return f"{match.group(1)}-{match.group(2) or '01'}"


def plan_build(home: Home, code: str, as_of: str | None) -> BuildPlan:
    """`code`: build_digest(); `as_of`: the run's --as-of month, if any."""
    path = _record_path(home)
    if not (path.exists() and home.build_db.exists()):
        return BuildPlan(True, "", "no complete build yet")
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        before = {load_id: list(entry) for load_id, entry in record["files"].items()}
        if any(len(entry) != 3 for entry in before.values()):
            raise ValueError("an older record")
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return BuildPlan(True, "", "the record of the last build is unreadable")
    if record.get("code") != code:
        return BuildPlan(True, "", "code, seeds or libraries changed since the last build")
    if record.get("as_of") != (as_of or ""):
        return BuildPlan(True, "", "another as-of month than the last build")
    if record.get("home") != str(home.root):
        # The staging views name the raw files by absolute path.
        return BuildPlan(True, "", "the home folder moved since the last build")
    now = current_files(home)
    changed = [now.get(load_id) or before[load_id] for load_id in set(before) | set(now)
               if before.get(load_id) != now.get(load_id)]
    sources = frozenset(source for source, _, _ in changed)
    months = [m for m in (_month(period) for _, period, _ in changed) if m]
    # A source's as-of month decides which of its slots are expected in every period up to it: when it moves
    # (a month arrives before the one before it, or the latest file is quarantined), the periods after the
    # earlier of the two change their coverage too.
    latest_before, latest_now = _latest_accepted(before), _latest_accepted(now)
    for source in set(latest_before) | set(latest_now):
        if source not in latest_before or source not in latest_now:
            return BuildPlan(True, "", f"{source} has accepted files for the first time (or none any more)")
        if latest_before[source] != latest_now[source]:
            # Slots after the earlier as-of month appeared or disappeared.
            months.append(_next_month(min(latest_before[source], latest_now[source])))
    if not months:
        return BuildPlan(False, NOTHING_TO_REBUILD, "no file with a period changed", sources)
    start = min(months)
    return BuildPlan(False, start, f"{len(changed)} file(s) of {', '.join(sorted(sources))} changed; periods "
                                   f"from {start} are rebuilt", sources)


def forget_build(home: Home) -> None:
    """Before a full or partial build: if it fails half-way, the next build must be a full one."""
    _record_path(home).unlink(missing_ok=True)


def record_build(home: Home, code: str, as_of: str | None, files: dict[str, list]) -> None:
    """`files`: the load log as the build read it (taken before dbt started)."""
    with private_files():   # warehouse/ is readable; only the published marts are meant for others
        write_json_atomically(_record_path(home), {"code": code, "as_of": as_of or "", "home": str(home.root),
                                                   "files": files})
