"""Synthetic sample deliveries (`tiedolla sample`): visit extracts, population, contact-centre contacts,
Sotkanet benchmarks, RAI assessments, intervention enrolments and outcome measurements, patchiness included.

One module per source writes into `landing/<source>/`; add a source by adding its writer to WRITERS.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np

from tiedolla.sample.avohilmo import write_avohilmo
from tiedolla.sample.clients import make_clients
from tiedolla.sample.contacts import write_contacts
from tiedolla.sample.context import SampleContext
from tiedolla.sample.interventions import write_interventions
from tiedolla.sample.layout import Layout
from tiedolla.sample.outcomes import write_outcomes
from tiedolla.sample.population import write_population
from tiedolla.sample.rai import write_rai
from tiedolla.sample.sotkanet import write_sotkanet
from tiedolla.sample.summary import QUARANTINE_KINDS, SampleSummary

__all__ = ["generate_sample", "SampleSummary", "QUARANTINE_KINDS"]

Log = Callable[[str], None]
Writer = Callable[[Path, SampleContext, SampleSummary, Log], None]   # landing, context, summary, log
WRITERS: tuple[Writer, ...] = (write_avohilmo, write_population, write_contacts, write_sotkanet, write_rai,
                               write_interventions, write_outcomes)


def generate_sample(landing: Path, scale: float = 1.0, seed: int = 1,
                    months: tuple[str, str] = ("2019-01", "2024-12"), municipalities: list[str] | None = None,
                    log: Log = print) -> SampleSummary:
    """Write the sample deliveries into `landing/`; same arguments, same bytes. Existing other files stay."""
    if not scale > 0:
        raise ValueError(f"scale must be positive, not {scale}")
    landing = Path(landing)
    layout = Layout.build(tuple(months), municipalities)
    summary = SampleSummary(landing)
    first, last = np.datetime64(layout.months[0], "D"), np.datetime64(layout.months[-1], "M") + 1
    # Ages are drawn for the middle of the period, so children born during it can visit too.
    clients = make_clients(scale, seed, first + (last.astype("datetime64[D]") - first) // 2)
    context = SampleContext(layout, scale, seed, clients)
    for write in WRITERS:
        write(landing, context, summary, log)
    _warn_about_strangers(landing, summary, log)
    return summary


def _warn_about_strangers(landing: Path, summary: SampleSummary, log: Log) -> None:
    """Files this run did not write (an earlier sample, real deliveries) would be loaded alongside."""
    for source, names in summary.files.items():
        others = sorted(p.name for p in (landing / source).iterdir() if p.is_file() and p.name not in names)
        if others:
            log(f"WARNING {source}: {len(others)} file(s) in {landing / source} were not written by this "
                f"sample (e.g. {others[0]}); remove them for a clean sample")
