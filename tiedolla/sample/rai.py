"""RAI assessments (registries.md `rai`): one file per municipality and assessment month.

Some systems add the assessing unit as an extra column; it is the only non-ASCII text of a RAI file, so a
Windows-1252 file counts as one only with it. A resubmitted month's first file had a draft assessment
exported twice (a changed MAPLe on the later line) and about 5 % of MAPLe levels off by one, corrected in
the `_v2`. Faults and formats: registry_files.py.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np

from tiedolla.reference import municipalities as reference_municipalities
from tiedolla.sample import summary as k
from tiedolla.sample.assessments import INSTRUMENTS, MISSING, SCALES, Assessments, generate_assessments
from tiedolla.sample.context import SampleContext
from tiedolla.sample.layout import rng_for
from tiedolla.sample.registry_files import (Shape, SlotInfo, format_dates, plan_files, render, shown_kinds,
                                            slot_rows, unit_name)
from tiedolla.sample.summary import SampleSummary

SOURCE = "rai"
SHAPE = Shape(
    SOURCE,
    columns={"asiakas_tunniste": "klient_id", "arviointi_pvm": "bedomning_datum",
             "instrumentti": "instrument", "maple": "maple", "cps": "cps", "adlh": "adlh", "iadl": "iadl",
             "drs": "drs", "chess": "chess"},
    reordered=("arviointi_pvm", "asiakas_tunniste", "instrumentti", "maple", "adlh", "cps", "chess", "drs",
               "iadl"),
    extra=("yksikko", "enhet"),
    ascii_rows=True,
)
# The assessing unit per instrument (fi, sv), followed by the municipality's name.
UNITS = {"HC": ("Ikäihmisten kotihoito", "Hemvården för äldre"),
         "LTCF": ("Ikäihmisten ympärivuorokautinen hoiva", "Äldreboende med heldygnsomsorg"),
         "CHA": ("Ikäihmisten palveluohjaus", "Äldreomsorgens servicehandledning")}
FIRST_VERSION_WRONG_SHARE = 0.05


def write_rai(landing: Path, context: SampleContext, summary: SampleSummary,
              log: Callable[[str], None]) -> None:
    """Generate the assessments and write every planned file into `landing/rai/`."""
    layout, seed, clients = context.layout, context.seed, context.clients
    assessments = generate_assessments(layout, clients, context.scale, seed)
    slots = slot_rows(layout, clients.codes, assessments.home, assessments.day, assessments.client)
    info = {slot: SlotInfo(len(slots.get(slot, ()))) for slot in layout.slots()}
    planned, missing = plan_files(SHAPE, layout, info, seed)
    folder = landing / SOURCE
    folder.mkdir(parents=True, exist_ok=True)
    for name in missing:
        summary.mark(k.MISSING_SLOT, f"{SOURCE}/{name}")
    units = _units(clients.codes)
    for plan in planned:
        rows = slots.get(plan.slot, np.zeros(0, dtype=int))
        rng = rng_for(seed, SOURCE, "faults", plan.name)
        columns = _columns(assessments, rows, clients.ids, units, plan.fmt.file.date_format)
        if k.FIRST_VERSION in plan.kinds:
            columns = _as_first_version(columns, rng)
        (folder / plan.name).write_bytes(render(SHAPE, plan.fmt, columns, plan.kinds, rng))
        lines = len(columns["maple"])
        kinds = plan.kinds + shown_kinds(SHAPE, plan.fmt, SlotInfo(lines))
        summary.wrote(SOURCE, plan.name, lines, kinds + ([k.HEADER_ONLY] if not lines else []))
    clients_seen = len(np.unique(assessments.client))
    broken = len([p for p in planned if k.FIELD_COUNT in p.kinds])
    log(f"{SOURCE}: {len(planned)} files, {summary.rows[SOURCE]:,} assessments of {clients_seen:,} clients, "
        f"{len(missing)} slot(s) left undelivered, {broken} broken")


def _columns(a: Assessments, rows: np.ndarray, ids: np.ndarray, units: np.ndarray,
             date_format: str) -> dict[str, np.ndarray]:
    columns = {"asiakas_tunniste": ids[a.client[rows]],
               "arviointi_pvm": format_dates(a.day[rows], date_format),
               "instrumentti": np.array(INSTRUMENTS)[a.instrument[rows]],
               "_extra": units[a.instrument[rows], a.home[rows]]}
    for name in SCALES:
        values = a.scores[name][rows]
        columns[name] = np.where(values == MISSING, "", values.astype(str))
    return columns


def _as_first_version(columns: dict[str, np.ndarray], rng: np.random.Generator) -> dict[str, np.ndarray]:
    """The delivery the `_v2` replaces: some MAPLe levels off by one, and one assessment twice (a draft,
    then the same assessment with another MAPLe: the later line wins within the file)."""
    n = len(columns["maple"])
    maple = columns["maple"].astype(int)
    wrong = rng.random(n) < FIRST_VERSION_WRONG_SHARE
    maple = np.where(wrong, np.where(maple == 5, 4, maple + 1), maple)
    draft = int(rng.integers(n))
    order = np.r_[np.arange(draft + 1), draft, np.arange(draft + 1, n)]
    columns = {name: values[order] for name, values in columns.items()}
    maple = maple[order]
    maple[draft] = 5 if maple[draft] < 5 else 4          # the draft line, before the final one
    columns["maple"] = maple.astype(str)
    return columns


def _units(codes: tuple[str, ...]) -> np.ndarray:
    """Unit name per (instrument, municipality index)."""
    rows = {row["code"]: row for row in reference_municipalities()}
    return np.array([[unit_name(UNITS[instrument], rows[code]) for code in codes]
                     for instrument in INSTRUMENTS])
