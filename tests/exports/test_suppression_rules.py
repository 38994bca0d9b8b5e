"""Secondary suppression and formula-safe text, on hand-made tables (no pipeline run)."""
from __future__ import annotations

import csv

import pandas as pd
from openpyxl import load_workbook

from export.flat_files import write_csv
from export.presentation import Presented, safe_text
from export.suppression import Margin, ProtectedCell, secondary_suppression
from export.workbook import write_workbook

CELL = ProtectedCell(size="n", primary="small", hides=("n",))


def areas(counts: dict[str, int], small: set[str], **keys) -> pd.DataFrame:
    return pd.DataFrame([{"area_code": a, "n": n, "small": a in small, **keys} for a, n in counts.items()])


def test_one_hidden_municipality_takes_the_smallest_other_one_with_it():
    frame = areas({"17": 40, "905": 30, "499": 3, "288": 7, "152": 0}, {"499"}, year=2024)
    hidden = secondary_suppression(frame, ["area_code", "year"], CELL, [Margin("area_code", "17")])
    assert set(frame.area_code[hidden]) == {"499", "288"}      # 152 is a zero: hiding it protects nothing


def test_two_hidden_municipalities_need_nothing_more():
    frame = areas({"17": 40, "905": 30, "499": 3, "288": 4}, {"499", "288"})
    hidden = secondary_suppression(frame, ["area_code"], CELL, [Margin("area_code", "17")])
    assert set(frame.area_code[hidden]) == {"499", "288"}


def test_with_no_other_part_left_the_total_is_hidden():
    frame = areas({"17": 6, "905": 6}, {"905"})
    hidden = secondary_suppression(frame, ["area_code"], CELL, [Margin("area_code", "17")])
    assert set(frame.area_code[hidden]) == {"905", "17"}


def test_a_hidden_total_protects_its_parts_already():
    frame = areas({"17": 3, "905": 3, "499": 0}, {"17", "905"})
    hidden = secondary_suppression(frame, ["area_code"], CELL, [Margin("area_code", "17")])
    assert set(frame.area_code[hidden]) == {"17", "905"}


def test_suppression_spreads_across_margins_until_nothing_changes():
    """Segments add up to a derived total, municipalities to the welfare area: hiding for one margin can
    leave a lone hidden cell in the other, which must then be protected too."""
    rows = []
    for area, counts in {"17": {"a": 20, "b": 13, "c": 9}, "905": {"a": 12, "b": 10, "c": 6},
                         "499": {"a": 8, "b": 3, "c": 3}}.items():
        rows += [{"area_code": area, "segment": s, "n": n, "small": area == "499" and s == "b"}
                 for s, n in counts.items()]
    frame = pd.DataFrame(rows)
    hidden = secondary_suppression(frame, ["area_code", "segment"], CELL,
                                   [Margin("area_code", "17"), Margin("segment")])
    shown = frame.assign(hidden=hidden)
    for _, group in shown.groupby("segment"):
        parts = group[group.area_code != "17"]
        total_hidden = group[group.area_code == "17"].hidden.all()
        assert total_hidden or parts.hidden.sum() != 1
    for _, group in shown.groupby("area_code"):
        assert group.hidden.sum() != 1


def test_text_starting_like_a_formula_is_written_as_text(tmp_path):
    dangerous = ['=HYPERLINK("http://example.invalid","click")', "+1+1", "-2+3", "@SUM(A1)"]
    table = Presented("t", "Taulukko", ["Nimi", "Arvo"], ["text", "number"],
                      [[safe_text(text), -1.5] for text in dangerous])
    write_workbook(tmp_path / "t.xlsx", [table], {}, [], "Kuviot")
    sheet = load_workbook(tmp_path / "t.xlsx").active
    for (name, value), text in zip(sheet.iter_rows(min_row=2, values_only=True), dangerous):
        assert name == "'" + text
    for row in sheet.iter_rows(min_row=2):
        assert row[0].data_type == "s" and row[1].data_type == "n"
    write_csv(table, tmp_path / "t.csv", "fi")
    with open(tmp_path / "t.csv", encoding="utf-8-sig", newline="") as handle:
        body = list(csv.reader(handle, delimiter=";"))[1:]
    assert [row[0][0] for row in body] == ["'"] * 4
    assert body[0][1] == "-1,5"          # a negative number stays a number
