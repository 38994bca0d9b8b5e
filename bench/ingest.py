"""Ingest throughput side by side: our landing → raw for the visit extracts against bare DuckDB `read_csv`
(auto-detect) and pandas `read_csv` on the same files. Used by bench/run.py.

'Ours' includes what the references skip: SHA-256, decoding, header mapping, the row rules, de-duplication,
the Parquet and the reject log, and the load log. The references only parse.
"""
from __future__ import annotations

import shutil
import time
from pathlib import Path

import duckdb
import pandas as pd

from ingest.landing import ingest_source
from ingest.load_log import LoadLog
from ingest.sources import AVOHILMO
from tiedolla.home import Home

LATIN = {"windows-1252", "iso-8859-1"}


def readable_files(landing: Path, scratch: Path) -> list[tuple[Path, str, str, int]]:
    """Ingest every landed visit file once (untimed) and keep those our ingest accepted, with the encoding and
    delimiter it found and their data lines: broken files are left out of every measurement."""
    shutil.rmtree(scratch, ignore_errors=True)
    home = Home(scratch).ensure()
    ingest_source(home, AVOHILMO, "bench", log=lambda _: None,
                  files=sorted(landing.glob("*.csv"), key=lambda p: p.name))
    return [(landing / e.file_name, e.encoding, e.delimiter, e.data_lines)
            for e in LoadLog(home.load_log_dir).of_source("avohilmo") if e.parquet_path]


def time_ours(files: list[tuple[Path, str, str, int]], scratch: Path) -> float:
    """Seconds for our ingest of `files` into an empty home."""
    shutil.rmtree(scratch, ignore_errors=True)
    home = Home(scratch).ensure()
    started = time.perf_counter()
    summary = ingest_source(home, AVOHILMO, "bench", log=lambda _: None, files=[f[0] for f in files])
    elapsed = time.perf_counter() - started
    if len(summary.loaded) != len(files):
        raise RuntimeError(f"our ingest loaded {len(summary.loaded)} of the {len(files)} files it accepted "
                           "before")
    return elapsed


def time_duckdb(files: list[tuple[Path, str, str, int]]) -> float:
    """Seconds for DuckDB to read every file into a table, dialect and header auto-detected, every column as
    text like ours (with type detection it stops at the first bad date of a file, e.g. day 32). It detects
    no encoding: Windows-1252 files are named latin-1."""
    con = duckdb.connect()
    started = time.perf_counter()
    for path, encoding, _delimiter, lines in files:
        option = ", encoding = 'latin-1'" if encoding in LATIN else ""
        con.execute("create or replace temp table visits as "
                    f"select * from read_csv(?, all_varchar = true{option})", [str(path)])
        rows = con.execute("select count(*) from visits").fetchone()[0]
        if rows != lines and not (lines == 0 and rows <= 1):   # a header-only file may be sniffed as data
            raise RuntimeError(f"DuckDB read {rows} rows of {path.name}, our ingest {lines}")
    return time.perf_counter() - started


def time_pandas(files: list[tuple[Path, str, str, int]]) -> float:
    """Seconds for pandas (C parser) to read every file as text, given the delimiter and encoding."""
    started = time.perf_counter()
    names = {"windows-1252": "cp1252", "iso-8859-1": "latin-1"}
    for path, encoding, delimiter, lines in files:
        enc = names.get(encoding, "utf-8-sig")
        rows = len(pd.read_csv(path, sep=delimiter, encoding=enc, dtype=str))
        if rows != lines:
            raise RuntimeError(f"pandas read {rows} rows of {path.name}, our ingest {lines}")
    return time.perf_counter() - started
