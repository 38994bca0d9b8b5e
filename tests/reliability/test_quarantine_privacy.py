"""pipeline.md, "Bad input, faults and privacy" and avohilmo.md: a quarantine report (JSON and text) names the file,
the problem and the offending lines; of a rejected row it shows no more than its line number and the offending
field, and never a value of an identifying column (asiakas_tunniste, kaynti_id, yhteys_id)."""
from __future__ import annotations

import json

import duckdb

from ingest import load_file
from ingest.landing import ingest_source
from ingest.load_log import LoadLog
from ingest.sources import AVOHILMO, CONTACTS
from tests.deliveries import VisitFile, visit

NAME = "avohilmo_905_2019-03.csv"


def secret_row(i: int, **options) -> dict:
    """A visit whose ids and unit are marked, so any field a report quotes is easy to find."""
    options.setdefault("client", f"CLIENT-SECRET-{i}")
    options.setdefault("unit", f"UNIT-SECRET-{i}")
    return visit(f"VISIT-SECRET-{i}", **options)


def land_and_ingest(home, data: bytes, name: str = NAME, spec=AVOHILMO):
    path = home.source_landing(spec.name) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    ingest_source(home, spec, "privacy-run", log=lambda _: None)
    (entry,) = LoadLog(home.load_log_dir).entries.values()
    return entry


def report_texts(home, name: str = NAME) -> tuple[dict, str, str]:
    (folder,) = home.quarantine.glob("*/*")
    assert sorted(p.name for p in folder.iterdir()) == sorted([name, f"{name}.report.json", f"{name}.report.txt"]), \
        "the quarantine folder holds the file's copy and its report, no reject log"
    raw = (folder / f"{name}.report.json").read_text(encoding="utf-8")
    return json.loads(raw), raw, (folder / f"{name}.report.txt").read_text(encoding="utf-8")


def test_a_rejected_row_shows_only_its_line_and_offending_field(home):
    """20 rows, two rejected (10 %): the file is quarantined; the report quotes the bad age, nothing else."""
    rows = [secret_row(i) for i in range(18)]
    rows += [secret_row(18, age="SECRET-AGE"), secret_row(19, client=None)]
    entry = land_and_ingest(home, VisitFile(rows).text().encode())
    report, raw, text = report_texts(home)
    assert entry.problem == report["problem"] == "too_many_rejected_rows"
    assert [(i["line"], i["column"], i["value"]) for i in report["first_lines"]] == [
        (20, "ika", "SECRET-AGE"), (21, "asiakas_tunniste", None)]
    assert set(report["first_lines"][0]) == {"line", "column", "problem", "value"}
    for written in (raw, text):
        assert "SECRET-AGE" in written                   # the offending value of a non-identifying field
        for other in ("VISIT-SECRET", "CLIENT-SECRET", "UNIT-SECRET"):
            assert other not in written


def test_an_identifying_value_is_not_quoted_even_when_it_looks_like_a_formula(home):
    rows = [secret_row(i) for i in range(15)] + [secret_row(15, client='=HYPERLINK("x","CLIENT-SECRET-15")'),
                                                 secret_row(16, visit_date="CLIENT-SECRET-DATE")]
    land_and_ingest(home, VisitFile(rows).text().encode())
    report, raw, text = report_texts(home)
    # Line 17's formula-like client id is no rejection (the visit is real); line 18 is 1 of 17 lines (> 5 %).
    assert [(i["line"], i["column"], i["value"]) for i in report["first_lines"]] == [
        (18, "kaynti_pvm", "CLIENT-SECRET-DATE")]
    for written in (raw, text):
        assert "VISIT-SECRET" not in written and "CLIENT-SECRET-15" not in written and "UNIT-SECRET" not in written


def test_a_file_without_its_header_line_is_not_echoed(home):
    """The first line is then a visit: listing it as 'found' header names would print a client id."""
    data = VisitFile([secret_row(i) for i in range(5)]).text().split("\n", 1)[1].encode()
    entry = land_and_ingest(home, data)
    report, raw, text = report_texts(home)
    assert entry.problem == "missing_required_column"
    assert "header" in report["message"]
    for written in (raw, text, entry.message):
        assert "SECRET" not in written


def test_a_misspelt_header_is_still_named_in_the_report(home):
    text = VisitFile([secret_row(1)]).text().replace("kaynti_pvm", "kaynti_pvmm", 1)
    entry = land_and_ingest(home, text.encode())
    assert entry.problem == "missing_required_column" and "kaynti_pvmm" in entry.message


def test_a_library_error_quoting_a_value_is_reported_without_it(home, monkeypatch):
    """Any unexpected error quarantines the file; its message keeps the error's kind, not the quoted value."""
    def failing_read(*_):
        raise duckdb.ConversionException("Conversion Error: Could not convert string 'CLIENT-SECRET-1' to INT64\n"
                                         "Original Line: VISIT-SECRET-1;CLIENT-SECRET-1;905")
    monkeypatch.setattr(load_file, "read_rows", failing_read)
    entry = land_and_ingest(home, VisitFile([secret_row(1)]).text().encode())
    report, raw, text = report_texts(home)
    assert entry.problem == "unreadable_file" and "ConversionException" in report["message"]
    for written in (raw, text, entry.message):
        assert "SECRET" not in written


def test_field_count_problems_name_lines_only(home):
    lines = VisitFile([secret_row(i) for i in range(5)]).text().split("\n")
    lines[3] += ";EXTRA-SECRET"
    land_and_ingest(home, "\n".join(lines).encode())
    report, raw, text = report_texts(home)
    assert report["problem"] == "field_count_mismatch"
    assert [(i["line"], i["column"], i["value"]) for i in report["first_lines"]] == [(4, None, None)]
    assert "SECRET" not in raw and "SECRET" not in text


def rejects_of(entry) -> list[tuple]:
    assert entry.status == "pending_validation" and entry.rejects_path
    return duckdb.sql(f"select line, column_name, reason, value from read_parquet('{entry.rejects_path}') "
                      "order by line").fetchall()


def test_the_reject_log_quotes_offending_values_but_never_a_visit_id(home):
    rows = [secret_row(i) for i in range(40)] + [secret_row(40, age=999), secret_row(41)]
    rows[-1]["kaynti_id"] = "@VISIT-SECRET"
    entry = land_and_ingest(home, VisitFile(rows).text().encode())
    assert rejects_of(entry) == [(42, "ika", "out_of_range", "999")]     # a formula-like id loads, flagged
    assert any("formula-like text on 1 line" in w and "SECRET" not in w for w in entry.warnings)
    assert not list(home.quarantine.glob("**/*"))


def test_the_reject_log_never_holds_a_contact_id(home):
    lines = ["yhteys_id;kanava;alkoi;jonotus_s;vastattu;kotikunta"]
    lines += [f"c{i};chat;{1 + i % 28}.3.2019 10:00;5;1;905" for i in range(30)]
    lines += ["=CONTACT-SECRET;chat;1.3.2019 10:00;5;1;905"]
    entry = land_and_ingest(home, "\n".join(lines).encode(), "contacts_2019-03.csv", CONTACTS)
    assert entry.rows_rejected == 0 and entry.rejects_path is None
    assert entry.warnings and all("SECRET" not in w for w in entry.warnings)
