"""Whether a run has anything to do, decided before Dagster starts (a run with nothing new takes ~1 s).

A clean run (it finished and its fingerprint is the latest publication's) records what landing/ looked like
when it started. The next `tiedolla run` compares landing/ (names, sizes, modification times), the load log,
the code and the as-of month with that record; when all match, "no changes; publication N is current" is the
whole answer and Dagster is not started (such a run does not appear in the Dagster UI). Anything else, or
any doubt, takes the full path, which decides by the load log and SHA-256 as before (pipeline.md).

Before that, `repair_published` checks that the published file is the publication the history records
(it exists, opens read-only as DuckDB, and its `publication` table holds the recorded id and fingerprint).
A damaged one is republished from the build when the build is the publication's (same fingerprint), else
removed so that the run rebuilds and publishes it (issue 23).
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ingest.atomic import write_json_atomically
from publish.fingerprint import fingerprint
from publish.history import latest, published_file_problem
from tiedolla.home import Home, private_files

RECORD_FILE = "last_clean_run.json"


def landing_snapshot(home: Home) -> str:
    """Every landed file's path, size, modification and change times and inode (not its bytes: this runs on
    every start). The change time and inode catch a file replaced by one of the same size whose
    modification time was kept (`cp -p`, `rsync -a`, unpacking an archive)."""
    digest = hashlib.sha256()
    if home.landing.exists():
        for path in sorted(p for p in home.landing.rglob("*") if p.is_file()):
            stat = path.stat()
            digest.update(f"{path.relative_to(home.landing)}|{stat.st_size}|{stat.st_mtime_ns}|{stat.st_ctime_ns}|"
                          f"{stat.st_ino}\n".encode())
    return digest.hexdigest()


def _record_path(home: Home) -> Path:
    return home.warehouse / RECORD_FILE


def record_clean_run(home: Home, as_of: str | None, snapshot_at_start: str) -> None:
    """After a run that finished: remember landing/ as it was when the run started, if the run left the
    latest publication current (files that landed during the run are not in the snapshot, so the next run
    looks at them)."""
    previous = latest(home)
    current = fingerprint(home, as_of)
    if previous is None or previous["fingerprint"] != current:
        _record_path(home).unlink(missing_ok=True)
        return
    record = {"landing": snapshot_at_start, "fingerprint": current, "as_of": as_of or "",
              "publication_id": previous["publication_id"]}
    with private_files():   # warehouse/ is readable; only the published marts are meant for others
        write_json_atomically(_record_path(home), record)


def current_publication(home: Home, as_of: str | None) -> int | None:
    """The id of the publication that is still current when nothing changed since the last clean run."""
    path = _record_path(home)
    if not (path.exists() and home.marts_db.exists() and home.build_db.exists()):
        return None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if record.get("as_of") != (as_of or "") or record.get("landing") != landing_snapshot(home):
        return None
    previous = latest(home)
    if previous is None or previous["publication_id"] != record.get("publication_id"):
        return None
    if published_file_problem(home, previous):   # a damaged published file is never current
        return None
    # The load log and the code (and the as-of) as the publication saw them.
    if previous["fingerprint"] != record.get("fingerprint") or fingerprint(home, as_of) != record["fingerprint"]:
        return None
    return previous["publication_id"]


def repair_published(home: Home, as_of: str | None) -> str | None:
    """None when the published file is the latest publication (or nothing was published yet); else one line
    saying what was wrong and what was done. Called under the run lock, before `current_publication`."""
    previous = latest(home)
    if previous is None:
        return None
    problem = published_file_problem(home, previous)
    if problem is None:
        return None
    damaged = f"the published file {home.marts_db} was damaged ({problem})"
    if home.build_db.exists() and previous["fingerprint"] == fingerprint(home, as_of):
        # Nothing changed since that publication, so the build database holds its marts: copy them again.
        from publish.fingerprint import git_revision, live_files
        from publish.publisher import publish

        try:
            publication = publish(home, previous["fingerprint"], previous.get("as_of"), git_revision(),
                                  live_files(home), {"republished": problem,
                                                     "republishes": previous["publication_id"]})
        except Exception as error:  # noqa: BLE001 - any failure: the full run rebuilds instead
            reason = str(error).strip().splitlines()[0][:200] if str(error).strip() else type(error).__name__
            return _remove_damaged(home, f"{damaged}; copying from the build failed ({reason})")
        _carry_clean_run(home, previous["publication_id"], publication.publication_id)
        _write_pages(home)
        return (f"{damaged}: republished from the build as publication {publication.publication_id} "
                f"(the figures of publication {previous['publication_id']})")
    return _remove_damaged(home, damaged)


def _remove_damaged(home: Home, damaged: str) -> str:
    """Take the damaged file away, so that the run builds and publishes (a missing file is never current)."""
    path = home.marts_db
    if path.is_dir() and not path.is_symlink():
        import shutil

        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
    _record_path(home).unlink(missing_ok=True)
    return f"{damaged}: removed; this run rebuilds and republishes it"


def _carry_clean_run(home: Home, old_id: int, new_id: int) -> None:
    """The record of the last clean run names the publication; the republished one has the same figures."""
    path = _record_path(home)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if isinstance(record, dict) and record.get("publication_id") == old_id:
        record["publication_id"] = new_id
        with private_files():
            write_json_atomically(path, record)


def _write_pages(home: Home) -> None:
    """The directors' page of the republished publication, as publishing writes it; a failure is no harm
    (`tiedolla report` writes it again)."""
    try:
        from report.indicator_page import write_reports

        write_reports(home)
    except Exception:  # noqa: BLE001
        pass
