"""The bundled sample hides known intervention effects (tiedolla/sample/effects.py); the published
intervention_effects must recover them: the difference-in-differences and the baseline-adjusted (ANCOVA)
intervals cover their true values about as often as 95 % intervals should, and the interventions without an
effect are not called significant more often than chance allows. The comparison group is the never-enrolled
clients (methods.md revision 2); the true ANCOVA effect is the OLS limit from the generator's model, which
differs a little from the true DiD where rounding and clipping bend the follow-up's dependence on the baseline
(effects.py)."""
from __future__ import annotations

import duckdb
import pytest
from scipy import stats

from tests.cli.test_end_to_end import tiedolla
from tiedolla.sample.effects import true_ancova, true_did

ALPHA = 0.05


def allowed_misses(n: int, p: float = ALPHA, risk: float = 0.005) -> int:
    """The largest count of misses that n independent 95 % intervals exceed with probability below `risk`."""
    return int(stats.binom.ppf(1 - risk, n, p))


@pytest.fixture(scope="module")
def effects(tmp_path_factory):
    home = tmp_path_factory.mktemp("sample_effects") / "home"
    tiedolla(home, "sample", "--scale", "0.4", "--months", "2021-01:2021-12", "--municipalities", "905,499,598",
             "--seed", "7")
    tiedolla(home, "run")
    con = duckdb.connect(str(home / "warehouse" / "marts.duckdb"), read_only=True)
    rows = con.execute("""
        select intervention, measure, area_code, pairs, comparison_pairs, did_estimate, did_ci95_low,
               did_ci95_high, ancova_estimate, ancova_ci95_low, ancova_ci95_high, comparison_clients
        from intervention_effects where did_ci95_low is not null""").fetchall()
    con.close()
    return rows


def test_intervals_cover_the_true_effects(effects):
    truth = true_did()
    cells = [r for r in effects if r[2] == "17"]
    assert len(cells) >= 10, cells
    misses = [r for r in cells if not r[6] <= truth[(r[0], r[1])] <= r[7]]
    assert len(misses) <= allowed_misses(len(cells)), misses


def test_null_effects_are_not_significant_more_often_than_chance(effects):
    truth = true_did()
    nulls = [r for r in effects if abs(truth[(r[0], r[1])]) < 1e-12]
    assert len(nulls) >= 6
    significant = [r for r in nulls if r[6] > 0 or r[7] < 0]
    assert len(significant) <= allowed_misses(len(nulls)), significant


def test_large_true_effects_are_found_in_the_welfare_area(effects):
    found = {(r[0], r[1]) for r in effects if r[2] == "17" and (r[6] > 0 or r[7] < 0)}
    assert {("KOTIKUNTOUTUS", "WHODAS12"), ("IPC", "PHQ9"), ("IPC", "PROMIS10_PSYK")} <= found


def test_ancova_intervals_cover_the_true_adjusted_effects(effects):
    truth = true_ancova()
    cells = [r for r in effects if r[2] == "17" and r[9] is not None]
    assert len(cells) >= 10, cells
    misses = [r for r in cells if not r[9] <= truth[(r[0], r[1])] <= r[10]]
    assert len(misses) <= allowed_misses(len(cells)), misses


def test_comparison_clients_are_never_enrolled(effects):
    """comparison_pairs stays the same number as comparison_clients; the comparison group of a measure is the
    same for every intervention using it (revision 2), so two interventions sharing a measure in an area share
    its size."""
    assert all(r[4] == r[11] for r in effects)
    sizes = {}
    for r in effects:
        sizes.setdefault((r[1], r[2]), set()).add(r[11])
    assert all(len(s) == 1 for s in sizes.values()), sizes
