"""`tiedolla`: the command line. Thin: every command calls the same functions Dagster calls.

Exit status: 0 done (quarantined files included), 1 failed / nothing published / no publication yet / bad
query, 2 usage error, 3 another run holds the home.
"""
from __future__ import annotations

import argparse
import os
import re
import sys

from tiedolla.home import DEFAULT_HOME

EXAMPLES = """examples:
  tiedolla sample --scale 0.1                 # synthetic deliveries into <home>/landing/
  tiedolla run                                # ingest, validate, build, publish
  tiedolla status                             # latest publication, coverage, quarantined files
  tiedolla sql "select * from marts.wait_times limit 5"
  tiedolla export --lang all                  # workbooks, CSV, Parquet, charts for the final report
  tiedolla report                             # the directors' indicator page (HTML, offline)
  tiedolla docs                               # the catalog of every mart and column (dbt docs)
"""


def _month(value: str) -> str:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        raise argparse.ArgumentTypeError(f"{value!r} is not a month YYYY-MM")
    return value


def _month_range(value: str) -> tuple[str, str]:
    start, sep, end = value.partition(":")
    if not sep:
        raise argparse.ArgumentTypeError(f"{value!r} is not FROM:TO (e.g. 2023-01:2023-06)")
    start, end = _month(start), _month(end)
    if start > end:
        raise argparse.ArgumentTypeError(f"{value!r}: FROM is after TO")
    return start, end


def _municipalities(value: str) -> list[str]:
    from tiedolla.reference import municipality_codes

    codes = [c.strip() for c in value.split(",") if c.strip()]
    if not codes or not all(re.fullmatch(r"\d{3}", c) for c in codes):
        raise argparse.ArgumentTypeError(f"{value!r} is not a comma-separated list of 3-digit codes")
    unknown = sorted(set(codes) - municipality_codes())
    if unknown:
        raise argparse.ArgumentTypeError(f"{', '.join(unknown)}: not a municipality of the region "
                                         f"(known: {', '.join(sorted(municipality_codes()))})")
    return codes


def _positive(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number")
    if not number > 0:
        raise argparse.ArgumentTypeError(f"{value!r}: the scale must be above 0")
    return number


def build_parser() -> argparse.ArgumentParser:
    home_help = f"home folder (default: $TIEDOLLA_HOME, else {DEFAULT_HOME})"
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--home", metavar="DIR", help=home_help)
    parser = argparse.ArgumentParser(
        prog="tiedolla", description="Knowledge-management warehouse of the Ostrobothnia welfare region: "
        "landing → raw → validated → staged → marts → published.", epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter, parents=[common])
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    sample = commands.add_parser("sample", parents=[common], help="write synthetic deliveries into <home>/landing/",
                                 description="Write the bundled synthetic deliveries (visit extracts, population) "
                                 "into <home>/landing/, patchiness included: missing months, resubmissions, "
                                 "Swedish headers, Windows-1252 and BOM files, other delimiters, broken files.")
    sample.add_argument("--scale", type=_positive, default=1.0,
                        help="1 = the region's real volumes (about 176 000 residents); tests use 0.01–0.1")
    sample.add_argument("--seed", type=int, default=1, help="random seed; the same seed writes the same bytes")
    sample.add_argument("--months", type=_month_range, default=("2019-01", "2024-12"), metavar="FROM:TO",
                        help="months to write (default 2019-01:2024-12)")
    sample.add_argument("--municipalities", type=_municipalities, default=None, metavar="CODES",
                        help="comma-separated municipality codes, e.g. 905,499 (default: all 15)")

    run = commands.add_parser("run", parents=[common], help="run the whole pipeline and publish",
                              description="Run the Dagster job in-process on what is in <home>/landing/: ingest "
                              "new files, validate them with Great Expectations, build the marts with dbt and "
                              "publish them to <home>/warehouse/marts.duckdb when something changed.")
    run.add_argument("--as-of", type=_month, metavar="YYYY-MM",
                     help="cut every source at this month (default: each source's latest accepted month)")
    run.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                     help="wait up to SECONDS for another run of the same home to finish (default: refuse, exit 3)")
    run.add_argument("--verbose", action="store_true",
                     help="stream Dagster's and dbt's full log to the terminal (default: one progress line per "
                     "stage and a summary; the full log goes to <home>/logs/run-<label>.log)")

    status = commands.add_parser("status", parents=[common], help="latest publication, coverage, quarantines",
                                 description="Show the latest publication, coverage and reliability per source, "
                                 "and files quarantined with their reasons.")
    status.add_argument("--json", action="store_true", help="print JSON instead of text")

    from tiedolla.commands import sql_guard
    sql = commands.add_parser("sql", parents=[common], help="read-only query against the published marts",
                              description="Run one read-only SQL query (SELECT, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN) "
                              "against <home>/warehouse/marts.duckdb, opened read-only with no file, network or "
                              "extension access and a locked configuration (COPY, read_csv/read_parquet, ATTACH, "
                              "INSTALL/LOAD, SET and settings PRAGMAs are refused), a 1 GB memory limit and a time "
                              "limit. Tables: the marts of the README (as marts.<table> or <table>); column_catalog "
                              "documents every column. Rows are streamed as they are fetched.")
    sql.add_argument("query", type=sql_guard.query_argument, help='e.g. "select * from marts.wait_times limit 10"')
    sql.add_argument("--format", choices=("table", "csv"), default="table",
                     help="output format (default table). table: column widths are set by the header and the "
                     "first 10,000 rows (all of them under the default --max-rows); a wider later value shifts "
                     "its line")
    sql.add_argument("--max-rows", type=sql_guard.max_rows_argument, metavar="N",
                     help="write at most N rows, with a note on stderr when more were cut; 0 = no limit "
                     "(default 10,000 for table, no limit for csv)")
    sql.add_argument("--timeout", type=sql_guard.timeout_argument, default=60.0, metavar="SECONDS",
                     help="stop a query that has run this long inside DuckDB, exit 1 (default 60; 0 = no limit)")

    export = commands.add_parser(
        "export", parents=[common], help="evaluators' workbooks, CSV, Parquet and charts",
        description="Write the outcome tables of the latest publication (intervention effects, waiting times by "
        "year and municipality, directors' indicators, segments) with definitions, data-quality notes and "
        "charts, per language: one XLSX workbook plus CSV (UTF-8 with BOM, ';', decimal comma in fi/sv) and "
        "Parquet. Cells of 1–4 persons and cells that would give them away are shown as '..'.")
    export.add_argument("--lang", choices=("fi", "sv", "en", "all"), default="all",
                        help="language of headers, labels and charts (default all)")
    export.add_argument("--out", metavar="DIR", help="where to write (default <home>/exports); the files go "
                        "into <DIR>/<publication id>/<lang>/")

    report = commands.add_parser(
        "report", parents=[common], help="the directors' indicator page (static HTML)",
        description="Write <home>/reports/<publication>/indicators_<lang>.html for the latest publication: one "
        "card per indicator with value, target, status, national value, 12-month change, trend and reliability. "
        "Publishing writes it too; this rewrites it.")
    report.add_argument("--lang", choices=("fi", "sv", "en", "all"), default="all", help="language (default all)")
    report.add_argument("--area", default="17", metavar="CODE",
                        help="area of the cards: '17' (welfare area, default) or a municipality code")

    commands.add_parser(
        "docs", parents=[common], help="the catalog of every mart and column (dbt docs) into <home>/docs/",
        description="Build the dbt documentation site (every model, mart and column with its description and "
        "fi/sv/en labels) from the build database into <home>/docs/. Open <home>/docs/index.html.")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from tiedolla.home import HomeError, check_home, resolve_home

    try:   # a home that is a file, cannot be created or is not writable: one line, exit 2
        if args.command in ("export", "report", "docs") and not (args.command == "export" and args.out):
            check_home(resolve_home(args.home), create=False)   # run and sample: Home.ensure() checks
        return _dispatch(args)
    except HomeError as error:
        print(f"tiedolla: {error}", file=sys.stderr)
        return 2


def _dispatch(args) -> int:
    if args.command == "sample":
        from tiedolla.commands.sample import sample_command
        return sample_command(args)
    if args.command == "run":
        from tiedolla.commands.run import run_command
        return run_command(args)
    if args.command == "status":
        from tiedolla.commands.status import status_command
        return status_command(args)
    if args.command == "sql":
        from tiedolla.commands.sql import sql_command
        return sql_command(args)
    if args.command == "export":
        from tiedolla.commands.export import export_command
        return export_command(args)
    if args.command == "report":
        from tiedolla.commands.report import report_command
        return report_command(args)
    if args.command == "docs":
        from tiedolla.commands.docs import docs_command
        return docs_command(args)
    return 2


def console_main() -> None:
    """`tiedolla …` and `python -m tiedolla.cli …`: main(), then exit without tearing the interpreter down.

    Dagster, dbt and GX import ~3,600 modules, and freeing them one by one at exit took ~3 s of every run
    (issue 7). Everything is written and closed by then; exit handlers still run, output is flushed."""
    code = main()
    import atexit
    import logging

    atexit._run_exitfuncs()   # what a normal exit runs first (weakref finalizers of temporary folders too)
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    console_main()
