"""Snapshots of the load log and the reject log as Parquet: what dbt reads as sources.

Written whole under a temporary name and renamed, so dbt never sees a half-written snapshot.
"""
from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import duckdb
import pandas as pd

from ingest.atomic import replace_atomically
from ingest.load_log import LoadEntry, LoadLog
from tiedolla.home import Home

LOAD_LOG_COLUMNS = {
    "load_id": "string", "sha256": "string", "file_name": "string", "source": "string", "municipality": "string",
    "period": "string", "subject": "string", "version": "Int64", "size": "Int64", "status": "string", "load_seq": "Int64",
    "run_id": "string", "loaded_at": "string", "encoding": "string", "delimiter": "string",
    "header_language": "string", "data_lines": "Int64", "rows_accepted": "Int64", "rows_rejected": "Int64",
    "rows_duplicate": "Int64", "parquet_path": "string", "problem": "string", "message": "string",
    "quarantine_report": "string", "municipalities": "string", "warnings": "string",
}


def _row(entry: LoadEntry) -> dict:
    row = asdict(entry)
    row["municipalities"] = ",".join(entry.municipalities)
    row["warnings"] = " | ".join(entry.warnings)
    return {key: row[key] for key in LOAD_LOG_COLUMNS}


def write_load_log_snapshot(home: Home) -> Path:
    entries = sorted(LoadLog(home.load_log_dir).entries.values(), key=lambda e: e.load_seq)
    frame = pd.DataFrame([_row(e) for e in entries], columns=list(LOAD_LOG_COLUMNS)).astype(LOAD_LOG_COLUMNS)
    path = home.meta_dir / "load_log.parquet"
    tmp = path.with_name(path.name + ".tmp")
    frame.to_parquet(tmp, index=False)
    replace_atomically(tmp, path)
    return path


def write_rejects_snapshot(home: Home) -> Path:
    """All rejected lines of every loaded file (the reject log), with the file's load id."""
    path = home.meta_dir / "rejected_rows.parquet"
    tmp = path.with_name(path.name + ".tmp")
    files = sorted(str(p) for p in home.rejects_dir.glob("*/*.parquet"))
    con = duckdb.connect()
    try:
        if files:
            listing = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
            query = f"select * from read_parquet([{listing}], union_by_name = true)"
        else:
            query = ("select null::varchar as load_id, null::varchar as source, null::varchar as file_name, "
                     "null::bigint as line, null::varchar as column_name, null::varchar as reason, "
                     "null::varchar as value where false")
        con.execute(f"copy ({query}) to '{tmp}' (format parquet)")
    finally:
        con.close()
    replace_atomically(tmp, path)
    return path


SQL_TYPES = {"text": "varchar", "code": "varchar", "int": "bigint", "decimal": "double", "date": "date",
             "timestamp": "timestamp"}
LINEAGE = ("'' as _source_file, 0::bigint as _source_line, 0::integer as _file_version, "
           "now()::timestamptz as _loaded_at, '' as _load_id, null::varchar as _municipality, '' as _period")


def write_schema_file(home: Home, spec) -> Path:
    """A zero-row Parquet with the source's columns, so staging builds before anything is accepted."""
    folder = home.source_raw(spec.name)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "_schema.parquet"
    columns = ", ".join(f"null::{SQL_TYPES[c.kind]} as {c.name}" for c in spec.columns)
    tmp = path.with_name(path.name + ".tmp")
    con = duckdb.connect()
    try:
        con.execute(f"copy (select {columns}, {LINEAGE} where false) to '{tmp}' (format parquet)")
    finally:
        con.close()
    replace_atomically(tmp, path)
    return path
