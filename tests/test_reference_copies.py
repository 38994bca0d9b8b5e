"""The tests' reference copies (tests/reference/) and the product's dbt seeds (dbt_project/seeds/) stay in step.

Both are copies of the region's reference data: the tests read tests/reference/ (so they check the pipeline
against the region's figures, not against its own copy), the pipeline reads the seeds. Where a file exists in
both places under the same name, "in step" means:

- the seed may have extra columns (the product may add its own), but every column of the reference copy is
  also in the seed: a seed that dropped one of the region's columns has diverged;
- on the columns both have, the two hold the same rows: the same multiset of rows, in any order, with values
  compared as text after trimming spaces, numbers compared by value (`90` equals `90.0`) and an empty cell
  equal only to an empty cell.

A file only in tests/reference/ (e.g. marts_contract.json) or only in the seeds is not compared. Every file in
tests/reference/ must be listed in its README.md with where it came from.
"""
from __future__ import annotations

import csv
from collections import Counter
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "tests" / "reference"
SEEDS = ROOT / "dbt_project" / "seeds"
# The reference copies the tests read that the product also seeds; the test fails if one of them goes missing.
PAIRED = ["care_guarantee.csv", "measures.csv", "municipalities.csv", "published_figures_2019.csv"]


def read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return [c.strip() for c in reader.fieldnames or []], [
            {k.strip(): (v or "").strip() for k, v in row.items()} for row in reader]


def value(text: str):
    try:
        return ("number", Decimal(text).normalize())
    except InvalidOperation:
        return ("text", text)


def test_every_paired_file_exists_in_both_places():
    paired = sorted(p.name for p in REFERENCE.glob("*.csv") if (SEEDS / p.name).exists())
    assert paired == PAIRED


@pytest.mark.parametrize("name", PAIRED)
def test_the_seed_holds_the_reference_rows(name):
    ref_columns, ref_rows = read(REFERENCE / name)
    seed_columns, seed_rows = read(SEEDS / name)
    missing = [c for c in ref_columns if c not in seed_columns]
    assert not missing, f"dbt_project/seeds/{name} lacks the reference columns {missing}"
    both = [c for c in ref_columns if c in seed_columns]
    ref = Counter(tuple(value(r[c]) for c in both) for r in ref_rows)
    seed = Counter(tuple(value(r[c]) for c in both) for r in seed_rows)
    assert ref, f"tests/reference/{name} has no rows"
    assert ref == seed, (f"{name}: only in tests/reference: {sorted(ref - seed)}; "
                         f"only in the seed: {sorted(seed - ref)}")


def test_every_reference_file_says_where_it_came_from():
    readme = (REFERENCE / "README.md").read_text(encoding="utf-8")
    files = sorted(p.name for p in REFERENCE.iterdir() if p.is_file() and p.name != "README.md")
    assert files, "tests/reference is empty"
    unlisted = [f for f in files if f"`{f}`: copied from" not in readme]
    assert not unlisted, f"tests/reference/README.md does not say where these came from: {unlisted}"
