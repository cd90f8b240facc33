"""A small inline SVG chart of a service's outcome measures, quarter by quarter (no JavaScript needed)."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from earlyhelp.periods import Quarter

from .stats import KpiRow, rate

COLOURS = ["#1d70b8", "#f47738", "#00703c", "#912b88", "#d4351c", "#505a5f"]  # GOV.UK palette
LABEL_WIDTH = 330
BAR_WIDTH = 380
BAR_HEIGHT = 14


def outcome_chart(rows: list[KpiRow], quarters: list[Quarter]) -> SafeString | str:
    """Horizontal bars: one group per outcome KPI, one bar per quarter, labelled with the rate and its base."""
    outcome_rows = [row for row in rows if row.is_outcome]
    if not outcome_rows or not quarters:
        return ""
    group = BAR_HEIGHT * len(quarters) + 12
    height = 30 + group * len(outcome_rows)
    width = LABEL_WIDTH + BAR_WIDTH + 110
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="eh-chart" viewBox="0 0 {width} {height}" '
        f'width="100%" aria-labelledby="chart-title"><title id="chart-title">Outcome measures by quarter '
        "(percentage of those asked)</title>"
    ]
    for i, quarter in enumerate(quarters):
        x = LABEL_WIDTH + i * 110
        parts.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{COLOURS[i % len(COLOURS)]}"/>'
                     f'<text x="{x + 16}" y="14" font-size="12">{escape(str(quarter))}</text>')
    for r, row in enumerate(outcome_rows):
        top = 26 + r * group
        label = row.label if len(row.label) <= 52 else row.label[:50] + "…"
        parts.append(f'<text x="0" y="{top + group / 2}" font-size="12" dominant-baseline="middle">'
                     f"{escape(label)}</text>")
        for i, cell in enumerate(row.cells):
            y = top + i * BAR_HEIGHT
            percent = rate(cell.numerator, cell.base) if cell.base else None
            if percent is None:
                parts.append(f'<text x="{LABEL_WIDTH + 4}" y="{y + 11}" font-size="11" fill="#505a5f">'
                             f"{escape(str(cell.quarter))}: no rate</text>")
                continue
            length = float(percent) / 100 * BAR_WIDTH
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" height="{BAR_HEIGHT - 2}" '
                f'fill="{COLOURS[i % len(COLOURS)]}"><title>{escape(str(cell.quarter))}: {percent}% '
                f"({cell.numerator} of {cell.base})</title></rect>"
                f'<text x="{LABEL_WIDTH + length + 4:.1f}" y="{y + 11}" font-size="11">{percent}% '
                f"({cell.numerator}/{cell.base})</text>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
