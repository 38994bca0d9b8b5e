"""The load log is read many times per run; what one reader wrote, the next reader sees (issue 7 caches the
parsed entry files by inode, size and modification time)."""
from __future__ import annotations

import json

from ingest.load_log import ACCEPTED, PENDING, QUARANTINED, LoadEntry, LoadLog


def entry(load_id: str, status: str = PENDING) -> LoadEntry:
    return LoadEntry(sha256=load_id * 8, file_name=f"{load_id}.csv", source="avohilmo", municipality="905",
                     period="2024-01", version=1, size=10, status=status, load_seq=1, run_id="r",
                     loaded_at="2026-01-01T00:00:00+00:00", load_id=load_id, warnings=["w"])


def test_a_new_reader_sees_every_change_written_since_the_last(home):
    LoadLog(home.load_log_dir).write(entry("a"))
    LoadLog(home.load_log_dir).write(entry("b"))
    assert {e.status for e in LoadLog(home.load_log_dir).entries.values()} == {PENDING}
    log = LoadLog(home.load_log_dir)
    log.write(entry("a", ACCEPTED))
    (home.load_log_dir / "b.json").unlink()
    again = LoadLog(home.load_log_dir)
    assert set(again.entries) == {"a"} and again.entries["a"].status == ACCEPTED


def test_an_entry_edited_in_place_is_read_again(home):
    LoadLog(home.load_log_dir).write(entry("a"))
    path = home.load_log_dir / "a.json"
    payload = json.loads(path.read_text(encoding="utf-8"))
    payload["status"] = QUARANTINED
    path.write_text(json.dumps(payload), encoding="utf-8")   # same inode, another size
    assert LoadLog(home.load_log_dir).entries["a"].status == QUARANTINED


def test_a_reader_changing_its_entries_does_not_change_the_next_readers(home):
    LoadLog(home.load_log_dir).write(entry("a"))
    first = LoadLog(home.load_log_dir).entries["a"]
    first.status = ACCEPTED
    first.warnings.append("only in memory")
    second = LoadLog(home.load_log_dir).entries["a"]
    assert second.status == PENDING and second.warnings == ["w"]
