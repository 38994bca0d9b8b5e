"""staged → marts: the dbt project as Dagster assets; dbt tests become asset checks."""

import json
import os
import sys
from pathlib import Path
from typing import Any, Mapping

from dagster import AssetCheckResult, AssetExecutionContext, AssetKey, Output
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject, dbt_assets

from orchestration.build_record import (REBUILD_FROM_ENV, build_digest, current_files, forget_build, plan_build,
                                        record_build)
from orchestration.build_scope import left_out_tests, unchanged_nodes
from orchestration.resources import HomeResource
from orchestration.run_settings import as_of
from publish.fingerprint import code_digest, fingerprint, nothing_delivered
from publish.history import latest
from tiedolla.home import PRIVATE_FILE_MODE, PROJECT_ROOT, private_files

DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
# dbt is installed beside this Python; `dagster dev` may start with a PATH that lacks the venv's bin.
_BIN = str(Path(sys.executable).parent)
if _BIN not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _BIN + os.pathsep + os.environ.get("PATH", "")
dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
# Parses only under `dagster dev`; the command line, tests and CI prepare the manifest before importing this.
dbt_project.prepare_if_dev()


class TiedollaTranslator(DagsterDbtTranslator):
    """One rule for every node: the key is the model's name (sources: their `meta.dagster.asset_key`, the
    ingest assets), the group is the dbt layer (staging, intermediate, marts, reference)."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return super().get_asset_key(dbt_resource_props)
        return AssetKey(dbt_resource_props["name"])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        path = Path(dbt_resource_props.get("original_file_path", ""))
        return path.parts[1] if len(path.parts) > 2 and path.parts[0] == "models" else "dbt"


def needs_build(home, run_as_of: str | None) -> bool:
    """False when nothing changed since the last publication and its marts are still in place."""
    previous = latest(home)
    if previous is None:
        return not nothing_delivered(home)
    return not (home.marts_db.exists() and home.build_db.exists()
                and previous["fingerprint"] == fingerprint(home, run_as_of))


def _topological(keys, deps) -> list:
    """Dagster wants a multi-asset's outputs in dependency order."""
    ordered, seen = [], set()

    def visit(key):
        if key in seen or key not in keys:
            return
        seen.add(key)
        for parent in sorted(deps.get(key, ()), key=str):
            visit(parent)
        ordered.append(key)

    for key in sorted(keys, key=str):
        visit(key)
    return ordered


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project,
            dagster_dbt_translator=TiedollaTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)))
def tiedolla_dbt_models(context: AssetExecutionContext, dbt: DbtCliResource, home: HomeResource):
    folder = home.home()
    run_as_of = as_of(context)
    if not needs_build(folder, run_as_of):
        context.log.info("no new input and no code change since the last publication: dbt build skipped")
        # The marts in build.duckdb are those of the last publication; report them as such so the
        # publish step runs (and says "no changes").
        yield from _kept_as_built(context, context.selected_asset_keys, None,
                                  "nothing changed since the last build")
        return
    context.log.info("dbt build: seeds, staging, intermediate, marts and their tests")
    # dbt's target folder lives in the home, replaced each run, so runs leave nothing in the checkout.
    target = folder.root / ".dbt_target"
    digest, files = build_digest(code_digest()), current_files(folder)
    plan = plan_build(folder, digest, run_as_of)   # before _private, which creates an empty build.duckdb
    _private(folder.build_db)
    args = ["build", "--vars", json.dumps({"as_of": run_as_of or ""})]
    complete = set(context.selected_asset_keys) >= set(context.assets_def.keys)
    kept: list[str] = []   # models and seeds an incremental build leaves as they are
    if plan.full_refresh or not complete:
        # A full build or a subset chosen in the UI: until it has finished, the record no longer describes
        # build.duckdb, and the next complete build must be a full one.
        forget_build(folder)
    if plan.full_refresh:
        # Incremental models keep rows built by earlier code and inputs: rebuild them whole.
        args.append("--full-refresh")
        context.log.info(f"dbt: full refresh ({plan.reason})")
    else:
        # Unit tests prove the models' code, which is what the build last tested: they run with new code.
        args += ["--exclude-resource-type", "unit_test"]
        context.log.info(f"dbt: incremental ({plan.reason})")
        manifest = _manifest()
        if complete:
            kept = unchanged_nodes(manifest, plan.changed_sources)
        if kept:
            context.log.info(f"dbt: {len(kept)} models and seeds read nothing that changed and are kept as "
                             f"built: {', '.join(kept)}")
            # Cautious: a test that reads a kept model and a rebuilt one still runs.
            args += ["--exclude", " ".join(kept), "--indirect-selection", "cautious"]
    previous = os.environ.get(REBUILD_FROM_ENV)
    os.environ[REBUILD_FROM_ENV] = plan.rebuild_from   # read by macros/rebuilt_periods.sql
    try:
        # dbt's process inherits the umask: its write-ahead log and spill files beside build.duckdb hold
        # client rows too, and the warehouse folder is readable.
        with private_files():
            events = dbt.cli(args, context=context, target_path=target).stream()
            if kept:
                why = (f"its inputs are as the last complete build read them (changed since: "
                       f"{', '.join(sorted(plan.changed_sources)) or 'nothing'})")
                events = _with_kept(context, events, {AssetKey(name) for name in kept},
                                    left_out_tests(manifest, kept), why)
            yield from events
    finally:
        if previous is None:
            os.environ.pop(REBUILD_FROM_ENV, None)
        else:
            os.environ[REBUILD_FROM_ENV] = previous
    _private(folder.build_db)
    if complete:
        record_build(folder, digest, run_as_of, files)


def _manifest() -> Mapping[str, Any]:
    return json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))


def _kept_as_built(context: AssetExecutionContext, keys, tests: set[str] | None, why: str):
    """Outputs for models left as the last complete build made them, and their dbt tests that do not run
    (`tests`; None = all) as passed there: that build succeeded, and every test fails the build (no test has
    severity `warn`)."""
    assets_def = context.assets_def
    checks = sorted(context.selected_asset_check_keys, key=str)
    for key in _topological(set(keys) & set(context.selected_asset_keys), assets_def.asset_deps):
        yield Output(None, output_name=assets_def.get_output_name_for_asset_key(key),
                     metadata={"rebuilt": False, "why": why})
        for check_key in checks:
            if check_key.asset_key == key and (tests is None or check_key.name in tests):
                yield AssetCheckResult(asset_key=key, check_name=check_key.name, passed=True,
                                       metadata={"rerun": False, "why": f"not rerun: {why}; it passed then"})


def _with_kept(context: AssetExecutionContext, events, kept: set, tests: set[str], why: str):
    """dbt's events with the kept models' outputs in between, in the order Dagster requires of a multi-asset:
    each after the models it reads (dbt builds in graph order, so those are out before any model that reads
    a kept one) and before the models that read it."""
    deps = context.assets_def.asset_deps
    key_of_output = context.assets_def.keys_by_output_name
    pending = set(kept) & set(context.selected_asset_keys)
    for event in events:
        if isinstance(event, Output) and pending:
            due = pending & _ancestors(key_of_output[event.output_name], deps)
            pending -= due
            yield from _kept_as_built(context, due, tests, why)
        yield event
    yield from _kept_as_built(context, pending, tests, why)


def _ancestors(key, deps) -> set:
    seen, stack = set(), list(deps.get(key, ()))
    while stack:
        parent = stack.pop()
        if parent not in seen:
            seen.add(parent)
            stack.extend(deps.get(parent, ()))
    return seen


def _private(build_db) -> None:
    """build.duckdb holds client-level rows: readable by its owner only (created empty if need be)."""
    if not build_db.exists():
        import duckdb

        duckdb.connect(str(build_db)).close()
    os.chmod(build_db, PRIVATE_FILE_MODE)
