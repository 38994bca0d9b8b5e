"""Outcome measurements (registries.md `outcomes`): one file per municipality and measurement month.

Participants of the interventions with measures get a baseline and a follow-up, never-enrolled comparison
clients two measurements 60–240 days apart (measurements.py), with the true effects of effects.py. A handful
of measurements sit exactly on the windows' edges (`window_edge`). Participants whose enrolment file is
never delivered are not measured (interventions.undelivered).

Row faults (`rejected_rows`, extra lines under 2 % of a file, in the biggest good file of 50 rows or more
and about 8 % of the other such files): a value outside its measure's range, an unknown measure code, a
measurement day outside the file's month. A resubmitted month's first file had about 3 % of values
mistyped and one measurement that was later deleted. Values have decimals (EUROHIS8 in eighths, PROMIS
T-scores in tenths), written with a decimal comma by the region's system and by some municipalities'.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np

from tiedolla.reference import municipalities as reference_municipalities
from tiedolla.sample import summary as k
from tiedolla.sample.context import SampleContext
from tiedolla.sample.effects import MEASURE_CODES, MEASURES, measure_range
from tiedolla.sample.enrolments import COMPARISON_SETS, generate_cohorts
from tiedolla.sample.interventions import undelivered
from tiedolla.sample.layout import Layout, rng_for
from tiedolla.sample.measurements import Measurements, generate_measurements, with_window_edges
from tiedolla.sample.registry_files import (PlannedFile, Shape, SlotInfo, format_dates, plan_files, render,
                                            shown_kinds, slot_rows, unit_name)
from tiedolla.sample.summary import SampleSummary

SOURCE = "outcomes"
SHAPE = Shape(
    SOURCE,
    columns={"asiakas_tunniste": "klient_id", "mittari": "matare", "mittaus_pvm": "matning_datum",
             "arvo": "varde"},
    reordered=("mittaus_pvm", "mittari", "arvo", "asiakas_tunniste"),
    extra=("yksikko", "enhet"),                # the measuring unit: not in the spec, ignored
    ascii_rows=True,
    decimals=True,
)
DECIMALS = {1: 0, 0.1: 1, 0.125: 3}            # digits a step needs; trailing zeros are dropped
UNKNOWN_MEASURE = "GAD7"                       # a real questionnaire, but not one of measures.csv
MIN_ROWS = 50                                  # one bad line stays under 2 %
EXTRA_REJECTED_SHARE = 0.08
FIRST_VERSION_WRONG_SHARE = 0.03


def write_outcomes(landing: Path, context: SampleContext, summary: SampleSummary,
                   log: Callable[[str], None]) -> None:
    """Generate the measurements and write every planned file into `landing/outcomes/`."""
    layout, seed, clients = context.layout, context.seed, context.clients
    cohorts = generate_cohorts(layout, clients, context.scale, seed)
    rows = generate_measurements(cohorts, seed)
    lost = undelivered(layout, cohorts, clients.codes, seed)
    rows = rows.take(np.flatnonzero(~((rows.owner >= 0) & lost[np.maximum(rows.owner, 0)])))
    slots = _slots(layout, clients.codes, rows)
    info = {slot: _info(rows, slots.get(slot, np.zeros(0, dtype=int))) for slot in layout.slots()}
    planned, missing = plan_files(SHAPE, layout, info, seed)
    generated = len(rows)
    rows, edges = with_window_edges(rows, cohorts, _live(layout, clients.codes, planned),
                                    rng_for(seed, SOURCE, "edges"))
    slots = _slots(layout, clients.codes, rows)
    _add_rejected_rows(planned, slots, rng_for(seed, SOURCE, "rejected"))
    folder = landing / SOURCE
    folder.mkdir(parents=True, exist_ok=True)
    for name in missing:
        summary.mark(k.MISSING_SLOT, f"{SOURCE}/{name}")
    units = _units(clients.codes)
    for plan in planned:
        index = slots.get(plan.slot, np.zeros(0, dtype=int))
        rng = rng_for(seed, SOURCE, "faults", plan.name)
        columns, lines = _file_columns(rows, index, plan, clients.ids, units, rng)
        (folder / plan.name).write_bytes(render(SHAPE, plan.fmt, columns, plan.kinds, rng))
        kinds = plan.kinds + shown_kinds(SHAPE, plan.fmt, _info(rows, index))
        if (index >= generated).any():
            kinds.append(k.WINDOW_EDGE)
        summary.wrote(SOURCE, plan.name, lines, kinds + ([k.HEADER_ONLY] if not lines else []))
    log(f"{SOURCE}: {len(planned)} files, {summary.rows[SOURCE]:,} data lines, {len(missing)} slot(s) left "
        f"undelivered, {len([p for p in planned if k.FIELD_COUNT in p.kinds])} broken, window edges on "
        f"{len(edges)} participant(s)")


def _slots(layout: Layout, codes: tuple[str, ...], rows: Measurements) -> dict[tuple[str, str], np.ndarray]:
    return slot_rows(layout, codes, rows.home, rows.day, rows.client * len(MEASURE_CODES) + rows.measure)


def _info(rows: Measurements, index: np.ndarray) -> SlotInfo:
    values = rows.value[index]
    return SlotInfo(len(index), fractions=bool((values != np.round(values)).any()))


def _live(layout: Layout, codes: tuple[str, ...], planned: list[PlannedFile],
          ) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """Whether a measurement of a day and home municipality (index into codes) lands in a loading file."""
    loads = np.zeros((len(codes), len(layout.months)), dtype=bool)
    for plan in planned:
        if plan.live:
            loads[codes.index(plan.code), layout.months.index(plan.month)] = True
    first = np.datetime64(layout.months[0], "M")

    def live(day: np.ndarray, home: np.ndarray) -> np.ndarray:
        month = (day.astype("datetime64[M]") - first).astype(int)
        inside = (month >= 0) & (month < len(layout.months))
        return inside & loads[home, np.clip(month, 0, len(layout.months) - 1)]

    return live


def _add_rejected_rows(planned: list[PlannedFile], slots: dict, rng: np.random.Generator) -> None:
    roomy = [p for p in planned if p.live and len(slots.get(p.slot, ())) >= MIN_ROWS]
    roomy.sort(key=lambda p: (-len(slots[p.slot]), p.name))
    for index, plan in enumerate(roomy):
        if index == 0 or rng.random() < EXTRA_REJECTED_SHARE:
            plan.kinds.append(k.REJECTED_ROWS)


def _file_columns(rows: Measurements, index: np.ndarray, plan: PlannedFile, ids: np.ndarray,
                  units: np.ndarray, rng: np.random.Generator) -> tuple[dict[str, np.ndarray], int]:
    """One file's text columns, with its first-version changes or rejected lines; and its data lines."""
    measure, day, value = rows.measure[index], rows.day[index], rows.value[index]
    code = np.array(MEASURE_CODES)[measure]
    row = index                 # the generated row each line comes from (a faulty line: the row it copies)
    if k.FIRST_VERSION in plan.kinds:
        measure, code, day, value, row = _as_first_version(measure, code, day, value, row, plan.month, rng)
    if k.REJECTED_ROWS in plan.kinds:
        measure, code, day, value, row = _with_rejected(measure, code, day, value, row, plan.month, rng)
    fmt = plan.fmt
    columns = {"asiakas_tunniste": ids[rows.client[row]], "mittari": code,
               "mittaus_pvm": format_dates(day, fmt.file.date_format),
               "arvo": format_values(measure, value, fmt.decimal_comma),
               "_extra": units[measure, rows.home[row]]}
    return columns, len(day)


def format_values(measure: np.ndarray, value: np.ndarray, decimal_comma: bool) -> np.ndarray:
    """Values with the digits their measure's step needs, trailing zeros dropped ('3.25', '42.3', '12')."""
    digits = np.array([DECIMALS[MEASURES[code].step] for code in MEASURE_CODES])[measure]
    text = np.zeros(len(value), dtype="U16")
    for places in np.unique(digits):
        mine = digits == places
        formatted = np.char.mod(f"%.{places}f", value[mine])
        if places:
            formatted = np.char.rstrip(np.char.rstrip(formatted, "0"), ".")
        text[mine] = formatted
    return np.char.replace(text, ".", ",") if decimal_comma and len(text) else text


def _interleave(arrays: tuple[np.ndarray, ...], extra: tuple[np.ndarray, ...],
                after: np.ndarray) -> tuple[np.ndarray, ...]:
    """Insert the `extra` rows each right after row `after[i]`."""
    position = np.r_[np.arange(len(arrays[0]), dtype=float), after + 0.5]
    order = np.argsort(position, kind="stable")
    return tuple(np.concatenate([a, b])[order] for a, b in zip(arrays, extra))


def _with_rejected(measure, code, day, value, row, month: str, rng: np.random.Generator):
    """Extra lines, under 2 % of the file, each breaking one row rule: a value above its measure's range
    (four steps above: PHQ9 31, EUROHIS8 5.5, PROMIS 68.4), an unknown measure, a day outside the month."""
    n = len(day)
    count = max(1, min(8, n // 60))
    picked = np.sort(rng.choice(n, size=count, replace=False))
    reason = (np.arange(count) + rng.integers(3)) % 3
    bad_code, bad_day, bad_value = code[picked].copy(), day[picked].copy(), value[picked].copy()
    high = np.array([measure_range(c)[1] + 4 * MEASURES[c].step for c in MEASURE_CODES])[measure[picked]]
    bad_value = np.where(reason == 0, high, bad_value)
    bad_code = np.where(reason == 1, UNKNOWN_MEASURE, bad_code)
    first = np.datetime64(month, "D")
    after = (np.datetime64(month, "M") + 1).astype("datetime64[D]")
    outside = np.where(rng.random(count) < 0.5, first - rng.integers(1, 4, size=count),
                       after + rng.integers(0, 3, size=count))
    bad_day = np.where(reason == 2, outside, bad_day)
    return _interleave((measure, code, day, value, row),
                       (measure[picked], bad_code, bad_day, bad_value, row[picked]), picked)


def _as_first_version(measure, code, day, value, row, month: str, rng: np.random.Generator):
    """The delivery a `_v2` replaces: ~3 % of values one step off (still in range) and one more
    measurement (entered for the wrong day, deleted before the `_v2`)."""
    n = len(day)
    step = np.array([MEASURES[c].step for c in MEASURE_CODES])[measure]
    low = np.array([measure_range(c)[0] for c in MEASURE_CODES])[measure]
    high = np.array([measure_range(c)[1] for c in MEASURE_CODES])[measure]
    wrong = rng.random(n) < FIRST_VERSION_WRONG_SHARE
    value = np.where(wrong, np.where(value + step <= high, value + step, value - step), value)
    value = np.clip(value, low, high)
    picked = np.array([int(rng.integers(n))])
    first = np.datetime64(month, "D")
    last = (np.datetime64(month, "M") + 1).astype("datetime64[D]") - 1
    moved = np.where(day[picked] < last, day[picked] + 1, day[picked] - 1)
    moved = np.clip(moved, first, last)
    return _interleave((measure, code, day, value, row),
                       (measure[picked], code[picked], moved, value[picked], row[picked]), picked)


def _units(codes: tuple[str, ...]) -> np.ndarray:
    """Measuring unit per (measure index, municipality index)."""
    rows = {row["code"]: row for row in reference_municipalities()}
    names = {m: s.unit for s in COMPARISON_SETS for m in s.measures}
    return np.array([[unit_name(names[m], rows[code]) for code in codes] for m in MEASURE_CODES])
