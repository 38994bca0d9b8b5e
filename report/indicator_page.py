"""The directors' indicator page: one card per indicator for one area, in one language, from one publication.

Each card shows the latest month that has a figure: value, target, status, national value, 12-month change,
a 24-month trend and the figure's reliability in words. Everything is inline (CSS, SVG): the file opens
offline and from a network share.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import jinja2
from markupsafe import escape

from export.labels import LANGUAGES, Labels
from export.publication import PublishedMarts, open_latest
from report.numbers import change, figure, is_missing, target
from report.sparkline import sparkline
from tiedolla.home import Home

TEMPLATES = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
                               autoescape=True, trim_blocks=True, lstrip_blocks=True)
TREND_MONTHS = 24


@dataclass
class Card:
    indicator_id: str
    name: str
    sector: str
    period: str
    value: str
    target: str
    status: str
    status_label: str
    national: str
    change_12m: str
    trend_svg: str
    reliability: str
    reliability_words: str
    method_note: str
    figure_note: str                # "not yet mature", "rule changed", … beside the figure (revision 2)
    suppressed: bool
    has_target: bool


def report_path(home: Home, publication_id: int, language: str) -> Path:
    return home.root / "reports" / str(publication_id) / f"indicators_{language}.html"


def write_reports(home: Home, languages=LANGUAGES, area: str = "17") -> list[Path]:
    """Write the page for every language from the latest publication; returns the files written."""
    written = []
    with open_latest(home) as marts:
        for language in languages:
            path = report_path(home, marts.publication_id, language)
            if area != "17":
                path = path.with_name(f"indicators_{language}_{area}.html")
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(".html.tmp")
            temporary.write_text(render_page(marts, language, area), encoding="utf-8")
            temporary.replace(path)
            written.append(path)
    return written


def render_page(marts: PublishedMarts, language: str, area: str) -> str:
    labels = Labels(marts, language)
    cards = [_card(marts, labels, row, area) for row in marts.frame(
        f"select indicator_id, unit, sector, target_operator, target_value, method_note_{language} as note "
        "from indicator_catalog order by sector, indicator_id").itertuples()]
    return TEMPLATES.get_template("indicators.html.j2").render(
        language=language, title=labels.text("report_title"), cards=cards,
        caption=labels.text("report_generated", publication_id=marts.publication_id,
                            published_at=marts.published_at, area=labels.category("area", area)),
        words={key: labels.text(f"report_{key}") for key in (
            "value", "target", "status", "national", "change_12m", "period", "reliability", "trend")})


def _card(marts: PublishedMarts, labels: Labels, indicator, area: str) -> Card:
    language, unit = labels.language, indicator.unit
    history = marts.frame("""
        select period_start, value, status, national_value, change_12m, series_break, figure_note, is_suppressed,
            coverage, reliability
        from director_indicators
        where indicator_id = ? and area_code = ? and period_grain = 'month'
        order by period_start""", [indicator.indicator_id, area])
    with_figure = history[history.value.notna() | history.is_suppressed]
    latest = (with_figure if len(with_figure) else history).tail(1)
    row = latest.iloc[0] if len(latest) else None
    status = "no_data" if row is None or is_missing(row.status) else row.status
    target_text = target(indicator.target_operator, indicator.target_value, unit, language)
    trend = history.tail(TREND_MONTHS).value.tolist()
    name = labels.category("indicator", indicator.indicator_id)
    value_text = (labels.text("report_suppressed") if row is not None and bool(row.is_suppressed)
                  else figure(None if row is None else row.value, unit, language))
    notes = [] if row is None or is_missing(row.figure_note) else [labels.category("figure_note", row.figure_note)]
    if row is not None and (history.period_start > row.period_start).any() and \
            (history[history.period_start > row.period_start].status == "not_mature").any():
        notes.append(labels.text("report_later_not_mature"))     # the card shows the latest mature period
    change_text = (labels.text("report_rule_changed") if row is not None and bool(row.series_break)
                   else change(None if row is None else row.change_12m, unit, language,
                               labels.text("unit_percentage_points")))
    return Card(
        indicator_id=indicator.indicator_id, name=name, sector=labels.category("sector", indicator.sector),
        period="–" if row is None else f"{row.period_start:%Y-%m}",
        value=value_text,
        target=target_text or labels.text("report_no_target"),
        status=status, status_label=labels.category("status", status),
        national=figure(None if row is None else row.national_value, unit, language),
        change_12m=change_text,
        trend_svg=sparkline(trend, None if is_missing(indicator.target_value) else indicator.target_value,
                            str(escape(f"{name}: {labels.text('report_trend')}"))),
        reliability="unknown" if row is None or is_missing(row.reliability) else row.reliability,
        reliability_words=_reliability_words(labels, row),
        method_note=indicator.note or "",
        figure_note=" ".join(notes),
        suppressed=row is not None and bool(row.is_suppressed),
        has_target=target_text is not None)


def _reliability_words(labels: Labels, row) -> str:
    if row is None or is_missing(row.reliability):
        return labels.text("report_reliability_unknown")
    coverage = "–" if is_missing(row.coverage) else figure(row.coverage, "share", labels.language)
    return labels.text(f"report_reliability_{row.reliability}", coverage=coverage)
