"""Intervention enrolments (registries.md `interventions`): one file per municipality and start month.

Statuses are those of the sample's extraction day (its last month's last day): an enrolment still running
then is `kesken` with an empty end date. The resubmitted slot's first file is the export of 14 days after
its month, when enrolments that ended later were still `kesken`; its `_v2` has the final statuses
(`status_update`). Swedish-header files use the Swedish status words; unit names are in the municipality's
majority language. The broken file is a `_v2` over a good first file (registry_files.py says why).
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np

from tiedolla.reference import municipalities as reference_municipalities
from tiedolla.sample import summary as k
from tiedolla.sample.context import SampleContext
from tiedolla.sample.enrolments import (EXPORT_DELAY_DAYS, ONGOING, PROGRAMME_CODES, PROGRAMMES, Cohorts,
                                        generate_cohorts)
from tiedolla.sample.layout import Layout, rng_for
from tiedolla.sample.registry_files import (PlannedFile, Shape, SlotInfo, format_dates, plan_files, render,
                                            shown_kinds, slot_rows, unit_name)
from tiedolla.sample.summary import SampleSummary

SOURCE = "interventions"
SHAPE = Shape(
    SOURCE,
    columns={"asiakas_tunniste": "klient_id", "interventio": "intervention", "yksikko": "enhet",
             "aloitus_pvm": "start_datum", "lopetus_pvm": "slut_datum", "tila": "status"},
    reordered=("aloitus_pvm", "asiakas_tunniste", "interventio", "tila", "lopetus_pvm", "yksikko"),
    extra=("tapaamiset", "moten"),           # number of meetings: not in the spec, ignored
    ascii_rows=False,                        # every unit name carries ä, ö or å
    broken_replaces=False,
)
# Indexed by ONGOING, COMPLETED, DROPPED_OUT.
STATUS_WORDS = {False: ("kesken", "valmis", "keskeytynyt"), True: ("pågående", "slutförd", "avbruten")}


def write_interventions(landing: Path, context: SampleContext, summary: SampleSummary,
                        log: Callable[[str], None]) -> None:
    """Generate the enrolments and write every planned file into `landing/interventions/`."""
    layout, seed, clients = context.layout, context.seed, context.clients
    cohorts = generate_cohorts(layout, clients, context.scale, seed)
    planned, missing, slots = plan_deliveries(layout, cohorts, clients.codes, seed)
    folder = landing / SOURCE
    folder.mkdir(parents=True, exist_ok=True)
    for name in missing:
        summary.mark(k.MISSING_SLOT, f"{SOURCE}/{name}")
    units = _units(clients.codes)
    e = cohorts.enrolments
    for plan in planned:
        rows = slots.get(plan.slot, np.zeros(0, dtype=int))
        status, end = e.status[rows], e.end[rows]
        if k.FIRST_VERSION in plan.kinds:
            status, end = _as_exported(cohorts, rows, plan.month)
        fmt = plan.fmt.file
        meetings = (np.minimum(e.planned_end[rows], cohorts.extraction) - e.start[rows]).astype(int) // 7 + 1
        columns = {
            "asiakas_tunniste": clients.ids[e.client[rows]],
            "interventio": np.array(PROGRAMME_CODES)[e.programme[rows]],
            "yksikko": units[e.programme[rows], e.home[rows]],
            "aloitus_pvm": format_dates(e.start[rows], fmt.date_format),
            "lopetus_pvm": format_dates(end, fmt.date_format),
            "tila": np.array(STATUS_WORDS[fmt.swedish])[status],
            "_extra": meetings.astype(str),
        }
        rng = rng_for(seed, SOURCE, "faults", plan.name)
        (folder / plan.name).write_bytes(render(SHAPE, plan.fmt, columns, plan.kinds, rng))
        kinds = plan.kinds + shown_kinds(SHAPE, plan.fmt, SlotInfo(len(rows)))
        if not len(rows):
            kinds.append(k.HEADER_ONLY)
        if k.RESUBMISSION in plan.kinds:
            kinds.append(k.STATUS_UPDATE)
        summary.wrote(SOURCE, plan.name, len(rows), kinds)
    log(f"{SOURCE}: {len(planned)} files, {summary.rows[SOURCE]:,} enrolments, {len(missing)} slot(s) left "
        f"undelivered, {len([p for p in planned if not p.live and k.FIRST_VERSION not in p.kinds])} broken")


def plan_deliveries(layout: Layout, cohorts: Cohorts, codes: tuple[str, ...], seed: int,
                    ) -> tuple[list[PlannedFile], list[str], dict[tuple[str, str], np.ndarray]]:
    """The planned files, the undelivered slots' names, and each slot's enrolments (by start month)."""
    e = cohorts.enrolments
    slots = slot_rows(layout, codes, e.home, e.start, e.client)
    info = {}
    for slot in layout.slots():
        rows = slots.get(slot, np.zeros(0, dtype=int))
        changed = (_as_exported(cohorts, rows, slot[1])[0] != e.status[rows]).any() if len(rows) else False
        info[slot] = SlotInfo(len(rows), resubmittable=bool(changed))
    planned, missing = plan_files(SHAPE, layout, info, seed)
    return planned, missing, slots


def undelivered(layout: Layout, cohorts: Cohorts, codes: tuple[str, ...], seed: int) -> np.ndarray:
    """Per enrolment: True when its enrolment file is never delivered (a missing slot). Such participants
    get no outcome measurements either: they would otherwise look never enrolled, and join the comparison
    group of their own intervention."""
    _, missing, slots = plan_deliveries(layout, cohorts, codes, seed)
    lost = np.zeros(len(cohorts.enrolments.start), dtype=bool)
    for name in missing:
        code, month = name.removesuffix(".csv").split("_")[1:3]
        lost[slots.get((code, month), np.zeros(0, dtype=int))] = True
    return lost


def _as_exported(cohorts: Cohorts, rows: np.ndarray, month: str) -> tuple[np.ndarray, np.ndarray]:
    """Statuses and end dates as exported 14 days after `month`: later ends were still ongoing then."""
    e = cohorts.enrolments
    exported = (np.datetime64(month, "M") + 1).astype("datetime64[D]") - 1 + EXPORT_DELAY_DAYS
    running = e.planned_end[rows] > exported
    return (np.where(running, ONGOING, e.status[rows]).astype(np.int8),
            np.where(running, np.datetime64("NaT"), e.end[rows]))


def _units(codes: tuple[str, ...]) -> np.ndarray:
    """Unit name per (programme, municipality index)."""
    rows = {row["code"]: row for row in reference_municipalities()}
    return np.array([[unit_name(p.unit, rows[code]) for code in codes] for p in PROGRAMMES])
