"""Read a decoded CSV with DuckDB's vectorised reader: every field as text, structural errors with line numbers."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

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
# First bytes of the UTF-8 of the spaces trim() removes besides ' ' (Unicode Zs: U+00A0, U+1680, U+2000-U+200A,
# U+202F, U+205F, U+3000). They also start other signs (dashes, quotes), which only costs a needless trim.
WIDE_SPACE_STARTS = (b"\xc2", b"\xe1", b"\xe2", b"\xe3")
# Lines up to DuckDB's 1 MiB may hold fields longer than the csv module's default limit (128 KiB).
csv.field_size_limit(max(csv.field_size_limit(), 1 << 20))


def read_rows(con: duckdb.DuckDBPyConnection, text_path: Path, header: Header, physical_lines: int) -> int:
    """Create temp view `rows_raw` (r_<column>…, _line: the line the record starts on). Returns the record count.

    `physical_lines`: the file's lines up to its last non-empty one (trailing empty lines hold no record).

    Any line whose field count differs from the header's quarantines the file (FileProblem).
    """
    field_names = [f"f{i}" for i in range(header.field_count)]
    columns = "{" + ", ".join(f"'{name}': 'VARCHAR'" for name in field_names) + "}"
    delimiter = header.delimiter.replace("\t", "\\t")
    con.execute("drop table if exists reject_errors; drop table if exists reject_scans")
    data = text_path.read_bytes()
    # The reader gives an empty field as null; trimming costs as much as reading, so only when needed.
    value = "nullif(trim(f{}), '')" if may_have_padding(data, header.delimiter) else "f{}"
    selected = [f"{value.format(index)} as r_{name}" for name, index in header.positions.items()]
    # Insertion order is preserved, so rowid follows the file; the header is line 1.
    con.execute(f"""
        create or replace temp table rows_read as
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
        data, header.delimiter, header.field_count)})
    if problems:
        errors = sorted(problems.items())
        lines = [LineProblem(line, None, f"line has {problem}") for line, problem in errors[:MAX_LINES_IN_REPORT]]
        raise FileProblem(
            "field_count_mismatch",
            f"{len(errors)} line(s) do not have the {header.field_count} fields of the header "
            f"(delimiter {header.delimiter!r}); check quoting of values that contain the delimiter and "
            "deliver the file again.", lines, len(errors))
    records = con.execute("select count(*) from rows_read").fetchone()[0]
    _number_lines(con, data, records, physical_lines)
    return records


def may_have_padding(data: bytes, delimiter: str) -> bool:
    """Whether a field may start or end with a space trim() removes: a space next to a delimiter, a line
    break or a quote, or any byte that starts a wider space. False is certain; True means "trim to be sure"."""
    if data.endswith(b" ") or any(start in data for start in WIDE_SPACE_STARTS):   # memchr: fast
        return True
    text = np.frombuffer(data, dtype=np.uint8)
    spaces = np.flatnonzero(text == ord(" "))
    edges = np.frombuffer(f'{delimiter}\n"'.encode(), dtype=np.uint8)
    before, after = text[np.maximum(spaces - 1, 0)], text[np.minimum(spaces + 1, len(text) - 1)]
    return bool(np.isin(before, edges).any() or np.isin(after, edges).any())


def _number_lines(con: duckdb.DuckDBPyConnection, data: bytes, records: int, physical_lines: int) -> None:
    """View `rows_raw`: `rows_read` plus `_line`, the physical line each record starts on."""
    if physical_lines == records + 1 or records == 0:
        # One line per record: the rowid (insertion order follows the file) gives the line.
        con.execute("create or replace temp view rows_raw as select *, (rowid + 2)::bigint as _line from rows_read")
        return
    # Blank lines or line breaks inside quoted fields: count physical lines the way a person would.
    starts = record_start_lines(data)
    if len(starts) != records:
        raise FileProblem("unreadable_file", f"the file's {records} records could not be matched to its "
                          "lines; check quoting and line breaks and deliver it again.")
    con.register("line_starts", pa.table({"_line": starts}))
    try:
        con.execute("create or replace temp table line_map as select _line from line_starts")
    finally:
        con.unregister("line_starts")
    con.execute("create or replace temp view rows_raw as select * from rows_read positional join line_map")


def lines_with_extra_empty_field(data: bytes, delimiter: str, field_count: int) -> list[int]:
    """Lines with one field more than the header, the last empty (`a;b;c;`): DuckDB drops such a field
    silently, but avohilmo.md quarantines any line whose field count differs from the header's."""
    text = np.frombuffer(data, dtype=np.uint8)
    breaks = np.flatnonzero(text == ord("\n"))
    if not (text[breaks - 1] == ord(delimiter)).any() and not data.endswith(delimiter.encode()):
        return []   # the common case: no line ends with the delimiter, so none has an extra empty field
    lines = []
    with io.StringIO(data.decode("utf-8"), newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter, quotechar='"')
        before = 0
        for index, row in enumerate(reader):
            if index > 0 and len(row) == field_count + 1 and row[-1] == "":
                lines.append(before + 1)
            before = reader.line_num
    return lines


def record_start_lines(data: bytes) -> np.ndarray:
    """The physical line each data record starts on (the header is line 1; blank lines hold no record).

    A line break ends a record unless an odd number of quotes comes before it: then it is inside a quoted
    field (an escaped quote `""` counts twice, so it changes nothing)."""
    text = np.frombuffer(data, dtype=np.uint8)
    breaks = np.flatnonzero(text == ord("\n"))
    quotes = np.flatnonzero(text == ord('"'))
    ends_record = np.searchsorted(quotes, breaks) % 2 == 0
    next_start = np.minimum(breaks + 1, len(text) - 1)
    # The line after a record's end starts a record unless it is empty (or the file ends).
    starts = ends_record & (breaks + 1 < len(text)) & (text[next_start] != ord("\n"))
    return np.flatnonzero(starts) + 2   # the line after break i (0-based) is line i + 2


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"
