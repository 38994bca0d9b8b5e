"""What the RAI, intervention and outcome extracts share (registries.md): one file per municipality-month,
the formats of the exporting systems, the slot faults and the CSV bytes.

Fault → file rules (slots in a seeded random order, so every kind shows from 8 slots up):
- one slot each is left undelivered, resubmitted (a first file and a `_v2`), and broken (a line with one
  field more: quarantined). For rai and outcomes the broken file *replaces* its slot (the rows are lost);
  for interventions it is a `_v2` over a good first file, which stays live, because a lost enrolment
  would make its participants comparison clients of their own intervention;
- formats follow each municipality's export system until the region took over its services, then the
  region's (UTF-8, `;`, dd.mm.yyyy, decimal commas); headers are Swedish in Swedish-majority (sv_fi)
  municipalities; Windows-1252, BOM, `,` and tab (and decimal commas in outcomes) are forced onto live
  files with rows when no such file shows them.
Two slots always stay plain, so layouts under 8 slots skip the slot faults that do not fit.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from tiedolla.sample import faults
from tiedolla.sample import summary as k
from tiedolla.sample.layout import Layout, rng_for
from tiedolla.sample.variants import DATE_KINDS, REGION_SYSTEM, FileFormat

SLOT_FAULTS = (k.MISSING_SLOT, k.RESUBMISSION, k.FIELD_COUNT)
KEEP_PLAIN = 2
MUNICIPAL_DECIMAL_COMMA_SHARE = 0.5


@dataclass(frozen=True)
class Shape:
    """One source's columns and how its files may vary."""
    source: str
    columns: dict[str, str]          # Finnish → Swedish names, in the usual order
    reordered: tuple[str, ...]       # the order some systems use instead
    extra: tuple[str, str]           # an unknown column (fi, sv name) some systems add
    ascii_rows: bool                 # rows are plain ASCII unless the extra column is there
    decimals: bool = False           # values with decimals (may be written with a decimal comma)
    broken_replaces: bool = True     # the broken file replaces its slot (else: a broken `_v2`)


@dataclass(frozen=True)
class RegistryFormat:
    file: FileFormat
    decimal_comma: bool = False


@dataclass(frozen=True)
class SlotInfo:
    rows: int
    fractions: bool = False          # some value has decimals
    resubmittable: bool = True       # a first version would differ from the final one


@dataclass
class PlannedFile:
    name: str
    code: str
    month: str
    fmt: RegistryFormat
    kinds: list[str] = field(default_factory=list)

    @property
    def live(self) -> bool:
        """Loads and is not superseded: its rows are what the marts see."""
        return not set(self.kinds) & (k.QUARANTINE_KINDS | {k.FIRST_VERSION})

    @property
    def slot(self) -> tuple[str, str]:
        return self.code, self.month


def file_name(source: str, code: str, month: str, version: int = 1) -> str:
    return f"{source}_{code}_{month}{f'_v{version}' if version > 1 else ''}.csv"


def shown_kinds(shape: Shape, fmt: RegistryFormat, info: SlotInfo) -> list[str]:
    """Format kinds a file's bytes really show: no date kind without rows, Windows-1252 only with a
    non-ASCII character, decimal commas only with a value that has decimals."""
    hidden = set() if info.rows else set(DATE_KINDS.values())
    if not (info.rows and (not shape.ascii_rows or fmt.file.extra_column)):
        hidden.add(k.WINDOWS_1252)
    kinds = [kind for kind in fmt.file.kinds() if kind not in hidden]
    if fmt.decimal_comma and info.fractions and info.rows:
        kinds.append(k.DECIMAL_COMMA)
    return kinds


def system_format(shape: Shape, row: dict[str, str], month: str, seed: int) -> RegistryFormat:
    """The municipality's own export for this source until the region organised its services, then the
    region's. Drawn once per source and municipality."""
    swedish = row["language_status"] == "sv_fi"
    if month >= row["organised_by_region_from"][:7]:
        return RegistryFormat(replace(REGION_SYSTEM, swedish=swedish), decimal_comma=shape.decimals)
    rng = rng_for(seed, shape.source, "system", row["code"])

    def pick(options: dict) -> object:
        keys = list(options)
        return keys[rng.choice(len(keys), p=np.array(list(options.values())) / sum(options.values()))]

    file = FileFormat(
        encoding=pick({"utf-8": .5, "utf-8-sig": .2, "cp1252": .3}),
        delimiter=pick({";": .7, ",": .2, "\t": .1}),
        date_format=pick({"%d.%m.%Y": .45, "%Y-%m-%d": .35, "%-d.%-m.%Y": .2}),
        crlf=bool(rng.random() < .5), trailing_empty_line=bool(rng.random() < .2), swedish=swedish,
        extra_column=bool(rng.random() < .3), reordered=bool(rng.random() < .2))
    decimal_comma = shape.decimals and bool(rng.random() < MUNICIPAL_DECIMAL_COMMA_SHARE)
    return RegistryFormat(file, decimal_comma=decimal_comma)


def plan_files(shape: Shape, layout: Layout, info: dict[tuple[str, str], SlotInfo],
               seed: int) -> tuple[list[PlannedFile], list[str]]:
    """Every file to write with its format and faults; and the names of the slots left undelivered."""
    rng = rng_for(seed, shape.source, "plan")
    slots = layout.slots()
    ordered = [slots[i] for i in rng.permutation(len(slots))]
    fault: dict[tuple[str, str], str] = {}
    for kind in SLOT_FAULTS:
        free = [slot for slot in ordered if slot not in fault]
        if len(free) <= KEEP_PLAIN:
            break           # a tiny layout keeps some good slots rather than every kind of fault
        if kind == k.MISSING_SLOT:
            fault[free[0]] = kind
            continue
        # A resubmission or a broken line needs rows (a resubmission also something that changed).
        fits = [slot for slot in free
                if info[slot].rows and (kind != k.RESUBMISSION or info[slot].resubmittable)]
        if fits:
            fault[fits[0]] = kind
    rows = {row["code"]: row for row in layout.municipalities}
    planned, missing = [], []
    for code, month in ordered:
        fmt, kind = system_format(shape, rows[code], month, seed), fault.get((code, month))
        name, second = file_name(shape.source, code, month), file_name(shape.source, code, month, 2)
        if kind == k.MISSING_SLOT:
            missing.append(name)
        elif kind == k.RESUBMISSION:
            planned += [PlannedFile(name, code, month, fmt, [k.FIRST_VERSION]),
                        PlannedFile(second, code, month, fmt, [k.RESUBMISSION])]
        elif kind == k.FIELD_COUNT and not shape.broken_replaces:
            planned += [PlannedFile(name, code, month, fmt),
                        PlannedFile(second, code, month, fmt, [k.FIELD_COUNT])]
        else:
            planned.append(PlannedFile(name, code, month, fmt, [kind] if kind else []))
    _force_formats(shape, [p for p in planned if p.live and info[p.slot].rows], info)
    return sorted(planned, key=lambda p: p.name), sorted(missing)


def required_kinds(shape: Shape) -> tuple[str, ...]:
    """Kinds some live file shows whenever the layout has files with rows (Swedish: with an sv_fi one)."""
    return (k.WINDOWS_1252, k.UTF8_BOM, k.DELIMITER_COMMA, k.DELIMITER_TAB) \
        + ((k.DECIMAL_COMMA,) if shape.decimals else ())


FORCED_ATTRIBUTE = {k.WINDOWS_1252: "encoding", k.UTF8_BOM: "encoding", k.DELIMITER_COMMA: "delimiter",
                    k.DELIMITER_TAB: "delimiter", k.DECIMAL_COMMA: "decimal_comma"}


def _forced(shape: Shape, fmt: RegistryFormat, kind: str) -> RegistryFormat:
    if kind == k.DECIMAL_COMMA:
        return replace(fmt, decimal_comma=True)
    if kind == k.WINDOWS_1252:
        # Plain-ASCII rows need the (non-ASCII) extra column for the encoding to show in the bytes.
        return replace(fmt, file=replace(fmt.file, encoding="cp1252",
                                         extra_column=fmt.file.extra_column or shape.ascii_rows))
    changes = {k.UTF8_BOM: {"encoding": "utf-8-sig"}, k.DELIMITER_COMMA: {"delimiter": ","},
               k.DELIMITER_TAB: {"delimiter": "\t"}}[kind]
    return replace(fmt, file=replace(fmt.file, **changes))


def _force_formats(shape: Shape, live: list[PlannedFile], info: dict[tuple[str, str], SlotInfo]) -> None:
    """Show every required kind on a live file with rows, never taking away a kind only that file shows."""
    forced_on: dict[str, set[str]] = {plan.name: set() for plan in live}
    shown = {plan.name: set(shown_kinds(shape, plan.fmt, info[plan.slot])) for plan in live}
    for kind in required_kinds(shape):
        if any(kind in kinds for kinds in shown.values()):
            continue
        counts = Counter(shown_kind for kinds in shown.values() for shown_kind in kinds)
        eligible = []
        for plan in live:
            after = set(shown_kinds(shape, _forced(shape, plan.fmt, kind), info[plan.slot]))
            only_here = {shown_kind for shown_kind in shown[plan.name] if counts[shown_kind] == 1}
            if FORCED_ATTRIBUTE[kind] not in forced_on[plan.name] and kind in after and not only_here - after:
                eligible.append((plan, after))
        if eligible:
            # Spread over files; among equals the one with most rows (a decimal comma needs decimals).
            plan, after = min(eligible, key=lambda pair: (len(forced_on[pair[0].name]),
                                                          -info[pair[0].slot].rows))
            plan.fmt = _forced(shape, plan.fmt, kind)
            shown[plan.name] = after
            forced_on[plan.name].add(FORCED_ATTRIBUTE[kind])


# --- rows → text ------------------------------------------------------------------------------------------

def slot_rows(layout: Layout, codes: tuple[str, ...], home: np.ndarray, day: np.ndarray,
              tiebreak: np.ndarray) -> dict[tuple[str, str], np.ndarray]:
    """Row indexes of every expected slot (the row's municipality, the month of its event day), ordered by
    day and `tiebreak`. Rows of other municipalities, months or unexpected slots belong to no slot."""
    first = np.datetime64(layout.months[0], "M")
    month = (day.astype("datetime64[M]") - first).astype(int)
    selected = np.array([code in layout.codes for code in codes])
    ok = np.flatnonzero((month >= 0) & (month < len(layout.months)) & ~np.isnat(day) & selected[home])
    key = home[ok].astype(np.int64) * len(layout.months) + month[ok]
    sort = np.lexsort((tiebreak[ok], day[ok], key))
    order = ok[sort]
    keys, starts = np.unique(key[sort], return_index=True)
    ends = np.r_[starts[1:], len(order)]
    slots = {}
    for value, start, end in zip(keys, starts, ends):
        slot = (codes[int(value // len(layout.months))], layout.months[int(value % len(layout.months))])
        if layout.expected(*slot):
            slots[slot] = order[start:end]
    return slots


def format_dates(days: np.ndarray, date_format: str) -> np.ndarray:
    """datetime64[D] → text in one of variants.DATE_KINDS' formats; NaT → ''."""
    missing = np.isnat(days)
    safe = np.where(missing, np.datetime64("2000-01-01"), days).astype("datetime64[D]")
    iso = np.datetime_as_string(safe, unit="D")
    if date_format == "%Y-%m-%d":
        text = iso
    else:
        year, month, day = _parts(iso)
        if date_format == "%-d.%-m.%Y":
            day, month = np.char.lstrip(day, "0"), np.char.lstrip(month, "0")
        text = np.char.add(np.char.add(np.char.add(np.char.add(day, "."), month), "."), year)
    return np.where(missing, "", text)


def _parts(iso: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """'YYYY-MM-DD' strings → year, month, day strings (fixed-width slices of the bytes)."""
    raw = iso.astype("S10").view("S1").reshape(-1, 10)

    def piece(first: int, last: int) -> np.ndarray:
        return np.ascontiguousarray(raw[:, first:last]).view(f"S{last - first}").ravel().astype(str)

    return piece(0, 4), piece(5, 7), piece(8, 10)


def render(shape: Shape, fmt: RegistryFormat, columns: dict[str, np.ndarray], kinds: list[str],
           rng: np.random.Generator) -> bytes:
    """Text columns (Finnish names, plus `_extra`) → the file's bytes in its format, with a broken line."""
    order = shape.reordered if fmt.file.reordered else tuple(shape.columns)
    names = [(column, shape.columns[column] if fmt.file.swedish else column) for column in order]
    if fmt.file.extra_column:
        names.insert(len(names) // 2, ("_extra", shape.extra[fmt.file.swedish]))
    frame = pd.DataFrame({name: columns[column] for column, name in names})
    data = frame.to_csv(sep=fmt.file.delimiter, index=False, lineterminator="\n").encode("utf-8")
    if k.FIELD_COUNT in kinds:
        data = faults.with_extra_field(data, fmt.file.delimiter, rng)
    return fmt.file.finish(data)


def unit_language(row: dict[str, str]) -> int:
    """0 = Finnish, 1 = Swedish: units are named in the municipality's majority language."""
    return int(row["language_status"].startswith("sv"))


def unit_name(names: tuple[str, str], row: dict[str, str]) -> str:
    language = unit_language(row)
    return f"{names[language]}, {row['name_sv' if language else 'name_fi']}"
