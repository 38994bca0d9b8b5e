"""docs/benchmarks.md from the harness's measurements: one table of figures against targets, the machine, the
method and every raw measurement (so each median can be checked)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from statistics import median

MIB = 2**20


@dataclass
class Report:
    command: str
    machine: dict[str, str]
    revision: str
    repeats: int
    months: str
    municipalities: str
    results: list = field(default_factory=list)   # bench.run.ScaleResult, ascending scale


@dataclass
class Row:
    figure: str
    ours: str
    reference: str = "—"
    ratio: str = "—"
    target: str = "—"
    met: str = "—"


def fit_line(points: list[tuple[float, float]]) -> tuple[float, float]:
    """Least squares through (x, y): (intercept, slope). Two points: the line through them."""
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    sxx = sum((x - mean_x) ** 2 for x, _ in points)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / sxx
    return mean_y - slope * mean_x, slope


def _met(ok: bool) -> str:
    return "yes" if ok else "**no**"


def _seconds(values) -> float:
    return median([m.seconds for m in values])


def _peak(values) -> float:
    return median([m.peak_tree_rss for m in values]) / MIB


def figures(report: Report) -> list[Row]:
    rows: list[Row] = []
    for r in report.results:
        seconds = {k: median(v) for k, v in r.ingest.items()}
        ours, duck, pand = (r.ingest_rows / seconds[k] for k in ("ours", "duckdb", "pandas"))
        what = f"scale {r.scale:g}: {r.ingest_rows:,} rows, {r.ingest_files} files, {r.ingest_mb:.0f} MB"
        rows.append(Row(f"Ingest throughput vs DuckDB `read_csv` ({what})", f"{ours:,.0f} rows/s",
                        f"{duck:,.0f} rows/s", f"{ours / duck:.2f}", "≥ 0.5", _met(ours / duck >= 0.5)))
        rows.append(Row(f"Ingest throughput vs pandas `read_csv` (scale {r.scale:g})", f"{ours:,.0f} rows/s",
                        f"{pand:,.0f} rows/s", f"{ours / pand:.2f}", "≥ 3", _met(ours / pand >= 3)))
    for r in report.results:
        full, bare = _seconds(r.full), _seconds(r.bare)
        rows.append(Row(f"Full run, wall time (scale {r.scale:g}: {r.live_rows:,} visit rows, "
                        f"{r.landed_files} files of all sources)", f"{full:.1f} s", f"{bare:.1f} s",
                        f"{full / bare:.0f} ×"))
    if len(report.results) >= 2:
        ours_fixed, ours_slope = fit_line([(r.live_rows / 1e6, _seconds(r.full)) for r in report.results])
        bare_fixed, bare_slope = fit_line([(r.live_rows / 1e6, _seconds(r.bare)) for r in report.results])
        rows.append(Row("Fixed cost of a full run (intercept of the line)", f"{ours_fixed:.1f} s",
                        f"{bare_fixed:.1f} s", f"{ours_fixed / bare_fixed:.0f} ×" if bare_fixed > 0 else "—"))
        if ours_slope > 0 and bare_slope > 0:
            ratio, met = f"{ours_slope / bare_slope:.1f} ×", _met(ours_slope / bare_slope <= 3)
        else:   # a time that did not grow with the rows: the per-row cost is within the repeats' noise
            ratio, met = "not measurable (≤ 0)", "—"
        rows.append(Row("Cost per million visit rows (slope of the line)", f"{ours_slope:.3g} s",
                        f"{bare_slope:.3g} s", ratio, "≤ 3 ×", met))
    for smaller, larger in zip(report.results, report.results[1:]):
        # At most linear in rows: the time grows by no more than the rows do (the fixed cost only helps).
        time_growth = _seconds(larger.full) / _seconds(smaller.full)
        row_growth = larger.live_rows / smaller.live_rows
        rows.append(Row(f"Full run time growth, scale {smaller.scale:g} → {larger.scale:g}", f"× {time_growth:.2f}",
                        f"× {row_growth:.2f} (visit rows)", f"{time_growth / row_growth:.2f}",
                        "≤ 1 (at most linear)", _met(time_growth <= row_growth)))
    for r in report.results:
        noop = _seconds(r.noop)
        rows.append(Row(f"Run with nothing new (scale {r.scale:g})", f"{noop:.1f} s", target="≤ 10 s",
                        met=_met(noop <= 10)))
    for r in report.results:
        incremental, full = _seconds(r.incremental), _seconds(r.full)
        rows.append(Row(f"One new month of one municipality (`{r.new_file}`) vs the full run "
                        f"(scale {r.scale:g})", f"{incremental:.1f} s", f"{full:.1f} s",
                        f"{incremental / full:.2f}", "≤ 0.2", _met(incremental / full <= 0.2)))
    for r in report.results:
        ours, bare = _peak(r.full), _peak(r.bare)
        rows.append(Row(f"Peak memory of a full run, RSS of the process tree (scale {r.scale:g})",
                        f"{ours:,.0f} MiB", f"{bare:,.0f} MiB", f"{ours / bare:.1f} ×", "≤ 6 GiB",
                        _met(ours <= 6 * 1024)))
    if len(report.results) >= 2:
        _, ours_mem = fit_line([(r.live_rows / 1e6, _peak(r.full)) for r in report.results])
        _, bare_mem = fit_line([(r.live_rows / 1e6, _peak(r.bare)) for r in report.results])
        rows.append(Row("Peak memory per million visit rows (slope)", f"{ours_mem:,.0f} MiB",
                        f"{bare_mem:,.0f} MiB"))
    return rows


def table(rows: list[Row]) -> str:
    lines = ["| figure | ours | reference | ratio | target | met? |", "|---|---|---|---|---|---|"]
    lines += [f"| {r.figure} | {r.ours} | {r.reference} | {r.ratio} | {r.target} | {r.met} |" for r in rows]
    return "\n".join(lines)


def _list(values, unit: str = "s", scale: float = 1.0, digits: int = 1) -> str:
    return ", ".join(f"{v / scale:,.{digits}f}" for v in values) + f" {unit}"


def raw_measurements(report: Report) -> str:
    out = []
    for r in report.results:
        out += [f"### Scale {r.scale:g}", "",
                f"- Visit rows of the live files: {r.live_rows:,}; files landed (all sources): "
                f"{r.landed_files}; new-month file: `{r.new_file}`.",
                f"- Ingest, seconds per repeat: ours {_list(r.ingest['ours'], digits=2)}; DuckDB "
                f"{_list(r.ingest['duckdb'], digits=2)}; pandas {_list(r.ingest['pandas'], digits=2)}.",
                f"- Full `tiedolla run`: {_list([m.seconds for m in r.full])}; peak RSS of the tree "
                f"{_list([m.peak_tree_rss for m in r.full], 'MiB', MIB, 0)}; largest single process "
                f"{_list([m.peak_process_rss for m in r.full], 'MiB', MIB, 0)}.",
                f"- Bare DuckDB script: {_list([m.seconds for m in r.bare])}; peak RSS "
                f"{_list([m.peak_tree_rss for m in r.bare], 'MiB', MIB, 0)}.",
                f"- Run with nothing new: {_list([m.seconds for m in r.noop])}; peak RSS "
                f"{_list([m.peak_tree_rss for m in r.noop], 'MiB', MIB, 0)}.",
                f"- One new month: {_list([m.seconds for m in r.incremental])}; peak RSS "
                f"{_list([m.peak_tree_rss for m in r.incremental], 'MiB', MIB, 0)}.",
                ""]
        if r.checked_cells is not None:
            out += [f"Check: the bare script's `wait_times` equal the published `marts.wait_times` in all "
                    f"{r.checked_cells} cells with visits (same suppression; every value within 1e-9).", ""]
    return "\n".join(out)


def render(report: Report) -> str:
    m = report.machine
    scales = ", ".join(f"{r.scale:g}" for r in report.results)
    municipalities = "all 15 municipalities" if report.municipalities == "all" else \
        f"municipalities {report.municipalities}"
    rows = figures(report)
    missed = [r.figure for r in rows if r.met == "**no**"]
    return f"""# Benchmarks

Generated by `{report.command}` (bench/run.py); do not edit by hand, run it again.
What the figures mean for running the whole country, and what dominates a run: [scaling.md](scaling.md).

- **Machine**: {m['cpu']}, {m['ram']} RAM, {m['os']}.
- **Load**: shared with other work; load average (1, 5, 15 min) {m['load']} before,
  {m.get('load_after', 'n/a')} after.
- **Software**: {m['versions']}.
- **Code**: revision {report.revision}. **Date**: {m['date']}.
- **Data**: `tiedolla sample --seed 1 --months {report.months}` for {municipalities}, at scales {scales}
  (1 = the region's real volumes); every kind of patchiness is in (resubmissions, Swedish headers,
  Windows-1252, broken files that get quarantined, rejected rows), and so are the other sources (population,
  contacts, Sotkanet, RAI, interventions, outcomes).
- **Repeats**: every figure is the median of {report.repeats} measurement(s), taken side by side: each
  repeat runs ours and then its reference back to back, so load from other work hits both alike.

## Figures

{table(rows)}

{"Targets missed: " + "; ".join(missed) + "." if missed else "Every target is met."}

## How each figure is measured

- **Ingest throughput**: the visit extracts our ingest accepts (broken files are left out of every
  side), in one process. *Ours* is `ingest_source` into an empty home: SHA-256, decoding, header mapping,
  the row rules, de-duplication, Parquet and reject log, load log. *DuckDB* reads each file into a table with
  `read_csv`, dialect and header auto-detected, every column as text like ours (with type detection DuckDB
  stops at the first bad date in a file, e.g. day 32), given only `latin-1` for the Windows-1252 files
  (DuckDB detects no encoding). *pandas* reads each with `read_csv` (C parser, text columns) given the
  delimiter and encoding our ingest found. Rows per second over the same data lines.
- **Full run**: `tiedolla run` (ingest, Great Expectations, dbt build with its tests, publish) on a fresh copy
  of the sample, as a process, against `bench/wait_times.sql`: one DuckDB script that reads the same landed
  visit CSVs (`read_csv`, auto-detected dialect, Finnish and Swedish headers by name), applies the row rules,
  de-duplicates and computes every `wait_times` cell (municipality and welfare area 17 × month × service
  line × professional group: counts, median, p90, shares, the guarantee, suppression), started as its own
  Python process (`python -m bench.reference`). The script is handed what our load log decided per file (which
  version is live, which files are quarantined, each file's encoding); everything per row is its own. It
  computes only `wait_times`; our run builds every mart and all five other sources, so the ratio is the
  price of the whole warehouse against the one figure, not a like-for-like engine comparison.
- **Fixed cost and cost per million rows**: a line through the medians of the full runs at each scale
  against the visit rows of the live files (intercept = seconds at zero rows, slope = seconds per million
  rows); the same for the bare script. With the same months and municipalities at every scale the file count
  is the same, so per-file costs (Great Expectations validates each file) land in the intercept.
- **Run with nothing new**: a second `tiedolla run` on the same home straight after (it must say "no
  changes").
- **One new month**: after that, one more visit file (the month after the sample, for the first
  municipality with a clean file in a sample written with one more month) is copied into `landing/avohilmo/`
  and `tiedolla run` runs again; compared with the median full run of the same scale.
- **Peak memory**: the largest sum of RSS over the process and all its descendants (dbt runs as a child
  process), sampled every 50 ms; the largest single process (from the kernel) is in the raw measurements.

## Every measurement

{raw_measurements(report)}"""


def write_report(report: Report, path: Path) -> str:
    """Write the report; returns the figures table (for the terminal)."""
    text = render(report)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return table(figures(report))
