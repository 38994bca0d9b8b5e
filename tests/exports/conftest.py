"""One published sample home spanning both care-guarantee changes (2023-09, 2025-01), exported once."""
from __future__ import annotations

import duckdb
import pytest

from tests.cli.test_end_to_end import tiedolla


@pytest.fixture(scope="package")
def exported(tmp_path_factory):
    home = tmp_path_factory.mktemp("exports") / "home"
    tiedolla(home, "sample", "--scale", "0.05", "--months", "2023-07:2025-02", "--municipalities",
             "905,499,288,152", "--seed", "5")
    tiedolla(home, "run")
    result = tiedolla(home, "export", "--lang", "all")
    con = duckdb.connect(str(home / "warehouse" / "marts.duckdb"), read_only=True)
    publication_id = con.execute("select max(publication_id) from publication").fetchone()[0]
    con.close()
    return {"home": home, "folder": home / "exports" / str(publication_id), "publication_id": publication_id,
            "stdout": result.stdout}


def marts_frame(home, sql: str, params=None):
    con = duckdb.connect(str(home / "warehouse" / "marts.duckdb"), read_only=True)
    try:
        return con.execute(sql, params or []).df()
    finally:
        con.close()
