"""landing → raw for one source: find new files (by SHA-256), load them in version order, quarantine the broken."""
from __future__ import annotations

import os
import re
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from hashlib import sha256
from pathlib import Path
from queue import Queue
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
# Files parsed at once, each on a DuckDB connection of one thread: a file's queries are too small to split
# well across threads (on two cores, two threads per file took longer than one), so files share the cores.
WORKERS = min(4, os.cpu_count() or 1)


@dataclass
class _InFlight:
    slot: str
    digest: str
    result: Future


def ingest_source(home: Home, spec: SourceSpec, run_id: str, log: Log = print, files: list[Path] | None = None,
                  converter: Converter | None = None) -> IngestSummary:
    """Load every file of `landing/<source>/` (or `files`) whose bytes are not in the load log yet.

    Files load in their order as far as anyone can tell: up to WORKERS parse at once, but every decision that
    depends on earlier files (known bytes, a higher version of the slot) and every load-log entry is made
    here, in order; a file waits for the earlier files of its own slot."""
    load_log = LoadLog(home.load_log_dir)
    summary = IngestSummary(spec.name)
    files = landed_files(home, spec) if files is None else files
    destination = Destination(home.source_raw(spec.name), home.rejects_dir / spec.name, home.raw / "_scratch")
    # One in-memory connection per worker for the whole source: connecting costs per file.
    connections: Queue[duckdb.DuckDBPyConnection] = Queue()
    for _ in range(WORKERS):
        connections.put(duckdb.connect(config={"threads": 1}))
    in_flight: deque[_InFlight] = deque()

    def finish_oldest() -> None:
        done = in_flight.popleft()
        _record(done.result.result(), load_log, summary, log)

    seq = 0
    try:
        with ThreadPoolExecutor(WORKERS) as pool:
            for index, path in enumerate(files, 1):
                data = path.read_bytes()
                digest = sha256(data).hexdigest()
                slot = slot_key(path.name, spec)
                load_id = load_id_for(digest, spec.name, slot)
                # Same slot: the outcome decides this file's; same bytes: the same scratch copy (decoding.py).
                while any(f.slot == slot or f.digest == digest for f in in_flight) or len(in_flight) >= WORKERS:
                    finish_oldest()
                if load_id in load_log:
                    summary.skipped_known += 1
                    continue
                summary.new_files.append(path.name)
                seq = max(load_log.next_seq(), seq + 1)
                ignored = _ignored_version(path, data, digest, load_id, spec, load_log, run_id, seq)
                if ignored:
                    _record(ignored, load_log, summary, log)
                else:
                    in_flight.append(_InFlight(slot, digest, pool.submit(
                        _ingest_one, path, data, digest, load_id, seq, spec, destination, home, run_id,
                        connections, converter)))
                if len(summary.new_files) % 100 == 0:
                    log(f"{spec.name}: {index}/{len(files)} files looked at, {len(summary.loaded)} loaded, "
                        f"{len(summary.quarantined)} quarantined")
            while in_flight:
                finish_oldest()
    finally:
        while not connections.empty():
            connections.get().close()
    if summary.new_files:
        log(f"{spec.name}: {len(summary.loaded)} file(s) loaded, {len(summary.quarantined)} quarantined, "
            f"{len(summary.ignored)} ignored, {summary.skipped_known} already loaded")
    return summary


def _record(entry: LoadEntry, load_log: LoadLog, summary: IngestSummary, log: Log) -> None:
    """Write a file's load-log entry (after its Parquet is in place) and count its outcome."""
    if entry.status == QUARANTINED:
        log(f"QUARANTINED {entry.file_name}: {entry.message} (report: {entry.quarantine_report})")
    elif entry.status == IGNORED:
        log(f"WARNING {entry.file_name}: {entry.message}")
    load_log.write(entry)
    outcome = {QUARANTINED: summary.quarantined, IGNORED: summary.ignored}.get(entry.status, summary.loaded)
    outcome.append(entry.file_name)


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def slot_key(file_name: str, spec: SourceSpec) -> str:
    """The slot a file names (municipality and period), or its name when it names none."""
    try:
        name = parse_delivery_name(file_name, spec)
    except BadFileName:
        return f"name:{file_name}"
    return f"{name.municipality or ''}|{name.period}|{name.subject or ''}"


def _ignored_version(path: Path, data: bytes, digest: str, load_id: str, spec: SourceSpec, load_log: LoadLog,
                     run_id: str, seq: int) -> LoadEntry | None:
    """The entry of a version that arrived after a higher one of its slot, or None (also for a bad name)."""
    try:
        name = parse_delivery_name(path.name, spec)
    except BadFileName:
        return None   # quarantined by _ingest_one
    higher = load_log.highest_accepted_version(spec.name, name.municipality, name.period, name.subject)
    if higher is None or higher <= name.version:
        return None
    return LoadEntry(digest, path.name, spec.name, name.municipality, name.period, name.version, len(data),
                     IGNORED, seq, run_id, _now(), message=f"version {name.version} arrived after version {higher} "
                     "of the same slot: ignored, the higher version stays live", load_id=load_id,
                     subject=name.subject)


def _ingest_one(path: Path, data: bytes, digest: str, load_id: str, seq: int, spec: SourceSpec,
                destination: Destination, home: Home, run_id: str, connections: Queue,
                converter: Converter | None = None) -> LoadEntry:
    """Load one file, or quarantine it. Runs in a worker: it neither reads nor writes the load log."""
    name: DeliveryName | None = None
    con = connections.get()
    try:
        name = parse_delivery_name(path.name, spec)
        converted = converter(path, data) if converter else None
        return load_file(path, data, name, spec, destination, run_id, seq, con, converted, load_id, digest)
    except Exception as error:  # bad input never crashes a run
        problem = FileProblem(error.code, str(error)) if isinstance(error, BadFileName) else as_file_problem(error)
        report = quarantine_file(path, home.quarantine, run_id, spec.name, problem, digest)
        return LoadEntry(digest, path.name, spec.name, name.municipality if name else None,
                         name.period if name else None, name.version if name else None, len(data),
                         QUARANTINED, seq, run_id, _now(), problem=problem.code, message=problem.message,
                         quarantine_report=str(report), load_id=load_id, subject=name.subject if name else None)
    finally:
        connections.put(con)
