"""Issue 23, points 5 and 6: a home that is a file, cannot be created or is not writable ends in one line and
exit 2 with nothing created; a damaged published file is noticed before "no changes", `status` says so in one
line, and `tiedolla run` republishes the same figures. Real files and real runs, no mocks."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from tests.cli.test_end_to_end import tiedolla
from tiedolla.home import Home, HomeError, check_home

ROOT = Path(__file__).resolve().parents[2]
COMPARED = ["wait_times", "director_indicators", "data_quality", "dim_area", "contact_channels"]
WRITING_COMMANDS = [("run",), ("sample", "--scale", "0.01", "--months", "2024-01:2024-01",
                                "--municipalities", "905"), ("export",), ("report",), ("docs",)]


def one_line(result: subprocess.CompletedProcess) -> str:
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def tree(path: Path) -> list[str]:
    return sorted(str(p.relative_to(path)) for p in path.rglob("*"))


# --- point 5: a home that is not a usable folder -------------------------------------------------------------

@pytest.mark.parametrize("command", WRITING_COMMANDS, ids=lambda c: c[0])
def test_a_home_that_is_a_file_is_one_line_and_exit_2(tmp_path, command):
    home = tmp_path / "home"
    home.write_bytes(b"not a folder\n")
    result = tiedolla(home, *command, check=False)
    assert result.returncode == 2, result.stderr
    assert one_line(result) == f"tiedolla: the home {home} is a file, not a folder"
    assert home.read_bytes() == b"not a folder\n"
    assert tree(tmp_path) == ["home"]


@pytest.mark.parametrize("command", WRITING_COMMANDS[:2], ids=lambda c: c[0])
def test_a_home_under_a_file_cannot_be_created(tmp_path, command):
    parent = tmp_path / "a-file"
    parent.write_text("x")
    home = parent / "sub" / "home"
    result = tiedolla(home, *command, check=False)
    assert result.returncode == 2, result.stderr
    assert one_line(result) == f"tiedolla: the home {home} cannot be created: {parent} is a file, not a folder"
    assert parent.read_text() == "x" and tree(tmp_path) == ["a-file"]


def test_status_on_a_missing_or_file_home(tmp_path):
    missing = tmp_path / "nowhere"
    result = tiedolla(missing, "status", check=False)
    assert result.returncode == 1
    assert one_line(result).startswith(f"no such home: {missing}")
    assert not missing.exists()
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    result = tiedolla(a_file, "status", check=False)
    assert result.returncode == 2
    assert one_line(result) == f"the home {a_file} is a file, not a folder"


def test_a_folder_of_the_layout_that_is_a_file(tmp_path):
    (tmp_path / "landing").write_text("x")
    with pytest.raises(HomeError, match="is damaged: .*landing is not a folder"):
        Home(tmp_path).ensure()
    assert tree(tmp_path) == ["landing"]


# As root, permission bits stop writes only without the capability that overrides them: the command runs
# with CAP_DAC_OVERRIDE dropped (util-linux setpriv), so a read-only folder is a real read-only folder.
DROP_OVERRIDE = (["setpriv", "--bounding-set=-dac_override", "--inh-caps=-dac_override"]
                 if os.geteuid() == 0 else [])


def _without_override(args: list[str], home: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "TIEDOLLA_HOME": str(home), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([*DROP_OVERRIDE, sys.executable, "-m", "tiedolla.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.skipif(os.geteuid() == 0 and not shutil.which("setpriv"), reason="root without setpriv")
def test_a_home_that_is_not_writable(tmp_path):
    home, parent = tmp_path / "home", tmp_path / "parent"
    home.mkdir()
    parent.mkdir()
    for folder in (home, parent):
        os.chmod(folder, 0o555)
    try:
        for command in WRITING_COMMANDS:
            result = _without_override(list(command), home)
            assert result.returncode == 2, (command, result.stderr)
            assert one_line(result) == f"tiedolla: the home {home} is not writable"
        result = _without_override(["run"], parent / "new-home")
        assert result.returncode == 2, result.stderr
        assert one_line(result) == (f"tiedolla: the home {parent / 'new-home'} cannot be created: no permission "
                                    f"to create a folder in {parent}")
        assert tree(tmp_path) == ["home", "parent"]
    finally:
        for folder in (home, parent):
            os.chmod(folder, 0o755)


def test_check_home_accepts_a_writable_folder_and_a_missing_one(tmp_path):
    check_home(tmp_path, create=False)
    check_home(tmp_path / "new" / "home", create=True)
    assert tree(tmp_path) == []


# --- point 6: a damaged published file ------------------------------------------------------------------------

def marts(home: Path) -> dict[str, pd.DataFrame]:
    con = duckdb.connect(str(home / "warehouse" / "marts.duckdb"), read_only=True)
    try:
        return {table: con.execute(f"select * from {table} order by all").df() for table in COMPARED}
    finally:
        con.close()


def publication_ids(home: Path) -> list[int]:
    con = duckdb.connect(str(home / "warehouse" / "marts.duckdb"), read_only=True)
    try:
        return [r[0] for r in con.execute("select publication_id from publication order by 1").fetchall()]
    finally:
        con.close()


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    home = tmp_path_factory.mktemp("published") / "home"
    tiedolla(home, "sample", "--scale", "0.05", "--months", "2024-01:2024-02", "--municipalities", "905,152")
    tiedolla(home, "run")
    return home, marts(home)


def assert_same_marts(home: Path, good: dict[str, pd.DataFrame]) -> None:
    now = marts(home)
    for table in COMPARED:
        pd.testing.assert_frame_equal(now[table], good[table], check_dtype=True, obj=table)


def test_a_four_byte_published_file_is_reported_and_republished(published):
    home, good = published
    marts_db = home / "warehouse" / "marts.duckdb"
    before = publication_ids(home)[-1]
    marts_db.write_bytes(b"\x00bad")
    status = tiedolla(home, "status", check=False)
    assert status.returncode == 1
    line = one_line(status)
    assert line.startswith(f"the published file {marts_db} is damaged: not a DuckDB database")
    assert line.endswith("run `tiedolla run` to republish")
    run = tiedolla(home, "run")
    assert f"the published file {marts_db} was damaged (not a DuckDB database" in run.stdout
    assert f"republished from the build as publication {before + 1}" in run.stdout
    assert f"no changes; publication {before + 1} is current" in run.stdout   # nothing else to do
    assert_same_marts(home, good)
    assert publication_ids(home)[-1] == before + 1
    assert tiedolla(home, "status").returncode == 0
    assert "no changes" in tiedolla(home, "run").stdout


def test_a_duckdb_file_without_the_publication_is_republished(published):
    home, good = published
    marts_db = home / "warehouse" / "marts.duckdb"
    before = publication_ids(home)[-1]
    marts_db.unlink()
    con = duckdb.connect(str(marts_db))
    con.execute("create table wait_times as select 1 as x")
    con.close()
    status = tiedolla(home, "status", check=False)
    assert status.returncode == 1
    assert one_line(status) == (f"the published file {marts_db} is damaged: it has no publication table; run "
                                "`tiedolla run` to republish")
    run = tiedolla(home, "run")
    assert f"was damaged (it has no publication table): republished from the build as publication " \
           f"{before + 1}" in run.stdout
    assert_same_marts(home, good)


def test_an_older_publication_copied_back_is_not_current(published):
    """A file with a publication table whose latest row is not the recorded one (an older copy put back)."""
    home, good = published
    marts_db = home / "warehouse" / "marts.duckdb"
    before = publication_ids(home)[-1]
    con = duckdb.connect(str(marts_db))
    con.execute("delete from publication where publication_id = ?", [before])
    con.close()
    status = tiedolla(home, "status", check=False)
    assert status.returncode == 1
    assert f"not the recorded publication {before}" in one_line(status)
    run = tiedolla(home, "run")
    assert "republished from the build" in run.stdout
    assert_same_marts(home, good)


def test_a_damaged_file_without_its_build_is_rebuilt(published):
    """No build database to copy from: the damaged file is removed and the run rebuilds and publishes."""
    home, good = published
    marts_db = home / "warehouse" / "marts.duckdb"
    (home / "warehouse" / "build.duckdb").unlink()
    marts_db.write_bytes(b"junk")
    run = tiedolla(home, "run")
    assert f"the published file {marts_db} was damaged (not a DuckDB database" in run.stdout
    assert "removed; this run rebuilds and republishes it" in run.stdout
    assert_same_marts(home, good)
    assert tiedolla(home, "status").returncode == 0
