"""The latest publication, opened read-only once: every table an export or report reads comes from it."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from tiedolla.home import Home


class NoPublication(RuntimeError):
    """Nothing has been published in this home yet."""


@dataclass
class PublishedMarts:
    """One read-only connection to marts.duckdb: a publication replaced meanwhile is not mixed in."""
    path: Path
    connection: duckdb.DuckDBPyConnection
    publication_id: int
    published_at: str
    fingerprint: str

    def frame(self, sql: str, params: list | None = None) -> pd.DataFrame:
        return self.connection.execute(sql, params or []).df()

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> "PublishedMarts":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_latest(home: Home) -> PublishedMarts:
    if not home.marts_db.exists():
        raise NoPublication(f"no publication yet in {home.root}: run `tiedolla run` first")
    connection = duckdb.connect(str(home.marts_db), read_only=True)
    publication_id, published_at, fingerprint = connection.execute(
        "select publication_id, strftime(published_at, '%Y-%m-%d %H:%M'), fingerprint "
        "from publication order by publication_id desc limit 1").fetchone()
    return PublishedMarts(home.marts_db, connection, int(publication_id), published_at, fingerprint)
