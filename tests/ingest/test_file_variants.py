"""avohilmo.md, "File-level variants that must be accepted": every variant loads the same rows."""
from __future__ import annotations

import duckdb
import pytest

from ingest.landing import ingest_source
from ingest.load_log import PENDING, QUARANTINED, LoadLog
from ingest.sources import AVOHILMO
from tests.deliveries import FINNISH, VisitFile, visit

ROWS = [visit(1, "c1", unit="Vasa hälsostation Öst"), visit(2, "c2", unit="Mustasaaren terveysasema, keskus"),
        visit(3, "c3", assessed=None, urgency="1", home=None)]


def load(home, file: VisitFile, name="avohilmo_905_2019-03.csv"):
    file.write(home.source_landing("avohilmo") / name)
    ingest_source(home, AVOHILMO, "test-run", log=lambda _: None)
    (entry,) = LoadLog(home.load_log_dir).entries.values()
    return entry


def accepted_rows(entry) -> list[tuple]:
    return duckdb.sql(
        f"select kaynti_id, yksikko, kotikunta, ika, hoidon_tarve_pvm, kaynti_pvm from read_parquet('{entry.parquet_path}') "
        "order by kaynti_id").fetchall()


@pytest.mark.parametrize("variant", [
    VisitFile(ROWS),
    VisitFile(ROWS, encoding="utf-8-sig"),
    VisitFile(ROWS, encoding="cp1252"),
    VisitFile(ROWS, delimiter=","),
    VisitFile(ROWS, delimiter="\t"),
    VisitFile(ROWS, language="sv"),
    VisitFile(ROWS, header_case="upper"),
    VisitFile(ROWS, date_style="iso"),
    VisitFile(ROWS, date_style="padded"),
    VisitFile(ROWS, line_ending="\r\n", trailing_blank_line=True),
    VisitFile(ROWS, columns=list(reversed(FINNISH))),
], ids=["utf8", "bom", "windows1252", "comma", "tab", "swedish", "upper-case", "iso-dates", "padded-dates",
        "crlf-trailing-blank", "column-order"])
def test_every_accepted_variant_loads_the_same_rows(home, variant):
    entry = load(home, variant)
    assert entry.status == PENDING, entry.message
    assert entry.rows_accepted == 3 and entry.rows_rejected == 0
    rows = accepted_rows(entry)
    assert rows[0][1] == "Vasa hälsostation Öst"
    assert rows[1][1] == "Mustasaaren terveysasema, keskus"   # quoted field holding the delimiter
    assert [r[3] for r in rows] == [45, 45, 45]
    assert str(rows[0][4]) == "2019-03-02" and str(rows[0][5]) == "2019-03-12"
    assert rows[2][2] is None and rows[2][4] is None


def test_encoding_and_delimiter_are_recorded(home):
    entry = load(home, VisitFile(ROWS, encoding="cp1252", delimiter="\t", language="sv"))
    assert (entry.encoding, entry.delimiter, entry.header_language) == ("windows-1252", "\t", "sv")


def test_spaces_around_header_names_are_ignored(home):
    text = VisitFile(ROWS).text().replace("kaynti_id;", "  kaynti_id ;", 1)
    (home.source_landing("avohilmo")).mkdir(parents=True, exist_ok=True)
    (home.source_landing("avohilmo") / "avohilmo_905_2019-03.csv").write_text(text)
    ingest_source(home, AVOHILMO, "test-run", log=lambda _: None)
    (entry,) = LoadLog(home.load_log_dir).entries.values()
    assert entry.status == PENDING and entry.rows_accepted == 3


def test_unknown_extra_columns_are_ignored_and_listed(home):
    entry = load(home, VisitFile(ROWS, extra_columns={"kesto_h": "1,5", "huom": "x"}))
    assert entry.status == PENDING
    assert entry.unknown_columns == ["kesto_h", "huom"]
    assert any("kesto_h" in w for w in entry.warnings)


def test_decimal_comma_and_point_in_numbers(home):
    rows = [visit(1, age="45,0"), visit(2, age="46.0")]
    entry = load(home, VisitFile(rows))
    assert entry.rows_accepted == 2
    assert [r[3] for r in accepted_rows(entry)] == [45, 46]


def test_header_only_file_is_an_accepted_delivery_of_zero_rows_with_a_warning(home):
    entry = load(home, VisitFile([]))
    assert entry.status == PENDING and entry.data_lines == 0
    assert any("header only" in w for w in entry.warnings)


def test_zero_byte_file_is_quarantined(home):
    path = home.source_landing("avohilmo") / "avohilmo_905_2019-03.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")
    ingest_source(home, AVOHILMO, "test-run", log=lambda _: None)
    (entry,) = LoadLog(home.load_log_dir).entries.values()
    assert entry.status == QUARANTINED and entry.problem == "empty_file"


def test_binary_file_cannot_be_decoded_and_is_quarantined(home):
    path = home.source_landing("avohilmo") / "avohilmo_905_2019-03.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(VisitFile(ROWS).text().encode("utf-16"))
    ingest_source(home, AVOHILMO, "test-run", log=lambda _: None)
    (entry,) = LoadLog(home.load_log_dir).entries.values()
    assert entry.status == QUARANTINED and entry.problem == "cannot_decode"


@pytest.mark.parametrize("line_end", ["\r", "mixed"], ids=["cr-only", "lf-header-crlf-data"])
def test_other_line_endings_load_instead_of_crashing(home, line_end):
    text = VisitFile(ROWS).text()
    text = text.replace("\n", "\r") if line_end == "\r" else text.replace("\n", "\r\n").replace("\r\n", "\n", 1)
    path = home.source_landing("avohilmo") / "avohilmo_905_2019-03.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode())
    ingest_source(home, AVOHILMO, "test-run", log=lambda _: None)
    (entry,) = LoadLog(home.load_log_dir).entries.values()
    assert entry.status == PENDING and entry.rows_accepted == 3


def test_unreadable_input_is_quarantined_not_a_crash(home):
    path = home.source_landing("avohilmo") / "avohilmo_905_2019-03.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b'kaynti_id;asiakas_tunniste;ika;yksikko;palvelumuoto;ammatti;yhteystapa;kiireellisyys;kaynti_pvm\n'
                     b'1;"unterminated;45;x;T11;2211;R10;2;1.3.2019\n')
    ingest_source(home, AVOHILMO, "test-run", log=lambda _: None)
    (entry,) = LoadLog(home.load_log_dir).entries.values()
    assert entry.status == QUARANTINED


def test_header_only_file_with_a_trailing_empty_line_is_accepted(home):
    entry = load(home, VisitFile([], trailing_blank_line=True))
    assert entry.status == PENDING and entry.data_lines == 0


@pytest.mark.parametrize("pad", [" ", "\u00a0", "\u3000"], ids=["space", "no-break-space", "ideographic-space"])
def test_spaces_around_values_are_trimmed_and_a_blank_value_is_missing(home, pad):
    rows = [visit(1, unit=f"{pad}Vaasan terveysasema{pad}", home=f"{pad}905"), visit(2, home=pad * 2)]
    entry = load(home, VisitFile(rows))
    assert entry.status == PENDING and entry.rows_accepted == 2
    assert duckdb.sql(f"select yksikko, kotikunta from read_parquet('{entry.parquet_path}') order by kaynti_id"
                      ).fetchall() == [("Vaasan terveysasema", "905"), ("Vaasan terveysasema", None)]
