"""The row rules of a source as one vectorised DuckDB query: typed values plus the first reason to reject.

Each rule is (condition, reason, column); the first that holds rejects the row. Nothing here loops over rows.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass

import duckdb

from ingest.sources import Column, SourceSpec
from tiedolla.reference import municipality_codes, read_seed


def measure_ranges() -> dict[str, tuple[float, float]]:
    return {row["code"]: (float(row["min"]), float(row["max"])) for row in read_seed("measures")}

DATE_FORMATS = {"iso": "%Y-%m-%d", "dotted": "%d.%m.%Y"}
# Timestamps: `d.m.yyyy hh:mm[:ss]` or ISO with `T` or a space (registries.md, contacts).
TIMESTAMP_FORMATS = {
    "iso": ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    "dotted": ["%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M"],
}
MAX_WAIT_DAYS = 730
# Text a spreadsheet would run as a formula when an analyst opens an extract or export (CSV injection):
# `=…`, `@…`, or a sign followed by a call, a pipe or a sheet reference. The specs reject no row for it (the
# visit is real): the row loads, the file gets a warning, and exports write such text so it cannot run.
FORMULA_LIKE = r"([=@]|[+-].*[(|!]).*"


@dataclass
class Rule:
    condition: str
    reason: str
    column: str


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _raw(name: str) -> str:
    return f"r_{name}"


def detect_date_formats(con: duckdb.DuckDBPyConnection, spec: SourceSpec, present: set[str]) -> dict[str, str]:
    """One date format per column within a file: the one most of its non-empty values follow."""
    dates = [c.name for c in spec.columns if c.kind in ("date", "timestamp") and c.name in present]
    if not dates:
        return {}
    counts = []
    for name in dates:
        raw = _raw(name)
        counts.append(f"count(*) filter (where regexp_matches({raw}, '^\\d{{4}}-\\d{{1,2}}-\\d{{1,2}}'))")
        counts.append(f"count(*) filter (where regexp_matches({raw}, '^\\d{{1,2}}\\.\\d{{1,2}}\\.\\d{{4}}'))")
    row = con.execute(f"select {', '.join(counts)} from rows_raw").fetchone()
    return {name: "iso" if row[2 * i] >= row[2 * i + 1] else "dotted" for i, name in enumerate(dates)}


def _typed_expression(column: Column, date_format: str | None) -> str:
    raw = _raw(column.name)
    if column.kind == "date":
        return f"try_strptime({raw}, {_quote(DATE_FORMATS[date_format])})::date"
    if column.kind == "timestamp":
        formats = ", ".join(_quote(f) for f in TIMESTAMP_FORMATS[date_format])
        return f"try_strptime({raw}, [{formats}])"
    if column.kind == "int":
        return f"try_cast(replace({raw}, ',', '.') as double)"
    if column.kind == "decimal":
        return f"try_cast(replace({raw}, ',', '.') as double)"
    return raw


def column_rules(spec: SourceSpec, column: Column) -> list[Rule]:
    raw, typed = _raw(column.name), f"t_{column.name}"
    rules: list[Rule] = []
    if column.required:
        rules.append(Rule(f"{raw} is null", "missing_required", column.name))
    present = f"{raw} is not null"
    if column.kind in ("date", "timestamp"):
        rules.append(Rule(f"{present} and {typed} is null", "unparseable_date", column.name))
    elif column.kind in ("int", "decimal"):
        # try_cast reads 'NaN' and 'inf' as numbers; a measurement or a count is neither.
        rules.append(Rule(f"{present} and ({typed} is null or not isfinite({typed}))", "unparseable_number",
                          column.name))
        if column.kind == "int":
            # Digits with at most a zero decimal part ("45", "45,0"); not "4.5e1" or "45,5".
            rules.append(Rule(f"{present} and {typed} is not null and not regexp_full_match({raw}, "
                              f"'[+-]?\\d+([.,]0+)?')", "not_an_integer", column.name))
        if column.minimum is not None:
            rules.append(Rule(f"{present} and {typed} < {column.minimum}", "out_of_range", column.name))
        if column.maximum is not None:
            rules.append(Rule(f"{present} and {typed} > {column.maximum}", "out_of_range", column.name))
    elif column.kind == "code":
        if column.pattern:
            rules.append(Rule(f"{present} and not regexp_full_match({raw}, {_quote(column.pattern)})",
                              "invalid_code", column.name))
        allowed = column.allowed
        if column.name == spec.municipality_column:
            allowed = tuple(sorted(municipality_codes()))
        if allowed:
            listed = ", ".join(_quote(v) for v in allowed)
            rules.append(Rule(f"{present} and {raw} not in ({listed})", "unknown_code", column.name))
    return rules


def formula_like_text(spec: SourceSpec, present: set[str]) -> str | None:
    """SQL counting accepted lines of rows_checked whose text fields look like a formula; None: no text."""
    texts = [c.name for c in spec.columns if c.kind == "text" and c.name in present]
    if not texts:
        return None
    matches = " or ".join(f"regexp_full_match(coalesce({_raw(n)}, ''), {_quote(FORMULA_LIKE)})" for n in texts)
    return f"select count(*) from rows_checked where _reason is null and ({matches})"


def repeated_header_rule(spec: SourceSpec, present: set[str]) -> Rule:
    """A line that repeats the header (two exports glued together) is no record: say so, not 'bad code'."""
    names: dict[str, set[str]] = {}
    for name, canonical in spec.header_map().items():
        names.setdefault(canonical, set()).add(name)
    columns = [c.name for c in spec.columns if c.name in present]
    condition = " and ".join(f"lower({_raw(c)}) in ({', '.join(_quote(n) for n in sorted(names[c]))})"
                             for c in columns)
    return Rule(condition, "repeated_header", columns[0])


def source_rules(spec: SourceSpec, period: str, present: set[str]) -> list[Rule]:
    """Rules that span columns or depend on the file: event date in the file's month, waiting days."""
    rules: list[Rule] = []
    if spec.event_date and spec.period_grain == "month":
        year, month = int(period[:4]), int(period[5:7])
        first = f"{period}-01"
        last = f"{period}-{calendar.monthrange(year, month)[1]:02d}"
        rules.append(Rule(f"t_{spec.event_date}::date not between date '{first}' and date '{last}'",
                          "event_outside_file_month", spec.event_date))
    if spec.name == "interventions" and "lopetus_pvm" in present:
        rules.append(Rule("t_lopetus_pvm < t_aloitus_pvm", "end_before_start", "lopetus_pvm"))
    if spec.name == "outcomes":
        # The measure must be one of measures.csv and the value within its range: an error, not a number.
        ranges = measure_ranges()
        listed = ", ".join(_quote(code) for code in ranges)
        rules.append(Rule(f"t_mittari not in ({listed})", "unknown_code", "mittari"))
        bounds = " ".join(f"when {_quote(code)} then t_arvo not between {low} and {high}"
                          for code, (low, high) in ranges.items())
        rules.append(Rule(f"case t_mittari {bounds} else false end", "out_of_range", "arvo"))
    if spec.name == "avohilmo" and "hoidon_tarve_pvm" in present:
        rules.append(Rule(
            "t_hoidon_tarve_pvm > t_kaynti_pvm "
            f"or date_diff('day', t_hoidon_tarve_pvm, t_kaynti_pvm) > {MAX_WAIT_DAYS}",
            "wait_out_of_range", "hoidon_tarve_pvm"))
    return rules


def build_checked_rows(con: duckdb.DuckDBPyConnection, spec: SourceSpec, period: str,
                       present: set[str]) -> None:
    """Create temp view `rows_checked` from `rows_raw`: typed columns, `_line`, `_reason`, `_column`.

    Only what the text does not hold already is stored (table `rows_typed`: typed dates and numbers, the index
    of the first rule broken); the view lines it up with `rows_raw` row by row, so no text is copied."""
    formats = detect_date_formats(con, spec, present)
    typed, stored, derived = [], [], []
    for column in spec.columns:
        raw, name = _raw(column.name), f"t_{column.name}"
        if column.name not in present:
            derived += [f"null::varchar as {raw}", f"null as {name}"]
        elif column.kind in ("text", "code"):
            derived.append(f"{raw} as {name}")
        else:
            typed.append(f"{_typed_expression(column, formats.get(column.name))} as {name}")
            stored.append(name)
    rules = [repeated_header_rule(spec, present)]
    rules += [rule for column in spec.columns for rule in column_rules(spec, column)]
    rules += source_rules(spec, period, present)
    # The conditions run once per row: the first that holds gives the index of both reason and column.
    first = "case " + " ".join(f"when {r.condition} then {i}" for i, r in enumerate(rules, 1)) + " end"
    reasons = "[" + ", ".join(_quote(r.reason) for r in rules) + "]"
    columns = "[" + ", ".join(_quote(r.column) for r in rules) + "]"
    con.execute(f"""
        create or replace temp table rows_typed as
        select {''.join(name + ', ' for name in stored)}{first} as _rule
        from (select *, {', '.join(typed + derived)} from rows_raw)""")
    # Insertion order is kept, so row n of rows_typed belongs to row n of rows_raw.
    con.execute(f"""
        create or replace temp view rows_checked as
        select * exclude (_rule), {reasons}[_rule] as _reason, {columns}[_rule] as _column
            {''.join(', ' + d for d in derived)}
        from rows_raw positional join rows_typed""")


def repeated_keys(spec: SourceSpec) -> str:
    """SQL counting the dedupe keys that more than one valid row of rows_checked holds."""
    key = ", ".join(f"t_{k}" for k in spec.dedupe_key)
    return f"select count(*) from (select 1 from rows_checked where _reason is null group by {key} having count(*) > 1)"


def select_accepted(spec: SourceSpec, deduplicate: bool = True) -> str:
    """Valid rows in line order, the later line winning among duplicates of the dedupe key.

    `deduplicate=False` when no key repeats (see repeated_keys): the rows are then already in line order and
    unique, and neither the window nor the sort is needed."""
    output = []
    for column in spec.columns:
        typed = f"t_{column.name}"
        if column.kind == "int":
            output.append(f"{typed}::bigint as {column.name}")
        elif column.kind == "decimal":
            output.append(f"{typed}::double as {column.name}")
        elif column.kind == "date":
            output.append(f"{typed}::date as {column.name}")
        elif column.kind == "timestamp":
            output.append(f"{typed}::timestamp as {column.name}")
        else:
            output.append(f"{typed}::varchar as {column.name}")
    valid = f"select {', '.join(output)}, _line from rows_checked where _reason is null"
    if not deduplicate:
        return valid   # a scan and a filter keep the insertion order, which is the line order
    key = ", ".join(f"t_{k}" for k in spec.dedupe_key)
    return f"""
        {valid}
        qualify row_number() over (partition by {key} order by _line desc) = 1
        order by _line"""
