"""Ingest throughput side by side with bare DuckDB and pandas on the same generated files, plus the wall
time and peak memory of a whole `tiedolla run`. A benchmark, not a test: figures are ratios measured in
one run on one machine.

usage: .venv/bin/python bench/ingest.py [--scale 1] [--repeats 3] [--workdir bench/out] [--skip-run]
"""
from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402
import pandas as pd  # noqa: E402

from ingest.landing import ingest_source  # noqa: E402
from ingest.load_log import LoadLog  # noqa: E402
from ingest.sources import AVOHILMO  # noqa: E402
from tiedolla.home import Home  # noqa: E402


def generate(landing_home: Path, scale: float) -> None:
    if (landing_home / "landing" / "avohilmo").exists():
        return
    from tiedolla.sample import generate_sample
    generate_sample(landing_home / "landing", scale=scale, seed=1, log=lambda _: None)


def readable_files(reference_home: Path) -> list[tuple[Path, str, str]]:
    """The files our ingest accepted, with the encoding and delimiter it found (so the references read the
    same files with the same settings; broken files are left out of every measurement)."""
    log = LoadLog(Home(reference_home).load_log_dir)
    landing = reference_home / "landing" / "avohilmo"
    return [(landing / e.file_name, e.encoding, e.delimiter) for e in log.of_source("avohilmo")
            if e.parquet_path]


def time_ours(sample_home: Path, workdir: Path) -> tuple[float, int]:
    home_dir = workdir / "ours"
    shutil.rmtree(home_dir, ignore_errors=True)
    home = Home(home_dir).ensure()
    os.symlink(sample_home / "landing" / "avohilmo", home.landing / "avohilmo")
    started = time.perf_counter()
    ingest_source(home, AVOHILMO, "bench", log=lambda _: None)
    elapsed = time.perf_counter() - started
    rows = sum(e.data_lines for e in LoadLog(home.load_log_dir).entries.values())
    return elapsed, rows


def time_duckdb(files) -> tuple[float, int]:
    con = duckdb.connect()
    started, rows = time.perf_counter(), 0
    for path, encoding, delimiter in files:
        enc = "latin-1" if encoding in ("windows-1252", "iso-8859-1") else "utf-8"
        rows += con.execute(f"select count(*) from read_csv('{path}', delim = e'{delimiter.replace(chr(9), chr(92) + 't')}', "
                            f"header = true, all_varchar = true, encoding = '{enc}')").fetchone()[0]
    return time.perf_counter() - started, rows


def time_pandas(files) -> tuple[float, int]:
    started, rows = time.perf_counter(), 0
    for path, encoding, delimiter in files:
        enc = "cp1252" if encoding == "windows-1252" else "latin-1" if encoding == "iso-8859-1" else "utf-8-sig"
        rows += len(pd.read_csv(path, sep=delimiter, encoding=enc, dtype=str))
    return time.perf_counter() - started, rows


def time_run(sample_home: Path, workdir: Path) -> tuple[float, float]:
    home_dir = workdir / "run"
    shutil.rmtree(home_dir, ignore_errors=True)
    (home_dir / "landing").mkdir(parents=True)
    for source in (sample_home / "landing").iterdir():
        shutil.copytree(source, home_dir / "landing" / source.name)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "tiedolla.cli", "run", "--home", str(home_dir)], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, peak_kib / 1024 / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--skip-run", action="store_true", help="measure ingest only")
    args = parser.parse_args()
    workdir = args.workdir.resolve() / f"scale-{args.scale:g}"
    sample_home = workdir / "sample"
    print(f"generating the sample at scale {args.scale:g} (once) …", flush=True)
    generate(sample_home, args.scale)
    ours, duck, pand = [], [], []
    for repeat in range(args.repeats):
        elapsed, rows = time_ours(sample_home, workdir)
        ours.append(elapsed)
        files = readable_files(workdir / "ours")
        duck.append(time_duckdb(files)[0])
        pand.append(time_pandas(files)[0])
        print(f"repeat {repeat + 1}: ours {elapsed:.2f} s, duckdb {duck[-1]:.2f} s, pandas {pand[-1]:.2f} s",
              flush=True)
    mb = sum(p.stat().st_size for p, *_ in files) / 1e6
    lines = [
        f"# Ingest benchmark (scale {args.scale:g}; {len(files)} visit files, {rows:,} data lines, {mb:.0f} MB)",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"duckdb {duckdb.__version__}, pandas {pd.__version__}. Median of {args.repeats} runs, side by side.",
        "",
        "| figure | seconds | rows/s | ours ÷ reference (throughput) |",
        "|---|---|---|---|",
    ]
    med = {name: statistics.median(v) for name, v in (("ours", ours), ("duckdb", duck), ("pandas", pand))}
    for name in ("ours", "duckdb", "pandas"):
        ratio = "" if name == "ours" else f"{med[name] / med['ours']:.2f}"
        lines.append(f"| {name} ingest | {med[name]:.2f} | {rows / med[name]:,.0f} | {ratio} |")
    if not args.skip_run:
        print("timing a whole tiedolla run …", flush=True)
        run_s, peak_gib = time_run(sample_home, workdir)
        lines += ["", f"Whole `tiedolla run` on the sample (ingest, GX, dbt build, publish): {run_s:.0f} s wall, "
                      f"peak memory {peak_gib:.2f} GiB (largest child process)."]
    lines += ["", "Targets (issue 2): ours ≥ 0.5 × bare DuckDB throughput. 'ours' includes decoding, header mapping, "
                  "the row rules, de-duplication, Parquet writing and the load log; the references only parse."]
    report = "\n".join(lines) + "\n"
    print("\n" + report)
    (workdir / "ingest.md").write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
