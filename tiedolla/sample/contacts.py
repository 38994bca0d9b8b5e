"""Customer-service centre contacts: one file a month for the whole region (registries.md `contacts`).

Fault → file rules (months picked in a seeded random order, so every kind shows from 4 months up):
- one month each is left undelivered, resubmitted (a first file with one day exported twice, then a
  correct `_v2`), or *replaced* by a broken file (a line with one field too many: quarantined);
- one good file (and about 10 % of the others) carries a few rejected lines (< 2 %) as extra lines: a
  negative queue time, an unknown channel, a start outside the month; what loads is the generated rows;
- formats follow the centre's systems (until 2022 the joint authority's telephony export: Windows-1252,
  `d.m.yyyy hh:mm`, CRLF; from 2023 the welfare area's: UTF-8, ISO `T` timestamps), some months with
  Swedish headers (a user's system language) or re-saved by hand in a spreadsheet (BOM, `,` or tab);
  required kinds no good file shows are forced onto good files. Windows-1252 counts as a kind only with
  Swedish headers (`började`, `kötid_s`): otherwise the bytes are ASCII.
One month always stays plain, so layouts under 4 months skip the slot faults that do not fit (in the
order listed above).
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
from tiedolla.sample.contact_rows import DICTIONARY, UNKNOWN_CHANNEL, Rows, contact_ids, generate_month
from tiedolla.sample.context import SampleContext
from tiedolla.sample.layout import rng_for
from tiedolla.sample.summary import SampleSummary
from tiedolla.sample.variants import DATE_KINDS, FileFormat, forced

SOURCE = "contacts"
HEADER = {False: ("yhteys_id", "kanava", "alkoi", "jonotus_s", "vastattu", "kotikunta"),
          True: ("kontakt_id", "kanal", "började", "kötid_s", "besvarad", "hemkommun")}
TIMESTAMPS = {"%-d.%-m.%Y %H:%M": k.TIMESTAMP_D_M_YYYY_HH_MM,
              "%-d.%-m.%Y %H:%M:%S": k.TIMESTAMP_D_M_YYYY_HH_MM_SS, "%Y-%m-%dT%H:%M:%S": k.TIMESTAMP_ISO_T,
              "%Y-%m-%d %H:%M:%S": k.TIMESTAMP_ISO_SPACE}
SLOT_FAULTS = (k.MISSING_SLOT, k.RESUBMISSION, k.FIELD_COUNT)
# Shown on a loading file whenever the layout has enough of them (timestamps last: they need 4 files).
REQUIRED_FORMATS = (k.SWEDISH_HEADER, k.WINDOWS_1252, k.UTF8_BOM, k.DELIMITER_COMMA, k.DELIMITER_TAB,
                    *k.TIMESTAMP_KINDS)
NEW_SYSTEM_FROM = "2023-01"          # the welfare area's contact-centre system
HAND_EXPORT_SHARE = 0.15             # months someone re-saved in a spreadsheet before delivering
SWEDISH_SHARE = 0.1                  # months exported by a user whose system language is Swedish
EXTRA_REJECTED_SHARE = 0.1
MIN_ROWS = 60                        # one bad line stays under 2 %
KEEP_PLAIN = 1


@dataclass(frozen=True)
class ContactFormat:
    file: FileFormat                 # encoding, delimiter, header language, line endings
    timestamp: str                   # DuckDB strftime of `alkoi`

    def kinds(self) -> list[str]:
        """Patchiness kinds the bytes show. No date column, so no date kind; and Windows-1252 only with
        Swedish headers: the Finnish header and the values are plain ASCII, the same bytes in UTF-8."""
        hidden = set(DATE_KINDS.values()) | (set() if self.file.swedish else {k.WINDOWS_1252})
        return [kind for kind in self.file.kinds() if kind not in hidden] + [TIMESTAMPS[self.timestamp]]

    def forced(self, kind: str) -> "ContactFormat":
        if kind in k.TIMESTAMP_KINDS:
            return replace(self, timestamp=next(f for f, shown in TIMESTAMPS.items() if shown == kind))
        if kind == k.WINDOWS_1252:
            return replace(self, file=replace(self.file, encoding="cp1252", swedish=True))
        return replace(self, file=forced(self.file, kind))


def _attribute(kind: str) -> str:
    """Which dimension forcing `kind` sets, so two kinds of one dimension never land on one file."""
    if kind in k.TIMESTAMP_KINDS:
        return "timestamp"
    return {k.SWEDISH_HEADER: "swedish", k.WINDOWS_1252: "encoding", k.UTF8_BOM: "encoding",
            k.DELIMITER_COMMA: "delimiter", k.DELIMITER_TAB: "delimiter"}[kind]


@dataclass
class PlannedFile:
    name: str
    month: str
    fmt: ContactFormat
    kinds: list[str] = field(default_factory=list)

    @property
    def live(self) -> bool:
        """A file whose rows end up in the marts: loads and is not superseded."""
        return not set(self.kinds) & (k.QUARANTINE_KINDS | {k.FIRST_VERSION})


def file_name(month: str, version: int = 1) -> str:
    return f"contacts_{month}{f'_v{version}' if version > 1 else ''}.csv"


def write_contacts(landing: Path, context: SampleContext, summary: SampleSummary,
                   log: Callable[[str], None]) -> None:
    """Generate each month's contacts and write the planned files into `landing/contacts/`."""
    layout, seed = context.layout, context.seed
    months = {month: generate_month(layout, month, context.scale, seed) for month in layout.months}
    folder = landing / SOURCE
    folder.mkdir(parents=True, exist_ok=True)
    planned, missing = plan_files(layout.months, {m: len(rows["id"]) for m, rows in months.items()}, seed)
    for name in missing:
        summary.mark(k.MISSING_SLOT, f"{SOURCE}/{name}")
    homes = pa.array(layout.codes, type=pa.string())
    channels = pa.array(DICTIONARY)
    con = duckdb.connect()
    try:
        for plan in planned:
            rng = rng_for(seed, SOURCE, "faults", plan.name)
            lines = _write_file(con, folder / plan.name, months[plan.month], plan, channels, homes, rng)
            shown = plan.fmt.kinds() if lines else [kind for kind in plan.fmt.kinds()
                                                    if kind not in k.TIMESTAMP_KINDS] + [k.HEADER_ONLY]
            summary.wrote(SOURCE, plan.name, lines, plan.kinds + shown)
    finally:
        con.close()
    log(f"{SOURCE}: {len(planned)} files, {summary.rows[SOURCE]:,} data lines, {len(missing)} month(s) left "
        f"undelivered, {len([p for p in planned if k.FIELD_COUNT in p.kinds])} broken")


def plan_files(months: tuple[str, ...], size: dict[str, int],
               seed: int) -> tuple[list[PlannedFile], list[str]]:
    """Every file to write, with its format and faults; and the names of the months left undelivered."""
    rng = rng_for(seed, SOURCE, "plan")
    ordered = [months[i] for i in rng.permutation(len(months))]
    fault: dict[str, str] = {}
    for kind in SLOT_FAULTS:
        free = [month for month in ordered if month not in fault]
        if len(free) <= KEEP_PLAIN:
            break
        if kind == k.MISSING_SLOT:
            fault[free[0]] = kind
            continue
        # A broken line or a resubmission needs rows: the biggest month if none is roomy, never an empty one.
        roomy = [month for month in free if size[month] >= MIN_ROWS] \
            or [month for month in sorted(free, key=lambda m: -size[m]) if size[month] > 0]
        if roomy:
            fault[roomy[0]] = kind
    planned, missing = [], []
    for month in ordered:
        fmt, kind = system_format(month, seed), fault.get(month)
        if kind == k.MISSING_SLOT:
            missing.append(file_name(month))
        elif kind == k.RESUBMISSION:
            planned += [PlannedFile(file_name(month), month, fmt, [k.FIRST_VERSION]),
                        PlannedFile(file_name(month, 2), month, fmt, [k.RESUBMISSION])]
        else:
            planned.append(PlannedFile(file_name(month), month, fmt, [kind] if kind else []))
    live = [p for p in planned if p.live and size[p.month] > 0]
    _force_formats(live)
    roomy = [p for p in live if size[p.month] >= MIN_ROWS]
    for index, plan in enumerate(roomy):
        if index == 0 or rng.random() < EXTRA_REJECTED_SHARE:
            plan.kinds.append(k.REJECTED_ROWS)
    return sorted(planned, key=lambda p: p.name), sorted(missing)


def system_format(month: str, seed: int) -> ContactFormat:
    """The centre system's export in `month`; some months were opened and re-saved in a spreadsheet."""
    rng = rng_for(seed, SOURCE, "format", month)
    hand, swedish, delimiter, timestamp = rng.random(4)
    if hand < HAND_EXPORT_SHARE:
        return ContactFormat(FileFormat(encoding="utf-8-sig", delimiter="," if delimiter < 0.5 else "\t",
                                        crlf=True, swedish=bool(swedish < 0.5)),
                             "%Y-%m-%d %H:%M:%S" if timestamp < 0.5 else "%-d.%-m.%Y %H:%M:%S")
    if month >= NEW_SYSTEM_FROM:
        return ContactFormat(FileFormat(encoding="utf-8", swedish=bool(swedish < SWEDISH_SHARE)),
                             "%Y-%m-%dT%H:%M:%S")
    return ContactFormat(FileFormat(encoding="cp1252", crlf=True, swedish=bool(swedish < SWEDISH_SHARE)),
                         "%-d.%-m.%Y %H:%M")


def _force_formats(live: list[PlannedFile]) -> None:
    """Show every required kind on a live file, never taking away a kind that only that file shows."""
    forced_on: dict[str, set[str]] = {plan.name: set() for plan in live}
    for kind in REQUIRED_FORMATS:
        if any(kind in plan.fmt.kinds() for plan in live):
            continue
        eligible = []
        for plan in live:
            others = {shown for p in live if p is not plan for shown in p.fmt.kinds()}
            lost = set(plan.fmt.kinds()) - others - set(plan.fmt.forced(kind).kinds())
            if _attribute(kind) not in forced_on[plan.name] and not lost:
                eligible.append(plan)
        if eligible:
            chosen = min(eligible, key=lambda plan: len(forced_on[plan.name]))     # spread over files
            chosen.fmt = chosen.fmt.forced(kind)
            forced_on[chosen.name].add(_attribute(kind))


def _write_file(con: duckdb.DuckDBPyConnection, path: Path, rows: Rows, plan: PlannedFile,
                channels: pa.Array, homes: pa.Array, rng: np.random.Generator) -> int:
    """One month's rows with the plan's faults in its format; returns the data lines written."""
    if k.FIRST_VERSION in plan.kinds:
        rows = _with_day_twice(rows, plan.month, rng)
    if k.REJECTED_ROWS in plan.kinds:
        rows = _with_rejected_rows(rows, plan.month, rng)
    fmt = plan.fmt.file
    table = pa.table({
        "id": pa.array(rows["id"]), "channel": channels.take(pa.array(rows["channel"])),
        "start": pa.array(rows["start"], type=pa.timestamp("s")), "queue": pa.array(rows["queue"]),
        "answered": pa.array(rows["answered"]),
        "home": homes.take(pa.array(np.maximum(rows["home"], 0), mask=rows["home"] < 0)),
    })
    names = HEADER[fmt.swedish]
    sql = (f'select cast(id as varchar) as "{names[0]}", channel as "{names[1]}", '
           f"strftime(start, '{plan.fmt.timestamp}') as \"{names[2]}\", queue as \"{names[3]}\", "
           f'answered as "{names[4]}", home as "{names[5]}" from rows')
    con.register("rows", table)
    delimiter = fmt.delimiter.replace("'", "''")
    con.execute(f"copy ({sql}) to '{_sql_path(path)}' "
                f"(format csv, header true, delimiter '{delimiter}', quote '\"')")
    con.unregister("rows")
    data = path.read_bytes()
    if k.FIELD_COUNT in plan.kinds:
        data = faults.with_extra_field(data, fmt.delimiter, rng)
    path.write_bytes(fmt.finish(data))
    return len(rows["id"])


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def _interleave(rows: Rows, extra: Rows, after: np.ndarray) -> Rows:
    """Insert `extra` rows each right after row `after[i]` of `rows`."""
    position = np.r_[np.arange(len(rows["id"]), dtype=float), after + 0.5]
    order = np.argsort(position, kind="stable")
    return {name: np.concatenate([rows[name], extra[name]])[order] for name in rows}


def _with_day_twice(rows: Rows, month: str, rng: np.random.Generator) -> Rows:
    """The first delivery of a resubmitted month: one day's contacts exported twice (under new ids)."""
    n = len(rows["id"])
    if n == 0:
        return rows
    day = rows["start"].astype("datetime64[D]")
    twice = day == day[int(rng.integers(n))]
    copies = faults.take(rows, np.flatnonzero(twice))
    copies["id"] = contact_ids(month, n, int(twice.sum()))
    return _interleave(rows, copies, np.full(int(twice.sum()), np.flatnonzero(twice)[-1]))


def _with_rejected_rows(rows: Rows, month: str, rng: np.random.Generator) -> Rows:
    """A few extra lines (< 2 %), each breaking one row rule: queue < 0, unknown channel, start outside
    the month (the previous month's last evening or the next month's first morning)."""
    n = len(rows["id"])
    count = min(12, max(1, n // 200))
    picked = np.sort(rng.choice(n, size=count, replace=False))
    bad = faults.take(rows, picked)
    bad["id"] = contact_ids(month, n, count)
    reason = (np.arange(count) + rng.integers(3)) % 3
    bad["queue"] = np.where(reason == 0, -1 - bad["queue"], bad["queue"])
    bad["channel"] = np.where(reason == 1, UNKNOWN_CHANNEL, bad["channel"]).astype(np.int8)
    first = np.datetime64(month, "M").astype("datetime64[s]")
    after = (np.datetime64(month, "M") + 1).astype("datetime64[s]")
    outside = np.where(rng.random(count) < 0.5, first - rng.integers(1, 4 * 3600, size=count),
                       after + rng.integers(0, 10 * 3600, size=count))
    bad["start"] = np.where(reason == 2, outside, bad["start"])
    return _interleave(rows, bad, picked)
