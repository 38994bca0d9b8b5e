"""A persistent Dagster instance under <home>/.dagster, so command-line runs appear in the UI."""
from __future__ import annotations

import os

from tiedolla.home import Home

DAGSTER_YAML = """\
# Written by tiedolla. Runs of `tiedolla run` and of `dagster dev` with this DAGSTER_HOME share history.
telemetry:
  enabled: false
"""


def use_home_instance(home: Home):
    """Point DAGSTER_HOME at the home's .dagster folder and return the instance."""
    from dagster import DagsterInstance

    folder = home.dagster_home
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML, encoding="utf-8")
    os.environ["DAGSTER_HOME"] = str(folder)
    return DagsterInstance.get()
