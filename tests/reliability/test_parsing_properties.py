"""Properties of sniffing and parsing (avohilmo.md, "File-level variants" and "Row-level rules"), by hypothesis.

- No input crashes ingest: whatever the bytes, the file ends in exactly one fate (loaded or quarantined).
- No accepted row is lost or changed: valid rows written in any accepted variant load exactly as generated.
Ingest is called directly (no Dagster), one fresh home per example. The examples are fixed (derandomize) so the
suite is repeatable; `TIEDOLLA_EXPLORE=20` runs twenty times as many random ones when hunting for new bugs.
"""
from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from datetime import date, timedelta
from pathlib import Path

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.header import read_header
from ingest.landing import ingest_source
from ingest.load_log import PENDING, QUARANTINED, LoadLog
from ingest.sotkanet import ingest_sotkanet
from ingest.sources import AVOHILMO, SOURCES
from quality_checks.registry import INGEST_CHECKS
from tests.deliveries import FINNISH, SWEDISH
from tests.reliability import corpus
from tiedolla.home import Home

EXPLORE = int(os.environ.get("TIEDOLLA_EXPLORE", "0"))
BASE = settings(deadline=None, database=None, derandomize=not EXPLORE,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def examples(n: int) -> settings:
    return settings(BASE, max_examples=n * max(EXPLORE, 1))

MONTH = "2023-03"
# Hypothesis runs many examples per test, so pytest's tmp_path (one per test) cannot serve them; every
# example's home goes under one folder that is removed when the test process ends.
EXAMPLE_HOMES = tempfile.TemporaryDirectory(prefix="tiedolla-prop-")


def ingest_one(source: str, name: str, data: bytes) -> tuple[Home, object]:
    """Land one file in a fresh home and ingest its source; the file's single load-log entry."""
    home = Home.at(Path(tempfile.mkdtemp(dir=EXAMPLE_HOMES.name)) / "home").ensure()
    folder = home.source_landing(source)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    spec = SOURCES[source]
    (ingest_sotkanet if source == "sotkanet" else ingest_source)(home, spec, "prop", log=lambda _: None)
    entries = list(LoadLog(home.load_log_dir).entries.values())
    assert len(entries) == 1, f"{len(entries)} fates for one file"
    return home, entries[0]


def assert_one_consistent_fate(home: Home, entry) -> None:
    assert entry.status in (PENDING, QUARANTINED)
    reports = list(home.quarantine.glob("*/*/*.report.json"))
    if entry.status == QUARANTINED:
        assert entry.problem in INGEST_CHECKS and len(reports) == 1
        assert json.loads(reports[0].read_text(encoding="utf-8"))["problem"] == entry.problem
        assert not list(home.source_raw(entry.source).glob("**/*.parquet"))
        return
    assert not reports
    assert entry.rows_accepted + entry.rows_rejected + entry.rows_duplicate == entry.data_lines
    (stored,) = duckdb.sql(f"select count(*) from read_parquet('{entry.parquet_path}')").fetchone()
    assert stored == entry.rows_accepted
    if entry.rows_rejected:
        (rejected,) = duckdb.sql(f"select count(*) from read_parquet('{entry.rejects_path}')").fetchone()
        assert rejected == entry.rows_rejected


# --- no input crashes ------------------------------------------------------------------------------------------

GOOD = {
    "avohilmo": ("avohilmo_905_2023-03.csv", lambda: corpus.visit_bytes(corpus.visits("905", MONTH, 12))),
    "population": ("vaesto_2023.csv", lambda: corpus.table(corpus.POPULATION_HEADER,
                                                            corpus.population_rows(["905", "499"]))),
    "contacts": ("contacts_2023-03.csv", lambda: corpus.table(corpus.CONTACTS_HEADER, corpus.contact_rows(MONTH, 12))),
    "rai": ("rai_905_2023-03.csv", lambda: corpus.table(corpus.RAI_HEADER, corpus.rai_rows(MONTH, 12))),
    "outcomes": ("outcomes_905_2023-03.csv", lambda: corpus.table(corpus.OUTCOMES_HEADER,
                                                                  corpus.outcome_rows(MONTH, 12))),
    "sotkanet": ("sotkanet_3176_2023-05-02.csv", lambda: corpus.table(corpus.SOTKANET_HEADER,
                                                                      corpus.sotkanet_rows("3176", 12))),
}
# Bytes that matter to a CSV reader, so that random edits hit quoting, delimiters and line breaks often.
TRICKY = [b";", b",", b"\t", b'"', b'""', b"\n", b"\r\n", b"\r", b"\x00", b"\xef\xbb\xbf", b"\xe4", b"\xc3\xa4",
          b"=", b" ", b"", b"NaN", b"45292", b"31.2.2023", b"2023-03-00", b"-1", b"99999999999999999999"]


@st.composite
def damaged(draw, good: bytes) -> bytes:
    """A good file with a few random edits: cut, insert, delete or replace bytes at random places."""
    data = bytearray(good)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.sampled_from(range(len(data) + 1)))   # uniform: integers() favours the header
        edit = draw(st.sampled_from(["cut", "insert", "delete", "replace"]))
        piece = draw(st.one_of(st.sampled_from(TRICKY), st.binary(max_size=6)))
        if edit == "cut":
            del data[at:]
        elif edit == "insert":
            data[at:at] = piece
        elif edit == "delete":
            del data[at:at + draw(st.integers(1, 40))]
        else:
            data[at:at + len(piece)] = piece
    return bytes(data)


@st.composite
def any_delivery(draw) -> tuple[str, str, bytes]:
    source = draw(st.sampled_from(sorted(GOOD)))
    name, build = GOOD[source]
    data = draw(st.one_of(damaged(build()), damaged(build()), damaged(build()), st.binary(max_size=300),
                          st.lists(st.sampled_from(TRICKY + [b"kaynti_id", b"ika", b"x"]), max_size=40).map(b"".join)))
    return source, name, data


@examples(100)
@given(any_delivery())
def test_no_input_crashes_and_every_file_ends_in_exactly_one_fate(delivery):
    source, name, data = delivery
    home, entry = ingest_one(source, name, data)
    assert_one_consistent_fate(home, entry)


JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
                               st.sampled_from(["indicator", "region", "year", "gender", "value", "absValue", "id",
                                                "code", "category", "title"]), inner, max_size=6), max_leaves=20)


@examples(30)
@given(st.sampled_from(["sotkanet_3176_2023-05-02.json", "sotkanet_regions.json", "sotkanet_indicators.json"]),
       JSON_VALUES)
def test_any_json_download_ends_in_exactly_one_fate(name, document):
    home, entry = ingest_one("sotkanet", name, json.dumps(document).encode())
    if name.endswith("2023-05-02.json"):
        assert_one_consistent_fate(home, entry)
    else:
        assert entry.status in ("accepted", QUARANTINED)


# --- no accepted row is lost or changed -----------------------------------------------------------------------

# Text an export may hold: Finnish and Swedish letters, the delimiters, quotes and line breaks (quoted).
INNER = st.text(alphabet="abcxyzäöåÄÖÅéü ,;\t\"'-.()/0123456789\n", max_size=12)
EDGE = st.text(alphabet="abcxyzäöåÄÖÅéü0123456789", min_size=1, max_size=3)


@st.composite
def text_value(draw) -> str:
    """Non-empty text without surrounding spaces (the reader trims them) that is not formula-like."""
    return draw(EDGE) + draw(INNER) + draw(EDGE)


@st.composite
def visit_rows(draw) -> list[dict]:
    first = date.fromisoformat(f"{MONTH}-01")
    ids = draw(st.lists(text_value(), min_size=0, max_size=12, unique=True))
    rows = []
    for visit_id in ids:
        day = first + timedelta(days=draw(st.integers(0, 30)))
        wait = draw(st.one_of(st.none(), st.integers(0, 730)))
        contacted = draw(st.one_of(st.none(), st.integers(0, 800)))
        rows.append({
            "kaynti_id": visit_id, "asiakas_tunniste": draw(text_value()),
            "kotikunta": draw(st.one_of(st.none(), st.from_regex(r"[0-9]{3}", fullmatch=True))),
            "ika": draw(st.integers(0, 120)), "yksikko": draw(text_value()),
            "palvelumuoto": draw(st.from_regex(r"T[0-9]{2}", fullmatch=True)),
            "ammatti": draw(st.from_regex(r"[0-9]{4}", fullmatch=True)),
            "yhteystapa": draw(st.from_regex(r"R[0-9]{2}", fullmatch=True)),
            "kiireellisyys": draw(st.sampled_from(["1", "2"])),
            "yhteydenotto_pvm": None if contacted is None else day - timedelta(days=contacted),
            "hoidon_tarve_pvm": None if wait is None else day - timedelta(days=wait),
            "kaynti_pvm": day,
        })
    return rows


DATE_STYLES = {"iso": lambda d: d.isoformat(), "dotted": lambda d: f"{d.day}.{d.month}.{d.year}",
               "padded": lambda d: f"{d.day:02d}.{d.month:02d}.{d.year}"}


@st.composite
def variant(draw) -> dict:
    return {
        "encoding": draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"])),
        "delimiter": draw(st.sampled_from([";", ",", "\t"])),
        "language": draw(st.sampled_from(["fi", "sv"])),
        "columns": draw(st.permutations(FINNISH)),
        "date_style": draw(st.sampled_from(sorted(DATE_STYLES))),
        "line_ending": draw(st.sampled_from(["\n", "\r\n"])),
        "quoting": draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])),
        "header_case": draw(st.sampled_from([str.lower, str.upper, lambda n: f" {n.title()} "])),
        "integer_style": draw(st.sampled_from(["{}", "{},0", "{}.0"])),
        "trailing_blank_line": draw(st.booleans()),
    }


def write(rows: list[dict], v: dict) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=v["delimiter"], lineterminator=v["line_ending"], quoting=v["quoting"])
    writer.writerow([v["header_case"](SWEDISH[c] if v["language"] == "sv" else c) for c in v["columns"]])
    for row in rows:
        values = []
        for column in v["columns"]:
            value = row[column]
            if value is None:
                values.append("")
            elif isinstance(value, date):
                values.append(DATE_STYLES[v["date_style"]](value))
            elif column == "ika":
                values.append(v["integer_style"].format(value))
            else:
                values.append(value)
        writer.writerow(values)
    if v["trailing_blank_line"]:
        buffer.write(v["line_ending"])
    return buffer.getvalue().encode(v["encoding"])


@examples(60)
@given(visit_rows(), variant())
def test_valid_rows_in_any_accepted_variant_load_unchanged(rows, v):
    home, entry = ingest_one("avohilmo", f"avohilmo_905_{MONTH}.csv", write(rows, v))
    assert entry.status == PENDING, entry.message
    assert (entry.rows_accepted, entry.rows_rejected, entry.rows_duplicate) == (len(rows), 0, 0)
    assert entry.delimiter == v["delimiter"] and entry.header_language == v["language"]
    stored = duckdb.sql(f"select {', '.join(FINNISH)} from read_parquet('{entry.parquet_path}') "
                        "order by _source_line").fetchall()
    assert stored == [tuple(row[c] for c in FINNISH) for row in rows]


@examples(25)
@given(st.lists(st.tuples(st.sampled_from(["PHQ9", "WHODAS12", "EUROHIS8"]), st.integers(0, 27), st.integers(0, 99)),
                min_size=1, max_size=10), st.sampled_from([".", ","]), st.sampled_from([";", "\t"]))
def test_decimal_values_load_unchanged_with_comma_or_point(values, point, delimiter):
    """registries.md: outcome values take a decimal comma or point; within range, each loads as written."""
    rows = []
    for i, (measure, whole, hundredths) in enumerate(values):
        low, high = {"PHQ9": (0, 27), "WHODAS12": (0, 100), "EUROHIS8": (1, 5)}[measure]
        value = min(max(whole, low), high - 1) + hundredths / 100
        rows.append([f"c{i}", measure, f"{MONTH}-{1 + i:02d}", f"{value:.2f}".replace(".", point)])
    home, entry = ingest_one("outcomes", f"outcomes_905_{MONTH}.csv",
                             corpus.table(corpus.OUTCOMES_HEADER, rows, delimiter=delimiter))
    assert entry.rows_accepted == len(rows) and entry.rows_rejected == 0
    stored = duckdb.sql(f"select arvo from read_parquet('{entry.parquet_path}') order by _source_line").fetchall()
    assert [round(v, 2) for (v,) in stored] == [float(r[3].replace(",", ".")) for r in rows]


# --- header sniffing ------------------------------------------------------------------------------------------

@examples(150)
@given(st.permutations(FINNISH), st.lists(st.sampled_from(["fi", "sv"]), min_size=12, max_size=12),
       st.sampled_from([";", ",", "\t"]), st.lists(st.from_regex(r"[a-z_]{1,10}", fullmatch=True), max_size=3))
def test_the_header_gives_the_delimiter_and_every_column_position(columns, languages, delimiter, extra):
    """Finnish or Swedish names per column, any order, unknown extras: the sniffer finds them all."""
    known = AVOHILMO.header_map()
    extra = [name for name in extra if name not in known]
    names = [SWEDISH[c] if lang == "sv" else c for c, lang in zip(columns, languages)] + extra
    header = read_header(delimiter.join(names), AVOHILMO)
    assert header.delimiter == delimiter
    assert header.positions == {c: i for i, c in enumerate(columns)}
    assert header.unknown_columns == extra
