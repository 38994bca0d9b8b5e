"""STYLE.md, Dagster: the real definitions load; the schedule and the sensor are small and tested."""
from __future__ import annotations

import pytest
from dagster import AssetKey, build_schedule_context, build_sensor_context
from dagster._core.test_utils import instance_for_test


@pytest.fixture(scope="module")
def defs(dbt_manifest):
    from orchestration.definitions import defs
    return defs


def test_definitions_load_with_every_stage(defs):
    keys = {k.to_user_string() for k in defs.resolve_all_asset_keys()}
    assert {"raw_avohilmo", "validated_avohilmo", "raw_population", "validated_population", "load_log",
            "check_results", "stg_avohilmo__visits", "int_visits_with_wait_days", "wait_times", "data_quality",
            "dim_area", "published_marts"} <= keys
    job = defs.resolve_job_def("tiedolla_run")
    assert job.executor_def.name == "in_process"


def test_dbt_sources_are_the_validation_assets(defs):
    graph = defs.resolve_asset_graph()
    parents = {k.to_user_string() for k in graph.get(AssetKey("stg_avohilmo__visits")).parent_keys}
    assert "validated_avohilmo" in parents and "stg_ingest__load_log" in parents


def test_gx_and_dbt_tests_are_asset_checks(defs):
    checks = {k.name for k in defs.resolve_asset_graph().asset_check_keys}
    assert {"no_blocking_failures", "warning_checks"} <= checks
    assert any(name.startswith("suppressed_cells_are_empty") for name in checks)


def test_monthly_schedule_runs_on_the_10th_at_6_helsinki_time(defs):
    schedule = defs.resolve_schedule_def("monthly_run")
    assert schedule.cron_schedule == "0 6 10 * *"
    assert schedule.execution_timezone == "Europe/Helsinki"
    assert schedule.job_name == "tiedolla_run"
    with instance_for_test() as instance:
        result = schedule.evaluate_tick(build_schedule_context(instance=instance))
    assert len(result.run_requests) == 1


def test_landing_sensor_starts_a_run_for_new_files_only(defs, home, monkeypatch, visit_file):
    from ingest.landing import ingest_source
    from ingest.sources import AVOHILMO
    from tests.deliveries import visit

    monkeypatch.setenv("TIEDOLLA_HOME", str(home.root))
    sensor = defs.resolve_sensor_def("landing_sensor")
    with instance_for_test() as instance:
        assert not sensor.evaluate_tick(build_sensor_context(instance=instance)).run_requests
        visit_file("avohilmo_905_2019-03.csv", [visit(1)])
        context = build_sensor_context(instance=instance)
        first = sensor.evaluate_tick(context)
        assert len(first.run_requests) == 1
        again = sensor.evaluate_tick(build_sensor_context(instance=instance, cursor=first.cursor))
        assert not again.run_requests
        ingest_source(home, AVOHILMO, "run", log=lambda _: None)
        assert not sensor.evaluate_tick(build_sensor_context(instance=instance)).run_requests
