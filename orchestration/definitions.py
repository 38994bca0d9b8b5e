"""The Dagster code location: every stage's assets, the checks, one job, the schedule and the sensor."""
from __future__ import annotations

import sys
from pathlib import Path

from dagster import Definitions

from orchestration.dbt_assets import dbt_project, tiedolla_dbt_models
from orchestration.dbt_resource import DbtCli
from orchestration.ingest_assets import RAW_ASSETS, VALIDATED_ASSETS, ingest_catalog
from orchestration.jobs import landing_sensor, monthly_schedule, tiedolla_job
from orchestration.publish_assets import published_marts
from orchestration.quality_asset_checks import SOURCE_CHECKS
from orchestration.resources import GreatExpectationsResource, HomeResource

# The dbt installed beside this Python, so a run never depends on PATH.
DBT_EXECUTABLE = str(Path(sys.executable).with_name("dbt"))

defs = Definitions(
    assets=[*RAW_ASSETS, *VALIDATED_ASSETS, ingest_catalog, tiedolla_dbt_models, published_marts],
    asset_checks=SOURCE_CHECKS,
    jobs=[tiedolla_job],
    schedules=[monthly_schedule],
    sensors=[landing_sensor],
    resources={
        "home": HomeResource(),
        "great_expectations": GreatExpectationsResource(),
        "dbt": DbtCli(project_dir=dbt_project, profiles_dir=str(dbt_project.profiles_dir),
                      dbt_executable=DBT_EXECUTABLE),
    },
)
