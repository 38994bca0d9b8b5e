"""`tiedolla status`: the latest publication, coverage and reliability per source, quarantined files."""
from __future__ import annotations

import json
import sys

import duckdb

from ingest.load_log import IGNORED, QUARANTINED, LoadLog
from publish.history import latest, published_file_problem
from tiedolla.home import Home


def home_problem(home: Home) -> tuple[int, str] | None:
    """(exit status, one line) when there is no publication to show: no such home, a home that is not a
    folder, nothing published yet, or a damaged published file."""
    if not home.root.exists():
        return 1, f"no such home: {home.root} (no publication yet there: check --home or TIEDOLLA_HOME)"
    if not home.root.is_dir():
        return 2, f"the home {home.root} is {'a file, ' if home.root.is_file() else ''}not a folder"
    try:
        publication = latest(home)
    except (OSError, ValueError) as error:
        return 1, f"the publication history of {home.root} cannot be read ({error}); run `tiedolla run`"
    if publication is None:
        return 1, f"no publication yet in {home.root}: run `tiedolla run` first"
    problem = published_file_problem(home, publication)
    if problem:
        return 1, f"the published file {home.marts_db} is damaged: {problem}; run `tiedolla run` to republish"
    return None


def collect_status(home: Home) -> dict:
    status: dict = {"home": str(home.root), "publication": None, "sources": [], "quarantined": [],
                    "ignored": []}
    problem = home_problem(home)
    if problem:
        status["problem"] = problem[1]
        return status
    publication = latest(home)
    status["publication"] = {k: publication[k] for k in ("publication_id", "published_at", "as_of", "git_revision")}
    con = duckdb.connect(str(home.marts_db), read_only=True)
    try:
        rows = con.execute("""
            with latest as (
                select source, max(period_start) as period_start from data_quality
                where area_level = 'welfare_area' and deliveries_expected > 0 group by source
            )
            select d.source, d.period_grain, case when d.period_grain = 'year' then strftime(d.period_start, '%Y')
                       else strftime(d.period_start, '%Y-%m') end as latest_period,
                   d.coverage, d.reliability, d.deliveries_accepted, d.deliveries_expected,
                   (select count(*) from data_quality q where q.source = d.source
                       and q.area_level = 'welfare_area' and q.reliability <> 'good') as periods_not_good,
                   (select sum(rows_rejected) from data_quality q where q.source = d.source
                       and q.area_level = 'welfare_area') as rows_rejected
            from data_quality d join latest using (source, period_start)
            where d.area_level = 'welfare_area' order by d.source""").fetchall()
    finally:
        con.close()
    status["rejected_lines_by_reason"] = _rejects_by_reason(home)
    status["off_target"] = _off_target(home)
    keys = ["source", "grain", "latest_period", "coverage", "reliability", "deliveries_accepted",
            "deliveries_expected", "periods_not_good", "rows_rejected"]
    status["sources"] = [dict(zip(keys, row)) for row in rows]
    for entry in sorted(LoadLog(home.load_log_dir).entries.values(), key=lambda e: e.load_seq):
        item = {"source": entry.source, "file": entry.file_name, "problem": entry.problem,
                "message": entry.message, "report": entry.quarantine_report}
        if entry.status == QUARANTINED:
            status["quarantined"].append(item)
        elif entry.status == IGNORED:
            status["ignored"].append(item)
    return status


def _off_target(home: Home) -> dict:
    """Indicators off target in the latest complete month (the latest month every monthly source has reached),
    grouped by indicator with the areas that miss. Only final figures can be off target: an immature period
    has status not_mature and a hidden one no_data (methods.md revision 2), so neither is listed."""
    con = duckdb.connect(str(home.marts_db), read_only=True)
    try:
        tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
        if "director_indicators" not in tables:
            return {"month": None, "indicators": []}
        (month,) = con.execute("""
            select min(latest) from (
                select source, max(period_start) as latest from data_quality
                where period_grain = 'month' and deliveries_accepted > 0 group by source
            )""").fetchone()
        if month is None:
            return {"month": None, "indicators": []}
        rows = con.execute("""
            select d.indicator_id, c.name_en, c.target_rule, d.area_code, d.area_level, d.value, d.reliability
            from director_indicators d join indicator_catalog c using (indicator_id)
            where d.period_grain = 'month' and d.period_start = ? and d.status = 'off_target'
            order by d.indicator_id, d.area_level desc, d.area_code""", [month]).fetchall()
    finally:
        con.close()
    grouped: dict[str, dict] = {}
    for indicator_id, name, target_rule, area_code, area_level, value, reliability in rows:
        entry = grouped.setdefault(indicator_id, {"indicator_id": indicator_id, "name": name,
                                                  "target_rule": target_rule, "areas": []})
        entry["areas"].append({"area_code": area_code, "area_level": area_level, "value": value,
                               "reliability": reliability})
    return {"month": str(month)[:7], "indicators": list(grouped.values())}


def _off_target_line(item: dict) -> str:
    """One line per indicator: its target, then each area's value; data that is not good is said in words."""
    areas = []
    for area in item["areas"]:
        note = "" if area["reliability"] == "good" else f" ({area['reliability']} data)"
        areas.append(f"{area['area_code']} {area['value']:.3g}{note}")
    count = len(item["areas"])
    return (f"  {item['indicator_id']} ({item['name']}), target {item['target_rule']}: "
            f"{count} area{'s' if count != 1 else ''}: {', '.join(areas)}")


def _rejects_by_reason(home: Home) -> list[dict]:
    """Rejected lines of the live files, by source, column and reason (the reject log's summary)."""
    snapshot = home.meta_dir / "rejected_rows.parquet"
    load_log = home.meta_dir / "load_log.parquet"
    if not snapshot.exists() or not load_log.exists():
        return []
    rows = duckdb.sql(f"""
        select r.source, r.column_name, r.reason, count(*) as lines, count(distinct r.load_id) as files
        from read_parquet('{snapshot}') r
        join read_parquet('{load_log}') l on r.load_id = l.load_id and l.status = 'accepted'
        group by all order by lines desc limit 10""").fetchall()
    return [dict(zip(("source", "column", "reason", "lines", "files"), row)) for row in rows]


def status_command(args) -> int:
    home = Home.at(args.home)
    problem = home_problem(home)
    if problem:
        if args.json:
            print(json.dumps({"home": str(home.root), "publication": None, "problem": problem[1]},
                             ensure_ascii=False, indent=2))
        print(problem[1], file=sys.stderr)
        return problem[0]
    status = collect_status(home)
    if args.json:
        print(json.dumps(status, ensure_ascii=False, indent=2, default=str))
        return 0 if status["publication"] else 1
    pub = status["publication"]
    print(f"publication {pub['publication_id']} at {pub['published_at']} (as of {pub['as_of']}): {home.marts_db}")
    print("\nsource        latest    coverage  reliability  accepted/expected  periods not good  rows rejected")
    for s in status["sources"]:
        coverage = "" if s["coverage"] is None else f"{s['coverage']:.0%}"
        print(f"{s['source']:<13} {s['latest_period']:<9} {coverage:>8}  {str(s['reliability']):<11}  "
              f"{s['deliveries_accepted']:>8}/{s['deliveries_expected']:<8}  {s['periods_not_good']:>16}  "
              f"{s['rows_rejected'] or 0:>13}")
    if status["rejected_lines_by_reason"]:
        print("\nrejected lines in accepted files (details: raw/_meta/rejected_rows.parquet, "
              "staging.stg_ingest__rejected_rows in build.duckdb):")
        for r in status["rejected_lines_by_reason"]:
            print(f"  {r['source']}.{r['column']}: {r['reason']}: {r['lines']} line(s) in {r['files']} file(s)")
    off = status.get("off_target") or {}
    if off.get("month"):
        print(f"\noff target in {off['month']} (the latest month every monthly source has reached; immature "
              f"and hidden figures are never listed): {len(off['indicators'])} indicator(s)")
        for item in off["indicators"]:
            print(_off_target_line(item))
    print(f"\nquarantined files: {len(status['quarantined'])}")
    for q in status["quarantined"]:
        print(f"  {q['source']}/{q['file']}: {q['problem']}: {q['message']}\n    report: {q['report']}")
    if status["ignored"]:
        print(f"\nignored (lower version after a higher one): {len(status['ignored'])}")
        for q in status["ignored"]:
            print(f"  {q['source']}/{q['file']}: {q['message']}")
    return 0
