"""`tiedolla docs`: the catalog of every model, mart and column, as dbt's static documentation site."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from orchestration.run_lock import RunLock, RunLockBusy
from tiedolla.dbt_manifest import DBT_DIR
from tiedolla.home import Home


def docs_command(args) -> int:
    home = Home.at(args.home)
    if not home.build_db.exists():
        print(f"no build database in {home.warehouse}: run `tiedolla run` first", file=sys.stderr)
        return 1
    lock = RunLock(home)       # dbt reads the build database, which a running pipeline holds open for writing
    try:
        lock.acquire()
    except RunLockBusy as error:
        print(str(error), file=sys.stderr)
        return 3
    try:
        return build_docs(home)
    finally:
        lock.release()


def build_docs(home: Home) -> int:
    target = home.root / ".dbt_docs_target"
    env = dict(os.environ, TIEDOLLA_HOME=str(home.root))
    dbt = Path(sys.executable).with_name("dbt")
    print("docs: dbt docs generate (reads the build database's catalog)", file=sys.stderr)
    result = subprocess.run([str(dbt), "docs", "generate", "--static", "--profiles-dir", str(DBT_DIR),
                             "--project-dir", str(DBT_DIR), "--target-path", str(target)],
                            env=env, capture_output=True, text=True)
    if result.returncode != 0:
        print(f"dbt docs generate failed:\n{result.stdout[-3000:]}\n{result.stderr[-2000:]}", file=sys.stderr)
        return 1
    docs = home.root / "docs"
    docs.mkdir(exist_ok=True)
    # The static page embeds manifest and catalog: one file that opens offline; the JSON beside it for tools.
    shutil.copyfile(target / "static_index.html", docs / "index.html")
    for name in ("manifest.json", "catalog.json"):
        shutil.copyfile(target / name, docs / name)
    print(docs / "index.html")
    return 0
