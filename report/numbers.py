"""Figures as directors read them: percentages for shares, a decimal comma in Finnish and Swedish."""
from __future__ import annotations

import math

from export.labels import DECIMAL_COMMA


def _decimal(text: str, language: str) -> str:
    return text.replace(".", ",") if DECIMAL_COMMA[language] else text


def is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def figure(value, unit: str, language: str) -> str:
    if is_missing(value):
        return "–"
    if unit == "share":
        return _decimal(f"{value * 100:.1f}", language) + "\u00a0%"
    return _decimal(f"{value:.1f}", language)


def change(value, unit: str, language: str, points: str) -> str:
    """A 12-month change with its sign; shares change in percentage points (`points`: the unit's label)."""
    if is_missing(value):
        return "–"
    if unit == "share":
        return _decimal(f"{value * 100:+.1f}", language) + "\u00a0" + points
    return _decimal(f"{value:+.1f}", language)


def target(operator, value, unit: str, language: str) -> str | None:
    if operator is None or is_missing(value):
        return None
    symbol = {"<=": "≤", ">=": "≥", "=": "=", "<": "<", ">": ">"}.get(operator, operator)
    return f"{symbol} {figure(value, unit, language)}"
