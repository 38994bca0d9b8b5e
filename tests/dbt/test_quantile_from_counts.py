"""macros/quantile_from_counts.sql: exact quantiles from counts per value equal DuckDB's quantile_cont bit for
bit, so wait_times and the directors' indicators are unchanged by computing them that way (issue 7)."""
from __future__ import annotations

from pathlib import Path

import duckdb
import jinja2
import pytest

MACROS = Path(__file__).resolve().parents[2] / "dbt_project" / "macros" / "quantile_from_counts.sql"


@pytest.fixture(scope="module")
def macros():
    return jinja2.Environment().from_string(MACROS.read_text(encoding="utf-8")).module


@pytest.fixture(scope="module")
def visits():
    con = duckdb.connect()
    # Groups of 1, 2, … rows of waiting days 0–299 (and NULLs, which quantile_cont skips), plus a group whose
    # only rows fail the filter: every position and fraction the interpolation can meet.
    con.execute("""
        create table visits as
        select i % 2003 as cell, case when hash(i) % 17 = 0 then null else (hash(i * 7) % 300)::integer end
            as wait_days, hash(i * 13) % 5 <> 0 as is_assessed
        from range(400000) r(i)
        union all select 9999, 5, false
        union all select 8888, null, true""")
    return con


@pytest.mark.parametrize("q", [0.1, 0.25, 0.5, 0.9])
def test_quantiles_from_counts_equal_quantile_cont(macros, visits, q):
    counts = macros.value_counts("visits", ["cell"], "wait_days", "is_assessed")
    differences = visits.execute(f"""
        with expected as (
            select cell, quantile_cont(wait_days, {q}) filter (where is_assessed) as value from visits group by cell
        ),
        counted as ({counts}),
        ours as (select cell, {macros.quantile_from_counts(q, 'wait_days')} as value from counted group by cell)
        select expected.cell, expected.value, ours.value
        from expected left join ours using (cell)
        where expected.value is distinct from ours.value""").fetchall()
    compared = visits.execute("select count(distinct cell) from visits").fetchone()[0]
    assert compared > 2000
    assert differences == []


def test_counts_hold_one_row_per_group_and_value(macros, visits):
    counts = macros.value_counts("visits", ["cell"], "wait_days")
    rows, values = visits.execute(f"""
        select count(*), (select count(*) from (select distinct cell, wait_days from visits where wait_days is not null))
        from ({counts})""").fetchone()
    assert rows == values


@pytest.mark.parametrize("q", [0.5, 0.9])
def test_rows_that_already_count_visits_give_the_same_quantiles(macros, visits, q):
    """The waiting-time marts take quantiles from visits counted per municipality-month (`weight`)."""
    visits.execute("""
        create or replace table visit_counts as
        select cell, wait_days, is_assessed, rowid % 3 as part, count(*) as visits
        from visits group by all""")  # up to three rows per cell and waiting day
    counted = macros.value_counts("visits", ["cell"], "wait_days", "is_assessed")
    weighted = macros.value_counts("visit_counts", ["cell"], "wait_days", "is_assessed", weight="visits")
    differences = visits.execute(f"""
        with counted as ({counted}), weighted as ({weighted}),
        from_rows as (select cell, {macros.quantile_from_counts(q, 'wait_days')} as value from counted group by cell),
        from_counts as (select cell, {macros.quantile_from_counts(q, 'wait_days')} as value from weighted group by cell)
        select * from from_rows full join from_counts using (cell)
        where from_rows.value is distinct from from_counts.value""").fetchall()
    assert visits.execute("select count(*) from visit_counts where visits > 1").fetchone()[0] > 1000
    assert differences == []
