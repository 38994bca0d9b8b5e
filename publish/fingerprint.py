"""What a publication is built from: the live input files and the code and seeds that build the marts.

A run publishes only when this fingerprint differs from the last publication's (pipeline.md, "Idempotent").
"""
from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

from ingest.load_log import ACCEPTED, LoadLog
from tiedolla.home import PROJECT_ROOT, Home

# Everything whose change can change a mart.
CODE_GLOBS = ("dbt_project/dbt_project.yml", "dbt_project/models/**/*", "dbt_project/macros/**/*",
              "dbt_project/seeds/**/*", "dbt_project/tests/**/*", "ingest/**/*.py", "quality_checks/**/*",
              "publish/**/*.py")


def live_files(home: Home) -> list[dict]:
    """The live file of every slot: highest accepted version, later load on a tie (as staging decides)."""
    live: dict[tuple, object] = {}
    for entry in LoadLog(home.load_log_dir).entries.values():
        if entry.status != ACCEPTED:
            continue
        slot = (entry.source, entry.municipality, entry.period, entry.subject)
        current = live.get(slot)
        if current is None or (entry.version, entry.load_seq) > (current.version, current.load_seq):
            live[slot] = entry
    return sorted(({"source": e.source, "file": e.file_name, "sha256": e.sha256} for e in live.values()),
                  key=lambda f: (f["source"], f["file"], f["sha256"]))


def code_digest(root: Path = PROJECT_ROOT) -> str:
    digest = hashlib.sha256()
    paths = sorted({p for pattern in CODE_GLOBS for p in root.glob(pattern) if p.is_file()
                    and "__pycache__" not in p.parts})
    for path in paths:
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def received_files(home: Home) -> list[list]:
    """Every file received with its fate: a quarantine or an ignored late version changes data_quality."""
    return sorted([e.source, e.file_name, e.load_id, e.status] for e in LoadLog(home.load_log_dir).entries.values())


def nothing_delivered(home: Home) -> bool:
    return not LoadLog(home.load_log_dir).entries


def fingerprint(home: Home, as_of: str | None) -> str:
    """The live files (pipeline.md), plus the fate of every other file received, the code and the as-of."""
    payload = {"files": live_files(home), "received": received_files(home), "code": code_digest(),
               "as_of": as_of or ""}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def git_revision(root: Path = PROJECT_ROOT) -> str | None:
    try:
        result = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True,
                                timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() or None if result.returncode == 0 else None
