"""Build a source's GX 1.x expectation suite for one file from the registry and the file's context."""
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
