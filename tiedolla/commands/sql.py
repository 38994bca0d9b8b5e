"""`tiedolla sql`: one read-only query against the published marts, streamed.

The published file is opened read-only with DuckDB's external access off and its configuration locked, and
the query is checked before it runs (`sql_guard`). The query runs on a worker thread while this one waits,
so that `--timeout` and Ctrl-C can interrupt DuckDB wherever it is (a query blocked in DuckDB's C code does
not see Python's KeyboardInterrupt). Rows are fetched in batches and written as they come: memory stays
flat whatever the size of the result.

Exit status: 0 done (also when the reader of a pipe, e.g. `head`, stopped reading), 1 refused / failed /
timed out / no publication / damaged publication / no such home, 2 usage error, 130 interrupted (Ctrl-C).
"""
from __future__ import annotations

import csv
import os
import sys
import threading
import time

from tiedolla.commands import sql_guard
from tiedolla.home import Home

BATCH_ROWS = 10_000
TABLE_MAX_ROWS = 10_000      # --max-rows default for --format table (for a person reading)
CSV_MAX_ROWS = 0             # --max-rows default for --format csv: no limit (for files and pipes; streamed)
_STOP_WAIT = 5.0             # seconds to wait for DuckDB to acknowledge an interrupt before leaving anyway


class _Stopped(Exception):
    """The query was interrupted by --timeout."""


def _say(line: str) -> None:
    try:
        print(line, file=sys.stderr, flush=True)
    except (OSError, ValueError):
        pass


def sql_command(args) -> int:
    try:
        return _sql(args)
    except KeyboardInterrupt:
        _say("interrupted (Ctrl-C)")
        return 130


def _sql(args) -> int:
    problem = sql_guard.text_problem(args.query)
    if problem:
        _say(problem)
        return 1
    home = Home.at(args.home)
    if not home.root.exists():
        _say(f"no such home: {home.root} (no publication yet there: check --home or TIEDOLLA_HOME)")
        return 1
    if not home.root.is_dir():
        _say(f"the home {home.root} is not a folder: give --home (or TIEDOLLA_HOME) a folder")
        return 2
    if not os.path.lexists(home.marts_db):
        _say(f"no publication yet in {home.root}: run `tiedolla run` first")
        return 1

    import duckdb

    con, damage = _open(home)
    if con is None:
        _say(damage)
        return 1
    runner = _Runner(con, args.timeout)
    try:
        try:
            sql_guard.check(con, args.query)
        except sql_guard.Refused as refusal:
            _say(str(refusal))
            return 1
        except duckdb.Error as error:      # the query does not parse
            _say(f"query failed: {sql_guard.failure_line(error)}")
            return 1
        max_rows = args.max_rows if args.max_rows is not None else (
            CSV_MAX_ROWS if args.format == "csv" else TABLE_MAX_ROWS)
        try:
            return _stream(runner, args.query, args.format, max_rows)
        except _Stopped:
            _say(f"query stopped after {_seconds(args.timeout)} s (--timeout)")
            return 1
        except duckdb.Error as error:
            if sql_guard.is_refusal(error):
                _say(f"{sql_guard.REFUSED}: {sql_guard.first_line(error)}")
            elif isinstance(error, duckdb.OutOfMemoryException):
                _say(f"query failed: it needs more than the {sql_guard.MEMORY_LIMIT} the sql command allows "
                     f"({sql_guard.first_line(error)})")
            else:
                _say(f"query failed: {sql_guard.failure_line(error)}")
            return 1
        except BrokenPipeError:
            _quiet_stdout()
            return 0
    finally:
        if not runner.busy():   # never close under a worker DuckDB did not let go of (we exit right after)
            con.close()


def _open(home: Home):
    """(connection, None) or (None, one line saying what is wrong with the published file)."""
    import duckdb

    path = home.marts_db
    damaged = f"the published file {path} is damaged: {{}}; run `tiedolla run` to republish"
    if not path.is_file():
        return None, damaged.format("it is not a regular file")
    if not os.access(path, os.R_OK):
        return None, f"cannot read the published file {path}: permission denied"
    try:
        con = duckdb.connect(str(path), read_only=True, config=sql_guard.READ_ONLY_CONFIG)
    except duckdb.Error as error:
        line = sql_guard.first_line(error)
        if "lock" in line.lower():
            return None, f"the published file {path} is in use by another program: try again ({line})"
        return None, damaged.format(f"DuckDB cannot open it ({line})")
    try:
        found = con.execute("select count(*) from duckdb_tables() "
                            "where schema_name = 'main' and table_name = 'publication'").fetchone()[0]
        if not found:
            raise LookupError("it holds no publication table")
        if con.execute("select count(*) from main.publication").fetchone()[0] == 0:
            raise LookupError("its publication table is empty")
    except (duckdb.Error, LookupError) as error:
        con.close()
        return None, damaged.format(sql_guard.first_line(error))
    return con, None


def _seconds(value: float) -> str:
    return f"{value:g}"


def _quiet_stdout() -> None:
    """The reader of our stdout has gone (`| head`): point stdout at /dev/null so the final flush is quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


class _Runner:
    """Runs each DuckDB call on a daemon thread and waits for it here, interrupting DuckDB on --timeout or
    Ctrl-C. Only time spent inside DuckDB counts against the timeout, not time spent waiting for the reader
    of the output (a pager, a slow pipe)."""

    def __init__(self, con, timeout: float):
        self.con = con
        self.budget = timeout if timeout and timeout > 0 else None
        self.used = 0.0
        self._worker: threading.Thread | None = None

    def call(self, fn, *args):
        box: dict = {}
        done = threading.Event()

        def work():
            try:
                box["value"] = fn(*args)
            except BaseException as error:   # handed to the waiting thread
                box["error"] = error
            finally:
                done.set()

        self._worker = threading.Thread(target=work, name="tiedolla-sql", daemon=True)
        started = time.monotonic()
        self._worker.start()
        try:
            while not done.is_set():
                if self.budget is None:
                    done.wait(0.5)
                    continue
                remaining = self.budget - self.used - (time.monotonic() - started)
                if remaining <= 0:
                    self._interrupt(done)
                    raise _Stopped()
                done.wait(min(remaining, 0.5))
        except KeyboardInterrupt:
            self._interrupt(done)
            raise
        finally:
            self.used += time.monotonic() - started
        if "error" in box:
            raise box["error"]
        return box.get("value")

    def _interrupt(self, done: threading.Event) -> None:
        try:
            self.con.interrupt()
            done.wait(_STOP_WAIT)
        except KeyboardInterrupt:   # a second Ctrl-C: leave now
            _say("interrupted (Ctrl-C)")
            _leave_now(130)

    def busy(self) -> bool:
        """A DuckDB call still running (an interrupt DuckDB has not acknowledged yet)."""
        return self._worker is not None and self._worker.is_alive()


def _leave_now(code: int) -> None:
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        pass
    os._exit(code)


def _stream(runner: _Runner, query: str, fmt: str, max_rows: int) -> int:
    cursor = runner.call(runner.con.execute, query)
    if cursor is None or cursor.description is None:
        return 0
    header = [d[0] for d in cursor.description]
    out = sys.stdout
    writer = _CsvOut(out, header) if fmt == "csv" else _TableOut(out, header)
    shown = 0
    cut = False
    while True:
        want = BATCH_ROWS if not max_rows else min(BATCH_ROWS, max_rows - shown + 1)
        rows = runner.call(cursor.fetchmany, want)
        if not rows:
            break
        if max_rows and shown + len(rows) > max_rows:
            rows = rows[: max_rows - shown]
            cut = True
        writer.rows(rows)
        shown += len(rows)
        out.flush()
        if cut:
            break
    writer.end(shown, cut)
    out.flush()
    if cut:
        _say(f"note: showing the first {max_rows:,} rows; the result has more "
             f"(--max-rows N for more, --max-rows 0 for all)")
    return 0


class _CsvOut:
    def __init__(self, out, header: list[str]):
        self.writer = csv.writer(out)
        self.writer.writerow(header)

    def rows(self, rows: list[tuple]) -> None:
        self.writer.writerows(rows)

    def end(self, shown: int, cut: bool) -> None:
        pass


class _TableOut:
    """Column widths come from the header and the first batch (up to 10,000 rows, so the whole default
    output); a later, wider value is written in full and shifts the rest of its line."""

    def __init__(self, out, header: list[str]):
        self.out = out
        self.header = [_cell(h) for h in header]
        self.widths: list[int] | None = None

    def rows(self, rows: list[tuple]) -> None:
        cells = [[_cell(v) for v in row] for row in rows]
        if self.widths is None:
            self._start(cells)
        w = self.widths
        self.out.write("".join(" | ".join(v.ljust(w[i]) for i, v in enumerate(r)).rstrip() + "\n" for r in cells))

    def _start(self, cells: list[list[str]]) -> None:
        self.widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(self.header)]
        self.out.write(" | ".join(h.ljust(w) for h, w in zip(self.header, self.widths)).rstrip() + "\n")
        self.out.write("-+-".join("-" * w for w in self.widths) + "\n")

    def end(self, shown: int, cut: bool) -> None:
        if self.widths is None:
            self._start([])
        more = ", more not shown" if cut else ""
        self.out.write(f"({shown:,} row{'s' if shown != 1 else ''}{more})\n")


def _cell(value) -> str:
    if value is None:
        return ""
    text = str(value)
    if any(c in text for c in "\n\r\t"):
        text = text.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")
    return text
