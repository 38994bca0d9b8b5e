"""The publication history: kept on the build side and written whole into each new marts file."""
from __future__ import annotations

import json
from pathlib import Path

import duckdb

from tiedolla.home import Home

HISTORY_FILE = "publications.json"


def read_history(home: Home) -> list[dict]:
    """Every publication so far, oldest first. The build side's copy wins; the published file is the fallback."""
    path = home.warehouse / HISTORY_FILE
    rows: list[dict] = []
    if path.exists():
        rows = json.loads(path.read_text(encoding="utf-8"))
    if home.marts_db.exists():
        published = _read_published(home.marts_db)
        if len(published) > len(rows):   # a crash after the rename, before the history write
            rows = published
    return rows


def _read_published(marts_db: Path) -> list[dict]:
    try:
        con = duckdb.connect(str(marts_db), read_only=True)
    except duckdb.Error:
        return []
    try:
        cursor = con.execute("select * from main.publication order by publication_id")
        names = [d[0] for d in cursor.description]
        return [{k: (str(v) if k == "published_at" else v) for k, v in zip(names, row)}
                for row in cursor.fetchall()]
    except duckdb.Error:
        return []
    finally:
        con.close()


def latest(home: Home) -> dict | None:
    history = read_history(home)
    return history[-1] if history else None


def published_file_problem(home: Home, expected: dict | None = None) -> str | None:
    """None when <home>/warehouse/marts.duckdb is the publication the history records last; else why not, in a
    few words: missing, not a file, not a DuckDB database (e.g. overwritten with other bytes), no
    `publication` table, or not the recorded publication (id and fingerprint). `expected`: latest(home)."""
    expected = expected if expected is not None else latest(home)
    path = home.marts_db
    if not path.exists():
        return "it is missing" if not path.is_symlink() else "it is a broken link"
    if not path.is_file():
        return "it is not a file"
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as error:
        return f"not a DuckDB database ({_first_line(error)})"
    except OSError as error:
        return f"it cannot be opened ({error.strerror or error})"
    try:
        tables = {r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'main'").fetchall()}
        if "publication" not in tables:
            return "it has no publication table"
        rows = con.execute("select publication_id, fingerprint from main.publication "
                           "order by publication_id desc limit 1").fetchall()
    except duckdb.Error as error:
        return f"its publication table cannot be read ({_first_line(error)})"
    finally:
        con.close()
    if not rows:
        return "its publication table is empty"
    if expected is None:
        return None
    publication_id, recorded = rows[0]
    if publication_id != expected["publication_id"] or recorded != expected["fingerprint"]:
        return (f"it holds publication {publication_id}, not the recorded publication {expected['publication_id']}"
                if publication_id != expected["publication_id"] else
                f"its publication {publication_id} has another fingerprint than the one recorded")
    return None


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0][:200] if text else type(error).__name__
