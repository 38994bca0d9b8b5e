"""avohilmo.md, "Row-level rules": rejected lines carry their line number and reason; the rest loads."""
from __future__ import annotations

import json

import duckdb

from ingest.landing import ingest_source
from ingest.load_log import PENDING, QUARANTINED, LoadLog
from ingest.sources import AVOHILMO
from tests.deliveries import VisitFile, visit


def load(home, rows, name="avohilmo_905_2019-03.csv", **options):
    VisitFile(rows, **options).write(home.source_landing("avohilmo") / name)
    ingest_source(home, AVOHILMO, "test-run", log=lambda _: None)
    return next(e for e in LoadLog(home.load_log_dir).entries.values() if e.file_name == name)


def rejects(entry) -> list[tuple]:
    return duckdb.sql(f"select line, column_name, reason, value from read_parquet('{entry.rejects_path}') "
                      "order by line").fetchall()


def good(n: int, start: int = 100) -> list[dict]:
    return [visit(start + i, f"client{i}") for i in range(n)]


def test_assessment_after_visit_or_over_730_days_before_is_wait_out_of_range(home):
    rows = good(40) + [visit(1, assessed="2019-03-13"), visit(2, assessed="2017-03-11", urgency="1")]
    entry = load(home, rows)
    assert entry.status == PENDING
    assert [(line, column, reason) for line, column, reason, _ in rejects(entry)] == [
        (42, "hoidon_tarve_pvm", "wait_out_of_range"), (43, "hoidon_tarve_pvm", "wait_out_of_range")]


def test_exactly_730_days_is_accepted(home):
    entry = load(home, good(5) + [visit(1, assessed="2017-03-13", visit_date="2019-03-12")])
    assert entry.rows_rejected == 0 and entry.rows_accepted == 6


def test_each_rule_names_its_column_and_reason(home):
    broken = [
        visit(1, age=121), visit(2, age="x"), visit(3, service="11"), visit(4, occupation="22"),
        visit(5, contact="X10"), visit(6, urgency="3"), visit(7, visit_date="2019-04-01", assessed=None),
        visit(8, assessed="31.2.2019"), visit(9, home="90"), visit(10, client=None),
    ]
    entry = load(home, good(200) + broken)
    assert entry.status == PENDING and entry.rows_rejected == 10
    got = [(column, reason) for _, column, reason, _ in rejects(entry)]
    assert got == [("ika", "out_of_range"), ("ika", "unparseable_number"), ("palvelumuoto", "invalid_code"),
                   ("ammatti", "invalid_code"), ("yhteystapa", "invalid_code"), ("kiireellisyys", "unknown_code"),
                   ("kaynti_pvm", "event_outside_file_month"), ("hoidon_tarve_pvm", "unparseable_date"),
                   ("kotikunta", "invalid_code"), ("asiakas_tunniste", "missing_required")]
    assert [line for line, *_ in rejects(entry)] == list(range(202, 212))


def test_unknown_contact_type_loads_as_a_valid_row(home):
    entry = load(home, [visit(1, contact="R99")])
    assert entry.rows_accepted == 1


def test_reject_log_never_quotes_client_or_visit_ids(home):
    entry = load(home, good(50) + [visit("", client="secret-client"), visit(7, client="")])
    values = [value for *_, value in rejects(entry)]
    assert values == [None, None]
    assert "secret-client" not in json.dumps([list(r) for r in rejects(entry)])


def test_later_duplicate_visit_id_wins_and_is_counted(home):
    rows = good(3) + [visit(100, "client0", visit_date="2019-03-20", assessed="2019-03-18")]
    entry = load(home, rows)
    assert entry.rows_duplicate == 1 and entry.rows_accepted == 3 and entry.rows_rejected == 0
    (kept,) = duckdb.sql(f"select _source_line, kaynti_pvm from read_parquet('{entry.parquet_path}') "
                         "where kaynti_id = '100'").fetchall()
    assert kept[0] == 5 and str(kept[1]) == "2019-03-20"


def test_accepted_rows_carry_lineage(home):
    entry = load(home, good(2))
    rows = duckdb.sql(f"select _source_file, _source_line, _file_version, _load_id, _municipality, _period "
                      f"from read_parquet('{entry.parquet_path}') order by _source_line").fetchall()
    assert rows == [("avohilmo_905_2019-03.csv", 2, 1, entry.load_id, "905", "2019-03"),
                    ("avohilmo_905_2019-03.csv", 3, 1, entry.load_id, "905", "2019-03")]


def test_more_than_five_percent_rejected_quarantines_the_file_with_its_first_ten_lines(home):
    rows = good(20) + [visit(i, assessed="1.13.2019") for i in range(12)]
    entry = load(home, rows)
    assert entry.status == QUARANTINED and entry.problem == "too_many_rejected_rows"
    report = json.loads(open(entry.quarantine_report).read())
    assert report["file_name"] == "avohilmo_905_2019-03.csv"
    assert report["lines_with_problem"] == 12
    assert [item["line"] for item in report["first_lines"]] == list(range(22, 32))
    assert report["first_lines"][0]["column"] == "hoidon_tarve_pvm"
    text = open(entry.quarantine_report.replace(".json", ".txt")).read()
    assert "avohilmo_905_2019-03.csv" in text and "line 22, column hoidon_tarve_pvm" in text
    assert not list(home.source_raw("avohilmo").rglob("*.parquet"))


def test_exactly_five_percent_rejected_still_loads(home):
    entry = load(home, good(19) + [visit(1, age=200)])
    assert entry.status == PENDING and entry.rows_rejected == 1


def test_missing_required_column_quarantines(home):
    columns = [c for c in VisitFile([]).columns if c != "kiireellisyys"]
    entry = load(home, good(3), columns=columns)
    assert entry.status == QUARANTINED and entry.problem == "missing_required_column"
    assert "kiireellisyys" in entry.message


def test_a_line_with_a_different_number_of_fields_quarantines_with_its_line_number(home):
    text = VisitFile(good(5)).text().splitlines()
    text[3] = text[3] + ";extra"
    text[5] = ";".join(text[5].split(";")[:-2])
    path = home.source_landing("avohilmo") / "avohilmo_905_2019-03.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(text) + "\n")
    ingest_source(home, AVOHILMO, "test-run", log=lambda _: None)
    (entry,) = LoadLog(home.load_log_dir).entries.values()
    assert entry.status == QUARANTINED and entry.problem == "field_count_mismatch"
    report = json.loads(open(entry.quarantine_report).read())
    assert [item["line"] for item in report["first_lines"]] == [4, 6]


def test_badly_named_file_is_quarantined(home):
    for name in ("avohilmo_905_2019-13.csv", "avohilmo_vaasa_2019-03.csv", "avohilmo_123_2019-03.csv",
                 "visits_905_2019-03.csv"):
        VisitFile(good(2)).write(home.source_landing("avohilmo") / name)
    ingest_source(home, AVOHILMO, "test-run", log=lambda _: None)
    entries = LoadLog(home.load_log_dir).entries.values()
    assert {e.problem for e in entries} == {"bad_file_name"}
    assert len({e.file_name for e in entries if e.status == QUARANTINED}) == 4


def test_line_numbers_are_physical_lines_with_blank_lines_and_quoted_line_breaks(home):
    lines = VisitFile(good(30)).text().splitlines()
    lines[5] = lines[5].replace("Vaasan terveysasema", '"Vaasan\nterveysasema"')   # record 5 spans lines 6-7
    lines.insert(10, "")                                                            # a blank line
    broken = VisitFile([visit(999, age=150)]).text().splitlines()[1]
    lines.append(broken)
    path = home.source_landing("avohilmo") / "avohilmo_905_2019-03.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    ingest_source(home, AVOHILMO, "test-run", log=lambda _: None)
    (entry,) = LoadLog(home.load_log_dir).entries.values()
    assert entry.rows_accepted == 30
    (reject,) = rejects(entry)
    physical = path.read_text().split("\n").index(broken) + 1
    assert reject[0] == physical == 34
    last_good = duckdb.sql(f"select max(_source_line) from read_parquet('{entry.parquet_path}')").fetchone()[0]
    assert last_good == 33
