"""Avohilmo visit extracts: one file per municipality-month, with the patchiness of real deliveries.

Fault → file rules (slots picked in a seeded random order, so every kind shows from 8 slots up):
- one slot each is left undelivered, resubmitted (first file + `_v2`), header-only, or *replaced* by a broken
  file: a line with one field too many, > 5 % of visit dates unparseable, a 0-byte file;
- *extra* files: a `_v2` lacking the kiireellisyys column over a good first file (which stays live), and a
  copy of a good slot's rows under a bad name (month 13);
- good files carry rejected lines and duplicated ids as extra lines, so what loads is the generated rows;
- formats follow each municipality's system; kinds no good file shows are forced onto good files.
Beyond the forced ones, about 3 % of slots are missing and 2.5 % resubmitted. Two slots always stay plain,
so layouts under 8 slots skip the slot-level faults that do not fit (in the order listed above).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

import duckdb
import numpy as np
import pyarrow as pa

from tiedolla.sample import faults
from tiedolla.sample import summary as k
from tiedolla.sample.avohilmo_csv import write_file
from tiedolla.sample.context import SampleContext
from tiedolla.sample.layout import Layout, rng_for
from tiedolla.sample.summary import SampleSummary
from tiedolla.sample.variants import DATE_KINDS, FORCING, FileFormat, forced, system_format
from tiedolla.sample.visits import Visits, generate_visits

SOURCE = "avohilmo"
EXCLUSIVE = (k.MISSING_SLOT, k.RESUBMISSION, k.HEADER_ONLY, k.FIELD_COUNT, k.BAD_DATES, k.ZERO_BYTES)
NEEDS_ROWS = {k.RESUBMISSION, k.FIELD_COUNT, k.BAD_DATES, k.MISSING_COLUMN, k.BAD_FILE_NAME}
EXTRA_MISSING_SHARE, EXTRA_RESUBMISSION_SHARE = 0.03, 0.025
EXTRA_REJECTED_SHARE, EXTRA_DUPLICATE_SHARE = 0.08, 0.04
MIN_ROWS = 50          # a file this big takes one bad line without reaching 2 %
KEEP_PLAIN = 2         # slots kept free of slot-level faults, whatever the layout's size


@dataclass
class PlannedFile:
    name: str
    code: str
    month: str
    fmt: FileFormat
    kinds: list[str] = field(default_factory=list)

    @property
    def loads(self) -> bool:
        """A file meant to load with rows (not broken, not header-only)."""
        return not set(self.kinds) & (k.QUARANTINE_KINDS | {k.HEADER_ONLY})


def file_name(code: str, month: str, version: int = 1) -> str:
    return f"avohilmo_{code}_{month}{f'_v{version}' if version > 1 else ''}.csv"


def write_avohilmo(landing: Path, context: SampleContext, summary: SampleSummary,
                   log: Callable[[str], None]) -> None:
    """Generate the visits and write every planned file into `landing/avohilmo/`; kinds go to `summary`."""
    layout, seed = context.layout, context.seed
    visits = generate_visits(layout, context.clients, context.scale, seed)
    folder = landing / SOURCE
    folder.mkdir(parents=True, exist_ok=True)
    planned, missing = plan_files(layout, visits, seed)
    for name in missing:
        summary.mark(k.MISSING_SLOT, f"{SOURCE}/{name}")
    ids = faults.ExtraIds()
    dictionaries = {name: pa.array(values) for name, values in visits.dictionaries.items()}
    con = duckdb.connect()
    try:
        for index, plan in enumerate(planned, 1):
            rows = visits.slot_rows(plan.code, plan.month)
            rng = rng_for(seed, SOURCE, "faults", plan.name)
            lines = write_file(con, folder / plan.name, rows, plan.fmt, plan.kinds, plan.code, dictionaries,
                               ids, rng)
            summary.wrote(SOURCE, plan.name, lines, plan.kinds + _format_kinds(plan))
            if index % 200 == 0:
                log(f"{SOURCE}: {index}/{len(planned)} files written")
    finally:
        con.close()
    log(f"{SOURCE}: {len(planned)} files, {summary.rows[SOURCE]:,} data lines, {len(missing)} slots left "
        f"undelivered, {len([p for p in planned if not p.loads])} header-only or broken")


def plan_files(layout: Layout, visits: Visits, seed: int) -> tuple[list[PlannedFile], list[str]]:
    """Every file to write, with its format and faults; and the names of the slots left undelivered."""
    rng = rng_for(seed, SOURCE, "plan")
    slots = layout.slots()
    ordered = [slots[i] for i in rng.permutation(len(slots))]
    size = {slot: visits.slot_size(*slot) for slot in slots}
    fault: dict[tuple[str, str], str] = {}
    for kind in EXCLUSIVE:
        free = [slot for slot in ordered if slot not in fault]
        if len(free) <= KEEP_PLAIN:
            break       # a tiny layout keeps some good slots rather than every kind of fault
        roomy = [slot for slot in free if size[slot] >= MIN_ROWS] if kind in NEEDS_ROWS else []
        fault[(roomy or free)[0]] = kind
    free = [slot for slot in ordered if slot not in fault]
    # Two free slots (roomy ones first) stay plain: they host the extra broken files and forced formats.
    keep = sorted(free, key=lambda slot: size[slot] < MIN_ROWS)[:KEEP_PLAIN]
    for slot in free:
        draw = rng.random()
        if slot not in keep and draw < EXTRA_MISSING_SHARE + EXTRA_RESUBMISSION_SHARE:
            fault[slot] = k.MISSING_SLOT if draw < EXTRA_MISSING_SHARE else k.RESUBMISSION
    rows = {row["code"]: row for row in layout.municipalities}
    planned, missing, plain = [], [], []
    for slot in ordered:
        code, month = slot
        fmt, kind = system_format(rows[code], month, seed), fault.get(slot)
        if kind == k.MISSING_SLOT:
            missing.append(file_name(code, month))
        elif kind == k.RESUBMISSION:
            planned += [PlannedFile(file_name(code, month), code, month, fmt, [k.FIRST_VERSION]),
                        PlannedFile(file_name(code, month, 2), code, month, fmt, [k.RESUBMISSION])]
        else:
            planned.append(PlannedFile(file_name(code, month), code, month, fmt, [kind] if kind else []))
            if kind is None:
                plain.append(planned[-1])
    live = [p for p in planned if p.loads and k.FIRST_VERSION not in p.kinds]
    _force_formats(live)
    _add_row_faults(live, size, rng)
    planned += _extra_broken_files(plain, size)
    return sorted(planned, key=lambda p: p.name), sorted(missing)


def _force_formats(live: list[PlannedFile]) -> None:
    """Show every format kind on a live good file, never taking away a kind that only that file shows."""
    forced_on: dict[int, set[str]] = {i: set() for i in range(len(live))}
    for kind in k.FORMAT_KINDS:
        if any(kind in p.fmt.kinds() for p in live):
            continue
        attribute = FORCING[kind][0]
        eligible = []
        for i, plan in enumerate(live):
            others = {shown for p in live if p is not plan for shown in p.fmt.kinds()}
            lost = set(plan.fmt.kinds()) - others - set(forced(plan.fmt, kind).kinds())
            if attribute not in forced_on[i] and not lost:
                eligible.append(i)
        if eligible:
            chosen = min(eligible, key=lambda i: len(forced_on[i]))     # spread over files
            live[chosen].fmt = forced(live[chosen].fmt, kind)
            forced_on[chosen].add(attribute)


def _add_row_faults(live: list[PlannedFile], size: dict, rng: np.random.Generator) -> None:
    """Rejected lines in the biggest good file and duplicated ids in the next; a few more at random.

    Only files of MIN_ROWS lines or more get rejected lines: in a tiny file one bad line would pass 5 %.
    """
    by_size = sorted(live, key=lambda p: -size[(p.code, p.month)])
    if by_size:
        if size[(by_size[0].code, by_size[0].month)] >= MIN_ROWS:
            by_size[0].kinds.append(k.REJECTED_ROWS)
        by_size[min(1, len(by_size) - 1)].kinds.append(k.DUPLICATE_IDS)
    for plan in live:
        roomy = size[(plan.code, plan.month)] >= MIN_ROWS
        if roomy and rng.random() < EXTRA_REJECTED_SHARE and k.REJECTED_ROWS not in plan.kinds:
            plan.kinds.append(k.REJECTED_ROWS)
        if roomy and rng.random() < EXTRA_DUPLICATE_SHARE and k.DUPLICATE_IDS not in plan.kinds:
            plan.kinds.append(k.DUPLICATE_IDS)


def _extra_broken_files(plain: list[PlannedFile], size: dict) -> list[PlannedFile]:
    """A `_v2` without a required column over one good slot; a good slot's rows under a bad name."""
    roomy = [p for p in plain if size[(p.code, p.month)] >= MIN_ROWS] or plain
    if not roomy:
        return []
    first, second = roomy[0], roomy[min(1, len(roomy) - 1)]
    bad_name = f"avohilmo_{second.code}_{second.month[:4]}-13.csv"
    # Other line endings than its source file: identical bytes would be a no-op, not a quarantine.
    bad_fmt = replace(second.fmt, crlf=not second.fmt.crlf)
    return [PlannedFile(file_name(first.code, first.month, 2), first.code, first.month, first.fmt,
                        [k.MISSING_COLUMN]),
            PlannedFile(bad_name, second.code, second.month, bad_fmt, [k.BAD_FILE_NAME])]


def _format_kinds(plan: PlannedFile) -> list[str]:
    """Format kinds the bytes really show: none in a 0-byte file, no date format without rows."""
    if k.ZERO_BYTES in plan.kinds:
        return []
    if k.HEADER_ONLY in plan.kinds:
        return [kind for kind in plan.fmt.kinds() if kind not in DATE_KINDS.values()]
    return plan.fmt.kinds()
