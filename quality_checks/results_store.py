"""`check_results`: every check's row, from GX and from ingest, as one Parquet snapshot dbt reads."""
from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd

from ingest.atomic import replace_atomically, write_json_atomically
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


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _gx_files(home: Home) -> dict[str, list[int]]:
    """Each validated file's result rows (<source>/<load_id[:16]>.parquet) with its modification time and size."""
    files = {}
    for path in home.checks_dir.glob("*/*.parquet"):
        stat = path.stat()
        files[str(path.relative_to(home.checks_dir))] = [stat.st_mtime_ns, stat.st_size]
    return files


def write_check_results_snapshot(home: Home) -> Path:
    """Ingest's rows from the load log, and every validated file's GX rows. The GX rows of files unchanged
    since the last snapshot are taken from it: reading thousands of small files each run took seconds."""
    path = home.meta_dir / "check_results.parquet"
    manifest_path = home.meta_dir / "check_results.files.json"
    tmp = path.with_name(path.name + ".tmp")
    ingest = pd.DataFrame(ingest_rows(LoadLog(home.load_log_dir)), columns=RESULT_COLUMNS).astype(
        {"rows_checked": "Int64", "rows_failed": "Int64", "share_failed": "Float64", "threshold": "Float64"})
    files = _gx_files(home)
    try:
        before = json.loads(manifest_path.read_text(encoding="utf-8")) if path.exists() else {}
    except (OSError, ValueError):
        before = {}
    kept = sorted(name for name, stat in files.items() if before.get(name) == stat)
    read = sorted(set(files) - set(kept))
    con = duckdb.connect()
    try:
        con.register("ingest_rows", ingest)
        cast = ", ".join(f'"{name}"::{kind} as "{name}"' for name, kind in RESULT_TYPES.items())
        query = f"select {cast} from ingest_rows"
        if kept:
            con.register("kept_files", pd.DataFrame({"name": kept}))
            query += (f" union all select {cast} from read_parquet({_literal(str(path))}) as previous"
                      " where not starts_with(check_name, 'ingest_')"
                      " and source || '/' || left(load_id, 16) || '.parquet' in (select name from kept_files)")
        if read:
            listing = ", ".join(_literal(str(home.checks_dir / name)) for name in read)
            query += f" union all select {cast} from read_parquet([{listing}], union_by_name = true)"
        con.execute(f"copy ({query}) to {_literal(str(tmp))} (format parquet)")
    finally:
        con.close()
    replace_atomically(tmp, path)
    # After the snapshot: a crash in between leaves an older list, and its files are simply read again.
    write_json_atomically(manifest_path, files)
    return path
