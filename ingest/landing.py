"""landing → raw for one source: find new files (by SHA-256), load them in version order, quarantine the broken."""
from __future__ import annotations

import re
from hashlib import sha256
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import duckdb

from ingest.filenames import BadFileName, DeliveryName, parse_delivery_name
from ingest.load_file import Destination, load_file
from ingest.load_log import IGNORED, QUARANTINED, LoadEntry, LoadLog, load_id_for
from ingest.problems import FileProblem, as_file_problem
from ingest.quarantine import quarantine_file
from ingest.sources import SourceSpec
from tiedolla.home import Home

Log = Callable[[str], None]


@dataclass
class IngestSummary:
    source: str
    new_files: list[str] = field(default_factory=list)
    loaded: list[str] = field(default_factory=list)
    quarantined: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    skipped_known: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.new_files)


def _sort_key(path: Path, spec: SourceSpec) -> tuple:
    """Load versions in ascending order so a `_v2` landing with its `_v1` ends up live."""
    match = re.fullmatch(spec.file_pattern, path.name)
    if not match:
        return (1, path.name, 0)
    slot_name = re.sub(r"(_v\d+)?\.csv$", "", path.name)
    return (0, slot_name, int(match.groupdict().get("version") or 1))


def landed_files(home: Home, spec: SourceSpec) -> list[Path]:
    folder = home.source_landing(spec.name)
    if not folder.is_dir():
        return []
    files = [p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")]
    return sorted(files, key=lambda p: _sort_key(p, spec))


# Turns a file delivered in another format into CSV text of the source's columns (bytes in, bytes out).
Converter = Callable[[Path, bytes], bytes]


def ingest_source(home: Home, spec: SourceSpec, run_id: str, log: Log = print, files: list[Path] | None = None,
                  converter: Converter | None = None) -> IngestSummary:
    """Load every file of `landing/<source>/` (or `files`) whose bytes are not in the load log yet."""
    load_log = LoadLog(home.load_log_dir)
    summary = IngestSummary(spec.name)
    files = landed_files(home, spec) if files is None else files
    destination = Destination(home.source_raw(spec.name), home.rejects_dir / spec.name, home.raw / "_scratch")
    con = duckdb.connect()   # one in-memory connection for the whole source: connecting costs per file
    try:
        for index, path in enumerate(files, 1):
            data = path.read_bytes()
            digest = sha256(data).hexdigest()
            load_id = load_id_for(digest, spec.name, slot_key(path.name, spec))
            if load_id in load_log:
                summary.skipped_known += 1
                continue
            summary.new_files.append(path.name)
            entry = _ingest_one(path, data, digest, load_id, spec, destination, load_log, home, run_id, log, con,
                                converter)
            outcome = {QUARANTINED: summary.quarantined, IGNORED: summary.ignored}.get(entry.status, summary.loaded)
            outcome.append(path.name)
            if len(summary.new_files) % 100 == 0:
                log(f"{spec.name}: {index}/{len(files)} files looked at, {len(summary.loaded)} loaded, "
                    f"{len(summary.quarantined)} quarantined")
    finally:
        con.close()
    if summary.new_files:
        log(f"{spec.name}: {len(summary.loaded)} file(s) loaded, {len(summary.quarantined)} quarantined, "
            f"{len(summary.ignored)} ignored, {summary.skipped_known} already loaded")
    return summary


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def slot_key(file_name: str, spec: SourceSpec) -> str:
    """The slot a file names (municipality and period), or its name when it names none."""
    try:
        name = parse_delivery_name(file_name, spec)
    except BadFileName:
        return f"name:{file_name}"
    return f"{name.municipality or ''}|{name.period}|{name.subject or ''}"


def _ingest_one(path: Path, data: bytes, digest: str, load_id: str, spec: SourceSpec, destination: Destination,
                load_log: LoadLog, home: Home, run_id: str, log: Log, con: duckdb.DuckDBPyConnection,
                converter: Converter | None = None) -> LoadEntry:
    seq = load_log.next_seq()
    name: DeliveryName | None = None
    try:
        name = parse_delivery_name(path.name, spec)
        higher = load_log.highest_accepted_version(spec.name, name.municipality, name.period, name.subject)
        if higher is not None and higher > name.version:
            entry = LoadEntry(digest, path.name, spec.name, name.municipality, name.period, name.version,
                              len(data), IGNORED, seq, run_id, _now(),
                              message=f"version {name.version} arrived after version {higher} of the same "
                                      "slot: ignored, the higher version stays live", load_id=load_id,
                              subject=name.subject)
            log(f"WARNING {path.name}: {entry.message}")
            load_log.write(entry)
            return entry
        converted = converter(path, data) if converter else None
        entry = load_file(path, data, name, spec, destination, run_id, seq, con, converted, load_id)
    except Exception as error:  # bad input never crashes a run
        problem = FileProblem(error.code, str(error)) if isinstance(error, BadFileName) else as_file_problem(error)
        report = quarantine_file(path, home.quarantine, run_id, spec.name, problem, digest)
        entry = LoadEntry(digest, path.name, spec.name, name.municipality if name else None,
                          name.period if name else None, name.version if name else None, len(data),
                          QUARANTINED, seq, run_id, _now(), problem=problem.code, message=problem.message,
                          quarantine_report=str(report), load_id=load_id, subject=name.subject if name else None)
        log(f"QUARANTINED {path.name}: {problem.message} (report: {report})")
    load_log.write(entry)
    return entry
