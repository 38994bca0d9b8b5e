"""`tiedolla sql` only reads the published marts (issue 17, point 3) and has no rough edges (issue 23, points
5–7): every escape is refused with one line and nothing is written anywhere; --timeout, streaming,
--max-rows, Ctrl-C, a closed pipe, non-UTF-8 input, a damaged or missing publication.

The published home is built directly with DuckDB (a `publication` table and a small `wait_times`), with a
raw Parquet file and a build database beside it to try to escape to; the real command line runs as a
subprocess with its working directory, HOME and TMPDIR in temporary folders that are listed before and after.
"""
from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[2]
_NEXT_TO_PYTHON = Path(sys.executable).parent / "tiedolla"
TIEDOLLA = str(_NEXT_TO_PYTHON if _NEXT_TO_PYTHON.exists() else ROOT / ".venv" / "bin" / "tiedolla")
SLOW = ("select count(*) from range(100000000) a, range(100000) b "
        "where a.range + b.range = 7")   # minutes of work, no memory


def make_published_home(home: Path) -> Path:
    (home / "warehouse").mkdir(parents=True)
    (home / "raw" / "avohilmo").mkdir(parents=True)
    con = duckdb.connect(str(home / "warehouse" / "marts.duckdb"))
    con.execute("""
        create table publication (publication_id integer primary key, published_at timestamptz not null,
                                  git_revision varchar, fingerprint varchar not null, as_of varchar,
                                  source_files json, summary json);
        insert into publication values (1, '2026-01-01 00:00:00+00', null, 'abc', '2025-12', null, null);
        create table wait_times as
            select '17' as area_code, date '2025-01-01' + to_months(i::int) as period_start, 10 + i as visits
            from range(12) t(i);
    """)
    con.close()
    con = duckdb.connect(str(home / "warehouse" / "build.duckdb"))
    con.execute("create table client_visits as select 'client-1' as client_id, 42 as wait_days")
    con.execute(f"copy client_visits to '{home / 'raw' / 'avohilmo' / 'x.parquet'}' (format parquet)")
    con.close()
    (home / "raw" / "clients.csv").write_text("client_id,wait_days\nclient-1,42\n")
    return home


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    return make_published_home(tmp_path_factory.mktemp("sql") / "home")


@pytest.fixture()
def place(tmp_path):
    """A working directory, HOME and TMPDIR of their own, so that any write would be seen."""
    folders = {name: tmp_path / name for name in ("cwd", "userhome", "tmp")}
    for folder in folders.values():
        folder.mkdir()
    return folders


def env_for(place) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "TIEDOLLA_HOME"}
    env.update(HOME=str(place["userhome"]), TMPDIR=str(place["tmp"]), PYTHONDONTWRITEBYTECODE="1")
    return env


def sql(home: Path, place, *args, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([TIEDOLLA, "sql", "--home", str(home), *args], cwd=place["cwd"], env=env_for(place),
                          capture_output=True, text=True, timeout=timeout)


def listing(*folders: Path) -> dict:
    """Every entry under the folders with its size, mtime and (for files) content hash."""
    seen = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            stat = path.lstat()
            digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
            seen[str(path)] = (stat.st_size if path.is_file() else None, stat.st_mtime_ns, digest)
        seen[str(folder)] = folder.lstat().st_mtime_ns
    return seen


def one_line(stream: str) -> str:
    lines = stream.strip().splitlines()
    assert len(lines) == 1, f"expected one line, got {len(lines)}:\n{stream}"
    assert "Traceback" not in stream
    return lines[0]


# --- the marts stay readable ---------------------------------------------------------------------------------

@pytest.mark.parametrize("query", ["select count(*) as n from marts.wait_times",
                                   "select count(*) as n from wait_times",
                                   "select count(*) as n from marts.main.wait_times"])
def test_the_marts_are_queryable_by_both_names(published, place, query):
    result = sql(published, place, "--format", "csv", query)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["n", "12"]


@pytest.mark.parametrize("query", [
    "show tables", "describe wait_times", "summarize wait_times", "pragma table_info('wait_times')",
    "explain select * from wait_times", "from wait_times limit 2", "values (1), (2)",
    "with w as (select * from marts.wait_times) select area_code, sum(visits) from w group by all",
    "select table_name from information_schema.tables", "select table_name from duckdb_tables()",
    "pivot wait_times on area_code in ('17') using sum(visits)",
    "select * from wait_times, unnest([1, 2]) u(x) limit 3", "select * from range(3)",
    "select max(publication_id) from publication;",
])
def test_ordinary_reads_pass_the_guard(published, place, query):
    before = listing(published, place["cwd"], place["userhome"], place["tmp"])
    result = sql(published, place, query)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "" and result.stdout.strip()
    assert listing(published, place["cwd"], place["userhome"], place["tmp"]) == before


# --- every escape is refused, nothing written --------------------------------------------------------------------

ESCAPES = [
    "copy (select 1) to 'x.csv'",
    "copy (select 1) to '{cwd}/x.parquet' (format parquet)",
    "copy wait_times to '{home}/warehouse/leak.csv'",
    "copy wait_times from '{home}/raw/clients.csv'",
    "select * from read_parquet('{home}/raw/**/*.parquet')",
    "select count(*) from '{home}/raw/avohilmo/x.parquet'",
    "select * from read_csv('{home}/raw/clients.csv')",
    "select * from '{home}/raw/clients.csv'",
    "select * from read_text('{home}/raw/clients.csv')",
    "select * from read_blob('{home}/raw/clients.csv')",
    "select * from read_json_auto('{home}/raw/clients.csv')",
    "select * from glob('{home}/**')",
    "select * from sniff_csv('{home}/raw/clients.csv')",
    "select * from parquet_metadata('{home}/raw/avohilmo/x.parquet')",
    "attach '{home}/warehouse/build.duckdb'",
    "attach '{home}/warehouse/build.duckdb' as b (read_only)",
    "attach ':memory:' as scratch",
    "export database '{cwd}/exported'",
    "import database '{cwd}'",
    "install httpfs",
    "load httpfs",
    "load '{cwd}/evil.duckdb_extension'",
    "set memory_limit = '10GB'",
    "set enable_external_access = true",
    "set lock_configuration = false",
    "reset memory_limit",
    "set temp_directory = '{cwd}/spill'",
    "set threads = 64",
    "pragma memory_limit = '10GB'",
    "pragma threads = 64",
    "pragma enable_profiling",
    "pragma enable_checkpoint_on_shutdown",
    "select * from enable_profiling()",
    "select * from checkpoint()",
    "select * from query('select * from enable_profiling()')",
    "checkpoint",
    "set variable v = 1",
    "create temp table t as select 1",
    "create secret s (type s3, key_id 'a', secret 'b')",
    "create table wait_times_copy as select * from wait_times",
    "delete from wait_times",
    "begin transaction",
    "use memory",
    "select 1; copy (select 1) to 'x.csv'",
]


@pytest.mark.parametrize("template", ESCAPES)
def test_every_escape_is_refused_with_one_line_and_nothing_is_written(published, place, template):
    query = template.format(home=published, cwd=place["cwd"])
    before = listing(published, place["cwd"], place["userhome"], place["tmp"])
    result = sql(published, place, query)
    assert result.returncode == 1, (query, result.stdout, result.stderr)
    line = one_line(result.stderr)
    assert line.startswith("refused: the sql command only reads the published marts") or \
        line.startswith("one statement at a time"), line
    assert result.stdout == ""
    assert listing(published, place["cwd"], place["userhome"], place["tmp"]) == before


def test_the_client_level_rows_beside_the_marts_stay_out_of_reach(published, place):
    """The three ways to the raw rows named in issue 17, each refused, and none of their bytes printed."""
    for query in (f"select count(*) from read_parquet('{published}/raw/**/*.parquet')",
                  f"attach '{published}/warehouse/build.duckdb' as build",
                  f"select * from read_csv('{published}/raw/clients.csv')"):
        result = sql(published, place, query)
        assert result.returncode == 1 and "client-1" not in result.stdout + result.stderr


# --- time, size and interruptions ----------------------------------------------------------------------------

def test_a_query_past_the_timeout_is_stopped(published, place):
    started = time.monotonic()
    result = sql(published, place, "--timeout", "1", SLOW)
    assert result.returncode == 1
    assert one_line(result.stderr) == "query stopped after 1 s (--timeout)"
    assert time.monotonic() - started < 30


def test_the_default_timeout_is_60_seconds(published, place):
    help_text = subprocess.run([TIEDOLLA, "sql", "--help"], capture_output=True, text=True, cwd=place["cwd"],
                               env=env_for(place)).stdout
    assert "--timeout SECONDS" in help_text and "default 60" in help_text
    assert "--max-rows N" in help_text


def _read_three_lines_and_close(args: list[str], place) -> tuple[int, str, list[bytes]]:
    proc = subprocess.Popen([TIEDOLLA, "sql", *args], cwd=place["cwd"], env=env_for(place),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        lines = [proc.stdout.readline() for _ in range(3)]
        proc.stdout.close()            # what `head -3` does
        stderr = proc.stderr.read().decode()
        return proc.wait(timeout=60), stderr, lines
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize("fmt", ["csv", "table"])
def test_output_into_a_closed_pipe_ends_quietly(published, place, fmt):
    code, stderr, lines = _read_three_lines_and_close(
        ["--home", str(published), "--format", fmt, "--max-rows", "0", "select * from range(2000000)"], place)
    assert code == 0 and "Traceback" not in stderr and "Error" not in stderr, stderr
    assert lines[0].strip() == b"range" and lines[-1].strip() in (b"1", b"0", b"-----")


def test_head_in_a_shell_pipeline(published, place):
    result = subprocess.run(f"'{TIEDOLLA}' sql --home '{published}' --format csv 'select * from range(2000000)' "
                            "| head -3", shell=True, capture_output=True, text=True, cwd=place["cwd"],
                            env=env_for(place), timeout=60)
    assert result.stdout.splitlines() == ["range", "0", "1"]
    assert "Traceback" not in result.stderr and result.stderr == ""


def _peak_rss_kib(args: list[str], place) -> int:
    proc = subprocess.Popen([TIEDOLLA, "sql", *args], cwd=place["cwd"], env=env_for(place),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    assert proc.returncode == 0
    return usage.ru_maxrss


def test_rows_are_streamed_not_held(published, place):
    """3 million rows fetched at once would hold ~250 MB of Python tuples; streamed, memory stays flat."""
    small = _peak_rss_kib(["--home", str(published), "--format", "csv", "select * from range(100)"], place)
    large = _peak_rss_kib(["--home", str(published), "--format", "csv", "select * from range(3000000)"], place)
    assert large - small < 80 * 1024, (small, large)


def test_max_rows_cuts_and_says_so(published, place):
    cut = sql(published, place, "--format", "csv", "--max-rows", "5", "select * from range(100)")
    assert cut.returncode == 0 and cut.stdout.splitlines() == ["range", "0", "1", "2", "3", "4"]
    assert "first 5 rows" in one_line(cut.stderr)
    exact = sql(published, place, "--format", "csv", "--max-rows", "5", "select * from range(5)")
    assert exact.returncode == 0 and len(exact.stdout.splitlines()) == 6 and exact.stderr == ""
    unlimited = sql(published, place, "--format", "csv", "select * from range(25000)")
    assert len(unlimited.stdout.splitlines()) == 25001 and unlimited.stderr == ""


def test_the_table_format_stops_at_10000_rows_by_default(published, place):
    result = sql(published, place, "select * from range(25000)")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[:3] == ["range", "-----", "0"] and lines[-2] == "9999"
    assert lines[-1] == "(10,000 rows, more not shown)"
    assert "first 10,000 rows" in one_line(result.stderr)
    everything = sql(published, place, "--max-rows", "0", "select * from range(25000)")
    assert everything.stdout.splitlines()[-1] == "(25,000 rows)" and everything.stderr == ""


def test_table_columns_are_aligned_by_the_first_batch(published, place):
    result = sql(published, place, "select area_code, visits from wait_times order by visits limit 2")
    assert result.stdout.splitlines() == ["area_code | visits", "----------+-------", "17        | 10",
                                          "17        | 11", "(2 rows)"]


def _as_a_terminal_would():
    """Ctrl-C reaches the command with SIGINT's default disposition (a test runner's worker may ignore it,
    and an ignored signal stays ignored across exec)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _interrupt_after(args: list[str], place, seconds: float, **popen) -> tuple[int, str]:
    proc = subprocess.Popen([TIEDOLLA, "sql", *args], cwd=place["cwd"], env=env_for(place),
                            stderr=subprocess.PIPE, preexec_fn=_as_a_terminal_would, **popen)
    try:
        time.sleep(seconds)
        assert proc.poll() is None, "the query ended before the interrupt"
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=30)
        return proc.returncode, stderr.decode()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_ctrl_c_during_a_long_query_exits_130_without_traceback(published, place):
    code, stderr = _interrupt_after(["--home", str(published), SLOW], place, 6, stdout=subprocess.DEVNULL)
    assert code == 130
    assert one_line(stderr) == "interrupted (Ctrl-C)"


def test_ctrl_c_while_rows_are_written_exits_130_without_traceback(published, place):
    code, stderr = _interrupt_after(["--home", str(published), "--format", "csv", "--timeout", "0",
                                     "select * from range(1000000000)"], place, 4, stdout=subprocess.DEVNULL)
    assert code == 130
    assert one_line(stderr) == "interrupted (Ctrl-C)"


# --- what the query text can be -----------------------------------------------------------------------------

def test_non_utf8_bytes_in_the_query_end_with_one_line(published, place):
    result = subprocess.run([TIEDOLLA.encode(), b"sql", b"--home", bytes(published), b"select '\xff\xfe' as x"],
                            cwd=place["cwd"], env=env_for(place), capture_output=True)
    assert result.returncode == 1
    line = one_line(result.stderr.decode())
    assert "not valid UTF-8" in line and "0xff" in line
    assert result.stdout == b""


@pytest.mark.parametrize("query", ["", "   ", " ; "])
def test_an_empty_query_is_a_usage_error(published, place, query):
    result = sql(published, place, query)
    assert result.returncode == 2
    assert result.stderr.startswith("usage: tiedolla sql") and "the query is empty" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_missing_table_gives_duckdbs_first_line_without_system_table_suggestions(published, place):
    result = sql(published, place, "select * from nowhere")
    assert result.returncode == 1
    line = one_line(result.stderr)
    assert line.startswith("query failed: Catalog Error: Table with name nowhere does not exist")
    assert "pg_" not in line and "LINE 1" not in line


def test_a_misspelt_mart_keeps_the_suggestion(published, place):
    line = one_line(sql(published, place, "select * from wait_time").stderr)
    assert line.startswith("query failed:") and 'Did you mean "wait_times"' in line


def test_a_syntax_error_is_one_line(published, place):
    result = sql(published, place, "selec 1")
    assert result.returncode == 1 and one_line(result.stderr).startswith("query failed: Parser Error")


# --- the home and the published file -----------------------------------------------------------------------

def test_a_missing_home_says_no_such_home(tmp_path, place):
    result = sql(tmp_path / "nowhere", place, "select 1")
    assert result.returncode == 1
    assert one_line(result.stderr).startswith(f"no such home: {tmp_path / 'nowhere'}")
    assert not (tmp_path / "nowhere").exists()


def test_a_home_that_is_a_file_is_a_usage_error(tmp_path, place):
    (tmp_path / "afile").write_text("x")
    result = sql(tmp_path / "afile", place, "select 1")
    assert result.returncode == 2 and "is not a folder" in one_line(result.stderr)


def test_a_home_without_publication(tmp_path, place):
    (tmp_path / "home").mkdir()
    result = sql(tmp_path / "home", place, "select 1")
    assert result.returncode == 1
    assert one_line(result.stderr) == f"no publication yet in {tmp_path / 'home'}: run `tiedolla run` first"
    assert list((tmp_path / "home").iterdir()) == []


def _damage_four_bytes(marts: Path) -> None:
    marts.unlink()
    marts.write_bytes(b"abcd")


def _damage_no_publication_table(marts: Path) -> None:
    con = duckdb.connect(str(marts))
    con.execute("drop table publication")
    con.close()


def _damage_empty_publication_table(marts: Path) -> None:
    con = duckdb.connect(str(marts))
    con.execute("delete from publication")
    con.close()


def _damage_truncated(marts: Path) -> None:
    data = marts.read_bytes()
    marts.write_bytes(data[: len(data) // 3])


def _damage_a_folder(marts: Path) -> None:
    marts.unlink()
    marts.mkdir()


@pytest.mark.parametrize("damage", [_damage_four_bytes, _damage_no_publication_table,
                                    _damage_empty_publication_table, _damage_truncated, _damage_a_folder])
def test_a_damaged_publication_exits_1_with_one_line(tmp_path, place, damage):
    home = make_published_home(tmp_path / "home")
    marts = home / "warehouse" / "marts.duckdb"
    damage(marts)
    before = listing(home)
    result = sql(home, place, "select * from wait_times")
    assert result.returncode == 1, result.stdout
    line = one_line(result.stderr)
    if damage is _damage_truncated and not line.startswith("the published file"):
        # a cut that leaves DuckDB's header and catalog readable shows up as a failed read of the data
        assert line.startswith("query failed:"), line
    else:
        assert line.startswith(f"the published file {marts} is damaged: ")
        assert line.endswith("run `tiedolla run` to republish")
    assert listing(home) == before
