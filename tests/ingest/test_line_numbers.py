"""avohilmo.md, "Row-level rules": `_source_line` and the line of a rejected row are the file's physical lines,
whatever blank lines, trailing empty lines or line breaks inside quoted fields the file holds."""
from __future__ import annotations

import csv
import io

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest import read_rows
from ingest.landing import ingest_source
from ingest.load_log import PENDING, LoadLog
from ingest.sources import AVOHILMO
from tests.deliveries import VisitFile, visit

NAME = "avohilmo_905_2019-03.csv"


def good(n: int, start: int = 100) -> list[dict]:
    return [visit(start + i, f"client{i}") for i in range(n)]


def load_text(home, text: str, line_ending: str = "\n"):
    path = home.source_landing("avohilmo") / NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.replace("\n", line_ending).encode())
    ingest_source(home, AVOHILMO, "test-run", log=lambda _: None)
    (entry,) = LoadLog(home.load_log_dir).entries.values()
    assert entry.status == PENDING, entry.message
    return entry


def source_lines(entry) -> dict[str, int]:
    return dict(duckdb.sql(f"select kaynti_id, _source_line from read_parquet('{entry.parquet_path}')").fetchall())


def reject_lines(entry) -> list[int]:
    return [line for (line,) in duckdb.sql(
        f"select line from read_parquet('{entry.rejects_path}') order by line").fetchall()]


def expected_lines(lines: list[str]) -> dict[str, int]:
    """kaynti_id → the 1-based line its record starts on, from the lines as written (first field the id)."""
    starts, open_quote = {}, False
    for number, line in enumerate(lines, 1):
        if not open_quote and line and number > 1:
            starts[line.split(";")[0]] = number
        open_quote ^= line.count('"') % 2 == 1
    return starts


@pytest.mark.parametrize("empty_lines", [1, 3])
def test_trailing_empty_lines_keep_the_one_line_per_record_path_and_its_numbers(home, monkeypatch, empty_lines):
    def no_line_map(data):
        raise AssertionError("a trailing empty line needs no line map")
    monkeypatch.setattr(read_rows, "record_start_lines", no_line_map)
    text = VisitFile(good(40) + [visit(7, age=150)] + good(3, start=500)).text() + "\n" * empty_lines
    entry = load_text(home, text)
    assert entry.rows_accepted == 43 and reject_lines(entry) == [42]
    lines = source_lines(entry)
    assert lines["100"] == 2 and lines["139"] == 41 and lines["502"] == 45


@pytest.mark.parametrize("line_ending", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_blank_lines_and_quoted_line_breaks_in_the_middle_keep_physical_line_numbers(home, line_ending):
    lines = VisitFile(good(40)).text().splitlines()
    lines[3] = lines[3].replace("Vaasan terveysasema", '"Vaasan\nterveys""asema"')   # record spans two lines
    lines[8] = lines[8].replace("Vaasan terveysasema", '"Vaasan\n\nterveysasema"')    # an empty line inside quotes
    lines.insert(12, "")                                                              # a blank line
    lines.insert(20, "")
    lines.insert(20, "")
    bad = VisitFile([visit(7, age=150), visit(8, visit_date="2019-04-01")]).text().splitlines()[1:]
    lines[25:25] = bad[:1]
    lines += bad[1:]
    text = "\n".join(lines) + "\n\n"
    entry = load_text(home, text, line_ending)
    physical = text.split("\n")
    expected = expected_lines(physical)
    assert entry.rows_accepted == 40
    assert source_lines(entry) == {key: line for key, line in expected.items() if key not in ("7", "8")}
    assert reject_lines(entry) == [expected["7"], expected["8"]] == [physical.index(b) + 1 for b in bad]


def csv_module_starts(text: str) -> list[int]:
    """The record start lines as Python's csv module counts them: the oracle for record_start_lines."""
    starts, before = [], 0
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";", quotechar='"')
    for index, row in enumerate(reader):
        if index > 0 and row:
            starts.append(before + 1)
        before = reader.line_num
    return starts


FIELD = st.sampled_from(["a", "", '"x;y"', '"two\nlines"', '"say ""hi"""', '"\n"', '"a\n\nb"', "ä"])
LINE = st.one_of(st.just(""), st.lists(FIELD, min_size=1, max_size=3).map(";".join))


@settings(deadline=None, database=None, derandomize=True, max_examples=300)
@given(st.lists(LINE, max_size=12), st.sampled_from(["", "\n", "\n\n"]))
def test_record_start_lines_count_like_the_csv_module(lines, end):
    text = "h1;h2\n" + "\n".join(lines) + end
    assert read_rows.record_start_lines(text.encode()).tolist() == csv_module_starts(text)
