"""One visit extract as bytes: numeric rows → text columns in the file's language, format and faults."""
from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from tiedolla.sample import faults
from tiedolla.sample import summary as k
from tiedolla.sample.variants import FileFormat
from tiedolla.sample.visits import CONTACTS

# (Finnish, Swedish) column names (avohilmo.md).
COLUMNS = {"kaynti_id": "besok_id", "asiakas_tunniste": "klient_id", "kotikunta": "hemkommun", "ika": "alder",
           "yksikko": "enhet", "palvelumuoto": "serviceform", "ammatti": "yrke", "yhteystapa": "kontaktsatt",
           "kiireellisyys": "bradskande", "yhteydenotto_pvm": "kontakt_datum",
           "hoidon_tarve_pvm": "vardbehov_datum", "kaynti_pvm": "besok_datum"}
EXTRA_COLUMN = ("kesto_h", "varaktighet_h")      # duration in hours: not in the spec, ignored by the pipeline
REORDERED = ("kaynti_pvm", "kaynti_id", "asiakas_tunniste", "ika", "kotikunta", "palvelumuoto",
             "kiireellisyys", "ammatti", "yhteystapa", "yksikko", "hoidon_tarve_pvm", "yhteydenotto_pvm")


def write_file(con: duckdb.DuckDBPyConnection, path: Path, rows: faults.Rows, fmt: FileFormat,
               kinds: list[str], code: str, dictionaries: dict[str, pa.Array], ids: faults.ExtraIds,
               rng: np.random.Generator) -> int:
    """Write municipality `code`'s rows of one month with the faults `kinds` lists; returns the data lines."""
    if k.ZERO_BYTES in kinds:
        path.write_bytes(b"")
        return 0
    if k.HEADER_ONLY in kinds:
        rows = faults.take(rows, np.zeros(0, dtype=int))
    if k.FIRST_VERSION in kinds:
        units = np.unique(rows["unit"]) if len(rows["unit"]) else np.zeros(1, dtype=np.int16)
        rows = faults.as_first_version(rows, code, ids, rng, units)
    if k.DUPLICATE_IDS in kinds:
        rows = faults.with_duplicate_ids(rows, rng, valid_contacts=CONTACTS.index("R71"))
    if k.REJECTED_ROWS in kinds:
        rows = faults.with_rejected_rows(rows, code, ids, rng)
    if k.BAD_DATES in kinds:
        rows = faults.with_bad_dates(rows, rng)
    con.register("rows", _arrow(rows, dictionaries))
    columns = REORDERED if fmt.reordered else tuple(COLUMNS)
    if k.MISSING_COLUMN in kinds:
        columns = tuple(c for c in columns if c != "kiireellisyys")
    sql = select_sql(fmt, columns)
    delimiter = fmt.delimiter.replace("'", "''")
    con.execute(f"copy ({sql}) to '{_sql_path(path)}' (format csv, header true, delimiter '{delimiter}', "
                "quote '\"')")
    con.unregister("rows")
    written = path.read_bytes()
    data = written
    if k.FIELD_COUNT in kinds:
        data = faults.with_extra_field(data, fmt.delimiter, rng)
    data = fmt.finish(data)
    if data != written:
        path.write_bytes(data)
    return len(rows["kaynti_id"])


def select_sql(fmt: FileFormat, columns: tuple[str, ...]) -> str:
    """The SELECT that turns numeric rows into the file's text columns, named in the file's language."""
    def date(column: str) -> str:
        return f"strftime({column}, '{fmt.date_format}')"
    day_32 = fmt.date_format.replace("%-d", "32").replace("%d", "32")
    expressions = {
        "kaynti_id": "cast(kaynti_id as varchar)", "ika": "cast(ika as varchar)",
        "yhteydenotto_pvm": date("yhteydenotto_pvm"), "hoidon_tarve_pvm": date("hoidon_tarve_pvm"),
        "kaynti_pvm": f"case bad_date when {faults.BAD_DAY} then strftime(kaynti_pvm, '{day_32}') "
                      f"when {faults.US_DATE} then strftime(kaynti_pvm, '%-m/%-d/%Y') "
                      f"else {date('kaynti_pvm')} end",
    }
    names = [(column, COLUMNS[column] if fmt.swedish else column) for column in columns]
    if fmt.extra_column:
        names.insert(len(names) // 2, ("kesto", EXTRA_COLUMN[fmt.swedish]))
        expressions["kesto"] = "replace(cast(duration_q / 4 as varchar), '.', ',')"
    return "select " + ", ".join(f'{expressions.get(column, column)} as "{name}"' for column, name in names) \
        + " from rows"


def _arrow(rows: faults.Rows, dictionaries: dict[str, pa.Array]) -> pa.Table:
    def text(dictionary: str, index: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
        return dictionaries[dictionary].take(pa.array(index, mask=missing))

    def day(values: np.ndarray) -> pa.Array:
        return pa.array(values, type=pa.date32(), mask=np.isnat(values))

    return pa.table({
        "kaynti_id": pa.array(rows["kaynti_id"]),
        "asiakas_tunniste": text("client", rows["client"]),
        "kotikunta": text("home", np.maximum(rows["home"], 0), rows["home"] < 0),
        "ika": pa.array(rows["ika"]),
        "yksikko": text("unit", rows["unit"]),
        "palvelumuoto": text("service", rows["service"]),
        "ammatti": text("occupation", rows["occupation"]),
        "yhteystapa": text("contact", rows["contact"]),
        "kiireellisyys": text("urgency", np.where(rows["urgent"], 0, 1)),
        "yhteydenotto_pvm": day(rows["contact_date"]),
        "hoidon_tarve_pvm": day(rows["assessment"]),
        "kaynti_pvm": day(rows["visit"]),
        "duration_q": pa.array(rows["duration_q"]),
        "bad_date": pa.array(rows["bad_date"]),
    })


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")
