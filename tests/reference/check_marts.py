#!/usr/bin/env python3
"""Check a published marts.duckdb against the marts contract (marts_contract.json beside this file).

usage: python tests/reference/check_marts.py HOME [--only wait_times,dim_area]
Opens HOME/warehouse/marts.duckdb read-only (needs the duckdb package: run it with the
project's Python). Prints what is missing and exits 1 if anything is; extra tables and
columns are fine. Also fails on any column whose name suggests client-level data."""
import json
import re
import sys
from pathlib import Path

CLIENT_LEVEL = re.compile(r"asiakas|klient|client_id|kaynti_id|besok_id|henkilotunnus|hetu", re.I)


def main(argv):
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 2
    home = Path(argv[0])
    only = None
    if "--only" in argv:
        only = set(argv[argv.index("--only") + 1].split(","))
    contract = json.loads((Path(__file__).with_name("marts_contract.json")).read_text())
    contract.pop("_about", None)
    db = home / "warehouse" / "marts.duckdb"
    if not db.exists():
        print(f"no published file at {db}")
        return 1
    import duckdb
    con = duckdb.connect(str(db), read_only=True)
    cols = {}
    for schema, table, column in con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where table_catalog = current_database()").fetchall():
        cols.setdefault(table.lower(), set()).add(column.lower())
        if CLIENT_LEVEL.search(column):
            print(f"client-level column published: {schema}.{table}.{column}")
            cols.setdefault("__client__", set()).add(column)
    schemas = {r[0] for r in con.execute(
        "select distinct table_schema from information_schema.tables where table_catalog = current_database()").fetchall()}
    problems = len(cols.get("__client__", ()))
    if "marts" in schemas:
        print("a schema named 'marts' exists in marts.duckdb: `marts.<table>` becomes ambiguous (see marts.md)")
        problems += 1
    for table, wanted in contract.items():
        if only and table not in only:
            continue
        if table not in cols:
            print(f"missing table: {table}")
            problems += 1
            continue
        missing = [c for c in wanted if c not in cols[table]]
        if missing:
            print(f"{table}: missing columns {', '.join(missing)}")
            problems += 1
    print("contract holds" if not problems else f"{problems} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
