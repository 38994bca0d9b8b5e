"""The load log: one JSON entry per distinct file content (SHA-256), the record of what is loaded.

A file counts as loaded only once its Parquet is in place and its entry is written after it. Entries move
`pending_validation` → `accepted` | `quarantined`; lower versions that arrive late are `ignored`.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ingest.atomic import write_json_atomically

PENDING, ACCEPTED, QUARANTINED, IGNORED = "pending_validation", "accepted", "quarantined", "ignored"


@dataclass
class LoadEntry:
    sha256: str
    file_name: str
    source: str
    municipality: str | None
    period: str | None
    version: int | None
    size: int
    status: str
    load_seq: int
    run_id: str
    loaded_at: str
    encoding: str | None = None
    delimiter: str | None = None
    header_language: str | None = None
    data_lines: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    rows_duplicate: int = 0
    unknown_columns: list[str] = field(default_factory=list)
    parquet_path: str | None = None
    rejects_path: str | None = None
    problem: str | None = None
    message: str | None = None
    quarantine_report: str | None = None
    warnings: list[str] = field(default_factory=list)
    load_id: str = ""         # the file's bytes in its slot (see load_id_for); set by ingest
    subject: str | None = None  # a slot key beyond municipality and period (Sotkanet's indicator id)
    municipalities: list[str] = field(default_factory=list)  # for files whose rows name the municipality
    distinct_units: list[str] = field(default_factory=list)  # history for the "unit not seen before" check
    validated_at: str | None = None


def load_id_for(sha256: str, source: str, slot: str) -> str:
    """Identical bytes are one load within a slot (a renamed `_v2` is a no-op) but a load of their own in
    another slot: two municipalities' header-only files have the same bytes and are two deliveries."""
    return hashlib.sha256(f"{sha256}|{source}|{slot}".encode()).hexdigest()[:32]


# Parsed entry files per directory, keyed by name and (inode, size, mtime): a run opens the load log a dozen
# times, and reading thousands of small files each time cost seconds (issue 7). An entry is only ever
# replaced by an atomic rename, which gives it a new inode, so a changed file never matches its old key.
_PARSED: dict[str, dict[str, tuple[tuple[int, int, int], dict]]] = {}


def _read_entries(directory: Path) -> list[dict]:
    cached = _PARSED.get(str(directory), {})
    current: dict[str, tuple[tuple[int, int, int], dict]] = {}
    with os.scandir(directory) as scan:
        for item in scan:
            if not item.name.endswith(".json") or not item.is_file():
                continue
            stat = item.stat()
            key = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
            hit = cached.get(item.name)
            if hit is None or hit[0] != key:
                hit = (key, json.loads(Path(item.path).read_text(encoding="utf-8")))
            current[item.name] = hit
    _PARSED[str(directory)] = current
    return [current[name][1] for name in sorted(current)]


class LoadLog:
    def __init__(self, directory: Path):
        self.directory = directory
        self.entries: dict[str, LoadEntry] = {}
        directory.mkdir(parents=True, exist_ok=True)
        for raw in _read_entries(directory):
            # Fresh lists per entry: a caller may change an entry it holds without touching the cache.
            entry = LoadEntry(**{k: list(v) if isinstance(v, list) else v for k, v in raw.items()})
            self.entries[entry.load_id] = entry

    def __contains__(self, load_id: str) -> bool:
        return load_id in self.entries

    def next_seq(self) -> int:
        return 1 + max((e.load_seq for e in self.entries.values()), default=0)

    def write(self, entry: LoadEntry) -> None:
        write_json_atomically(self.directory / f"{entry.load_id}.json", asdict(entry))
        self.entries[entry.load_id] = entry

    def of_source(self, source: str) -> list[LoadEntry]:
        return sorted((e for e in self.entries.values() if e.source == source), key=lambda e: e.load_seq)

    def highest_accepted_version(self, source: str, municipality: str | None, period: str,
                                 subject: str | None = None) -> int | None:
        versions = [e.version for e in self.of_source(source)
                    if e.status in (ACCEPTED, PENDING) and e.municipality == municipality and e.period == period
                    and e.subject == subject]
        return max(versions, default=None)

    def pending(self, source: str) -> list[LoadEntry]:
        return [e for e in self.of_source(source) if e.status == PENDING]
