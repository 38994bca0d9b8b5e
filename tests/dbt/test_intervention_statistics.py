"""int_intervention_statistics.py publishes the same figures to the last digit whatever order DuckDB hands it
the pairs in: a float mean depends on the order of its sum (0.1 + 0.2 + 0.3 ≠ 0.3 + 0.2 + 0.1), and DuckDB
returns rows in no fixed order, so two builds of the same data differed in the 16th digit."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import duckdb
import pandas as pd

MODEL = (Path(__file__).resolve().parents[2] / "dbt_project" / "models" / "intermediate" / "effects"
         / "int_intervention_statistics.py")


def load_model():
    spec = importlib.util.spec_from_file_location("int_intervention_statistics", MODEL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.model


class Dbt:
    """What the model uses of dbt-duckdb's `dbt` object: `config`, and `ref` giving a DuckDB relation."""

    def __init__(self, con: duckdb.DuckDBPyConnection, order: str) -> None:
        self.con, self.order = con, order

    def config(self, **_) -> None:
        pass

    def ref(self, name: str):
        has_clients = name in ("int_intervention_pairs", "int_comparison_pairs")
        return self.con.sql(f"select * from {name}" + (f" order by {self.order}" if has_clients else ""))


def build(order: str) -> pd.DataFrame:
    con = duckdb.connect()
    con.execute("""
        create table interventions as select 'IPC' as code, 'PHQ9' as measures;
        create table int_intervention_participants as
            select 'IPC' as intervention, '152' as area_code, 'municipality' as area_level,
                2023::bigint as cohort_year, 3::bigint as participants, 3::bigint as completers;
        create table int_intervention_pairs as
            select 'IPC' as intervention, 'PHQ9' as measure, '152' as area_code, 'municipality' as area_level,
                2023::bigint as cohort_year, 'c' || i as client_id, date '2023-01-01' as start_date,
                date '2023-01-01' as baseline_on, 10 + v as baseline_value, date '2023-06-01' as followup_on,
                10.0 as followup_value, -v as change, v > 0.25 as improved_mcid
            from (values (1, 0.1), (2, 0.2), (3, 0.3)) as t(i, v);
        create table int_comparison_pairs as
            select 'IPC' as intervention, '152' as area_code, 'k' || i as client_id, 'PHQ9' as measure,
                2023::bigint as cohort_year, 5.0 as first_value, 5.0 + v as second_value, v as change
            from (values (1, 0.1), (2, 0.2), (3, 0.3), (4, 0.7)) as t(i, v);
    """)
    return load_model()(Dbt(con, order), None)


def test_the_figures_do_not_depend_on_the_order_of_the_rows():
    ascending, descending = build("client_id"), build("client_id desc")
    # The data are chosen so that the order matters to a plain sum: the test would fail without the sorting.
    assert 0.1 + 0.2 + 0.3 != 0.3 + 0.2 + 0.1
    pd.testing.assert_frame_equal(ascending, descending, check_exact=True)
    assert ascending.loc[0, "pairs"] == 3 and ascending.loc[0, "comparison_pairs"] == 4
    assert abs(ascending.loc[0, "comparison_change"] - 0.325) < 1e-12
