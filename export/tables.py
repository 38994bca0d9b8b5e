"""The outcome tables of the final report: which mart, which rows and columns, and how cells are protected.

Column lists name mart columns; their headers and the labels of their codes come from the publication's
column_catalog and category_labels in the export's language.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from export.publication import PublishedMarts
from export.suppression import Margin, ProtectedCell, secondary_suppression

AREAS = Margin("area_code", "17")      # the municipalities add up to the welfare area


@dataclass(frozen=True)
class ExportTable:
    name: str                                   # file stem
    mart: str
    sheet_text: str                             # export_texts id of the sheet name
    columns: tuple[str, ...]
    keys: tuple[str, ...]
    where: str = "true"
    order_by: str = "1"
    categories: dict[str, str] = field(default_factory=dict)    # column → category_labels.category
    cells: tuple[ProtectedCell, ...] = ()
    margins: tuple[Margin, ...] = (AREAS,)
    year_column: str | None = None              # a period_start shown as the year
    year_header: str | None = "col_year"        # export_texts id of its header; None: the mart's label
    source: str | None = None                   # SQL to read from instead of the mart (a join for labels)
    language_columns: tuple[str, ...] = ()      # <column>_<lang>: the export's language only
    flags: tuple[str, ...] = ()                 # SQL flags the cells' `primary` refers to


def small(column: str) -> str:
    """A count of 1–4 persons is hidden in exports even where the mart's rule keeps it (methods.md)."""
    return f"coalesce({column} between 1 and 4, false) as {column}_small"


STATISTICS_OF_PAIRS = ("pairs", "baseline_mean", "followup_mean", "mean_change", "ci95_low", "ci95_high",
                       "share_improved_mcid")
# Every figure built on the comparison group (methods.md revision 2): hidden behind 1–4 comparison clients.
COMPARISON_FIGURES = ("comparison_clients", "comparison_change", "did_estimate", "did_ci95_low", "did_ci95_high",
                      "ancova_estimate", "ancova_ci95_low", "ancova_ci95_high", "comparison_share_improved_mcid",
                      "mcid_share_difference", "mcid_diff_ci95_low", "mcid_diff_ci95_high")

INTERVENTION_EFFECTS = ExportTable(
    name="intervention_effects", mart="intervention_effects", sheet_text="sheet_effects",
    columns=("intervention", "measure", "area_code", "period_start", "participants", "completers",
             *STATISTICS_OF_PAIRS, *COMPARISON_FIGURES, "figure_note", "method_note", "coverage", "reliability"),
    keys=("intervention", "measure", "area_code", "period_start"),
    where="area_level in ('municipality', 'welfare_area')",
    order_by="intervention, measure, period_start, area_level desc, area_code",
    categories={"intervention": "intervention", "measure": "measure", "figure_note": "figure_note",
                "reliability": "reliability"},
    cells=(
        ProtectedCell(size="participants", primary="participants_suppressed", hides=("participants",)),
        ProtectedCell(size="completers", primary="completers_suppressed", hides=("completers",)),
        ProtectedCell(size="pairs", primary="is_suppressed", hides=STATISTICS_OF_PAIRS + COMPARISON_FIGURES),
        # A comparison group of 1–4 clients: its figures (and the differences built on them) describe them.
        ProtectedCell(size="comparison_clients", primary="comparison_clients_small", hides=COMPARISON_FIGURES),
    ),
    flags=("participants is null as participants_suppressed", "completers is null as completers_suppressed",
           small("comparison_clients")),
    year_column="period_start",
    year_header=None,                           # the mart's "cohort year" label
    language_columns=("method_note",),
)

WAIT_TIMES_BY_YEAR = ExportTable(
    name="wait_times_by_year", mart="wait_times_yearly", sheet_text="sheet_waiting",
    columns=("area_code", "period_start", "service_line", "professional_group", "visits_nonurgent",
             "visits_nonurgent_unassessed", "median_wait_days", "p90_wait_days", "share_within_7d",
             "share_within_14d", "share_over_90d", "share_within_guarantee", "coverage", "reliability"),
    keys=("area_code", "period_start", "service_line", "professional_group"),
    where="visits_nonurgent is null or visits_nonurgent + visits_nonurgent_unassessed > 0 or area_code = '17'",
    order_by="period_start, service_line, professional_group, area_level desc, area_code",
    categories={"service_line": "service_line", "professional_group": "professional_group",
                "reliability": "reliability"},
    cells=(ProtectedCell(size="visits_nonurgent", primary="is_suppressed",
                         hides=("visits_nonurgent", "visits_nonurgent_unassessed", "median_wait_days",
                                "p90_wait_days", "share_within_7d", "share_within_14d", "share_over_90d",
                                "share_within_guarantee")),
           # 1–4 assessed visits (more clients in the cell): the figures over them describe 1–4 persons.
           ProtectedCell(size="visits_nonurgent", primary="visits_nonurgent_small",
                         hides=("visits_nonurgent", "median_wait_days", "p90_wait_days", "share_within_7d",
                                "share_within_14d", "share_over_90d", "share_within_guarantee")),
           ProtectedCell(size="visits_nonurgent_unassessed", primary="visits_nonurgent_unassessed_small",
                         hides=("visits_nonurgent_unassessed",))),
    year_column="period_start",
    flags=(small("visits_nonurgent"), small("visits_nonurgent_unassessed")),
)

DIRECTOR_INDICATORS = ExportTable(
    name="director_indicators", mart="director_indicators", sheet_text="sheet_indicators",
    source="director_indicators join (select indicator_id, unit from indicator_catalog) using (indicator_id)",
    # Without numerator and denominator: counts of visits (e.g. 2 over 90 days) would describe 1–4
    # persons, and without counts no published cell can be subtracted from a total.
    columns=("indicator_id", "area_code", "period_start", "unit", "value", "target", "status", "national_value",
             "change_12m", "figure_note", "coverage", "reliability"),
    keys=("indicator_id", "area_code", "period_start"),
    where="period_grain = 'year'",
    order_by="indicator_id, period_start, area_level desc, area_code",
    categories={"indicator_id": "indicator", "unit": "unit", "status": "status", "figure_note": "figure_note",
                "reliability": "reliability"},
    # Shares alone cannot be subtracted, but a lone hidden municipality beside its welfare area is still
    # hidden in company, as in the other tables.
    cells=(ProtectedCell(size="denominator", primary="is_suppressed", hides=("value", "change_12m", "status")),),
    flags=("denominator",),
    year_column="period_start",
)

SEGMENT_SUMMARY = ExportTable(
    name="segment_summary", mart="segment_summary", sheet_text="sheet_segments",
    columns=("area_code", "period_start", "scheme", "segment", "clients", "share_of_clients",
             "visits_per_client", "moved_up", "moved_down", "window_complete", "coverage", "reliability"),
    keys=("area_code", "period_start", "scheme", "segment"),
    where="clients is null or clients > 0 or area_code = '17'",   # municipalities without clients: known zeros
    order_by="period_start, scheme, segment, area_level desc, area_code",
    categories={"scheme": "scheme", "segment": "segment", "window_complete": "boolean", "reliability": "reliability"},
    cells=(ProtectedCell(size="clients", primary="is_suppressed",
                         hides=("clients", "share_of_clients", "visits_per_client", "moved_up", "moved_down")),
           ProtectedCell(size="moved_up", primary="moved_up_small", hides=("moved_up",), margins=(AREAS,)),
           ProtectedCell(size="moved_down", primary="moved_down_small", hides=("moved_down",), margins=(AREAS,))),
    flags=(small("moved_up"), small("moved_down")),
    # A segment's clients ÷ its share gives the scheme's clients: the segments add up to a known total.
    margins=(AREAS, Margin("segment")),
)

EXPORT_TABLES = (INTERVENTION_EFFECTS, WAIT_TIMES_BY_YEAR, DIRECTOR_INDICATORS, SEGMENT_SUMMARY)


@dataclass
class ProtectedTable:
    spec: ExportTable
    frame: pd.DataFrame          # codes and typed values, as in the mart
    hidden: pd.DataFrame         # True where a value must show as '..' (same index, the hidden columns)

    @property
    def hidden_rows(self) -> pd.Series:
        return self.hidden.any(axis=1) if len(self.hidden.columns) else pd.Series(False, index=self.frame.index)


def read_table(marts: PublishedMarts, spec: ExportTable, language: str) -> ProtectedTable:
    select = [f"{c}_{language} as {c}" if c in spec.language_columns else c for c in spec.columns]
    # The mart blanks participants and completers of 1–4 persons on their own (not via is_suppressed).
    extra = ["is_suppressed", "area_level", *spec.flags]
    frame = marts.frame(f"select {', '.join(select + extra)} from {spec.source or spec.mart} where {spec.where} "
                        f"order by {spec.order_by}")
    hidden = pd.DataFrame(False, index=frame.index, columns=sorted({c for cell in spec.cells for c in cell.hides}))
    for cell in spec.cells:
        margins = cell.margins if cell.margins is not None else spec.margins
        rows = secondary_suppression(frame, list(spec.keys), cell, list(margins))
        for column in cell.hides:
            hidden.loc[rows, column] = True
    _hide_changes_from_hidden_years(frame, hidden, spec)
    return ProtectedTable(spec, frame.reset_index(drop=True), hidden.reset_index(drop=True))


def _hide_changes_from_hidden_years(frame: pd.DataFrame, hidden: pd.DataFrame, spec: ExportTable) -> None:
    """value − change_12m is last year's value: a change next to a hidden year would give that year away."""
    if "change_12m" not in hidden.columns or spec.year_column is None:
        return
    keyed = frame.set_index(list(spec.keys)).index
    hidden_values = set(keyed[hidden["value"].to_numpy()])
    period = list(spec.keys).index(spec.year_column)
    for position, key in enumerate(keyed):
        previous = list(key)
        previous[period] = pd.Timestamp(key[period]) - pd.DateOffset(years=1)
        if tuple(previous) in hidden_values:
            hidden.iloc[position, hidden.columns.get_loc("change_12m")] = True
