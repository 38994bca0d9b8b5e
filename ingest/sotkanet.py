"""Sotkanet downloads (sotkanet.md): data files as CSV or REST JSON, and the region and indicator lists.

Data files go through the same ingest as every extract (JSON is first turned into CSV); the two reference
lists are small JSON documents parsed here and kept as Parquet, the latest delivered copy winning.
"""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone
from hashlib import sha256
from pathlib import Path

import pandas as pd

from ingest.atomic import replace_atomically
from ingest.landing import IngestSummary, Log, ingest_source
from ingest.load_log import ACCEPTED, QUARANTINED, LoadEntry, LoadLog, load_id_for
from ingest.problems import FileProblem, LineProblem, as_file_problem
from ingest.quarantine import quarantine_file
from ingest.sources import SOTKANET
from tiedolla.home import Home
from tiedolla.reference import read_seed

REFERENCE_FILES = {"sotkanet_regions.json": "sotkanet_regions", "sotkanet_indicators.json": "sotkanet_indicators"}
JSON_FIELDS = ("indicator", "region", "year", "gender", "value", "absValue")
REGION_CATEGORIES = ("KUNTA", "HYVINVOINTIALUE", "MAA", "SAIRAANHOITOPIIRI", "SEUTUKUNTA", "MAAKUNTA", "ERVA",
                     "AVI", "ELY", "KUNTARYHMA", "VALTIO")


def _load_json(data: bytes) -> object:
    try:
        return json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise FileProblem("cannot_parse_json", f"the file is not valid UTF-8 JSON ({error}); download it again.")
    except RecursionError:
        raise FileProblem("cannot_parse_json", "the file's JSON is nested deeper than any Sotkanet download; "
                          "download it again.")


def json_rows_to_csv(path: Path, data: bytes) -> bytes:
    """The REST API's list of objects as the CSV download's columns (absValue may be missing)."""
    if path.suffix != ".json":
        return data
    rows = _load_json(data)
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise FileProblem("cannot_parse_json", "expected a JSON list of objects {indicator, region, year, gender, "
                          "value, absValue}")
    missing = [f for f in JSON_FIELDS[:5] if rows and f not in rows[0]]
    if missing:
        raise FileProblem("missing_required_column", f"object 1 lacks {', '.join(missing)}",
                          [LineProblem(2, f, "missing") for f in missing])
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(JSON_FIELDS)
    for row in rows:
        writer.writerow(["" if row.get(f) is None else row.get(f) for f in JSON_FIELDS])
    return buffer.getvalue().encode("utf-8")


def _parse_regions(rows: object) -> pd.DataFrame:
    if not isinstance(rows, list):
        raise FileProblem("cannot_parse_json", "expected a JSON list of regions {id, code, category, title}")
    problems, out = [], []
    for index, row in enumerate(rows, 1):
        try:
            title = row.get("title") or {}
            out.append({"region_id": int(row["id"]), "code": str(row["code"]), "category": str(row["category"]),
                        "title_fi": title.get("fi"), "title_sv": title.get("sv"), "title_en": title.get("en")})
        except (KeyError, TypeError, ValueError, AttributeError):
            problems.append(LineProblem(index, None, "region object lacks id, code or category"))
    if problems:
        raise FileProblem("bad_reference_rows", f"{len(problems)} region object(s) are incomplete",
                          problems[:10], len(problems))
    return pd.DataFrame(out, columns=["region_id", "code", "category", "title_fi", "title_sv", "title_en"])


def _parse_indicators(rows: object) -> pd.DataFrame:
    if not isinstance(rows, list):
        raise FileProblem("cannot_parse_json", "expected a JSON list of indicators {id, title, ...}")
    out = []
    for index, row in enumerate(rows, 1):
        try:
            title = row.get("title") or {}
            out.append({"indicator_id": int(row["id"]), "title_fi": title.get("fi"), "title_sv": title.get("sv"),
                        "title_en": title.get("en"),
                        "value_type": (row.get("primaryValueType") or {}).get("code"),
                        "decimals": row.get("decimals")})
        except (KeyError, TypeError, ValueError, AttributeError):
            raise FileProblem("bad_reference_rows", f"indicator object {index} lacks an id",
                              [LineProblem(index, "id", "missing")])
    return pd.DataFrame(out, columns=["indicator_id", "title_fi", "title_sv", "title_en", "value_type", "decimals"])


def title_warnings(indicators: pd.DataFrame) -> list[str]:
    """Catalog indicators whose Sotkanet title no longer matches the one the catalog was checked against."""
    expected = {row["sotkanet_id"]: row["sotkanet_title_fi"] for row in read_seed("indicator_definitions")
                if row.get("sotkanet_id") and row.get("sotkanet_title_fi")}
    delivered = {str(r.indicator_id): r.title_fi for r in indicators.itertuples()}
    return [f"Sotkanet indicator {sid}: title {delivered[sid]!r} no longer matches the catalog's {title!r}; "
            "check that the id still means the same figure" for sid, title in sorted(expected.items())
            if sid in delivered and (delivered[sid] or "").strip() != title.strip()]


def _ingest_reference(home: Home, path: Path, kind: str, run_id: str, load_log: LoadLog, log: Log) -> None:
    data = path.read_bytes()
    digest = sha256(data).hexdigest()
    load_id = load_id_for(digest, kind, path.name)
    if load_id in load_log:
        return
    now = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    entry = LoadEntry(digest, path.name, kind, None, None, 1, len(data), ACCEPTED, load_log.next_seq(), run_id, now,
                       load_id=load_id)
    try:
        document = _load_json(data)
        frame = _parse_regions(document) if kind == "sotkanet_regions" else _parse_indicators(document)
        folder = home.source_raw(kind)
        folder.mkdir(parents=True, exist_ok=True)
        parquet = folder / f"{load_id[:16]}.parquet"
        tmp = parquet.with_name(parquet.name + ".tmp")
        frame.assign(_load_id=load_id).to_parquet(tmp, index=False)
        replace_atomically(tmp, parquet)
        entry.parquet_path, entry.data_lines, entry.rows_accepted = str(parquet), len(frame), len(frame)
        entry.validated_at = now
        if kind == "sotkanet_indicators":
            entry.warnings = title_warnings(frame)
            for warning in entry.warnings:
                log(f"WARNING {path.name}: {warning}")
    except Exception as error:  # bad input never crashes a run
        problem = as_file_problem(error)
        report = quarantine_file(path, home.quarantine, run_id, "sotkanet", problem, digest)
        entry.status, entry.problem, entry.message = QUARANTINED, problem.code, problem.message
        entry.quarantine_report = str(report)
        log(f"QUARANTINED {path.name}: {problem.message} (report: {report})")
    load_log.write(entry)


def ingest_sotkanet(home: Home, spec, run_id: str, log: Log = print) -> IngestSummary:
    """The reference lists first (exact names), then every other file as a data download."""
    folder = home.source_landing("sotkanet")
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")) if folder.is_dir() else []
    load_log = LoadLog(home.load_log_dir)
    for path in files:
        if path.name in REFERENCE_FILES:
            _ingest_reference(home, path, REFERENCE_FILES[path.name], run_id, load_log, log)
    data_files = [p for p in files if p.name not in REFERENCE_FILES]
    return ingest_source(home, SOTKANET, run_id, log, files=data_files, converter=json_rows_to_csv)
