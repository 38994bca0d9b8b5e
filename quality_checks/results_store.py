"""`check_results`: every check's row, from GX and from ingest, as one Parquet snapshot dbt reads."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from ingest.atomic import replace_atomically
from ingest.load_log import ACCEPTED, QUARANTINED, LoadLog
from quality_checks.registry import INGEST_CHECKS
from quality_checks.validate import RESULT_COLUMNS, ingest_result_row
from tiedolla.home import Home


RESULT_TYPES = {
    "check_name": "varchar", "source": "varchar", "file": "varchar", "column": "varchar",
    "rows_checked": "bigint", "rows_failed": "bigint", "share_failed": "double", "threshold": "double",
    "severity": "varchar", "status": "varchar", "kahn_category": "varchar", "load_id": "varchar",
    "municipality": "varchar", "period": "varchar", "note": "varchar", "observed": "varchar",
}


def ingest_rows(load_log: LoadLog) -> list[dict]:
    rows = []
    for entry in load_log.entries.values():
        if entry.status == QUARANTINED and entry.problem in INGEST_CHECKS:
            rows.append(ingest_result_row(entry.problem, entry.source, entry.file_name, entry.load_id,
                                          entry.municipality, entry.period, entry.data_lines or None,
                                          entry.rows_rejected or None))
        elif entry.status == ACCEPTED:
            rows.append(ingest_result_row("row_rules", entry.source, entry.file_name, entry.load_id,
                                          entry.municipality, entry.period, entry.data_lines,
                                          entry.rows_rejected))
    return rows


def write_check_results_snapshot(home: Home) -> Path:
    path = home.meta_dir / "check_results.parquet"
    tmp = path.with_name(path.name + ".tmp")
    ingest = pd.DataFrame(ingest_rows(LoadLog(home.load_log_dir)), columns=RESULT_COLUMNS).astype(
        {"rows_checked": "Int64", "rows_failed": "Int64", "share_failed": "Float64", "threshold": "Float64"})
    files = sorted(str(p) for p in home.checks_dir.glob("*/*.parquet"))
    con = duckdb.connect()
    try:
        con.register("ingest_rows", ingest)
        cast = ", ".join(f'"{name}"::{kind} as "{name}"' for name, kind in RESULT_TYPES.items())
        query = f"select {cast} from ingest_rows"
        if files:
            listing = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
            query += f" union all select {cast} from read_parquet([{listing}], union_by_name = true)"
        con.execute(f"copy ({query}) to '{tmp}' (format parquet)")
    finally:
        con.close()
    replace_atomically(tmp, path)
    return path
