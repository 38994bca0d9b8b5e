"""The bare DuckDB reference (bench/wait_times.sql): which files it reads, running it, and checking its
figures against the published marts.

As a script it runs the SQL on a file list written by `write_file_list`, so that the harness can time and
measure it as a process of its own, like `tiedolla run`:

    python -m bench.reference FILE_LIST.json OUT.parquet
"""
from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(__file__).resolve().parent / "wait_times.sql"
SEEDS = ROOT / "dbt_project" / "seeds"
VALUE_COLUMNS = ("visits_nonurgent", "visits_nonurgent_unassessed", "median_wait_days", "p90_wait_days",
                 "share_within_7d", "share_within_14d", "share_within_21d", "share_over_90d",
                 "share_over_180d", "share_within_guarantee")
KEYS = ("area_code", "period_start", "service_line", "professional_group")


def live_visit_files(home_dir: Path) -> list[tuple[Path, str]]:
    """The live avohilmo file of every municipality-month with its encoding, as our load log decided them."""
    sys.path.insert(0, str(ROOT))
    from ingest.load_log import LoadLog
    from publish.fingerprint import live_files
    from tiedolla.home import Home

    home = Home(home_dir)
    encodings = {(e.file_name, e.sha256): e.encoding for e in LoadLog(home.load_log_dir).entries.values()}
    return [(home.source_landing("avohilmo") / f["file"], encodings[f["file"], f["sha256"]])
            for f in live_files(home) if f["source"] == "avohilmo"]


def write_file_list(files: list[tuple[Path, str]], folder: Path) -> Path:
    """The JSON the script reads: files by encoding, each list led by a header-only file naming every
    column."""
    sys.path.insert(0, str(ROOT))
    from ingest.sources import AVOHILMO

    folder.mkdir(parents=True, exist_ok=True)
    schema = folder / "avohilmo_000_0000-00_columns.csv"
    names = [c.name for c in AVOHILMO.columns] + [c.sv for c in AVOHILMO.columns]
    schema.write_text(";".join(names) + "\n", encoding="utf-8")
    latin = {"windows-1252", "iso-8859-1"}
    listing = {"utf8_files": [str(schema)] + [str(p) for p, enc in files if enc not in latin],
               "latin1_files": [str(schema)] + [str(p) for p, enc in files if enc in latin],
               "seeds_dir": str(SEEDS)}
    path = folder / "files.json"
    path.write_text(json.dumps(listing, indent=1), encoding="utf-8")
    return path


def run_script(file_list: Path, out: Path) -> int:
    """Run wait_times.sql on the listed files; write its rows to `out` (Parquet). Returns the row count."""
    listing = json.loads(file_list.read_text(encoding="utf-8"))
    con = duckdb.connect()
    for name, value in listing.items():
        con.execute(f"set variable {name} = ?", [value])
    con.execute(SCRIPT.read_text(encoding="utf-8"))
    con.execute("copy wait_times to ? (format parquet)", [str(out)])
    return con.execute("select count(*) from wait_times").fetchone()[0]


def compare_with_marts(reference: Path, marts_db: Path) -> tuple[int, list[str]]:
    """Every cell with visits in either: same suppression, same values (to 1e-9).

    Returns (cells compared, differences)."""
    con = duckdb.connect()
    con.execute(f"attach '{marts_db}' as marts (read_only)")
    con.execute("create table ours as select * from marts.wait_times")
    con.execute("create table ref as select * from read_parquet(?)", [str(reference)])
    keys = ", ".join(KEYS)
    rows = con.execute(f"""
        select {keys}, ours.area_code is not null as in_ours, ref.area_code is not null as in_ref,
            ours.is_suppressed, ref.is_suppressed,
            {", ".join(f"ours.{c}, ref.{c}" for c in VALUE_COLUMNS)}
        from (
            select * from ours
            where is_suppressed or visits_nonurgent > 0 or visits_nonurgent_unassessed > 0
        ) as ours
        full join ref using ({keys})
        order by all""").fetchall()
    differences = []
    for row in rows:
        key, (in_ours, in_ref, ours_suppressed, ref_suppressed), values = row[:4], row[4:8], row[8:]
        if not (in_ours and in_ref):
            differences.append(f"{key}: only in {'the marts' if in_ours else 'the reference'}")
            continue
        if ours_suppressed != ref_suppressed:
            differences.append(f"{key}: is_suppressed {ours_suppressed} vs {ref_suppressed}")
            continue
        for index, column in enumerate(VALUE_COLUMNS):
            a, b = values[2 * index], values[2 * index + 1]
            same = (a is None and b is None) or (
                a is not None and b is not None and math.isclose(a, b, rel_tol=0, abs_tol=1e-9))
            if not same:
                differences.append(f"{key}: {column} {a} (marts) vs {b} (reference)")
    return len(rows), differences


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    rows = run_script(Path(argv[0]), Path(argv[1]))
    print(f"{rows} wait_times rows")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
