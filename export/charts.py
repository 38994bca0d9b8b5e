"""Charts (PNG) in the export's language: waiting times against the guarantee in force, and the effects."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")                      # no screen on the servers that run exports
import matplotlib.pyplot as plt            # noqa: E402
import pandas as pd                        # noqa: E402

from export.labels import Labels           # noqa: E402
from export.publication import PublishedMarts  # noqa: E402
from export.tables import ProtectedTable   # noqa: E402

WELFARE_AREA = "17"


def waiting_chart(marts: PublishedMarts, labels: Labels, service_line: str, path: Path) -> Path:
    """Share within the guarantee per month: the welfare area bold, each municipality thin, with the
    guarantee in force as a step line and every change of the adult limit marked."""
    frame = marts.frame("""
        select area_code, period_start, share_within_guarantee, guarantee_days from wait_times
        where service_line = ? and professional_group = 'all' order by period_start""", [service_line])
    with_data = frame.period_start[frame.share_within_guarantee.notna()]
    if len(with_data):                     # months before the first delivery would only stretch the axis
        frame = frame[frame.period_start.between(with_data.min(), with_data.max())]
    figure, axis = plt.subplots(figsize=(11, 5.5), dpi=100)
    municipalities = frame[frame.area_code != WELFARE_AREA]
    for position, (code, rows) in enumerate(municipalities.groupby("area_code")):
        axis.plot(rows.period_start, rows.share_within_guarantee, color="#9aa5b1", linewidth=0.8,
                  label=labels.text("chart_municipalities") if position == 0 else None)
    area = frame[frame.area_code == WELFARE_AREA]
    axis.plot(area.period_start, area.share_within_guarantee, color="#0b4f8a", linewidth=2.4,
              label=labels.category("area", WELFARE_AREA))
    axis.set_ylim(0, 1.05)
    axis.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    axis.set_ylabel(labels.text("chart_guarantee_y"))
    axis.set_xlabel(labels.text("chart_month"))
    axis.set_title(labels.text("chart_guarantee_title", service=labels.category("service_line", service_line)))
    guarantee = area[["period_start", "guarantee_days"]].dropna().drop_duplicates()
    changes = guarantee_changes(guarantee)
    for position, change in enumerate(changes.itertuples()):
        axis.axvline(change.period_start, color="#c0392b", linestyle="--", linewidth=1.2,
                     label=labels.text("chart_rule_change") if position == 0 else None)
        axis.annotate(f"{change.period_start:%Y-%m}", (change.period_start, 1.02), color="#c0392b",
                      fontsize=8, ha="left")
    if len(guarantee):
        days_axis = axis.twinx()
        days_axis.step(guarantee.period_start, guarantee.guarantee_days, where="post", color="#c0392b",
                       linewidth=1, alpha=0.6)
        days_axis.set_ylabel(labels.text("chart_guarantee_axis"), color="#c0392b")
        days_axis.set_ylim(0, max(guarantee.guarantee_days.max() * 1.25, 10))
    axis.legend(loc="lower left", fontsize=8)
    axis.grid(alpha=0.3)
    figure.autofmt_xdate()
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    return path


def municipality_panels(marts: PublishedMarts, labels: Labels, service_line: str, path: Path) -> Path:
    """One small panel per municipality: its share within the guarantee per month, the welfare area's line
    for comparison, and the months the guarantee changed."""
    frame = marts.frame("""
        select area_code, period_start, share_within_guarantee, guarantee_days from wait_times
        where service_line = ? and professional_group = 'all' order by period_start""", [service_line])
    with_data = frame.period_start[frame.share_within_guarantee.notna()]
    if len(with_data):
        frame = frame[frame.period_start.between(with_data.min(), with_data.max())]
    area = frame[frame.area_code == WELFARE_AREA]
    changes = guarantee_changes(area[["period_start", "guarantee_days"]].dropna().drop_duplicates())
    delivered = frame[frame.share_within_guarantee.notna()].area_code.unique()
    codes = sorted(c for c in delivered if c != WELFARE_AREA)
    columns = 4
    rows = max(1, -(-len(codes) // columns))
    figure, axes = plt.subplots(rows, columns, figsize=(12, 2.4 * rows + 0.8), dpi=90, sharex=True, sharey=True,
                                squeeze=False)
    for axis in axes.flat[len(codes):]:
        axis.set_axis_off()
    for axis, code in zip(axes.flat, codes):
        rows_of = frame[frame.area_code == code]
        axis.plot(area.period_start, area.share_within_guarantee, color="#9aa5b1", linewidth=1)
        axis.plot(rows_of.period_start, rows_of.share_within_guarantee, color="#0b4f8a", linewidth=1.6)
        for change in changes.period_start:
            axis.axvline(change, color="#c0392b", linestyle="--", linewidth=0.9)
        axis.set_title(labels.category("area", code), fontsize=9)
        axis.set_ylim(0, 1.05)
        axis.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
        axis.tick_params(labelsize=7)
        axis.grid(alpha=0.3)
    figure.suptitle(f"{labels.text('chart_guarantee_title', service=labels.category('service_line', service_line))}"
                    f" — {labels.text('chart_municipalities')} ({labels.category('area', WELFARE_AREA)}: "
                    f"{labels.text('chart_grey_line')}; {labels.text('chart_rule_change')}: - -)", fontsize=10)
    figure.autofmt_xdate()
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    return path


def guarantee_changes(guarantee: pd.DataFrame) -> pd.DataFrame:
    """The months whose adult limit differs from the month before (2023-09 and 2025-01 in the seed)."""
    guarantee = guarantee.sort_values("period_start")
    return guarantee[guarantee.guarantee_days.diff().fillna(0) != 0]


def waiting_chart_changes(marts: PublishedMarts, service_line: str) -> list:
    """The rule changes waiting_chart marks, as dates (for readers of the chart and its tests)."""
    frame = marts.frame("""
        select period_start, guarantee_days from wait_times
        where area_code = ? and service_line = ? and professional_group = 'all' and visits_nonurgent > 0""",
                        [WELFARE_AREA, service_line])
    return [d.date() for d in guarantee_changes(frame).period_start]


def effects_chart(effects: ProtectedTable, labels: Labels, path: Path) -> Path:
    """Difference-in-differences with its 95 % interval for the welfare area, one row per intervention,
    measure and cohort year; hidden estimates are left out."""
    frame = effects.frame.copy()
    shown = (frame.area_code == WELFARE_AREA) & frame.did_estimate.notna() & ~effects.hidden["did_estimate"]
    rows = frame[shown].reset_index(drop=True)
    height = max(3.0, 0.45 * len(rows) + 1.5)
    figure, axis = plt.subplots(figsize=(11, height), dpi=100)
    if rows.empty:
        axis.text(0.5, 0.5, labels.text("chart_no_effects"), ha="center", va="center", transform=axis.transAxes)
        axis.set_axis_off()
    else:
        names = [f"{labels.category('intervention', r.intervention)} – "
                 f"{labels.category('measure', r.measure)}, {pd.Timestamp(r.period_start).year}"
                 for r in rows.itertuples()]
        positions = list(range(len(rows)))[::-1]
        axis.errorbar(rows.did_estimate, positions,
                      xerr=[rows.did_estimate - rows.did_ci95_low, rows.did_ci95_high - rows.did_estimate],
                      fmt="o", color="#0b4f8a", ecolor="#0b4f8a", capsize=3)
        axis.axvline(0, color="#555555", linewidth=1)
        axis.set_yticks(positions)
        axis.set_yticklabels(names, fontsize=8)
        axis.set_xlabel(labels.text("chart_effects_x"))
        axis.grid(axis="x", alpha=0.3)
    axis.set_title(labels.text("chart_effects_title"), fontsize=11)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    return path
