"""Reference data read from the dbt seeds, so Python and SQL share one copy."""
from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from tiedolla.home import PROJECT_ROOT

SEEDS = PROJECT_ROOT / "dbt_project" / "seeds"


def read_seed(name: str) -> list[dict[str, str]]:
    with open(SEEDS / f"{name}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@lru_cache(maxsize=None)
def municipalities() -> tuple[dict[str, str], ...]:
    return tuple(read_seed("municipalities"))


def municipality_codes() -> frozenset[str]:
    return frozenset(row["code"] for row in municipalities())


def seed_path(name: str) -> Path:
    return SEEDS / f"{name}.csv"
