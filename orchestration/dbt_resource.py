"""dagster-dbt's dbt resource, minus two costs of every build (issue 7).

Its own module: the run lock in resources.py is imported by `tiedolla run` before it knows whether anything
changed, and importing dagster-dbt there costs seconds of the run that stops at "no changes"."""
from __future__ import annotations

from functools import cached_property

from dagster_dbt import DbtCliResource


class DbtCli(DbtCliResource):
    """dagster-dbt's dbt resource, without the in-process dbt adapter it opens before every command.

    The adapter only serves row counts and column metadata fetched from the warehouse, which these assets do
    not ask for; opening it imports dbt and loads the profile and project in this process, ~3 s of every
    run that builds (docs/scaling.md). dbt itself still runs in its own process as before. Both overrides
    are of dagster-dbt 0.29 internals: check them when requirements.lock moves dagster-dbt."""

    def _initialize_dbt_core_adapter(self, args):  # noqa: ARG002 (dagster-dbt 0.29's hook; None = no adapter)
        return None

    @cached_property
    def _cli_version(self):
        # dagster-dbt asks `dbt --version` in a subprocess (~3 s); the executable is the one installed here.
        from importlib.metadata import version as installed_version

        from packaging.version import Version

        return Version(installed_version("dbt-core"))
