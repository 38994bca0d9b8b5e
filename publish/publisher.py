"""Copy the marts from the build database to a new file, check it, and rename it over marts.duckdb.

Readers holding the old file keep reading it (the rename swaps the directory entry, not their open file);
a crash at any point leaves the previous publication in place.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone

import duckdb

from ingest.atomic import fsync_dir, write_json_atomically
from publish.checks import PublicationRefused, check_publishable
from publish.history import HISTORY_FILE, read_history
from tiedolla.home import PUBLISHED_FILE_MODE, Home

# Aggregates only: the marts of marts.md, the evaluators' yearly waiting times, and the labels and column
# documentation that exports and readers use. Client-level tables never leave build.duckdb.
PUBLISHED_MARTS = ("dim_area", "wait_times", "wait_times_yearly", "data_quality", "wait_time_benchmarks",
                   "segment_summary", "intervention_effects", "contact_channels", "indicator_catalog",
                   "director_indicators", "category_labels", "column_catalog")
BUILD_SCHEMA = "marts"


@dataclass
class Publication:
    publication_id: int
    published_at: str
    fingerprint: str
    as_of: str | None
    tables: list[str]


def publish(home: Home, fingerprint: str, as_of: str | None, git_revision: str | None,
            source_files: list[dict], summary: dict) -> Publication:
    history = read_history(home)
    publication_id = 1 + max((row["publication_id"] for row in history), default=0)
    published_at = datetime.now(timezone.utc).replace(microsecond=0)
    row = {
        "publication_id": publication_id, "published_at": published_at.isoformat(),
        "git_revision": git_revision, "fingerprint": fingerprint, "as_of": as_of,
        "source_files": json.dumps(source_files, ensure_ascii=False),
        "summary": json.dumps(summary, ensure_ascii=False, default=str),
    }
    # Copies left by a run killed while publishing (the run lock says no other writer is at work).
    for stale in home.warehouse.glob("marts.duckdb.tmp-*"):
        stale.unlink(missing_ok=True)
    tmp = home.warehouse / f"marts.duckdb.tmp-{os.getpid()}"
    con = duckdb.connect(str(tmp))
    try:
        con.execute(f"attach '{home.build_db}' as build (read_only)")
        existing = {r[0] for r in con.execute(
            "select table_name from information_schema.tables "
            f"where table_catalog = 'build' and table_schema = '{BUILD_SCHEMA}'").fetchall()}
        tables = [t for t in PUBLISHED_MARTS if t in existing]
        for table in tables:
            con.execute(f"create table main.{table} as select * from build.{BUILD_SCHEMA}.{table}")
        con.execute("detach build")
        _write_publication_table(con, history + [row])
        problems = check_publishable(con)
        if problems:
            raise PublicationRefused("the new marts were not published: " + "; ".join(problems))
        con.execute("checkpoint")
    except BaseException:
        con.close()
        tmp.unlink(missing_ok=True)
        raise
    con.close()
    # Directors open it, whatever the umask of the process that published it; aggregates only.
    os.chmod(tmp, PUBLISHED_FILE_MODE)
    with open(tmp, "rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, home.marts_db)
    fsync_dir(home.warehouse)
    write_json_atomically(home.warehouse / HISTORY_FILE, history + [row])
    return Publication(publication_id, row["published_at"], fingerprint, as_of, tables)


def _write_publication_table(con: duckdb.DuckDBPyConnection, rows: list[dict]) -> None:
    con.execute("""
        create table main.publication (
            publication_id integer primary key,
            published_at timestamptz not null,
            git_revision varchar,
            fingerprint varchar not null,
            as_of varchar,
            source_files json,
            summary json
        )""")
    con.executemany(
        "insert into main.publication values (?, ?::timestamptz, ?, ?, ?, ?, ?)",
        [[r["publication_id"], r["published_at"], r.get("git_revision"), r["fingerprint"], r.get("as_of"),
          r.get("source_files"), r.get("summary")] for r in rows])
