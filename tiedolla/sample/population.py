"""Yearly population files: residents on 31 December by municipality, age group and sex (registries.md).

Patchiness: the first year has Swedish headers (Windows-1252, so 'åldersgrupp' and 'kön' need decoding),
the middle year a duplicated key line (a wrong value, then the right one), the last year a `_v2`
replacing preliminary figures.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Callable

import numpy as np

from tiedolla.sample import summary as k
from tiedolla.sample.clients import AGE_GROUPS, DEFAULT_TREND, FEMALE_SHARE, TREND, age_shares, residents
from tiedolla.sample.context import SampleContext
from tiedolla.sample.layout import rng_for
from tiedolla.sample.summary import SampleSummary
from tiedolla.sample.variants import DATE_KINDS, FileFormat

SOURCE = "population"
HEADER = {False: ("kunta", "ikaryhma", "sukupuoli", "vaesto"),
          True: ("kommun", "åldersgrupp", "kön", "befolkning")}
REFERENCE_YEAR = 2021          # clients.residents() sizes are those of the end of this year
AGEING = np.array([0.99, 0.995, 0.997, 1.01, 1.025])   # yearly drift of the age-group shares: the region ages
Row = tuple[str, str, str, int]


def population_rows(codes: tuple[str, ...], year: int, scale: float, seed: int) -> list[Row]:
    """(kunta, ikaryhma, sukupuoli, vaesto) for every municipality, age group and sex on 31 December."""
    rows: list[Row] = []
    for code in codes:
        rng = rng_for(seed, SOURCE, code, year)
        growth = (1 + TREND.get(code, DEFAULT_TREND)) ** (year - REFERENCE_YEAR)
        total = round(residents(code, scale) * growth)
        shares = age_shares(code) * AGEING ** (year - REFERENCE_YEAR)
        female = np.array(FEMALE_SHARE)
        cells = np.ravel(np.column_stack([shares * (1 - female), shares * female]))
        counts = rng.multinomial(total, cells / cells.sum())
        rows += [(code, group, str(sex + 1), int(counts[2 * g + sex]))
                 for g, group in enumerate(AGE_GROUPS) for sex in (0, 1)]
    return rows


def write_population(landing: Path, context: SampleContext, summary: SampleSummary,
                     log: Callable[[str], None]) -> None:
    """One file a year (and a `_v2`) into `landing/population/`, recording kinds in `summary`."""
    scale, seed = context.scale, context.seed
    folder = landing / SOURCE
    folder.mkdir(parents=True, exist_ok=True)
    # Population is regional: every selected municipality every year (Kronoby too, before its deliveries).
    codes, years = context.layout.codes, context.layout.years
    swedish_year, duplicate_year, resubmitted_year = years[0], years[len(years) // 2], years[-1]
    for year in years:
        rows = population_rows(codes, year, scale, seed)
        rng = rng_for(seed, SOURCE, "faults", year)
        fmt = FileFormat(encoding="cp1252", crlf=True, swedish=True) if year == swedish_year else FileFormat()
        name, kinds = f"vaesto_{year}.csv", []
        if year == resubmitted_year:
            preliminary = [(c, g, s, max(0, round(n * rng.uniform(0.97, 1.03)))) for c, g, s, n in rows]
            first_fmt = replace(fmt, encoding="utf-8-sig") if fmt.encoding == "utf-8" else fmt
            _write(folder / name, preliminary, first_fmt, summary, [k.FIRST_VERSION])
            name, kinds = f"vaesto_{year}_v2.csv", [k.RESUBMISSION]
        if year == duplicate_year:
            at = int(rng.integers(len(rows)))
            code, group, sex, count = rows[at]
            rows = rows[:at] + [(code, group, sex, count + int(rng.integers(5, 50)))] + rows[at:]
            kinds.append(k.DUPLICATE_KEY)
        _write(folder / name, rows, fmt, summary, kinds)
    log(f"{SOURCE}: {len(summary.files[SOURCE])} files for {years[0]}–{years[-1]}, "
        f"{len(codes)} municipalities")


def _write(path: Path, rows: list[Row], fmt: FileFormat, summary: SampleSummary, kinds: list[str]) -> None:
    lines = [fmt.delimiter.join(HEADER[fmt.swedish])] + [fmt.delimiter.join(map(str, row)) for row in rows]
    path.write_bytes(fmt.finish(("\n".join(lines) + "\n").encode("utf-8")))
    # Population files carry no dates: their format kinds are encoding, delimiter, header and line endings.
    shown = [kind for kind in fmt.kinds() if kind not in DATE_KINDS.values()]
    summary.wrote(SOURCE, path.name, len(rows), kinds + shown)
