"""An incremental build leaves out the models that read nothing that changed, with the tests that read only
those (issue 7); everything downstream of a changed source, and the ingest's own records, is rebuilt."""
from __future__ import annotations

import json

from orchestration.build_scope import left_out_tests, unchanged_nodes


def node(name: str, kind: str = "model", path: str = "models/marts/x.sql", parents=()) -> tuple[str, dict]:
    prefix = {"model": "model", "seed": "seed", "test": "test"}[kind]
    return f"{prefix}.p.{name}", {"name": name, "resource_type": kind, "original_file_path": path,
                                  "depends_on": {"nodes": list(parents)}}


def manifest() -> dict:
    """A small graph shaped like ours: two sources staged through the live-file list, a seed, marts."""
    nodes = dict([
        node("municipalities", "seed", "seeds/municipalities.csv"),
        node("stg_ingest__load_log", path="models/staging/ingest/stg_ingest__load_log.sql",
             parents=["source.p.raw.load_log"]),
        node("stg_avohilmo__visits", path="models/staging/avohilmo/stg_avohilmo__visits.sql",
             parents=["source.p.raw.avohilmo", "model.p.stg_ingest__load_log"]),
        node("stg_rai__assessments", path="models/staging/rai/stg_rai__assessments.sql",
             parents=["source.p.raw.rai", "model.p.stg_ingest__load_log"]),
        node("coverage", path="models/intermediate/coverage/coverage.sql",
             parents=["model.p.stg_ingest__load_log", "seed.p.municipalities"]),
        node("wait_times", parents=["model.p.stg_avohilmo__visits", "model.p.coverage"]),
        node("rai_pairs", path="models/intermediate/effects/rai_pairs.sql",
             parents=["model.p.stg_rai__assessments", "seed.p.municipalities"]),
        node("area_names", parents=["seed.p.municipalities"]),
        node("not_null_rai_pairs_x", "test", "models/intermediate/effects/_.yml", ["model.p.rai_pairs"]),
        node("relationships_wait_times_area", "test", "models/marts/_.yml",
             ["model.p.wait_times", "model.p.area_names"]),
        node("not_null_wait_times_x", "test", "models/marts/_.yml", ["model.p.wait_times"]),
    ])
    sources = {f"source.p.raw.{name}": {"name": name} for name in ("load_log", "avohilmo", "rai")}
    return {"nodes": nodes, "sources": sources}


def test_a_new_visit_month_keeps_what_reads_no_visits():
    kept = unchanged_nodes(manifest(), frozenset({"avohilmo"}))
    assert kept == ["area_names", "municipalities", "rai_pairs", "stg_rai__assessments"]


def test_a_staging_view_changes_with_its_source_not_with_every_load_log_entry():
    assert "stg_avohilmo__visits" not in unchanged_nodes(manifest(), frozenset({"avohilmo"}))
    assert "stg_avohilmo__visits" in unchanged_nodes(manifest(), frozenset({"rai"}))
    assert "rai_pairs" not in unchanged_nodes(manifest(), frozenset({"rai"}))


def test_what_reads_the_load_log_itself_is_always_rebuilt():
    kept = unchanged_nodes(manifest(), frozenset())
    assert "coverage" not in kept and "wait_times" not in kept and "stg_ingest__load_log" not in kept


def test_tests_run_unless_they_read_only_kept_models():
    kept = unchanged_nodes(manifest(), frozenset({"avohilmo"}))
    assert left_out_tests(manifest(), kept) == {"not_null_rai_pairs_x"}


def test_on_our_project_a_new_visit_month_rebuilds_the_waiting_marts_and_keeps_the_effect_models(dbt_manifest):
    project = json.loads(dbt_manifest.read_text(encoding="utf-8"))
    kept = set(unchanged_nodes(project, frozenset({"avohilmo"})))
    assert {"int_intervention_statistics", "int_intervention_pairs", "stg_rai__assessments"} <= kept
    assert not kept & {"stg_avohilmo__visits", "int_visits_with_wait_days", "wait_times", "wait_times_yearly",
                       "data_quality", "director_indicators", "intervention_effects", "stg_ingest__load_log"}
    # New outcome measurements reach the effect models.
    assert "int_intervention_statistics" not in unchanged_nodes(project, frozenset({"outcomes"}))
