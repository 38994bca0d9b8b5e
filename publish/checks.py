"""Checks on a new marts file before it replaces the published one: aggregates only, suppression holds."""
from __future__ import annotations

import re

import duckdb

CLIENT_LEVEL = re.compile(r"asiakas|klient|client_id|kaynti_id|besok_id|visit_id|henkilotunnus|hetu", re.I)
# Value columns that must be NULL in a suppressed cell, and a count that cannot be 1–4 unless the cell
# describes 1–4 persons (visits ≥ clients: 1–4 visits in both columns together mean 1–4 clients).
SUPPRESSION = {
    "wait_times": (["visits_nonurgent", "visits_nonurgent_unassessed", "median_wait_days", "p90_wait_days",
                    "share_within_7d", "share_within_14d", "share_within_21d", "share_over_90d",
                    "share_over_180d", "share_within_guarantee"],
                   "visits_nonurgent + visits_nonurgent_unassessed"),
    "wait_times_yearly": (["visits_nonurgent", "visits_nonurgent_unassessed", "median_wait_days", "p90_wait_days",
                           "share_within_7d", "share_within_14d", "share_over_90d", "share_within_guarantee"],
                          "visits_nonurgent + visits_nonurgent_unassessed"),
    "segment_summary": (["clients", "share_of_clients", "visits_per_client", "moved_up", "moved_down"], "clients"),
    "intervention_effects": (["pairs", "mean_change", "ci95_low", "ci95_high", "did_estimate",
                              "share_improved_mcid"], "pairs"),
}


class PublicationRefused(RuntimeError):
    """The new file broke a publication rule; the previous publication stays."""


def check_publishable(con: duckdb.DuckDBPyConnection) -> list[str]:
    problems = []
    columns = con.execute("select table_name, column_name from information_schema.columns "
                          "where table_catalog = current_database()").fetchall()
    for table, column in columns:
        if CLIENT_LEVEL.search(column):
            problems.append(f"{table}.{column} looks like client-level data")
    schemas = {r[0] for r in con.execute("select schema_name from information_schema.schemata "
                                         "where catalog_name = current_database()").fetchall()}
    if "marts" in schemas:
        problems.append("a schema named 'marts' would make marts.<table> ambiguous")
    tables = {t for t, _ in columns}
    for table, (values, count) in SUPPRESSION.items():
        if table not in tables:
            continue
        leaked = " or ".join(f"{v} is not null" for v in values)
        n = con.execute(f"select count(*) from main.{table} where is_suppressed and ({leaked})").fetchone()[0]
        if n:
            problems.append(f"{table}: {n} suppressed rows still show values")
        n = con.execute(f"select count(*) from main.{table} where not is_suppressed and {count} between 1 and 4"
                        ).fetchone()[0]
        if n:
            problems.append(f"{table}: {n} rows of 1–4 visits are not suppressed")
    return problems
