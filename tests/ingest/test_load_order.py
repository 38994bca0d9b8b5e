"""Several files parse at once (ingest/landing.py, WORKERS), yet the outcome is that of loading them one by one,
in order: load sequence, versions of one slot, identical bytes in two slots."""
from __future__ import annotations

from ingest.landing import ingest_source
from ingest.load_log import IGNORED, PENDING, LoadLog
from ingest.sources import AVOHILMO
from tests.deliveries import VisitFile, visit


def entries(home) -> dict[str, object]:
    return {e.file_name: e for e in LoadLog(home.load_log_dir).entries.values()}


def test_load_sequence_follows_the_file_order(home):
    folder = home.source_landing("avohilmo")
    names = [f"avohilmo_905_2019-{month:02d}.csv" for month in range(1, 13)]
    files = [VisitFile([visit(i, visit_date=f"2019-{m:02d}-12", assessed=None) for i in range(20 * m)]).write(
        folder / name) for m, name in enumerate(names, 1)]
    summary = ingest_source(home, AVOHILMO, "test-run", log=lambda _: None, files=files)
    assert summary.loaded == names
    loaded = entries(home)
    assert [loaded[n].load_seq for n in names] == list(range(1, 13))
    assert [loaded[n].rows_accepted for n in names] == [20 * m for m in range(1, 13)]


def test_a_lower_version_listed_after_a_higher_one_in_the_same_run_is_ignored(home):
    folder = home.source_landing("avohilmo")
    v2 = VisitFile([visit(1, "a")]).write(folder / "avohilmo_905_2019-03_v2.csv")
    v1 = VisitFile([visit(1, "a"), visit(2, "b")]).write(folder / "avohilmo_905_2019-03.csv")
    other = VisitFile([visit(3, "c")]).write(folder / "avohilmo_499_2019-03.csv")
    summary = ingest_source(home, AVOHILMO, "test-run", log=lambda _: None, files=[v2, other, v1])
    assert summary.loaded == ["avohilmo_905_2019-03_v2.csv", "avohilmo_499_2019-03.csv"]
    assert summary.ignored == ["avohilmo_905_2019-03.csv"]
    assert entries(home)["avohilmo_905_2019-03.csv"].status == IGNORED


def test_identical_transcoded_bytes_in_two_slots_both_load(home):
    # Windows-1252 is transcoded to a scratch copy named by the bytes: the two must not share it at once.
    file = VisitFile([visit(i, unit="Vasa hälsostation") for i in range(50)], encoding="cp1252")
    names = [f"avohilmo_{m}_2019-03.csv" for m in ("905", "499", "893")]
    for name in names:
        file.write(home.source_landing("avohilmo") / name)
    summary = ingest_source(home, AVOHILMO, "test-run", log=lambda _: None)
    assert sorted(summary.loaded) == sorted(names)
    assert all(e.status == PENDING and e.rows_accepted == 50 for e in entries(home).values())
    assert not list((home.raw / "_scratch").glob("*.csv"))
