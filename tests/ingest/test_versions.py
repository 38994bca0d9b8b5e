"""avohilmo.md, "File names and versions": resubmissions, identical bytes, late lower versions."""
from __future__ import annotations

from ingest.landing import ingest_source
from ingest.load_log import ACCEPTED, IGNORED, LoadLog
from ingest.sources import AVOHILMO
from publish.fingerprint import live_files
from tests.deliveries import VisitFile, visit

V1 = VisitFile([visit(1, "a"), visit(2, "b")])
V2 = VisitFile([visit(1, "a")])


def run(home, messages=None):
    summary = ingest_source(home, AVOHILMO, "test-run", log=(messages.append if messages is not None else lambda _: None))
    log = LoadLog(home.load_log_dir)
    for entry in log.pending("avohilmo"):   # stand-in for validation: accept what ingest loaded
        entry.status = ACCEPTED
        log.write(entry)
    return summary


def live(home) -> list[str]:
    return [f["file"] for f in live_files(home)]


def test_reloading_the_same_bytes_is_a_no_op(home):
    V1.write(home.source_landing("avohilmo") / "avohilmo_905_2019-03.csv")
    assert run(home).loaded == ["avohilmo_905_2019-03.csv"]
    second = run(home)
    assert second.new_files == [] and second.skipped_known == 1
    assert len(LoadLog(home.load_log_dir).entries) == 1


def test_identical_bytes_under_another_name_are_a_no_op(home):
    V1.write(home.source_landing("avohilmo") / "avohilmo_905_2019-03.csv")
    run(home)
    V1.write(home.source_landing("avohilmo") / "avohilmo_905_2019-03_v2.csv")
    assert run(home).new_files == []


def test_higher_version_becomes_live(home):
    V1.write(home.source_landing("avohilmo") / "avohilmo_905_2019-03.csv")
    V2.write(home.source_landing("avohilmo") / "avohilmo_905_2019-03_v2.csv")
    run(home)
    assert live(home) == ["avohilmo_905_2019-03_v2.csv"]


def test_new_bytes_under_a_loaded_name_rank_above_the_earlier_bytes(home):
    path = home.source_landing("avohilmo") / "avohilmo_905_2019-03.csv"
    V1.write(path)
    run(home)
    V2.write(path)
    run(home)
    (only,) = live_files(home)
    assert only["sha256"] == [e for e in LoadLog(home.load_log_dir).of_source("avohilmo")][-1].sha256


def test_lower_version_arriving_after_a_higher_one_is_ignored_with_a_warning(home):
    V2.write(home.source_landing("avohilmo") / "avohilmo_905_2019-03_v2.csv")
    run(home)
    V1.write(home.source_landing("avohilmo") / "avohilmo_905_2019-03.csv")
    messages: list[str] = []
    summary = run(home, messages)
    assert summary.ignored == ["avohilmo_905_2019-03.csv"]
    assert any(m.startswith("WARNING avohilmo_905_2019-03.csv") for m in messages)
    statuses = {e.file_name: e.status for e in LoadLog(home.load_log_dir).entries.values()}
    assert statuses["avohilmo_905_2019-03.csv"] == IGNORED
    assert live(home) == ["avohilmo_905_2019-03_v2.csv"]


def test_quarantined_resubmission_leaves_the_earlier_version_live(home):
    V1.write(home.source_landing("avohilmo") / "avohilmo_905_2019-03.csv")
    path = home.source_landing("avohilmo") / "avohilmo_905_2019-03_v2.csv"
    path.write_bytes(b"")
    run(home)
    assert live(home) == ["avohilmo_905_2019-03.csv"]


def test_versions_landing_together_load_in_ascending_order(home):
    V2.write(home.source_landing("avohilmo") / "avohilmo_905_2019-03_v2.csv")
    V1.write(home.source_landing("avohilmo") / "avohilmo_905_2019-03.csv")
    summary = run(home)
    assert summary.loaded == ["avohilmo_905_2019-03.csv", "avohilmo_905_2019-03_v2.csv"]
    assert summary.ignored == []
    assert live(home) == ["avohilmo_905_2019-03_v2.csv"]


def test_identical_bytes_in_another_slot_are_a_delivery_of_their_own(home):
    empty = VisitFile([])
    empty.write(home.source_landing("avohilmo") / "avohilmo_905_2019-03.csv")
    empty.write(home.source_landing("avohilmo") / "avohilmo_499_2019-03.csv")
    summary = run(home)
    assert sorted(summary.loaded) == ["avohilmo_499_2019-03.csv", "avohilmo_905_2019-03.csv"]
    assert sorted(live(home)) == ["avohilmo_499_2019-03.csv", "avohilmo_905_2019-03.csv"]
