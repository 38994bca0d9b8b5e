"""GX 1.x expectations from the registry: per file (what a file's result records) and per batch of files."""
from __future__ import annotations

import calendar
import math
import statistics
from dataclasses import dataclass, field
from datetime import datetime

from quality_checks.registry import Check, checks_for
from tiedolla.reference import municipality_codes


@dataclass
class FileContext:
    """What a file's checks depend on beyond its rows: its period and the municipality's history."""
    source: str
    period: str
    history_rows: list[int] = field(default_factory=list)      # previous ≤12 accepted months, newest last
    history_units: set[str] = field(default_factory=set)

    @property
    def history_months(self) -> int:
        return len(self.history_rows)


def _month_bounds(period: str) -> tuple[datetime, datetime]:
    # Dates arrive in the DataFrame as datetime64, so the bounds are datetimes too.
    year, month = int(period[:4]), int(period[5:7])
    last = calendar.monthrange(year, month)[1]
    return datetime(year, month, 1), datetime(year, month, last, 23, 59, 59, 999999)


def _expectation(check: Check, ctx: FileContext):
    """The GX expectation for one registry row, or None when the file lacks the history it needs."""
    import great_expectations.expectations as gxe   # imported on first use: a run with nothing new skips GX

    meta = {"check_name": check.check_name, "severity": check.severity}
    kind, _, arg = check.expectation.partition(":")
    column = check.column
    if ctx.history_months < check.needs_history_months:
        return None
    if kind == "not_null":
        return gxe.ExpectColumnValuesToNotBeNull(column=column, mostly=check.threshold, meta=meta)
    if kind == "not_null_nonurgent":
        return gxe.ExpectColumnValuesToNotBeNull(
            column=column, mostly=check.threshold, meta=meta,
            row_condition='kiireellisyys=="2"', condition_parser="pandas")
    if kind == "unique":
        return gxe.ExpectColumnValuesToBeUnique(column=column, meta=meta)
    if kind == "compound_unique":
        return gxe.ExpectCompoundColumnsToBeUnique(column_list=column.split("|"), meta=meta)
    if kind == "between":
        low, _, high = arg.partition(":")
        return gxe.ExpectColumnValuesToBeBetween(
            column=column, min_value=float(low) if low else None, max_value=float(high) if high else None,
            meta=meta)
    if kind == "in_set":
        return gxe.ExpectColumnValuesToBeInSet(column=column, value_set=arg.split("|"), meta=meta)
    if kind == "regex":
        return gxe.ExpectColumnValuesToMatchRegex(column=column, regex=arg, meta=meta)
    if kind == "in_file_month":
        first, last = _month_bounds(ctx.period)
        return gxe.ExpectColumnValuesToBeBetween(column=column, min_value=first, max_value=last, meta=meta)
    if kind == "min_rows":
        if not empty_unlikely(ctx):   # a small slot's empty month is expected: the check does not apply
            return None
        return gxe.ExpectTableRowCountToBeBetween(min_value=int(arg), meta=meta)
    if kind == "rows_vs_history":
        floor = math.ceil(statistics.median(ctx.history_rows) * check.threshold)
        return gxe.ExpectTableRowCountToBeBetween(min_value=floor, meta=meta)
    if kind == "units_seen_before":
        return gxe.ExpectColumnValuesToBeInSet(column=column, value_set=sorted(ctx.history_units), meta=meta)
    if kind == "covers_municipalities":
        return gxe.ExpectColumnDistinctValuesToContainSet(
            column=column, value_set=sorted(municipality_codes()), meta=meta)
    raise ValueError(f"check {check.check_name}: unknown expectation {check.expectation!r}")


def build_suite(ctx: FileContext, name: str) -> tuple["gx.ExpectationSuite", dict[str, Check]]:
    """The suite for one file, and the registry rows behind its expectations (skipped ones left out)."""
    import great_expectations as gx
    suite = gx.ExpectationSuite(name=name)
    used = {}
    for check in checks_for(ctx.source):
        expectation = _expectation(check, ctx)
        if expectation is not None:
            suite.add_expectation(expectation)
            used[check.check_name] = check
    return suite, used


# --- One batch for all pending files of a source ------------------------------------------------------------
# Every file-dependent part of a check becomes a column of the batch frame (quality_checks/validate.py reads
# it in DuckDB), so one suite serves every file: the month of the file's name as a month offset, the units
# history as a boolean, the file's number beside a unique key. Table-level checks run over a frame of one row
# per file. GX's failing rows are then counted per file (`_file`).
ROW_KINDS = ("not_null", "not_null_nonurgent", "unique", "compound_unique", "between", "in_set", "regex",
             "in_file_month", "units_seen_before")
NONURGENT = 'kiireellisyys=="2"'


def month_offset_column(column: str) -> str:
    return f"{column}__months_from_file"


def key_file_column(check: Check) -> str:
    return f"_file__{check.check_name}"


UNIT_SEEN_COLUMN = "_unit_seen_before"


def batch_expectation(check: Check):
    """The expectation one batch of many files is validated with (None: a table-level check, see below)."""
    import great_expectations.expectations as gxe

    meta = {"check_name": check.check_name, "severity": check.severity}
    kind, _, _ = check.expectation.partition(":")
    if kind == "unique":
        # Unique within its file, nulls ignored (as ExpectColumnValuesToBeUnique on the file alone).
        return gxe.ExpectCompoundColumnsToBeUnique(column_list=["_file", check.column],
                                                   ignore_row_if="any_value_is_missing", meta=meta)
    if kind == "compound_unique":
        # The file column is null where every key column is: such rows stay ignored, as on the file alone.
        return gxe.ExpectCompoundColumnsToBeUnique(
            column_list=[key_file_column(check), *check.column.split("|")], meta=meta)
    if kind == "in_file_month":
        return gxe.ExpectColumnValuesToBeBetween(column=month_offset_column(check.column), min_value=0,
                                                 max_value=0, meta=meta)
    if kind == "units_seen_before":
        return gxe.ExpectColumnValuesToBeInSet(column=UNIT_SEEN_COLUMN, value_set=[True], meta=meta)
    if kind in ROW_KINDS:
        return _expectation(check, FileContext(check.source, "0001-01"))
    return None


def summary_expectation(check: Check):
    """Table-level checks over the per-file summary frame (`rows`, `rows_min`, `rows_floor`,
    `municipalities_missing`)."""
    import great_expectations.expectations as gxe

    meta = {"check_name": check.check_name, "severity": check.severity}
    kind, _, arg = check.expectation.partition(":")
    if kind == "min_rows":
        return gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="rows", column_B="rows_min", or_equal=True, ignore_row_if="either_value_is_missing",
            meta=meta)
    if kind == "rows_vs_history":
        return gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="rows", column_B="rows_floor", or_equal=True, ignore_row_if="either_value_is_missing",
            meta=meta)
    if kind == "covers_municipalities":
        return gxe.ExpectColumnValuesToBeBetween(column="municipalities_missing", max_value=0, meta=meta)
    raise ValueError(f"check {check.check_name}: unknown expectation {check.expectation!r}")


# `file_has_rows` (min_rows) judges a file against its slot's own history: only after at least this many
# accepted months whose median is at least this many rows is an empty file unlikely enough to be worth a look;
# a small municipality with no enrolments in a month delivers a header-only file as a matter of course.
EMPTY_UNLIKELY_MONTHS = 3
EMPTY_UNLIKELY_MEDIAN_ROWS = 10


def empty_unlikely(ctx: FileContext) -> bool:
    return (ctx.history_months >= EMPTY_UNLIKELY_MONTHS
            and statistics.median(ctx.history_rows) >= EMPTY_UNLIKELY_MEDIAN_ROWS)


def rows_floor(check: Check, ctx: FileContext) -> int | None:
    """The least row count `rows_vs_history` accepts for the file, or None without enough history."""
    if ctx.history_months < check.needs_history_months:
        return None
    return math.ceil(statistics.median(ctx.history_rows) * check.threshold)


def build_batch_suites(source: str, name: str) -> tuple["gx.ExpectationSuite", "gx.ExpectationSuite"]:
    """The row-level suite over the batch frame and the table-level suite over the per-file summary frame."""
    import great_expectations as gx

    rows, summary = gx.ExpectationSuite(name=f"{name}:rows"), gx.ExpectationSuite(name=f"{name}:files")
    for check in checks_for(source):
        expectation = batch_expectation(check)
        if expectation is not None:
            rows.add_expectation(expectation)
        else:
            summary.add_expectation(summary_expectation(check))
    return rows, summary
