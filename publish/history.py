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
