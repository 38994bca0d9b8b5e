"""int_intervention_statistics.py publishes the same figures to the last digit whatever order DuckDB hands it
the pairs in: a float mean depends on the order of its sum (0.1 + 0.2 + 0.3 ≠ 0.3 + 0.2 + 0.1), and DuckDB
returns rows in no fixed order, so two builds of the same data differed in the 16th digit."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import duckdb
import numpy as np
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
            select '152' as area_code, 'k' || i as client_id, 'PHQ9' as measure,
                2023::bigint as cohort_year, 5.0 as first_value, 5.0 + v as second_value, v as change,
                false as improved_mcid
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


# --- Revision 2: ANCOVA and Newcombe, each against a computation written separately from the model's ---------

def load_module():
    spec = importlib.util.spec_from_file_location("int_intervention_statistics_module", MODEL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def independent_ancova(base_x, follow_x, base_y, follow_y):
    """OLS by the normal equations on the raw design [1, baseline, participant], scipy.stats' t quantile.
    (statsmodels is not in requirements.lock.)"""
    from scipy import stats
    X = np.column_stack([np.ones(len(base_x) + len(base_y)), np.r_[base_x, base_y],
                         np.r_[np.ones(len(base_x)), np.zeros(len(base_y))]])
    y = np.r_[follow_x, follow_y]
    inverse = np.linalg.inv(X.T @ X)
    beta = inverse @ X.T @ y
    df = len(y) - 3
    s2 = ((y - X @ beta) ** 2).sum() / df
    half = stats.t.ppf(0.975, df) * np.sqrt(s2 * inverse[2, 2])
    return beta[2], beta[2] - half, beta[2] + half


def test_ancova_equals_an_independent_least_squares_fit():
    module = load_module()
    rng = np.random.default_rng(3)
    for n_x, n_y in ((5, 5), (12, 40), (200, 350)):
        base_x, base_y = rng.normal(38, 13, n_x).round(), rng.normal(30, 12, n_y).round()
        follow_x = base_x * 0.8 + 2 - 6 + rng.normal(0, 7, n_x)
        follow_y = base_y * 0.8 + 2 + rng.normal(0, 7, n_y)
        got = module.ancova(base_x, follow_x, base_y, follow_y)
        want = independent_ancova(base_x, follow_x, base_y, follow_y)
        assert np.allclose(got, want, rtol=0, atol=1e-9), (got, want)


def test_ancova_is_null_below_five_pairs_and_when_degenerate():
    module = load_module()
    four, five = np.arange(4.0), np.arange(5.0)
    assert all(np.isnan(module.ancova(four, four + 1, five, five)))
    assert all(np.isnan(module.ancova(five, five + 1, four, four)))
    # Every baseline the same: baseline and intercept are collinear, no coefficient is identified.
    same = np.full(5, 3.0)
    assert all(np.isnan(module.ancova(same, same - 1, same, same + np.arange(5))))
    # A perfect fit: a zero-width interval at the estimate, not NaN.
    estimate, low, high = module.ancova(five, five - 2, five + 1, five + 1)
    assert abs(estimate + 2) < 1e-12 and abs(low - estimate) < 1e-9 and abs(high - estimate) < 1e-9


def hand_newcombe(k1, n1, k2, n2, z=1.959963984540054):
    """Newcombe (1998) method 10, from Wilson's interval l, u = (2np + z² ∓ z√(z² + 4npq)) / (2(n + z²))."""
    def wilson(k, n):
        p, q = k / n, 1 - k / n
        root = z * np.sqrt(z * z + 4 * n * p * q)
        return (2 * n * p + z * z - root) / (2 * (n + z * z)), (2 * n * p + z * z + root) / (2 * (n + z * z))
    (l1, u1), (l2, u2) = wilson(k1, n1), wilson(k2, n2)
    p1, p2 = k1 / n1, k2 / n2
    return p1 - p2, p1 - p2 - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), p1 - p2 + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)


def test_newcombe_reproduces_the_published_worked_example():
    """Newcombe 1998, Stat Med 17:873–890, Table II, example (a): 56/70 − 48/80 = 0.2000, method 10 interval
    0.0524 to 0.3339."""
    module = load_module()
    difference, low, high = module.newcombe(56, 70, 48, 80)
    assert abs(difference - 0.2) < 1e-12
    assert round(low, 4) == 0.0524 and round(high, 4) == 0.3339
    for case in ((56, 70, 48, 80), (9, 10, 3, 10), (6, 7, 2, 7), (5, 5, 0, 5), (0, 10, 0, 20), (10, 10, 10, 10),
                 (1, 29, 0, 37)):
        assert np.allclose(module.newcombe(*case), hand_newcombe(*case), rtol=0, atol=1e-12), case
    assert all(np.isnan(module.newcombe(4, 4, 3, 10))) and all(np.isnan(module.newcombe(3, 10, 2, 4)))


def test_newcombe_endpoints_of_the_other_worked_examples():
    """Two more examples of Newcombe 1998, Table II, method 10: 9/10 − 3/10 → 0.1705 to 0.8090; 5/56 − 0/29 →
    −0.0381 to 0.1926 (a zero share: Wilson's interval keeps it off the boundary)."""
    module = load_module()
    _, low, high = module.newcombe(9, 10, 3, 10)
    assert (round(low, 4), round(high, 4)) == (0.1705, 0.8090)
    _, low, high = module.newcombe(5, 56, 0, 29)
    assert (round(low, 4), round(high, 4)) == (-0.0381, 0.1926)
