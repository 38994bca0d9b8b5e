"""pipeline.md, "Bad input, faults and privacy": client-level data stays in landing/, raw/, quarantine/ and
build.duckdb, readable by their owner only; marts.duckdb (aggregates) is readable, directors open it.

The home is the one of tests/reliability/two_runs.py: its runs ran with umask 022, as in CI, so every mode
seen here is one the code set."""
from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import duckdb
import pytest

from publish.publisher import publish
from tests.reliability.two_runs import two_runs_at_once
from tiedolla.home import Home

# What may be readable by others: the published side (aggregates) and the run lock (a process id).
PUBLISHED = {"warehouse", "warehouse/marts.duckdb", "warehouse/publications.json", ".run.lock"}
PUBLISHED_FOLDERS = ("reports", "exports", "docs")


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    return two_runs_at_once(tmp_path_factory.mktemp("two_runs")).home


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def owner_only(path: Path) -> bool:
    return mode(path) & 0o077 == 0 and (not path.is_dir() or mode(path) == 0o700)


def everything_under(folder: Path) -> list[Path]:
    return [folder, *sorted(folder.rglob("*"))]


def test_raw_parquet_and_its_folders_are_readable_by_their_owner_only(home):
    paths = everything_under(home / "raw")
    assert [p for p in paths if p.suffix == ".parquet"], "the run wrote no Parquet"
    assert [str(p) for p in paths if not owner_only(p)] == []


def test_landing_is_readable_by_its_owner_only(home):
    # The delivered files inside keep the modes their deliverer gave them (the pipeline never modifies
    # landing/); the folder keeps everybody else out of all of them.
    assert mode(home / "landing") == 0o700


def test_quarantined_copies_and_their_reports_are_readable_by_their_owner_only(home):
    paths = everything_under(home / "quarantine")
    reports = [p for p in paths if p.name.endswith((".report.json", ".report.txt"))]
    copies = [p for p in paths if p.is_file() and p not in reports]
    assert reports and copies, "the sample's broken files were not quarantined"
    assert any(mode(home / "landing" / p.parent.name / p.name) & 0o044 for p in copies), \
        "the test needs a delivered file readable by others, to show its quarantined copy is not"
    assert [str(p) for p in paths if not owner_only(p)] == []


def test_the_build_database_is_readable_by_its_owner_only(home):
    build = home / "warehouse" / "build.duckdb"
    assert build.exists() and owner_only(build)
    # Its write-ahead log and spill folder, when a run leaves them, hold client rows too.
    assert [str(p) for p in (home / "warehouse").glob("build.duckdb?*") if not owner_only(p)] == []


def exposed(home: Path, path: Path) -> bool:
    """Whether a user other than the owner (in the group or not) can read `path`: every folder on the way
    from the home lets them through, and the path itself lets them read."""
    folders = [home / folder for folder in path.relative_to(home).parents]   # …, home/a, home
    return any(mode(path) & read and all(mode(folder) & through for folder in folders)
               for read, through in ((0o040, 0o010), (0o004, 0o001)))


def test_only_the_published_side_is_readable_by_others(home):
    readable = [p.relative_to(home) for p in sorted(home.rglob("*")) if exposed(home, p)]
    assert [str(p) for p in readable if str(p) not in PUBLISHED and p.parts[0] not in PUBLISHED_FOLDERS] == []


def test_marts_duckdb_is_readable_by_directors(home):
    assert mode(home / "warehouse" / "marts.duckdb") & 0o444 == 0o444
    assert mode(home / "warehouse") & 0o555 == 0o555


def test_a_publication_is_readable_even_when_the_publisher_runs_with_a_private_umask(home, tmp_path):
    copy = Home.at(tmp_path / "home").ensure()
    shutil.copy2(home / "warehouse" / "build.duckdb", copy.build_db)
    previous = os.umask(0o077)
    try:
        publish(copy, "fingerprint", "2023-02", None, [], {})
    finally:
        os.umask(previous)
    assert mode(copy.marts_db) == 0o644
    con = duckdb.connect(str(copy.marts_db), read_only=True)
    assert con.execute("select count(*) from publication").fetchone() == (1,)
    con.close()
