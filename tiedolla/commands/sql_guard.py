"""What `tiedolla sql` lets through: one read-only query against the published marts, nothing else.

Two locks, each enough for the escapes it knows about (issue 17):

1. DuckDB itself (`READ_ONLY_CONFIG`, given at connect time): the file is opened read-only, external access
   is off (no COPY, read_csv/read_parquet/read_text/glob, ATTACH of a file, EXPORT/IMPORT, INSTALL, LOAD
   from a path, stored secrets), known extensions are neither installed nor loaded automatically, memory
   is limited and nothing spills to disk, and the configuration is locked so no SET/RESET/PRAGMA can undo
   any of it.
2. This guard, before anything runs: exactly one statement, of type SELECT (DESCRIBE, SHOW, SUMMARIZE,
   FROM …, VALUES, read-only PRAGMAs such as table_info parse as SELECT) or EXPLAIN, whose table functions
   are all on an allow-list. It refuses what DuckDB's lock lets through: `SET VARIABLE`, `CREATE TEMP …`,
   transactions, CHECKPOINT/VACUUM, settings PRAGMAs (`pragma enable_profiling`), and table functions that
   change state (`select * from enable_profiling()`, `checkpoint()`) or run SQL text the guard cannot see
   (`query('…')`).

No module here imports duckdb at import time: `tiedolla/cli.py` uses the argument types below.
"""
from __future__ import annotations

import argparse
import json
import re

REFUSED = "refused: the sql command only reads the published marts (no files, ATTACH, INSTALL/LOAD or SET)"

MEMORY_LIMIT = "1GB"

READ_ONLY_CONFIG = {
    "enable_external_access": "false",
    "autoload_known_extensions": "false",
    "autoinstall_known_extensions": "false",
    "allow_community_extensions": "false",
    "memory_limit": MEMORY_LIMIT,
    "temp_directory": "",              # no spilling: a query past the memory limit fails instead of writing
    "threads": "2",
    "lock_configuration": "true",      # last: SET/RESET/PRAGMA of any option is refused from here on
}

# Table functions a read of the marts may use. Anything else is refused: readers of files (which DuckDB
# refuses too), state-changing ones (checkpoint, enable_profiling, enable_logging …), the ones that run SQL
# given as text (query, query_table, json_execute_serialized_sql) and the Python-object scans.
ALLOWED_TABLE_FUNCTIONS = frozenset({
    "range", "generate_series", "unnest", "repeat", "repeat_row", "json_each", "json_tree", "summary",
    "duckdb_columns", "duckdb_constraints", "duckdb_databases", "duckdb_dependencies", "duckdb_functions",
    "duckdb_indexes", "duckdb_keywords", "duckdb_schemas", "duckdb_sequences", "duckdb_settings",
    "duckdb_tables", "duckdb_types", "duckdb_views", "duckdb_variables", "duckdb_memory", "duckdb_optimizers",
    "duckdb_temporary_files", "pragma_table_info", "pragma_show", "pragma_storage_info", "pragma_database_size",
    "pragma_database_list", "pragma_version", "pragma_platform", "pragma_collations", "pragma_metadata_info",
    "pragma_user_agent", "pg_timezone_names", "icu_calendar_names", "test_all_types",
})

_EXPLAIN = re.compile(r"^\s*explain\s+(analy[sz]e\s+)?", re.IGNORECASE)


class Refused(Exception):
    """The query is not a plain read of the marts: one line for the user."""


# --- argument types (argparse) ------------------------------------------------------------------------------

def query_argument(value: str) -> str:
    if not value.strip() or not value.strip().strip(";").strip():
        raise argparse.ArgumentTypeError("the query is empty")
    return value


def max_rows_argument(value: str) -> int:
    try:
        number = int(value.replace("_", "").replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number")
    if number < 0:
        raise argparse.ArgumentTypeError(f"{value!r}: must be 0 (no limit) or more")
    return number


def timeout_argument(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of seconds")
    if not number >= 0 or number == float("inf"):
        raise argparse.ArgumentTypeError(f"{value!r}: must be 0 (no limit) or more seconds")
    return number


# --- the query text -----------------------------------------------------------------------------------------

def text_problem(query: str) -> str | None:
    """Why the query argument cannot be SQL text, or None. Undecodable bytes in argv reach Python as lone
    surrogates (surrogateescape); DuckDB would fail on them with an encoding traceback."""
    try:
        query.encode("utf-8")
    except UnicodeEncodeError as error:
        bad = query[error.start]
        byte = ord(bad) - 0xDC00 if 0xDC80 <= ord(bad) <= 0xDCFF else None
        what = f"byte 0x{byte:02x}" if byte is not None else f"character U+{ord(bad):04X}"
        return (f"the query is not valid UTF-8 text ({what} at character {error.start + 1}): "
                "write it in UTF-8 (check the terminal's or the script's encoding)")
    if "\x00" in query:
        return "the query contains a NUL character"
    return None


# --- the guard ----------------------------------------------------------------------------------------------

def check(con, query: str) -> None:
    """Raise Refused unless `query` is one SELECT/EXPLAIN that only reads. `con` is the locked read-only
    connection (parsing runs there, so even a parse that touches a file is refused by DuckDB's lock)."""
    import duckdb

    try:
        statements = con.extract_statements(query)
    except duckdb.PermissionException as error:
        raise Refused(f"{REFUSED}: {first_line(error)}")
    if not statements:
        raise Refused("the query is empty")
    types = [s.type.name for s in statements]
    if len(statements) > 1:
        if types == ["CREATE", "SELECT"] and re.match(r"\s*pivot\b", query, re.IGNORECASE):
            raise Refused(f"{REFUSED}: a PIVOT without IN (…) creates a type; list the values: "
                          "PIVOT t ON col IN ('a', 'b') USING …")
        raise Refused(f"one statement at a time: the query holds {len(statements)} ({', '.join(types)})")
    statement = statements[0]
    kind = types[0]
    if kind not in ("SELECT", "EXPLAIN"):
        raise Refused(f"{REFUSED}: {_describe(kind, statement.query)}")
    text = statement.query if kind == "SELECT" else _EXPLAIN.sub("", statement.query, count=1)
    for name in _table_functions(con, text):
        if name.lower() not in ALLOWED_TABLE_FUNCTIONS:
            raise Refused(f"{REFUSED}: the table function {name}() is not allowed here")


def _describe(kind: str, text: str) -> str:
    words = text.split()
    head = words[0].upper() if words else kind
    if kind == "SET" and head == "PRAGMA":
        return "a PRAGMA that changes a setting"
    if kind == "SET" and len(words) > 1 and words[1].lower() == "variable":
        return "SET VARIABLE"
    names = {
        "SET": f"{head} changes a setting" if head in ("SET", "RESET") else f"{head} changes the session",
        "PRAGMA": "a PRAGMA that changes a setting",
        "COPY": "COPY reads or writes files",
        "ATTACH": "ATTACH opens another database",
        "DETACH": "DETACH changes the session",
        "EXPORT": "EXPORT DATABASE writes files",
        "LOAD": f"{head} of an extension",
        "CALL": ("CALL (for a read-only table function use SELECT * FROM f())" if head == "CALL"
                 else f"{head} (the marts are read-only)"),
        "TRANSACTION": f"{head} (transactions)",
        "VACUUM": f"{head}",
    }
    return names.get(kind, f"{head} (the marts are read-only)")


def _table_functions(con, text: str) -> list[str]:
    """Names of every table function in one SELECT, from DuckDB's own parse tree. Refuses what it cannot
    parse that way (fail closed)."""
    import duckdb

    try:
        tree = json.loads(con.execute("select json_serialize_sql(?)", [text]).fetchone()[0])
    except (duckdb.Error, TypeError, ValueError) as error:
        raise Refused(f"{REFUSED}: the query could not be checked ({first_line(error)})")
    if tree.get("error"):
        raise Refused(f"{REFUSED}: the query could not be checked ({tree.get('error_message', 'unknown')})")
    names: list[str] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("type") == "TABLE_FUNCTION" and isinstance(node.get("function"), dict):
                names.append(str(node["function"].get("function_name", "")))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return names


# --- DuckDB's messages ---------------------------------------------------------------------------------------

_SUGGESTION = re.compile(r'Did you mean "([^"]+)"\?')
_SYSTEM_NAME = re.compile(r"^(pg_|information_schema|duckdb_|sqlite_|system\.|temp\.)", re.IGNORECASE)


def first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0].strip() if text else type(error).__name__


def is_refusal(error: BaseException) -> bool:
    """DuckDB errors that mean the lock held (external access, locked configuration, read-only file)."""
    import duckdb

    text = str(error)
    return (isinstance(error, duckdb.PermissionException)
            or "the configuration has been locked" in text
            or "attached in read-only mode" in text
            or "Cannot launch in-memory database in read-only mode" in text)


def failure_line(error: BaseException) -> str:
    """DuckDB's message, first line only; a "Did you mean" suggestion is kept only when it names a mart
    (not one of the system catalog tables DuckDB suggests for any unknown name)."""
    line = first_line(error)
    match = _SUGGESTION.search(str(error))
    if match and not _SYSTEM_NAME.match(match.group(1)):
        line += f' Did you mean "{match.group(1)}"?'
    elif "Table with name" in line and "does not exist" in line:
        line += ' (`tiedolla sql "show tables"` lists the marts)'
    return line
