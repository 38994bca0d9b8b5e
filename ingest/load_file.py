"""One landed file → accepted rows as Parquet + rejected lines, or a quarantined file. Never half of either."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from ingest.atomic import replace_atomically
from ingest.decoding import decode_file
from ingest.filenames import DeliveryName
from ingest.header import read_header
from ingest.load_log import PENDING, LoadEntry
from ingest.problems import MAX_LINES_IN_REPORT, FileProblem, LineProblem
from ingest.read_rows import read_rows
from ingest.row_rules import build_checked_rows, formula_like_text, repeated_keys, select_accepted
from ingest.sources import SourceSpec

MAX_REJECTED_SHARE = 0.05


@dataclass
class Destination:
    raw_dir: Path          # <home>/raw/<source>
    rejects_dir: Path      # <home>/raw/_rejects/<source>
    scratch_dir: Path      # transcoded copies, removed after the load


def _sql_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def partition_dir(raw_dir: Path, name: DeliveryName) -> Path:
    parts = [raw_dir]
    if name.municipality:
        parts.append(Path(f"municipality={name.municipality}"))
    parts += [Path(f"period={name.period}"), Path(f"version={name.version}")]
    return Path(*parts)


def load_file(landed: Path, data: bytes, name: DeliveryName, spec: SourceSpec, destination: Destination,
              run_id: str, load_seq: int, con: duckdb.DuckDBPyConnection | None = None,
              converted: bytes | None = None, load_id: str = "", sha256: str | None = None) -> LoadEntry:
    """Parse, row-check and write one file. Raises FileProblem when the whole file must be quarantined.

    `con`: an in-memory DuckDB connection to reuse across files (its temp tables are replaced per file).
    `converted`: the file as CSV when it was delivered in another format (JSON); `data` stays its own bytes.
    `sha256`: the digest of `data` when the caller has it already."""
    digest = sha256 or hashlib.sha256(data).hexdigest()
    decoded = decode_file(landed, destination.scratch_dir, converted if converted is not None else data,
                          converted=converted is not None, sha256=digest)
    decoded.sha256, decoded.size = digest, len(data)
    load_id = load_id or decoded.sha256[:32]
    header = read_header(decoded.header_line, spec)
    loaded_at = datetime.now(timezone.utc).replace(microsecond=0)
    own_connection = con is None
    con = con or duckdb.connect()
    try:
        data_lines = read_rows(con, decoded.text_path, header, decoded.physical_lines)
        build_checked_rows(con, spec, name.period, set(header.positions))
        rejected = con.execute("select count(*) from rows_checked where _reason is not null").fetchone()[0]
        if data_lines and rejected / data_lines > MAX_REJECTED_SHARE:
            raise FileProblem(
                "too_many_rejected_rows",
                f"{rejected} of {data_lines} data lines ({rejected / data_lines:.1%}) break the row "
                f"rules; more than {MAX_REJECTED_SHARE:.0%} quarantines the whole file. Fix the export.",
                _line_problems(con, spec), rejected)
        target_dir = partition_dir(destination.raw_dir, name)
        target_dir.mkdir(parents=True, exist_ok=True)
        parquet = target_dir / f"{load_id[:16]}.parquet"
        # zstd level 1 writes these files faster than the default level 3, and no larger.
        tmp = parquet.with_name(parquet.name + ".tmp")
        deduplicate = con.execute(repeated_keys(spec)).fetchone()[0] > 0
        (rows_accepted,) = con.execute(f"""
            copy (
                select * exclude (_line),
                    {_sql_path(Path(landed.name))} as _source_file,
                    _line as _source_line,
                    {name.version}::integer as _file_version,
                    timestamptz '{loaded_at.isoformat()}' as _loaded_at,
                    '{load_id}' as _load_id,
                    {f"'{name.municipality}'" if name.municipality else 'null::varchar'} as _municipality,
                    '{name.period}' as _period
                from ({select_accepted(spec, deduplicate)})
            ) to {_sql_path(tmp)} (format parquet, compression zstd, compression_level 1)""").fetchone()
        replace_atomically(tmp, parquet)
        rejects_path = (_write_rejects(con, spec, destination.rejects_dir, load_id, landed.name)
                        if rejected else None)
        formula_query = formula_like_text(spec, set(header.positions))
        formula_lines = con.execute(formula_query).fetchone()[0] if formula_query else 0
        municipalities, units = [], []
        if "yksikko" in {c.name for c in spec.columns}:
            units = [r[0] for r in con.execute(
                "select distinct t_yksikko from rows_checked where _reason is null order by 1").fetchall()]
        if spec.municipality_column:
            municipalities = [r[0] for r in con.execute(
                f"select distinct t_{spec.municipality_column} from rows_checked where _reason is null "
                "order by 1").fetchall()]
    finally:
        if own_connection:
            con.close()
        if decoded.text_path != landed:
            decoded.text_path.unlink(missing_ok=True)
    warnings = []
    if data_lines == 0:
        warnings.append("header only: a delivery of zero rows")
    if header.unknown_columns:
        warnings.append(f"unknown columns ignored: {', '.join(header.unknown_columns)}")
    if formula_lines:
        warnings.append(f"formula-like text on {formula_lines} line(s): loaded as text; exports write it so "
                        "that a spreadsheet cannot run it")
    return LoadEntry(
        sha256=decoded.sha256, file_name=landed.name, source=spec.name, municipality=name.municipality,
        period=name.period, version=name.version, size=decoded.size, status=PENDING, load_seq=load_seq,
        run_id=run_id, loaded_at=loaded_at.isoformat(), encoding=decoded.encoding, delimiter=header.delimiter,
        header_language=header.language, data_lines=data_lines, rows_accepted=rows_accepted,
        rows_rejected=rejected, rows_duplicate=data_lines - rejected - rows_accepted,
        unknown_columns=header.unknown_columns, parquet_path=str(parquet),
        rejects_path=str(rejects_path) if rejects_path else None,
        warnings=warnings, municipalities=municipalities,
        distinct_units=units, load_id=load_id, subject=name.subject)


def _value_expression(spec: SourceSpec) -> str:
    """The offending raw value for the reject log, never for identifying columns."""
    cases = " ".join(f"when '{c.name}' then r_{c.name}" for c in spec.columns if not c.identifying)
    return f"case _column {cases} else null end"


def _line_problems(con: duckdb.DuckDBPyConnection, spec: SourceSpec) -> list[LineProblem]:
    rows = con.execute(f"""
        select _line, _column, _reason, {_value_expression(spec)} from rows_checked
        where _reason is not null order by _line limit {MAX_LINES_IN_REPORT}""").fetchall()
    return [LineProblem(int(line), column, reason, value) for line, column, reason, value in rows]


def _write_rejects(con: duckdb.DuckDBPyConnection, spec: SourceSpec, rejects_dir: Path, sha: str,
                   file_name: str) -> Path:
    rejects_dir.mkdir(parents=True, exist_ok=True)
    path = rejects_dir / f"{sha[:16]}.parquet"
    tmp = path.with_name(path.name + ".tmp")
    con.execute(f"""
        copy (
            select '{sha}' as load_id, '{spec.name}' as source, {_sql_path(Path(file_name))} as file_name,
                _line as line, _column as column_name, _reason as reason,
                {_value_expression(spec)} as value
            from rows_checked where _reason is not null order by _line
        ) to {_sql_path(tmp)} (format parquet)""")
    replace_atomically(tmp, path)
    return path
