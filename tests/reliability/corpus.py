"""The bad-input corpus (pipeline.md, "Bad input, faults and privacy"): malformed deliveries of every source,
each built from a few lines of code, with the fate the specs give it.

A fate is one of three: the whole file quarantined (with the problem code), rows rejected (which lines, which
column, which reason; the rest loads), or loaded (possibly with a warning). Every identifying value written here
(client, visit and contact ids) contains PRIVATE, so a report or log that quotes one is easy to catch.
"""
from __future__ import annotations

import csv
import io
import random
import zipfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Callable

from tests.deliveries import FINNISH, VisitFile, visit

MARK = "PRIVATE"          # in every identifying value of the corpus
TEN_MB = 10 * 1024 * 1024


@dataclass(frozen=True)
class Fate:
    kind: str                                     # quarantined | rows_rejected | loaded
    problem: str | None = None                    # the quarantine's problem code
    lines: tuple[int, ...] = ()                   # quarantined: the first offending lines the report names
    rejected: tuple[tuple[int, str, str], ...] = ()   # rows_rejected: (line, column, reason)
    accepted: int | None = None                   # rows loaded
    duplicates: int = 0                           # superseded duplicate lines (not rejections)
    warning: str | None = None                    # a load-report warning (substring) or a failed warning check


def quarantined(problem: str, *lines: int) -> Fate:
    return Fate("quarantined", problem=problem, lines=lines)


def rows_rejected(accepted: int, *rejected: tuple[int, str, str], warning: str | None = None) -> Fate:
    return Fate("rows_rejected", rejected=rejected, accepted=accepted, warning=warning)


def loaded(accepted: int, warning: str | None = None, duplicates: int = 0) -> Fate:
    return Fate("loaded", accepted=accepted, warning=warning, duplicates=duplicates)


@dataclass(frozen=True)
class Case:
    name: str
    source: str
    file_name: str
    build: Callable[[], bytes] = field(repr=False)
    fate: Fate
    rule: str                                     # the spec's words this case proves


# --- builders ---------------------------------------------------------------------------------------------------

def month_days(month: str, n: int) -> list[date]:
    first = date.fromisoformat(f"{month}-01")
    return [first + timedelta(days=i % 28) for i in range(n)]


def visits(municipality: str, month: str, n: int = 40) -> list[dict]:
    """n valid non-urgent doctor visits of a month, each with its own client, waiting 0–9 days."""
    rows = []
    for i, day in enumerate(month_days(month, n)):
        assessed = day - timedelta(days=i % 10)
        rows.append(visit(f"vis-{municipality}-{i:03d}-{MARK}", f"cli-{municipality}-{i:03d}-{MARK}",
                          day.isoformat(), assessed.isoformat(), home=municipality))
    return rows


def visit_bytes(rows: list[dict], **options) -> bytes:
    file = VisitFile(rows, **options)
    return file.text().encode(file.encoding)


def table(header: list[str], rows: list[list], delimiter: str = ";", encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    return buffer.getvalue().encode(encoding)


def lines_of(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def with_line(data: bytes, line: int, content: bytes) -> bytes:
    """Replace physical line `line` (1 = header) of a `\\n` file."""
    parts = lines_of(data)
    parts[line - 1] = content
    return b"\n".join(parts)


def avohilmo(municipality: str, month: str, n: int = 40, edit: Callable[[list[dict]], None] | None = None,
             **options) -> Callable[[], bytes]:
    """A visit file of n rows; `edit` changes rows in place (row i is on line i + 2)."""
    def build() -> bytes:
        rows = visits(municipality, month, n)
        if edit:
            edit(rows)
        return visit_bytes(rows, **options)
    return build


def setting(**changes_by_line: dict) -> Callable[[list[dict]], None]:
    """Rows edited by line number: setting(line_7={"ika": 130})."""
    def edit(rows: list[dict]) -> None:
        for key, changes in changes_by_line.items():
            rows[int(key.removeprefix("line_")) - 2].update(changes)
    return edit


POPULATION_HEADER = ["kunta", "ikaryhma", "sukupuoli", "vaesto"]
ALL_MUNICIPALITIES = ["152", "231", "280", "287", "288", "399", "440", "475", "499", "545", "598", "599", "893",
                      "905", "946"]
AGE_GROUPS = ["0-6", "7-17", "18-64", "65-74", "75+"]


def population_rows(municipalities=ALL_MUNICIPALITIES) -> list[list]:
    return [[m, g, s, 100 + 7 * i] for i, (m, g, s) in enumerate(
        (m, g, s) for m in municipalities for g in AGE_GROUPS for s in ("1", "2"))]


CONTACTS_HEADER = ["yhteys_id", "kanava", "alkoi", "jonotus_s", "vastattu", "kotikunta"]


def contact_rows(month: str, n: int = 40) -> list[list]:
    channels = ["puhelin", "takaisinsoitto", "chat", "omaolo", "sahkoinen_asiointi"]
    return [[f"con-{month}-{i:03d}-{MARK}", channels[i % 5], f"{d.day}.{d.month}.{d.year} {8 + i % 9}:{i % 60:02d}",
             30 * i, "1" if i % 4 else "0", ALL_MUNICIPALITIES[i % 15]]
            for i, d in enumerate(month_days(month, n))]


RAI_HEADER = ["asiakas_tunniste", "arviointi_pvm", "instrumentti", "maple", "cps", "adlh", "iadl", "drs", "chess"]
RAI_SV = ["klient_id", "bedomning_datum", "instrument", "maple", "cps", "adlh", "iadl", "drs", "chess"]


def rai_rows(month: str, n: int = 40) -> list[list]:
    return [[f"cli-rai-{i:03d}-{MARK}", d.isoformat(), "HC", 1 + i % 5, i % 7, i % 7, "", "", i % 6]
            for i, d in enumerate(month_days(month, n))]


INTERVENTIONS_HEADER = ["asiakas_tunniste", "interventio", "yksikko", "aloitus_pvm", "lopetus_pvm", "tila"]


def intervention_rows(month: str, n: int = 60) -> list[list]:
    return [[f"cli-int-{i:03d}-{MARK}", "KOTIKUNTOUTUS", "Vaasan kotikuntoutus", f"{d.day}.{d.month}.{d.year}", "",
             "kesken"] for i, d in enumerate(month_days(month, n))]


OUTCOMES_HEADER = ["asiakas_tunniste", "mittari", "mittaus_pvm", "arvo"]


def outcome_rows(month: str, n: int = 60) -> list[list]:
    return [[f"cli-out-{i:03d}-{MARK}", "PHQ9", d.isoformat(), str(i % 28)] for i, d in enumerate(month_days(month, n))]


SOTKANET_HEADER = ["indicator", "region", "year", "gender", "primary value", "absolute value"]


def sotkanet_rows(indicator: str, n: int = 40) -> list[list]:
    regions = ["658", "971", "891", "100", "101"]
    return [[indicator, regions[i % 5], 2015 + i // 5, "total", f"{10 + i * 0.5:.1f}", str(100 + i)]
            for i in range(n)]


def edited(rows: list[list], **changes: tuple[int, object]) -> list[list]:
    """Rows edited by line number: edited(rows, line_5=(3, "-30")) sets field 3 of the row on line 5."""
    rows = [list(r) for r in rows]
    for key, (index, value) in changes.items():
        rows[int(key.removeprefix("line_")) - 2][index] = value
    return rows


# --- byte-level damage ------------------------------------------------------------------------------------------

def truncated_mid_line() -> bytes:
    data = visit_bytes(visits("152", "2023-01"))
    return data[:data.rindex(b";T11;") + 5]       # the last line stops after its service type


def truncated_in_quotes() -> bytes:
    rows = visits("152", "2023-02")
    rows[-1]["yksikko"] = "Mustasaaren terveysasema; keskus"   # quoted: it holds the delimiter
    data = visit_bytes(rows)
    return data[:data.rindex(b'"Mustasaaren') + 12]


def binary_garbage() -> bytes:
    return random.Random(6).randbytes(4096)


def xlsx_renamed() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/worksheets/sheet1.xml", "<worksheet>" + "<row/>" * 50 + "</worksheet>")
    return buffer.getvalue()


def high_bytes_without_breaks() -> bytes:
    return bytes(random.Random(7).randrange(0x80, 0x100) for _ in range(2000))


def utf16() -> bytes:
    return VisitFile(visits("152", "2023-05")).text().encode("utf-16")


def mixed_delimiters() -> bytes:
    data = visit_bytes(visits("152", "2023-06"))
    for line in (20, 21, 22):
        data = with_line(data, line, lines_of(data)[line - 1].replace(b";", b","))
    return data


def repeated_header_line() -> bytes:
    data = visit_bytes(visits("152", "2023-07"))
    parts = lines_of(data)
    return b"\n".join(parts[:21] + [parts[0]] + parts[21:])     # two exports glued: the header again on line 22


def duplicate_column() -> bytes:
    text = VisitFile(visits("152", "2023-08")).text()
    lines = text.split("\n")
    lines[0] += ";ika"
    lines[1:-1] = [line + ";7" for line in lines[1:-1]]
    return "\n".join(lines).encode()


def ten_mb_single_line() -> bytes:
    return b"kaynti_id;asiakas_tunniste;" + b"x" * TEN_MB


def ten_mb_data_line() -> bytes:
    data = visit_bytes(visits("231", "2023-01"))
    return with_line(data, 3, lines_of(data)[2].replace(b"Vaasan terveysasema", b"y" * TEN_MB))


def no_header_line() -> bytes:
    return b"\n".join(lines_of(visit_bytes(visits("231", "2023-03")))[1:])


def unterminated_quote() -> bytes:
    data = visit_bytes(visits("231", "2023-04"))
    return with_line(data, 10, lines_of(data)[9].replace(b"Vaasan terveysasema", b'"Vaasan terveysasema'))


def stray_quote() -> bytes:
    data = visit_bytes(visits("231", "2023-05"))
    return with_line(data, 10, lines_of(data)[9].replace(b"Vaasan terveysasema", b'Vaasan "keskus"'))


def quoted_line_break_then_bad_row() -> bytes:
    rows = visits("231", "2023-06")
    rows[1]["yksikko"] = "Vaasan terveysasema\nkeskus"          # row 2 spans lines 3 and 4
    rows[9]["ika"] = 130                                        # row 10: line 12 of the file
    return visit_bytes(rows)


def mixed_encoding() -> bytes:
    rows = visits("231", "2023-07")
    rows[0]["yksikko"] = "Vasa hälsostation"
    data = visit_bytes(rows)
    return data.replace("Vaasan terveysasema".encode(), "Vöyrin terveysasema".encode("cp1252"), 1)


def nul_inside() -> bytes:
    data = visit_bytes(visits("231", "2023-08"))
    return with_line(data, 8, lines_of(data)[7].replace(b"Vaasan", b"Vaa\x00san"))


def trailing_delimiter_on_data_lines() -> bytes:
    data = visit_bytes(visits("231", "2023-09"))
    parts = lines_of(data)
    return b"\n".join([parts[0]] + [p + b";" if p else p for p in parts[1:]])


def whitespace_only() -> bytes:
    return b"\n  \n\n"


def truncated_json() -> bytes:
    return b'[{"indicator": 3176, "region": 971, "year": 2019, "gender": "total", "value": 6.4}, {"indic'


def json_object_not_list() -> bytes:
    return b'{"indicator": 3176, "region": 971, "year": 2019, "gender": "total", "value": 6.4}'


def deeply_nested_json() -> bytes:
    return b"[" * 200_000 + b"]" * 200_000


FORMULA = '=HYPERLINK("http://x","y")'


# --- the corpus -------------------------------------------------------------------------------------------------

AVOHILMO_CASES = [
    Case("truncated_mid_line", "avohilmo", "avohilmo_152_2023-01.csv", truncated_mid_line,
         quarantined("field_count_mismatch", 41), "any line has a different number of fields than the header"),
    Case("truncated_inside_quotes", "avohilmo", "avohilmo_152_2023-02.csv", truncated_in_quotes,
         quarantined("field_count_mismatch", 41), "a quoted field that never closes: the file cannot be read"),
    Case("binary_garbage", "avohilmo", "avohilmo_152_2023-03.csv", binary_garbage,
         quarantined("cannot_decode"), "the file cannot be decoded"),
    Case("xlsx_saved_as_csv", "avohilmo", "avohilmo_152_2023-04.csv", xlsx_renamed,
         quarantined("cannot_decode"), "the file cannot be decoded"),
    Case("high_bytes_no_line_break", "avohilmo", "avohilmo_152_2023-09.csv", high_bytes_without_breaks,
         quarantined("missing_required_column", 1), "a required column is missing"),
    Case("utf16", "avohilmo", "avohilmo_152_2023-05.csv", utf16,
         quarantined("cannot_decode"), "encodings: UTF-8, UTF-8 with BOM, Windows-1252; nothing else"),
    Case("mixed_delimiters", "avohilmo", "avohilmo_152_2023-06.csv", mixed_delimiters,
         quarantined("field_count_mismatch", 20, 21, 22), "one delimiter per file; other lines break the count"),
    Case("repeated_header_line", "avohilmo", "avohilmo_152_2023-07.csv", repeated_header_line,
         rows_rejected(40, (22, "kaynti_id", "repeated_header")),
         "the header is the first line; a later copy of it is no visit"),
    Case("duplicate_column_name", "avohilmo", "avohilmo_152_2023-08.csv", duplicate_column,
         quarantined("duplicate_column", 1), "a column named twice: which one holds the values is unknown"),
    Case("header_only", "avohilmo", "avohilmo_152_2023-10.csv", avohilmo("152", "2023-10", n=0),
         loaded(0, warning="header only"), "header only: a valid delivery of zero rows, flagged as a warning"),
    Case("unknown_municipality_in_name", "avohilmo", "avohilmo_999_2023-01.csv", avohilmo("905", "2023-01"),
         quarantined("bad_file_name"), "<kunta> must be one of municipalities.csv"),
    Case("period_in_name_not_the_rows", "avohilmo", "avohilmo_231_2023-02.csv", avohilmo("231", "2023-01"),
         quarantined("too_many_rejected_rows", *range(2, 12)), "visit date outside the file's month, > 5 %"),
    Case("one_visit_from_next_month", "avohilmo", "avohilmo_280_2023-02.csv",
         avohilmo("280", "2023-02", edit=setting(line_7={"kaynti_pvm": "2023-03-01"})),
         rows_rejected(39, (7, "kaynti_pvm", "event_outside_file_month")), "visit date outside the file's month"),
    Case("ten_mb_single_line", "avohilmo", "avohilmo_280_2023-03.csv", ten_mb_single_line,
         quarantined("line_too_long", 1), "a line longer than any real record: not a CSV of this source"),
    Case("ten_mb_data_line", "avohilmo", "avohilmo_231_2023-01.csv", ten_mb_data_line,
         quarantined("line_too_long", 3), "a line longer than any real record: not a CSV of this source"),
    Case("formula_strings", "avohilmo", "avohilmo_280_2023-04.csv",
         avohilmo("280", "2023-04", edit=setting(line_5={"yksikko": FORMULA},
                                                 line_6={"asiakas_tunniste": f'=HYPERLINK("http://x","{MARK}")'})),
         loaded(40, warning="formula-like text on 2 line(s)"),
         "a visit is real whatever its unit is called: loaded, flagged, and never run by a spreadsheet"),
    Case("future_month_in_name", "avohilmo", "avohilmo_280_2099-01.csv", avohilmo("280", "2099-01"),
         quarantined("period_in_future"), "a delivery for a month that has not happened yet"),
    Case("waits_out_of_range", "avohilmo", "avohilmo_280_2023-05.csv",
         avohilmo("280", "2023-05", n=60, edit=setting(
             line_4={"hoidon_tarve_pvm": "2023-05-05"},          # assessed the day after the visit: negative wait
             line_9={"hoidon_tarve_pvm": "2099-01-01"},          # assessed in the future
             line_14={"hoidon_tarve_pvm": "2021-05-01"})),       # 740 days before the visit
         rows_rejected(57, (4, "hoidon_tarve_pvm", "wait_out_of_range"), (9, "hoidon_tarve_pvm", "wait_out_of_range"),
                       (14, "hoidon_tarve_pvm", "wait_out_of_range")),
         "assessment after the visit, or more than 730 days before it: wait_out_of_range"),
    Case("values_out_of_range", "avohilmo", "avohilmo_280_2023-06.csv",
         avohilmo("280", "2023-06", n=60, edit=setting(line_3={"ika": 130}, line_8={"ika": -1},
                                                       line_20={"ika": "45,5"})),
         rows_rejected(57, (3, "ika", "out_of_range"), (8, "ika", "out_of_range"), (20, "ika", "not_an_integer")),
         "ika is an integer 0-120"),
    Case("excel_mangled", "avohilmo", "avohilmo_280_2023-07.csv",
         avohilmo("280", "2023-07", n=60, edit=setting(line_8={"kaynti_pvm": "45292"},
                                                       line_12={"hoidon_tarve_pvm": "2023-07-01 00:00:00"},
                                                       line_30={"kotikunta": "91"})),
         rows_rejected(57, (8, "kaynti_pvm", "unparseable_date"), (12, "hoidon_tarve_pvm", "unparseable_date"),
                       (30, "kotikunta", "invalid_code")),
         "dates d.m.yyyy, dd.mm.yyyy or yyyy-mm-dd; a municipality code has 3 digits"),
    Case("mixed_date_formats", "avohilmo", "avohilmo_280_2023-08.csv",
         avohilmo("280", "2023-08", edit=setting(line_10={"kaynti_pvm": "9.8.2023"}), date_style="iso"),
         rows_rejected(39, (10, "kaynti_pvm", "unparseable_date")), "one date format per column within a file"),
    Case("codes_not_in_lists", "avohilmo", "avohilmo_287_2023-01.csv",
         avohilmo("287", "2023-01", n=60, edit=setting(line_5={"kiireellisyys": "3"}, line_6={"palvelumuoto": "X11"},
                                                       line_7={"ammatti": "22"})),
         rows_rejected(57, (5, "kiireellisyys", "unknown_code"), (6, "palvelumuoto", "invalid_code"),
                       (7, "ammatti", "invalid_code")), "a code not in the lists above rejects the row"),
    Case("required_values_missing_at_five_percent", "avohilmo", "avohilmo_287_2023-02.csv",
         avohilmo("287", "2023-02", edit=setting(line_3={"ika": None}, line_5={"kaynti_pvm": None})),
         rows_rejected(38, (3, "ika", "missing_required"), (5, "kaynti_pvm", "missing_required")),
         "a required field missing rejects the row; exactly 5 % still loads"),
    Case("too_many_rejected_rows", "avohilmo", "avohilmo_287_2023-03.csv",
         avohilmo("287", "2023-03", edit=setting(line_3={"ika": None}, line_5={"ika": None}, line_7={"ika": None})),
         quarantined("too_many_rejected_rows", 3, 5, 7), "more than 5 % of the data lines rejected"),
    Case("missing_required_column", "avohilmo", "avohilmo_287_2023-04.csv",
         avohilmo("287", "2023-04", columns=[c for c in FINNISH if c != "kaynti_pvm"]),
         quarantined("missing_required_column", 1), "a required column is missing"),
    Case("no_header_line", "avohilmo", "avohilmo_231_2023-03.csv", no_header_line,
         quarantined("missing_required_column", 1), "the header is the first line"),
    Case("empty_file", "avohilmo", "avohilmo_287_2023-05.csv", lambda: b"",
         quarantined("empty_file"), "a 0-byte file is quarantined"),
    Case("whitespace_only", "avohilmo", "avohilmo_287_2023-06.csv", whitespace_only,
         quarantined("missing_required_column", 1), "no header line at all"),
    Case("month_13_in_name", "avohilmo", "avohilmo_905_2023-13.csv", avohilmo("905", "2023-12"),
         quarantined("bad_file_name"), "a name that does not follow the pattern"),
    Case("spreadsheet_extension", "avohilmo", "avohilmo_905_2023-03.xlsx", xlsx_renamed,
         quarantined("bad_file_name"), "a name that does not follow the pattern"),
    Case("version_zero", "avohilmo", "avohilmo_905_2023-04_v0.csv", avohilmo("905", "2023-04"),
         quarantined("bad_file_name"), "versions start at _v2 (no suffix = 1)"),
    Case("unterminated_quote", "avohilmo", "avohilmo_231_2023-04.csv", unterminated_quote,
         quarantined("field_count_mismatch", 10), "quoted fields must close on the line's record"),
    Case("quote_inside_unquoted_field", "avohilmo", "avohilmo_231_2023-05.csv", stray_quote,
         loaded(40), "a quote inside an unquoted field is text (the field count holds): kept as written"),
    Case("quoted_line_break_then_bad_row", "avohilmo", "avohilmo_231_2023-06.csv", quoted_line_break_then_bad_row,
         rows_rejected(39, (12, "ika", "out_of_range")), "line numbers are physical lines"),
    Case("mixed_encoding", "avohilmo", "avohilmo_231_2023-07.csv", mixed_encoding,
         quarantined("cannot_decode"), "UTF-8 and Windows-1252 in one file: some text would be wrong either way"),
    Case("nul_byte_inside", "avohilmo", "avohilmo_231_2023-08.csv", nul_inside,
         quarantined("cannot_decode"), "the file cannot be decoded"),
    Case("trailing_delimiter_on_data_lines", "avohilmo", "avohilmo_231_2023-09.csv", trailing_delimiter_on_data_lines,
         quarantined("field_count_mismatch", *range(2, 12)), "any line has a different number of fields"),
    Case("duplicate_visit_ids", "avohilmo", "avohilmo_399_2023-01.csv",
         avohilmo("399", "2023-01", edit=setting(line_12={"kaynti_id": f"vis-399-000-{MARK}"},
                                                 line_13={"kaynti_id": f"vis-399-001-{MARK}"})),
         loaded(38, duplicates=2), "duplicate kaynti_id: the later line wins, counted, not rejected"),
    Case("swedish_header_with_unknown_columns", "avohilmo", "avohilmo_399_2023-02.csv",
         avohilmo("399", "2023-02", language="sv", encoding="cp1252", extra_columns={"anteckning": "=1+1"}),
         loaded(40, warning="unknown columns ignored: anteckning"),
         "unknown extra columns are ignored and listed in the load report"),
    Case("most_nonurgent_without_assessment", "avohilmo", "avohilmo_399_2023-03.csv",
         avohilmo("399", "2023-03", edit=lambda rows: [r.update(hoidon_tarve_pvm=None) for r in rows[:30]]),
         loaded(40, warning="nonurgent_assessed"), "more than half of the non-urgent visits without an assessment"),
]

POPULATION_CASES = [
    Case("population_bad_rows", "population", "vaesto_2021.csv",
         lambda: table(POPULATION_HEADER, edited(population_rows(), line_5=(0, "091"), line_40=(3, "-5"),
                                                 line_77=(0, "5"))),
         rows_rejected(147, (5, "kunta", "unknown_code"), (40, "vaesto", "out_of_range"),
                       (77, "kunta", "invalid_code")),
         "kunta one of municipalities.csv; residents an integer >= 0"),
    Case("population_future_year", "population", "vaesto_2099.csv", lambda: table(POPULATION_HEADER, population_rows()),
         quarantined("period_in_future"), "a delivery for a year that has not happened yet"),
    Case("population_monthly_name", "population", "vaesto_2022-01.csv",
         lambda: table(POPULATION_HEADER, population_rows()), quarantined("bad_file_name"), "vaesto_<YYYY>[_vN].csv"),
    Case("population_partial_with_duplicate_key", "population", "vaesto_2020.csv",
         lambda: table(["kommun", "åldersgrupp", "kön", "befolkning"],
                       population_rows(["905", "499"]) + [["905", "0-6", "1", "999"]], delimiter="\t"),
         loaded(20, warning="population_all_municipalities", duplicates=1),
         "a duplicated key: the later line wins; a missing municipality is a warning"),
]

CONTACTS_CASES = [
    Case("contacts_negative_queue_and_unknown_channel", "contacts", "contacts_2023-02.csv",
         lambda: table(CONTACTS_HEADER, edited(contact_rows("2023-02"), line_5=(3, "-30"), line_9=(1, "fax"))),
         rows_rejected(38, (5, "jonotus_s", "out_of_range"), (9, "kanava", "unknown_code")),
         "seconds queued an integer >= 0; the five channels"),
    Case("contacts_excel_and_future_timestamps", "contacts", "contacts_2023-03.csv",
         lambda: table(CONTACTS_HEADER, edited(contact_rows("2023-03"), line_4=(2, "45352,5"),
                                               line_6=(2, "1.3.2099 10:00"))),
         rows_rejected(38, (4, "alkoi", "unparseable_date"), (6, "alkoi", "event_outside_file_month")),
         "timestamps d.m.yyyy hh:mm[:ss] or ISO, in the file's month"),
    Case("contacts_formula_in_id", "contacts", "contacts_2023-04.csv",
         lambda: table(CONTACTS_HEADER, edited(contact_rows("2023-04"), line_3=(0, f"+cmd|' /C calc'!{MARK}"))),
         loaded(40, warning="formula-like text on 1 line(s)"), "a contact is real: loaded and flagged"),
    Case("contacts_municipality_in_name", "contacts", "contacts_905_2023-05.csv",
         lambda: table(CONTACTS_HEADER, contact_rows("2023-05")), quarantined("bad_file_name"),
         "contacts_<YYYY-MM>[_vN].csv (whole region)"),
]

REGISTRY_CASES = [
    Case("rai_scales", "rai", "rai_905_2023-03.csv",
         lambda: table(RAI_HEADER, edited(rai_rows("2023-03"), line_4=(3, "7"), line_9=(4, "2,5"))),
         rows_rejected(38, (4, "maple", "out_of_range"), (9, "cps", "not_an_integer")),
         "MAPLe 1-5, CPS 0-6 (integers)"),
    Case("rai_header_only_swedish", "rai", "rai_499_2023-03.csv", lambda: table(RAI_SV, [], delimiter=","),
         loaded(0, warning="header only"), "header only: accepted, flagged as a warning"),
    Case("rai_missing_required_column", "rai", "rai_905_2023-04.csv",
         lambda: table(RAI_HEADER[:3] + RAI_HEADER[4:], [r[:3] + r[4:] for r in rai_rows("2023-04")]),
         quarantined("missing_required_column", 1), "a required column is missing"),
    Case("interventions_bad_rows", "interventions", "interventions_905_2023-03.csv",
         lambda: table(INTERVENTIONS_HEADER, edited(intervention_rows("2023-03"), line_4=(4, "1.2.2023"),
                                                    line_5=(1, "JOOGA"), line_6=(5, "done"))),
         rows_rejected(57, (4, "lopetus_pvm", "end_before_start"), (5, "interventio", "unknown_code"),
                       (6, "tila", "unknown_code")), "the listed codes and statuses; an end before the start"),
    Case("interventions_wrong_month", "interventions", "interventions_905_2023-04.csv",
         lambda: table(INTERVENTIONS_HEADER, intervention_rows("2023-03")),
         quarantined("too_many_rejected_rows", *range(2, 12)), "the start date falls in the file's month"),
    Case("outcomes_not_numbers", "outcomes", "outcomes_905_2023-03.csv",
         lambda: table(OUTCOMES_HEADER, edited(outcome_rows("2023-03"), line_3=(3, "31"), line_4=(3, "NaN"),
                                               line_5=(3, "1.234,5"))),
         rows_rejected(57, (3, "arvo", "out_of_range"), (4, "arvo", "unparseable_number"),
                       (5, "arvo", "unparseable_number")), "a value outside its range is an error, not a number"),
    Case("outcomes_infinite_value", "outcomes", "outcomes_499_2023-03.csv",
         lambda: table(OUTCOMES_HEADER, edited(outcome_rows("2023-03"), line_6=(3, "inf"))),
         rows_rejected(59, (6, "arvo", "unparseable_number")), "a value is a finite number"),
]

SOTKANET_CASES = [
    Case("sotkanet_truncated_json", "sotkanet", "sotkanet_3176_2023-05-02.json", truncated_json,
         quarantined("cannot_parse_json"), "the REST API's JSON: a list of objects"),
    Case("sotkanet_json_object", "sotkanet", "sotkanet_2676_2023-05-02.json", json_object_not_list,
         quarantined("cannot_parse_json"), "the REST API's JSON: a list of objects"),
    Case("sotkanet_regions_deeply_nested", "sotkanet", "sotkanet_regions.json", deeply_nested_json,
         quarantined("cannot_parse_json"), "Sotkanet's region list: a list of objects"),
    Case("sotkanet_impossible_download_date", "sotkanet", "sotkanet_3176_2023-02-30.csv",
         lambda: table(SOTKANET_HEADER, sotkanet_rows("3176")), quarantined("bad_file_name"),
         "sotkanet_<indicator id>_<YYYY-MM-DD>: a date"),
    Case("sotkanet_negative_value", "sotkanet", "sotkanet_3176_2023-05-03.csv",
         lambda: table(SOTKANET_HEADER, edited(sotkanet_rows("3176"), line_4=(4, "-6.4"))),
         quarantined("blocking_check_failed", 4), "blocking check sotkanet_value_nonnegative"),
    Case("sotkanet_over_100_and_unknown_gender", "sotkanet", "sotkanet_2676_2023-05-03.csv",
         lambda: table(SOTKANET_HEADER, edited(sotkanet_rows("2676"), line_4=(4, "150.0"), line_7=(3, "all"))),
         rows_rejected(39, (7, "gender", "unknown_code"), warning="sotkanet_percent_range"),
         "gender total/male/female; a percentage over 100 is a warning"),
]

CASES: list[Case] = AVOHILMO_CASES + POPULATION_CASES + CONTACTS_CASES + REGISTRY_CASES + SOTKANET_CASES

# Good deliveries landed beside the corpus: their rows must come through untouched.
GOOD_VISITS = ("avohilmo", "avohilmo_905_2023-01.csv", lambda: visits("905", "2023-01"))
GOOD_FILES = [
    ("avohilmo", "avohilmo_905_2023-01.csv", lambda: visit_bytes(GOOD_VISITS[2]())),
    ("population", "vaesto_2023.csv", lambda: table(POPULATION_HEADER, population_rows())),
    ("contacts", "contacts_2023-01.csv", lambda: table(CONTACTS_HEADER, contact_rows("2023-01"))),
]
