"""Bar charts drawn by the server as SVG (no chart library, no script): one value per day."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence

WIDTH, HEIGHT, PAD_LEFT, PAD_BOTTOM, PAD_TOP = 640, 220, 70, 28, 12


def bar_chart(
    chart_id: str,
    title: str,
    points: Sequence[tuple[str, float]],
    fmt: Callable[[float], str] = lambda v: f"{v:g}",
    ceiling: float | None = None,
) -> str:
    """An SVG bar chart with its title and a one-sentence summary for screen readers.

    The numbers themselves are in the page's table: the chart is an image with a text alternative.
    """
    values = [max(0.0, float(v)) for _, v in points]
    top = ceiling if ceiling is not None else max(values, default=0.0)
    top = top or 1.0
    n = max(len(points), 1)
    slot = (WIDTH - PAD_LEFT) / n
    plot = HEIGHT - PAD_BOTTOM - PAD_TOP
    bars = []
    for i, ((label, _), value) in enumerate(zip(points, values, strict=True)):
        height = plot * value / top
        x = PAD_LEFT + i * slot + slot * 0.15
        y = PAD_TOP + plot - height
        bars.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{height:.1f}" class="bar">'
            f"<title>{html.escape(label)} : {html.escape(fmt(value))}</title></rect>"
        )
    first, last = (points[0][0], points[-1][0]) if points else ("", "")
    peak = max(range(len(values)), key=values.__getitem__) if values else None
    summary = (
        f"{title}, du {first} au {last} ; maximum {fmt(values[peak])} le {points[peak][0]}."
        if peak is not None
        else f"{title} : aucune donnée."
    )
    axis = (
        f'<line x1="{PAD_LEFT}" y1="{PAD_TOP + plot}" x2="{WIDTH}" y2="{PAD_TOP + plot}" class="axis"/>'
        f'<text x="{PAD_LEFT - 6}" y="{PAD_TOP + 16}" class="tick" text-anchor="end">{html.escape(fmt(top))}</text>'
        f'<text x="{PAD_LEFT - 6}" y="{PAD_TOP + plot}" class="tick" text-anchor="end">0</text>'
        f'<text x="{PAD_LEFT}" y="{HEIGHT - 4}" class="tick">{html.escape(first)}</text>'
        f'<text x="{WIDTH}" y="{HEIGHT - 4}" class="tick" text-anchor="end">{html.escape(last)}</text>'
    )
    return (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" preserveAspectRatio="xMinYMin meet">'
        f'<title id="{chart_id}-t">{html.escape(title)}</title><desc id="{chart_id}-d">{html.escape(summary)}</desc>'
        f"{axis}{''.join(bars)}</svg>"
    )
