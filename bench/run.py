"""The benchmark harness: sample deliveries at a few scales, measured side by side with bare references,
written up as docs/benchmarks.md.

Per scale it writes a sample into a temporary home (`tiedolla sample`) and measures, median of --repeats:
  * ingest throughput of the visit extracts: ours vs DuckDB read_csv (auto-detect) vs pandas read_csv;
  * a full `tiedolla run` on a fresh home vs bench/wait_times.sql, a bare DuckDB script computing the same
    wait_times rows from the same landed files (run right after ours, on the files our run made live);
  * a second `tiedolla run` with nothing new;
  * a run after one more month of one municipality lands (a file from a sample with one more month);
  * wall time and peak memory (RSS of the whole process tree) of each.
The full runs at two or more scales give a line per engine: intercept = fixed cost of a run, slope = cost
per million visit rows. The first repeat of every scale also checks that the bare script's figures equal
the published marts.wait_times; the harness stops if they do not.

The defaults are the sample's own: all 15 municipalities, 2019-01…2024-12, so that scale 1 is the region's
real volume (3.4 M visit rows, ~4,200 files) and scale 30 about 100 M visit rows. Runs take a while: a full
run at scale 1 is ~4 minutes on 2 cores, so the defaults (scales 1 and 10, 3 repeats) take hours;
`--scales 1,3` about an hour, and `--repeats 1 --scales 0.05,0.1 --municipalities 905,499 --months
2023-01:2023-12` is a quick check of the harness.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import ingest as ingest_bench  # noqa: E402
from bench import reference  # noqa: E402
from bench.measure import Measured, machine, run_measured  # noqa: E402
from bench.report import Report, write_report  # noqa: E402

DEFAULT_OUT = ROOT / "docs" / "benchmarks.md"


@dataclass
class ScaleResult:
    scale: float
    live_rows: int = 0              # data lines of the live visit files (what the figures rest on)
    landed_files: int = 0           # files of every source in landing/
    ingest_rows: int = 0            # data lines of the visit files the ingest benchmark reads
    ingest_files: int = 0
    ingest_mb: float = 0.0
    ingest: dict[str, list[float]] = field(default_factory=lambda: {"ours": [], "duckdb": [], "pandas": []})
    full: list[Measured] = field(default_factory=list)
    bare: list[Measured] = field(default_factory=list)
    noop: list[Measured] = field(default_factory=list)
    incremental: list[Measured] = field(default_factory=list)
    new_file: str = ""
    checked_cells: int | None = None


class Progress:
    def __init__(self) -> None:
        self.started = time.perf_counter()

    def __call__(self, message: str) -> None:
        elapsed = int(time.perf_counter() - self.started)
        print(f"[{elapsed // 60:3d}:{elapsed % 60:02d}] {message}", flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="example: .venv/bin/python -m bench.run --scales 1,3 --repeats 3")
    parser.add_argument("--scales", default="1,10", type=_scales, metavar="S1,S2,…",
                        help="sample scales (1 = the region's real volumes), at least two for the "
                             "fixed-cost / per-row line (default 1,10)")
    parser.add_argument("--repeats", type=int, default=3, metavar="N",
                        help="repeats per measurement; figures are medians (default 3; 1 for a quick check)")
    parser.add_argument("--months", default="2019-01:2024-12", metavar="FROM:TO",
                        help="months of the sample (default 2019-01:2024-12, as `tiedolla sample`); the "
                             "new-month run adds the next")
    parser.add_argument("--municipalities", default="all", metavar="CODES",
                        help="municipalities of the sample, e.g. 905,499, or 'all' for the 15 (default all); "
                             "the new month is landed for the first one that has a clean file")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help=f"the report to write (default {DEFAULT_OUT.relative_to(ROOT)})")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="where the temporary homes go (default: a new /tmp/bench-* folder)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary homes and logs afterwards")
    parser.add_argument("--profile", type=Path, default=None, metavar="DIR",
                        help="also profile one full run and one run with nothing new at the first scale with "
                             "pyinstrument (not counted in the figures); text and .pyisession files into DIR")
    parser.add_argument("--revision", default=None,
                        help="the code revision to name in the report (default: `git rev-parse HEAD`)")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    first, _, last = args.months.partition(":")
    if not (len(first) == len(last) == 7 and first <= last):
        parser.error("--months must be FROM:TO, e.g. 2023-01:2024-12")
    return args


def _scales(value: str) -> list[float]:
    try:
        scales = sorted({float(part) for part in value.split(",") if part.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"scales are numbers separated by commas, not {value!r}") from None
    if not scales or min(scales) <= 0:
        raise argparse.ArgumentTypeError("scales must be positive")
    return scales


def next_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    return f"{year + number // 12}-{number % 12 + 1:02d}"


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    # The children import this checkout's packages, whatever the virtualenv's editable install points at.
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.setdefault("GX_ANALYTICS_ENABLED", "False")
    env.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
    env.pop("TIEDOLLA_HOME", None)
    return env


def tiedolla(*args: str) -> list[str]:
    return [sys.executable, "-m", "tiedolla.cli", *args]


def checked(result: Measured, what: str, log: Path) -> Measured:
    if result.returncode != 0:
        tail = "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-30:])
        raise SystemExit(f"{what} failed with exit status {result.returncode}; the end of {log}:\n{tail}")
    return result


def write_sample(home: Path, scale: float, months: str, codes: str, log: Path) -> None:
    command = tiedolla("sample", "--home", str(home), "--scale", f"{scale:g}", "--seed", "1",
                       "--months", months)
    if codes != "all":
        command += ["--municipalities", codes]
    checked(run_measured(command, ROOT, child_env(), log), "tiedolla sample", log)


def new_month_file(folder: Path, scale: float, months: str, codes: str) -> Path:
    """A clean visit file of the month after the sample's last, for the first municipality that has one."""
    from tiedolla.reference import municipalities
    from tiedolla.sample import QUARANTINE_KINDS, generate_sample
    from tiedolla.sample import summary as kinds

    first, _, last = months.partition(":")
    extra = next_month(last)
    chosen = [row["code"] for row in municipalities()] if codes == "all" else codes.split(",")
    summary = generate_sample(folder / "landing", scale=scale, seed=1, months=(first, extra),
                              municipalities=chosen, log=lambda _: None)
    unfit = set(QUARANTINE_KINDS) | {kinds.HEADER_ONLY, kinds.FIRST_VERSION, kinds.RESUBMISSION}
    for code in chosen:
        name = f"avohilmo_{code}_{extra}.csv"
        path = folder / "landing" / "avohilmo" / name
        if path.is_file() and path.stat().st_size and not unfit & set(summary.kinds_of(f"avohilmo/{name}")):
            return path
    raise SystemExit(f"no clean visit file for {extra} among {codes}: choose other --municipalities")


def live_rows(home: Path) -> int:
    from ingest.load_log import LoadLog
    from publish.fingerprint import live_files
    from tiedolla.home import Home

    entries = {(e.file_name, e.sha256): e for e in LoadLog(Home(home).load_log_dir).entries.values()}
    return sum(entries[f["file"], f["sha256"]].data_lines for f in live_files(Home(home))
               if f["source"] == "avohilmo")


def accepted(home: Path, file_name: str) -> bool:
    from ingest.load_log import ACCEPTED, LoadLog
    from tiedolla.home import Home

    return any(e.file_name == file_name and e.status == ACCEPTED
               for e in LoadLog(Home(home).load_log_dir).entries.values())


def measure_ingest(result: ScaleResult, sample: Path, work: Path, repeats: int, progress: Progress) -> None:
    landing = sample / "landing" / "avohilmo"
    files = ingest_bench.readable_files(landing, work / "ingest-scan")
    result.ingest_files = len(files)
    result.ingest_rows = sum(f[3] for f in files)
    result.ingest_mb = sum(f[0].stat().st_size for f in files) / 1e6
    for repeat in range(repeats):
        ours = ingest_bench.time_ours(files, work / "ingest-ours")
        duck = ingest_bench.time_duckdb(files)
        pand = ingest_bench.time_pandas(files)
        for name, seconds in (("ours", ours), ("duckdb", duck), ("pandas", pand)):
            result.ingest[name].append(seconds)
        progress(f"scale {result.scale:g}, ingest {repeat + 1}/{repeats}: ours {ours:.2f} s, "
                 f"DuckDB {duck:.2f} s, pandas {pand:.2f} s "
                 f"({result.ingest_rows:,} rows in {len(files)} files)")
    shutil.rmtree(work / "ingest-ours", ignore_errors=True)
    shutil.rmtree(work / "ingest-scan", ignore_errors=True)


def measure_runs(result: ScaleResult, sample: Path, extra: Path, work: Path, repeats: int,
                 progress: Progress) -> None:
    env = child_env()
    home = work / "home"
    for repeat in range(1, repeats + 1):
        logs = work / "logs" / f"repeat-{repeat}"
        shutil.rmtree(home, ignore_errors=True)
        shutil.copytree(sample / "landing", home / "landing")
        label = f"scale {result.scale:g}, repeat {repeat}/{repeats}"

        full = checked(run_measured(tiedolla("run", "--home", str(home)), ROOT, env, logs / "full.log"),
                       "the full run", logs / "full.log")
        result.full.append(full)
        result.live_rows = live_rows(home)
        result.landed_files = sum(1 for p in (home / "landing").rglob("*") if p.is_file())
        progress(f"{label}: full run {full.seconds:.1f} s, peak {full.peak_tree_rss / 2**20:,.0f} MiB")

        listing = reference.write_file_list(reference.live_visit_files(home), work / "reference")
        out = work / "reference" / "wait_times.parquet"
        command = [sys.executable, "-m", "bench.reference", str(listing), str(out)]
        bare = checked(run_measured(command, ROOT, env, logs / "bare.log"), "the bare DuckDB script",
                       logs / "bare.log")
        result.bare.append(bare)
        progress(f"{label}: bare DuckDB script {bare.seconds:.1f} s, "
                 f"peak {bare.peak_tree_rss / 2**20:,.0f} MiB")
        if repeat == 1:
            cells, differences = reference.compare_with_marts(out, home / "warehouse" / "marts.duckdb")
            if differences:
                raise SystemExit(f"the bare script's wait_times differ from the marts in {len(differences)} "
                                 f"of {cells} cells, e.g.:\n  " + "\n  ".join(differences[:10]))
            result.checked_cells = cells
            progress(f"{label}: the bare script's wait_times equal the published marts ({cells} cells)")

        noop = checked(run_measured(tiedolla("run", "--home", str(home)), ROOT, env, logs / "noop.log"),
                       "the run with nothing new", logs / "noop.log")
        if "no changes" not in (logs / "noop.log").read_text(encoding="utf-8", errors="replace"):
            raise SystemExit(f"the second run published again instead of 'no changes' (see "
                             f"{logs / 'noop.log'}); was the code edited during the benchmark?")
        result.noop.append(noop)
        progress(f"{label}: run with nothing new {noop.seconds:.1f} s")

        shutil.copy2(extra, home / "landing" / "avohilmo" / extra.name)
        log = logs / "incremental.log"
        incremental = checked(run_measured(tiedolla("run", "--home", str(home)), ROOT, env, log),
                              "the new-month run", log)
        if not accepted(home, extra.name):
            raise SystemExit(f"{extra.name} was not accepted by the new-month run (see {log})")
        result.incremental.append(incremental)
        result.new_file = extra.name
        progress(f"{label}: one new month ({extra.name}) {incremental.seconds:.1f} s")
    shutil.rmtree(home, ignore_errors=True)


def profile_runs(sample: Path, work: Path, out: Path, progress: Progress) -> None:
    """One full run and one with nothing new under pyinstrument (dbt's own process shows as waiting)."""
    env = child_env()
    home = work / "profile-home"
    shutil.rmtree(home, ignore_errors=True)
    shutil.copytree(sample / "landing", home / "landing")
    out.mkdir(parents=True, exist_ok=True)
    for name in ("full_run", "noop_run"):
        session = out / f"{name}.pyisession"
        command = [sys.executable, "-m", "pyinstrument", "-r", "pyisession", "-o", str(session),
                   "-m", "tiedolla.cli", "run", "--home", str(home)]
        result = checked(run_measured(command, ROOT, env, work / "logs" / f"profile-{name}.log"),
                         f"the profiled {name}", work / "logs" / f"profile-{name}.log")
        for renderer, suffix in (("text", "txt"), ("html", "html")):
            render = [sys.executable, "-m", "pyinstrument", f"--load={session}", "-r", renderer,
                      "-o", str(out / f"{name}.{suffix}")]
            run_measured(render, ROOT, env, work / "logs" / "profile-render.log")
        progress(f"profiled {name} ({result.seconds:.0f} s under the profiler) → {out / (name + '.txt')}")
    shutil.rmtree(home, ignore_errors=True)


def git_revision() -> str:
    import subprocess
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, timeout=10)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    if head.returncode != 0:
        return "unknown (not a git checkout)"
    return head.stdout.strip() + (" with uncommitted changes" if dirty.stdout.strip() else "")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    progress = Progress()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    report = Report(command=" ".join(["python -m bench.run"] + (sys.argv[1:] if argv is None else argv)),
                    machine=machine(), revision=args.revision or git_revision(), repeats=args.repeats,
                    months=args.months, municipalities=args.municipalities)
    progress(f"benchmark in {workdir}: scales {', '.join(f'{s:g}' for s in args.scales)}, {args.repeats} "
             f"repeat(s), months {args.months}, municipalities {args.municipalities}")
    try:
        for scale in args.scales:
            work = workdir / f"scale-{scale:g}"
            sample = work / "sample"
            write_sample(sample, scale, args.months, args.municipalities, work / "logs" / "sample.log")
            extra = new_month_file(work / "extra", scale, args.months, args.municipalities)
            progress(f"scale {scale:g}: sample written; the new month's file is {extra.name}")
            result = ScaleResult(scale)
            measure_ingest(result, sample, work, args.repeats, progress)
            measure_runs(result, sample, extra, work, args.repeats, progress)
            if args.profile and scale == args.scales[0]:
                profile_runs(sample, work, args.profile, progress)
            report.results.append(result)
            if scale != args.scales[-1]:
                # A long run stopped later still leaves the scales it finished.
                report.machine["load_after"] = ", ".join(f"{x:.2f}" for x in os.getloadavg())
                write_report(report, args.out)
                progress(f"wrote {args.out} with the scales measured so far")
        report.machine["load_after"] = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        print("\n" + write_report(report, args.out) + "\n", flush=True)
        progress(f"wrote {args.out}")
    finally:
        if args.keep:
            progress(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
