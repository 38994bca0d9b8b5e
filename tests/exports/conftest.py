"""One published sample home spanning both care-guarantee changes (2023-09, 2025-01), exported once.

With pytest-xdist the test files of this folder may run in two workers: the first builds the home under a
file lock in the session's shared temporary folder, the other reuses it.
"""
from __future__ import annotations

import fcntl

import duckdb
import pytest

from tests.cli.test_end_to_end import tiedolla


@pytest.fixture(scope="package")
def exported(tmp_path_factory, request):
    shared = tmp_path_factory.getbasetemp()
    if hasattr(request.config, "workerinput"):
        shared = shared.parent              # every worker's base folder sits in the session's one
    home = shared / "exports-sample" / "home"
    home.parent.mkdir(parents=True, exist_ok=True)
    with open(shared / "exports-sample.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (home / "exports").exists():
            tiedolla(home, "sample", "--scale", "0.05", "--months", "2023-08:2025-01", "--municipalities",
                     "905,499,288,152", "--seed", "5")
            tiedolla(home, "run")
            tiedolla(home, "export", "--lang", "all")
    con = duckdb.connect(str(home / "warehouse" / "marts.duckdb"), read_only=True)
    publication_id = con.execute("select max(publication_id) from publication").fetchone()[0]
    con.close()
    return {"home": home, "folder": home / "exports" / str(publication_id), "publication_id": publication_id}


def marts_frame(home, sql: str, params=None):
    con = duckdb.connect(str(home / "warehouse" / "marts.duckdb"), read_only=True)
    try:
        return con.execute(sql, params or []).df()
    finally:
        con.close()
