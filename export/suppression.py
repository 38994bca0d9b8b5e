"""Secondary suppression: no suppressed cell may be recovered by subtracting published cells from a total.

A *cell* is one count of a row (e.g. the visits of a municipality-year) together with the columns that
would give it away (its shares and means). A *margin* says which rows add up to which: the municipalities
to the welfare area (an explicit total row), or the segments of a scheme to the scheme's clients (a total
readers can derive from any published share). Wherever exactly one part of a margin is hidden while its
total is known, the smallest other part is hidden too (or the total, when no other part is left), until
nothing changes. This is the usual hypercube-free heuristic of Statistics Finland's tables: it protects
against one-step differencing within a table, not against a solver combining many margins.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Margin:
    """Rows that differ only in `column` add up; `total` names the total row's value (None: derived)."""
    column: str
    total: str | None = None


@dataclass(frozen=True)
class ProtectedCell:
    """A count whose hiding hides `hides` too. `primary` is a column that is true where the count must be
    hidden in its own right (the mart suppressed it, or it counts 1–4 persons). `margins` overrides the
    table's margins for counts that add up along fewer dimensions."""
    size: str
    primary: str
    hides: tuple[str, ...]
    margins: tuple[Margin, ...] | None = None


def secondary_suppression(frame: pd.DataFrame, keys: list[str], cell: ProtectedCell,
                          margins: list[Margin]) -> pd.Series:
    """True for every row whose cell must be hidden: primary suppression plus what protects it."""
    hidden = frame[cell.primary].fillna(False).astype(bool).copy()
    size = pd.to_numeric(frame[cell.size], errors="coerce").fillna(0)
    changed = True
    while changed:
        changed = False
        for margin in margins:
            others = [k for k in keys if k != margin.column]
            groups = frame.groupby(others, dropna=False, sort=False).groups if others else {(): frame.index}
            for index in groups.values():
                changed |= _protect_group(frame.loc[index, margin.column], hidden, size, margin.total)
    return hidden


def _protect_group(members: pd.Series, hidden: pd.Series, size: pd.Series, total: str | None) -> bool:
    is_total = members.astype(str) == total if total is not None else pd.Series(False, index=members.index)
    parts = members.index[~is_total.to_numpy()]
    totals = members.index[is_total.to_numpy()]
    if len(totals) and hidden[totals].all():
        return False                  # the total itself is hidden: nothing to subtract from
    hidden_parts = [i for i in parts if hidden[i]]
    if len(hidden_parts) != 1:
        return False
    visible = [i for i in parts if not hidden[i]]
    if visible:
        # Smallest positive part first (least information lost); a zero part only when nothing else is left.
        choice = min(visible, key=lambda i: (size[i] <= 0, size[i]))
    elif len(totals):
        choice = totals[0]
    else:
        return False
    hidden[choice] = True
    return True
