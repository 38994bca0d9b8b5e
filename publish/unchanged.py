"""Whether a run has anything to do, decided before Dagster starts (a run with nothing new takes ~1 s).

A clean run (it finished and its fingerprint is the latest publication's) records what landing/ looked like
when it started. The next `tiedolla run` compares landing/ (names, sizes, modification times), the load log,
the code and the as-of month with that record; when all match, "no changes; publication N is current" is the
whole answer and Dagster is not started (such a run does not appear in the Dagster UI). Anything else, or
any doubt, takes the full path, which decides by the load log and SHA-256 as before (pipeline.md).
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ingest.atomic import write_json_atomically
from publish.fingerprint import fingerprint
from publish.history import latest
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
    # The load log and the code (and the as-of) as the publication saw them.
    if previous["fingerprint"] != record.get("fingerprint") or fingerprint(home, as_of) != record["fingerprint"]:
        return None
    return previous["publication_id"]
