"""A small trend line as inline SVG: no script, no image file, nothing fetched when the page opens."""
from __future__ import annotations

from report.numbers import is_missing

WIDTH, HEIGHT, PAD = 240, 56, 4


def sparkline(values: list, target: float | None = None, label: str = "") -> str:
    points = [(i, v) for i, v in enumerate(values) if not is_missing(v)]
    if len(points) < 2:
        return ""
    numbers = [v for _, v in points] + ([target] if target is not None else [])
    low, high = min(numbers), max(numbers)
    span = (high - low) or 1.0
    step = (WIDTH - 2 * PAD) / max(len(values) - 1, 1)

    def y(value: float) -> float:
        return HEIGHT - PAD - (value - low) / span * (HEIGHT - 2 * PAD)

    line = " ".join(f"{PAD + i * step:.1f},{y(v):.1f}" for i, v in points)
    last_x, last_y = PAD + points[-1][0] * step, y(points[-1][1])
    target_line = (f'<line x1="{PAD}" x2="{WIDTH - PAD}" y1="{y(target):.1f}" y2="{y(target):.1f}" '
                   f'class="target-line"/>' if target is not None else "")
    return (f'<svg class="sparkline" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" '
            f'role="img" aria-label="{label}">{target_line}'
            f'<polyline points="{line}" class="trend"/>'
            f'<circle cx="{last_x:.1f}" cy="{last_y:.1f}" r="3" class="last"/></svg>')
