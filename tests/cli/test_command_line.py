"""pipeline.md, the command line: `--help` everywhere, usage errors exit 2, nothing published exits 1."""
from __future__ import annotations

import pytest

from tests.cli.test_end_to_end import tiedolla


@pytest.mark.parametrize("command", [[], ["sample"], ["run"], ["status"], ["sql"]])
def test_every_command_explains_itself(tmp_path, command):
    result = tiedolla(tmp_path, *command, "--help")
    assert "--home" in result.stdout and "usage: tiedolla" in result.stdout


@pytest.mark.parametrize("args", [
    ["sample", "--scale", "0"], ["sample", "--municipalities", "123"], ["sample", "--months", "2023-05:2023-01"],
    ["run", "--as-of", "2023-13"], ["frobnicate"],
])
def test_usage_errors_exit_2(tmp_path, args):
    result = tiedolla(tmp_path, *args, check=False)
    assert result.returncode == 2 and "error" in result.stderr


def test_status_and_sql_before_any_publication_exit_1(tmp_path):
    status = tiedolla(tmp_path / "home", "status", check=False)
    assert status.returncode == 1 and "no publication yet" in status.stderr
    sql = tiedolla(tmp_path / "home", "sql", "select 1", check=False)
    assert sql.returncode == 1 and "no publication yet" in sql.stderr


def test_a_run_on_an_empty_landing_folder_publishes_nothing(tmp_path):
    result = tiedolla(tmp_path / "home", "run")
    assert "nothing has been delivered" in result.stdout
    assert not (tmp_path / "home" / "warehouse" / "marts.duckdb").exists()
