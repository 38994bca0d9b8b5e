"""`tiedolla sql`: a read-only query against the published marts."""
from __future__ import annotations

import csv
import sys

import duckdb

from tiedolla.home import Home


def sql_command(args) -> int:
    home = Home.at(args.home)
    if not home.marts_db.exists():
        print(f"no publication yet in {home.root}: run `tiedolla run` first", file=sys.stderr)
        return 1
    con = duckdb.connect(str(home.marts_db), read_only=True)
    try:
        cursor = con.execute(args.query)
    except duckdb.Error as error:
        print(f"query failed: {error}", file=sys.stderr)
        return 1
    if cursor.description is None:
        return 0
    header = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    con.close()
    if args.format == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(header)
        writer.writerows(rows)
    else:
        print(render_table(header, rows))
    return 0


def render_table(header: list[str], rows: list[tuple]) -> str:
    cells = [[("" if v is None else str(v)) for v in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(header)]
    line = " | ".join(h.ljust(w) for h, w in zip(header, widths))
    out = [line, "-+-".join("-" * w for w in widths)]
    out += [" | ".join(v.ljust(w) for v, w in zip(r, widths)) for r in cells]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)
