"""Read a decoded CSV with DuckDB's vectorised reader: every field as text, structural errors with line numbers."""
from __future__ import annotations

import csv
from pathlib import Path

import duckdb

from ingest.header import Header, LineTooLong
from ingest.problems import MAX_LINES_IN_REPORT, FileProblem, LineProblem

STRUCTURAL = {
    "MISSING COLUMNS": "fewer fields than the header",
    "TOO MANY COLUMNS": "more fields than the header",
    "UNQUOTED VALUE": "a quote in the middle of an unquoted field",
    "INVALID UNICODE": "bytes that are not valid text",
    "LINE SIZE OVER MAXIMUM": "a line longer than the reader allows",
    "CAST ERROR": "a field that cannot be read",
}
EXTRA_EMPTY_FIELD = "one more field than the header (a delimiter at the end of the line)"
# Lines up to DuckDB's 1 MiB may hold fields longer than the csv module's default limit (128 KiB).
csv.field_size_limit(max(csv.field_size_limit(), 1 << 20))


def read_rows(con: duckdb.DuckDBPyConnection, text_path: Path, header: Header, physical_lines: int) -> int:
    """Create temp table `rows_raw` (r_<column>…, _line: the line the record starts on). Returns the record count.

    Any line whose field count differs from the header's quarantines the file (FileProblem).
    """
    field_names = [f"f{i}" for i in range(header.field_count)]
    columns = "{" + ", ".join(f"'{name}': 'VARCHAR'" for name in field_names) + "}"
    delimiter = header.delimiter.replace("\t", "\\t")
    con.execute("drop table if exists reject_errors; drop table if exists reject_scans")
    selected = [f"nullif(trim(f{index}), '') as r_{name}" for name, index in header.positions.items()]
    # Insertion order is preserved, so rowid follows the file; the header is line 1.
    con.execute(f"""
        create or replace temp table rows_raw as
        select {', '.join(selected)}
        from read_csv({_literal(text_path)}, delim = e'{delimiter}', quote = '"', escape = '"',
            header = false, skip = 1, columns = {columns}, auto_detect = false, strict_mode = true,
            null_padding = false, store_rejects = true, max_line_size = 1048576)""")
    # One entry per line (DuckDB reports each missing field of a short line separately).
    errors = con.execute(
        "select line, min(error_type), min(column_name) from reject_errors group by line order by line").fetchall()
    too_long = [int(line) for line, kind, _ in errors if str(kind) == "LINE SIZE OVER MAXIMUM"]
    if too_long:
        raise LineTooLong(too_long[0])
    problems = {int(line): STRUCTURAL.get(str(kind), str(kind).lower()) for line, kind, _ in errors}
    problems.update({line: EXTRA_EMPTY_FIELD for line in lines_with_extra_empty_field(
        text_path, header.delimiter, header.field_count)})
    if problems:
        errors = sorted(problems.items())
        lines = [LineProblem(line, None, f"line has {problem}") for line, problem in errors[:MAX_LINES_IN_REPORT]]
        raise FileProblem(
            "field_count_mismatch",
            f"{len(errors)} line(s) do not have the {header.field_count} fields of the header "
            f"(delimiter {header.delimiter!r}); check quoting of values that contain the delimiter and "
            "deliver the file again.", lines, len(errors))
    records = con.execute("select count(*) from rows_raw").fetchone()[0]
    if physical_lines == records + 1 or records == 0:
        # One line per record: the rowid (insertion order follows the file) gives the line.
        con.execute("create or replace temp table rows_raw as select *, (rowid + 2)::bigint as _line from rows_raw")
    else:
        # Blank lines or line breaks inside quoted fields: count physical lines the way a person would.
        starts = record_start_lines(text_path, header.delimiter)
        if len(starts) != records:
            raise FileProblem("unreadable_file", f"the file's {records} records could not be matched to its "
                              "lines; check quoting and line breaks and deliver it again.")
        con.execute("create or replace temp table line_map (idx bigint, line bigint)")
        con.executemany("insert into line_map values (?, ?)", list(enumerate(starts)))
        con.execute("""
            create or replace temp table rows_raw as
            select numbered.* exclude (idx), line_map.line as _line
            from (select *, rowid as idx from rows_raw) as numbered
            inner join line_map using (idx)
            order by idx""")
    return records


def lines_with_extra_empty_field(text_path: Path, delimiter: str, field_count: int) -> list[int]:
    """Lines with one field more than the header, the last empty (`a;b;c;`): DuckDB drops such a field
    silently, but avohilmo.md quarantines any line whose field count differs from the header's."""
    data = text_path.read_bytes()
    end = delimiter.encode()
    if end + b"\n" not in data and not data.endswith(end):
        return []   # the common case: no line ends with the delimiter, so none has an extra empty field
    lines = []
    with open(text_path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter, quotechar='"')
        before = 0
        for index, row in enumerate(reader):
            if index > 0 and len(row) == field_count + 1 and row[-1] == "":
                lines.append(before + 1)
            before = reader.line_num
    return lines


def record_start_lines(text_path: Path, delimiter: str) -> list[int]:
    """The physical line each data record starts on (the header is line 1; blank lines hold no record)."""
    starts = []
    with open(text_path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter, quotechar='"')
        before = 0
        for index, row in enumerate(reader):
            if index > 0 and row:   # csv gives [] for a blank line, which DuckDB skips too
                starts.append(before + 1)
            before = reader.line_num
    return starts


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"
