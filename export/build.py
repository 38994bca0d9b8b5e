"""`tiedolla export`: the evaluators' outcome tables of one publication, per language, in one folder.

<out>/<publication_id>/<lang>/tiedolla_<publication_id>_<lang>.xlsx   tables, definitions, quality notes, charts
                             csv/<table>.csv, parquet/<table>.parquet  the same tables
                             charts/<chart>.png                          the same charts
                             README.txt                                  footnotes
<out>/<publication_id>/manifest.json                                     publication, files and their SHA-256
The folder is written beside its final place and renamed into it, so an export is never half there.
"""
from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from export.charts import effects_chart, municipality_panels, waiting_chart
from export.flat_files import write_csv, write_parquet
from export.labels import LANGUAGES, Labels
from export.notes import definitions, quality_notes
from export.presentation import Presented, present
from export.publication import PublishedMarts, open_latest
from export.tables import EXPORT_TABLES, INTERVENTION_EFFECTS, read_table
from export.workbook import write_workbook
from tiedolla.home import Home

SERVICE_LINES = ("primary_care", "oral_health")


@dataclass
class ExportResult:
    publication_id: int
    folder: Path
    files: list[Path]


def export_publication(home: Home, languages: tuple[str, ...] = LANGUAGES, out: Path | None = None,
                       progress=print) -> ExportResult:
    out = Path(out) if out else home.root / "exports"
    with open_latest(home) as marts:
        final = out / str(marts.publication_id)
        staging = out / f".{marts.publication_id}.tmp"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        for language in languages:
            progress(f"export: publication {marts.publication_id}, {language}")
            _export_language(marts, language, staging / language)
        _write_manifest(marts, staging, languages)
        if final.exists():
            shutil.rmtree(final)
        staging.rename(final)
        files = sorted(p for p in final.rglob("*") if p.is_file())
        return ExportResult(marts.publication_id, final, files)


def _export_language(marts: PublishedMarts, language: str, folder: Path) -> None:
    labels = Labels(marts, language)
    for sub in ("csv", "parquet", "charts"):
        (folder / sub).mkdir(parents=True)
    protected = [read_table(marts, spec, language) for spec in EXPORT_TABLES]
    tables = [present(table, labels) for table in protected]
    years = [r[c] for t in tables for r in t.rows for c, k in enumerate(t.kinds) if k == "year" and r[c]]
    explanatory = [definitions(marts, labels, list(EXPORT_TABLES), tables),
                   quality_notes(marts, labels, min(years) if years else None)]
    hidden_label = labels.column("wait_times", "is_suppressed")
    for table in tables + explanatory:
        write_csv(table, folder / "csv" / f"{table.name}.csv", language)
        write_parquet(table, folder / "parquet" / f"{table.name}.parquet", hidden_label)
    charts = [(labels.text("chart_guarantee_title", service=labels.category("service_line", line)),
               waiting_chart(marts, labels, line, folder / "charts" / f"waiting_{line}.png"))
              for line in SERVICE_LINES]
    charts += [(f"{labels.text('chart_guarantee_title', service=labels.category('service_line', line))}: "
                f"{labels.text('chart_municipalities')}",
                municipality_panels(marts, labels, line, folder / "charts" / f"waiting_{line}_municipalities.png"))
               for line in SERVICE_LINES]
    effects = next(t for t in protected if t.spec is INTERVENTION_EFFECTS)
    charts.append((labels.text("chart_effects_title"), effects_chart(effects, labels, folder / "charts" / "effects.png")))
    footnotes = _footnotes(marts, labels)
    write_workbook(folder / f"tiedolla_{marts.publication_id}_{language}.xlsx", tables + explanatory,
                   {t.name: footnotes for t in tables} | {explanatory[1].name: [labels.text("quality_intro")]},
                   charts, labels.text("sheet_charts"))
    (folder / "README.txt").write_text("\n".join(footnotes + [labels.text("quality_intro") + " → " +
                                                              explanatory[1].sheet_name]) + "\n", encoding="utf-8")


def _footnotes(marts: PublishedMarts, labels: Labels) -> list[str]:
    return [labels.text("footnote_suppressed"),
            labels.text("footnote_source", publication_id=marts.publication_id, published_at=marts.published_at)]


def _write_manifest(marts: PublishedMarts, folder: Path, languages: tuple[str, ...]) -> None:
    files = {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
             for p in sorted(folder.rglob("*")) if p.is_file()}
    manifest = {"publication_id": marts.publication_id, "published_at": marts.published_at,
                "fingerprint": marts.fingerprint, "languages": list(languages), "files": files}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def presented_tables(marts: PublishedMarts, language: str) -> list[Presented]:
    """The outcome tables as the export writes them (the notebook and tests compare against these)."""
    labels = Labels(marts, language)
    return [present(read_table(marts, spec, language), labels) for spec in EXPORT_TABLES]
