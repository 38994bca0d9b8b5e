"""Prepare dbt's manifest before Dagster's definitions are imported (never at import time)."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from tiedolla.home import PROJECT_ROOT

DBT_DIR = PROJECT_ROOT / "dbt_project"
MANIFEST = DBT_DIR / "target" / "manifest.json"


def _newest_source_mtime() -> float:
    paths = [DBT_DIR / "dbt_project.yml", DBT_DIR / "profiles.yml"]
    for folder in ("models", "macros", "seeds", "tests"):
        paths += [p for p in (DBT_DIR / folder).rglob("*") if p.is_file()]
    return max(p.stat().st_mtime for p in paths)


def manifest_is_current() -> bool:
    return MANIFEST.exists() and MANIFEST.stat().st_mtime >= _newest_source_mtime()


def prepare_manifest(home: Path | None = None, force: bool = False) -> Path:
    """Run `dbt parse` when the manifest is missing or older than the project's files.

    dbt writes into a private folder and the manifest is moved into place whole: another process (a second
    home's run, a test worker) may be reading target/manifest.json at that moment and must never see half."""
    if force or not manifest_is_current():
        env = dict(os.environ)
        env.setdefault("TIEDOLLA_HOME", str(home or PROJECT_ROOT / "data"))
        dbt = Path(sys.executable).with_name("dbt")
        MANIFEST.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=MANIFEST.parent, prefix=".parse-") as private:
            result = subprocess.run([str(dbt), "parse", "--quiet", "--profiles-dir", str(DBT_DIR),
                                     "--project-dir", str(DBT_DIR), "--target-path", private],
                                    env=env, capture_output=True, text=True)
            if result.returncode != 0:
                raise RuntimeError(f"dbt parse failed:\n{result.stdout}\n{result.stderr}")
            os.replace(Path(private) / "manifest.json", MANIFEST)
    return MANIFEST


if __name__ == "__main__":
    print(prepare_manifest(force=True))
