"""Shared fixtures: a temporary home and small hand-made delivery files."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")

from tests.deliveries import VisitFile  # noqa: E402
from tiedolla.home import Home  # noqa: E402


@pytest.fixture
def home(tmp_path: Path) -> Home:
    return Home.at(tmp_path / "home").ensure()


@pytest.fixture
def visit_file(home: Home):
    """Write a visit extract into the home's landing folder: visit_file('avohilmo_905_2019-03.csv', rows, ...)."""
    def write(name: str, rows: list[dict], **options) -> Path:
        return VisitFile(rows, **options).write(home.source_landing("avohilmo") / name)
    return write


@pytest.fixture(scope="session")
def dbt_manifest() -> Path:
    """dbt's manifest, prepared before the Dagster definitions are imported (as the command line does)."""
    from tiedolla.dbt_manifest import prepare_manifest
    return prepare_manifest()
