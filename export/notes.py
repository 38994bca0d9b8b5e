"""The workbook's explanatory sheets: definitions of every column and code, and data-quality notes."""
from __future__ import annotations

from export.labels import Labels
from export.presentation import Presented, present_plain
from export.publication import PublishedMarts
from export.tables import ExportTable

# Which sources each outcome table rests on: their partial, poor or missing periods are noted.
SOURCES_BEHIND = ("avohilmo", "population", "rai", "interventions", "outcomes", "contacts")
WORST_FIRST = ("missing", "poor", "partial")


def definitions(marts: PublishedMarts, labels: Labels, tables: list[ExportTable],
                presented: list[Presented]) -> Presented:
    """Every exported column (table, code, label, description) and every code of its classifications."""
    lang = labels.language
    notes = marts.frame(f"select indicator_id, method_note_{lang} as note from indicator_catalog")
    method_notes = dict(zip(notes.indicator_id, notes.note))
    column_notes = _column_descriptions(marts, lang)
    rows = []
    for spec, shown in zip(tables, presented):
        for column in spec.columns:
            name = f"{column}_{lang}" if column in spec.language_columns else column
            description = column_notes.get((spec.mart, name)) or labels.description(spec.mart, name)
            rows.append([shown.sheet_name, name, labels.column(spec.mart, name), description])
    seen = set()
    for spec in tables:
        for column, category in spec.categories.items():
            if category in seen:
                continue
            seen.add(category)
            for code, label in sorted(labels.categories(category).items()):
                note = method_notes.get(code, "") if category == "indicator" else ""
                rows.append([labels.column(spec.mart, column), code, label, note])
    headers = [labels.text(t) for t in ("col_table", "col_code", "col_label", "col_description")]
    return present_plain("definitions", labels.text("sheet_definitions"), headers, ["text"] * 4, rows)


def _column_descriptions(marts: PublishedMarts, language: str) -> dict:
    """Descriptions in the export's language where the YAML has them (meta description_fi/_sv)."""
    if language == "en":
        return {}
    frame = marts.frame(f"select mart, column_name, description_{language} as d from column_catalog "
                        f"where description_{language} is not null")
    return {(r.mart, r.column_name): r.d for r in frame.itertuples()}


def quality_notes(marts: PublishedMarts, labels: Labels, first_year: int | None) -> Presented:
    """Per area × source × year where any month rests on partial, poor or missing data: which and how much."""
    sources = ", ".join(f"'{s}'" for s in SOURCES_BEHIND)
    frame = marts.frame(f"""
        select area_code, source, year(period_start) as year,
               count(*) filter (where reliability = 'partial') as partial,
               count(*) filter (where reliability = 'poor') as poor,
               count(*) filter (where reliability = 'missing') as missing,
               sum(deliveries_expected) as deliveries_expected, sum(deliveries_accepted) as deliveries_accepted,
               sum(files_quarantined) as files_quarantined, sum(rows_rejected) as rows_rejected
        from data_quality
        where source in ({sources}) and deliveries_expected > 0 and year(period_start) >= ?
        group by area_code, source, year having count(*) filter (where reliability <> 'good') > 0
        order by year, source, if(area_code = '17', 0, 1), area_code""", [first_year or 1900])
    headers = [labels.column("data_quality", "area_code"), labels.text("col_area_name"),
               labels.column("data_quality", "source"), labels.text("col_year"),
               labels.column("data_quality", "reliability"),
               *(f"{labels.text('col_months')}: {labels.category('reliability', level)}" for level in WORST_FIRST),
               labels.column("data_quality", "deliveries_expected"),
               labels.column("data_quality", "deliveries_accepted"),
               labels.column("data_quality", "files_quarantined"), labels.column("data_quality", "rows_rejected")]
    kinds = ["text", "text", "text", "year", "text"] + ["integer"] * 7
    rows = []
    for r in frame.itertuples():
        worst = next(level for level in WORST_FIRST if getattr(r, level) > 0)
        rows.append([r.area_code, labels.category("area", r.area_code), labels.category("source", r.source),
                     int(r.year), labels.category("reliability", worst), int(r.missing), int(r.poor),
                     int(r.partial), int(r.deliveries_expected), int(r.deliveries_accepted),
                     int(r.files_quarantined), int(r.rows_rejected)])
    if not rows:
        rows.append([labels.text("quality_none")] + [None] * (len(headers) - 1))
    return present_plain("data_quality_notes", labels.text("sheet_quality"), headers, kinds, rows)
