"""registries.md: RAI, interventions and outcomes go through the same ingest as the visit extracts."""
from __future__ import annotations

import duckdb

from ingest.landing import ingest_source
from ingest.load_log import PENDING, LoadLog
from ingest.sources import INTERVENTIONS, OUTCOMES, RAI


def land(home, source: str, name: str, text: str, encoding="utf-8"):
    path = home.source_landing(source) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def only_entry(home):
    (entry,) = LoadLog(home.load_log_dir).entries.values()
    return entry


def rejects(entry):
    if not entry.rejects_path:
        return []
    return duckdb.sql(f"select line, column_name, reason, value from read_parquet('{entry.rejects_path}') "
                      "order by line").fetchall()


def test_outcome_values_take_decimal_commas_and_out_of_range_values_are_rejected_rows(home):
    lines = ["matare;matning_datum;varde;klient_id"]
    lines += [f"PHQ9;{1 + d % 28}.3.2023;{d % 20};c{d}" for d in range(57)]
    lines += ["EUROHIS8;5.3.2023;3,25;x1", "PHQ9;6.3.2023;31;x2", "NOT_A_MEASURE;6.3.2023;1;x3"]
    land(home, "outcomes", "outcomes_905_2023-03.csv", "\n".join(lines) + "\n", "cp1252")
    ingest_source(home, OUTCOMES, "run", log=lambda _: None)
    entry = only_entry(home)
    assert entry.status == PENDING and entry.rows_accepted == 58 and entry.header_language == "sv"
    assert rejects(entry) == [(60, "arvo", "out_of_range", "31"), (61, "mittari", "unknown_code", "NOT_A_MEASURE")]
    value = duckdb.sql(f"select arvo from read_parquet('{entry.parquet_path}') where mittari = 'EUROHIS8'").fetchone()
    assert value == (3.25,)


def test_swedish_status_words_and_an_end_before_the_start(home):
    lines = ["klient_id\tintervention\tenhet\tstart_datum\tslut_datum\tstatus"]
    lines += [f"c{i}\tIPC\tVasa\t2023-03-{i:02d}\t\tpågående" for i in range(1, 25)]
    lines += ["d1\tIPC\tVasa\t2023-03-02\t2023-06-01\tslutförd", "d2\tIPC\tVasa\t2023-03-03\t2023-02-01\tavbruten"]
    land(home, "interventions", "interventions_499_2023-03.csv", "\n".join(lines) + "\n")
    ingest_source(home, INTERVENTIONS, "run", log=lambda _: None)
    entry = only_entry(home)
    assert entry.rows_accepted == 25
    assert rejects(entry) == [(27, "lopetus_pvm", "end_before_start", "2023-02-01")]


def test_rai_levels_outside_their_scales_are_rejected(home):
    lines = ["asiakas_tunniste;arviointi_pvm;instrumentti;maple;cps;adlh;iadl;drs;chess"]
    lines += [f"c{i};{1 + i % 28}.3.2023;HC;{1 + i % 5};2;3;;;" for i in range(57)]
    lines += ["x1;4.3.2023;HC;6;2;3;;;", "x2;4.3.2023;XX;3;2;3;;;"]
    land(home, "rai", "rai_905_2023-03.csv", "\n".join(lines) + "\n")
    ingest_source(home, RAI, "run", log=lambda _: None)
    entry = only_entry(home)
    assert entry.rows_accepted == 57
    assert [(line, column, reason) for line, column, reason, _ in rejects(entry)] == [
        (59, "maple", "out_of_range"), (60, "instrumentti", "unknown_code")]
