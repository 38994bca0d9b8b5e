"""Which dbt nodes an incremental build can keep as they are: those that read nothing that changed (issue 7).

A new month of visits changes the visit staging view and everything downstream of it, but not the
intervention and outcome models, the seeds, or the staging views of the other sources. Building those again
would give the same tables (an incremental build runs the code of the last complete build, see
build_record.py), so the build leaves them out, with their tests.

What counts as changed:
  * a dbt source whose files arrived, left or changed their fate since the last build, and the ingest's own
    records (load log, check results, rejected rows), which every run writes anew;
  * a model with a changed parent, except for one edge: a source's staging view reads the load log only
    for the list of that source's live files (macro `live_parquet`), which changes when, and only when,
    that source's files do;
  * never a seed: seeds are part of the build's code digest, and new code means a full build.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

# Written by every run (ingest and validation), so always changed.
BOOKKEEPING_SOURCES = frozenset({"load_log", "check_results", "rejected_rows"})
LIVE_FILE_LIST = "stg_ingest__load_log"
BUILT_TYPES = ("model", "seed")


def unchanged_nodes(manifest: Mapping[str, Any], changed_sources: frozenset[str]) -> list[str]:
    """Names of the models and seeds whose inputs are as the last complete build left them."""
    nodes = {uid: node for uid, node in manifest["nodes"].items() if node["resource_type"] in BUILT_TYPES}
    sources = manifest.get("sources", {})
    memo: dict[str, bool] = {}

    def source_changed(uid: str) -> bool:
        name = sources[uid]["name"] if uid in sources else uid.rsplit(".", 1)[-1]
        return name in changed_sources or name in BOOKKEEPING_SOURCES

    def changed(uid: str) -> bool:
        if uid not in memo:
            memo[uid] = _node_changed(nodes[uid], changed_sources, changed, source_changed, nodes)
        return memo[uid]

    return sorted(node["name"] for uid, node in nodes.items() if not changed(uid))


def _node_changed(node, changed_sources, changed, source_changed, nodes) -> bool:
    if node["resource_type"] == "seed":
        return False
    staged_source = _staged_source(node)
    if staged_source is not None and staged_source in changed_sources:
        return True
    for parent in node["depends_on"]["nodes"]:
        if parent.startswith("source."):
            if source_changed(parent):
                return True
        elif parent in nodes:
            if staged_source is not None and nodes[parent]["name"] == LIVE_FILE_LIST:
                continue   # the list of this source's live files: covered by `staged_source` above
            if changed(parent):
                return True
    return False


def _staged_source(node) -> str | None:
    """`models/staging/<source>/…` → the source whose raw files the view reads (not the ingest's own)."""
    parts = Path(node.get("original_file_path", "")).parts
    if len(parts) > 3 and parts[:2] == ("models", "staging") and parts[2] != "ingest":
        return parts[2]
    return None


def left_out_tests(manifest: Mapping[str, Any], kept: list[str]) -> set[str]:
    """Names of the data tests dbt leaves out when `kept` is excluded with `--indirect-selection cautious`:
    those that read only kept models and seeds (a test that also reads a rebuilt model runs)."""
    nodes, kept_names = manifest["nodes"], set(kept)
    left_out = set()
    for node in nodes.values():
        if node["resource_type"] != "test":
            continue
        parents = [nodes[p]["name"] for p in node["depends_on"]["nodes"]
                   if p in nodes and nodes[p]["resource_type"] in BUILT_TYPES]
        if parents and set(parents) <= kept_names:
            left_out.add(node["name"])
    return left_out
