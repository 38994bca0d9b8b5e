"""The repository stands on its own: a clone in an empty folder (no ../shared or anything else beside it) sets
up with the README's `bash scripts/setup.sh`, runs a small sample end to end, and passes the tests that used to
read files outside the repository.

The clone is of the committed HEAD (a clone holds committed files only). Setup installs the locked set from
uv's cache, so the whole test takes a minute or two; the clone's .venv is removed afterwards.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Tests that used to read ../shared and are quick: the in-step check and one reading measures.csv.
FORMER_SHARED_READERS = ["tests/test_reference_copies.py",
                         "tests/sample/test_rai_interventions_outcomes.py::test_expected_changes_match_a_simulation"]


def clean_env() -> dict[str, str]:
    """The environment of a new user's shell: no home or Dagster instance set, this checkout's .venv not active."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"TIEDOLLA_HOME", "DAGSTER_HOME", "VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME",
                        "PYTEST_ADDOPTS", "PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT",
                        "PYTEST_CURRENT_TEST"}}
    venv_bin = str(ROOT / ".venv" / "bin")
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                  if p and os.path.realpath(p) != os.path.realpath(venv_bin))
    return env


def run(args: list[str], cwd: Path, env: dict[str, str], timeout: int) -> subprocess.CompletedProcess:
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, (f"{' '.join(args)} exited {result.returncode}\n"
                                    f"--- stdout\n{result.stdout[-4000:]}\n--- stderr\n{result.stderr[-4000:]}")
    return result


@pytest.fixture
def clone(tmp_path: Path):
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: nothing to clone")
    folder = tmp_path / "empty"
    folder.mkdir()
    dest = folder / "tiedolla"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(dest)], check=True, capture_output=True,
                   timeout=120)
    try:
        yield dest
    finally:
        shutil.rmtree(dest / ".venv", ignore_errors=True)


def test_a_clone_with_nothing_beside_it_sets_up_runs_and_tests(clone: Path, tmp_path: Path):
    assert [p.name for p in clone.parent.iterdir()] == ["tiedolla"]
    assert not (clone.parent / "shared").exists()
    env = clean_env()
    home = tmp_path / "home"

    run(["bash", "scripts/setup.sh"], clone, env, timeout=600)
    assert (clone / ".venv" / "bin" / "tiedolla").exists()

    tiedolla = str(clone / ".venv" / "bin" / "tiedolla")
    run([tiedolla, "sample", "--home", str(home), "--scale", "0.05", "--months", "2024-01:2024-02",
         "--municipalities", "905,152"], clone, env, timeout=300)
    run([tiedolla, "run", "--home", str(home)], clone, env, timeout=600)
    assert (home / "warehouse" / "marts.duckdb").exists()

    python = str(clone / ".venv" / "bin" / "python")
    check = run([python, "tests/reference/check_marts.py", str(home)], clone, env, timeout=120)
    assert "contract holds" in check.stdout

    tests = run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", *FORMER_SHARED_READERS],
                clone, env, timeout=300)
    assert " passed" in tests.stdout and "failed" not in tests.stdout and "error" not in tests.stdout
