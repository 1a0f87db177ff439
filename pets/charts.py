"""The weight chart: inline SVG drawn on the server (the house style of the admin statistics: no
JavaScript, no CDN, readable without CSS; the numbers are also in the table beside it)."""

import math
from decimal import Decimal

from django.utils.formats import date_format, number_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

WIDTH, HEIGHT = 560, 200
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 14, 32


def _n(number: float) -> str:
    return f"{number:.1f}"


def _axis_range(values: list[float]) -> tuple[float, float]:
    low, high = min(values), max(values)
    if high - low < 0.5:
        low, high = low - 0.5, high + 0.5
    pad = (high - low) * 0.1
    low = max(0.0, math.floor((low - pad) * 2) / 2)
    high = math.ceil((high + pad) * 2) / 2
    return low, high


def weight_chart(weights) -> str:
    """A line chart of (measured_on, kg) rows, oldest first. Empty string for fewer than one point."""
    points = [(w.measured_on, float(w.kg)) for w in weights]
    if not points:
        return ""
    low, high = _axis_range([kg for _day, kg in points])
    first, last = points[0][0], points[-1][0]
    span = max(1, (last - first).days)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def xy(day, kg):
        x = LEFT + (plot_w * (day - first).days / span if len(points) > 1 else plot_w / 2)
        y = TOP + plot_h - plot_h * (kg - low) / (high - low)
        return x, y

    title = _("Weight history (kg)")
    parts = [
        format_html(
            '<svg class="chart weight-chart" viewBox="0 0 {} {}" role="img" '
            'aria-labelledby="weight-chart-title" xmlns="http://www.w3.org/2000/svg">'
            '<title id="weight-chart-title">{}</title>',
            WIDTH, HEIGHT, title,
        )
    ]  # fmt: skip
    for i in range(5):
        value = low + (high - low) * i / 4
        y = TOP + plot_h - plot_h * i / 4
        parts.append(
            format_html(
                '<line class="grid" x1="{}" y1="{}" x2="{}" y2="{}"/>'
                '<text class="axis" x="{}" y="{}" text-anchor="end">{}</text>',
                LEFT, _n(y), WIDTH - RIGHT, _n(y), LEFT - 6, _n(y + 4), f"{value:g}",
            )
        )  # fmt: skip
    coords = [xy(day, kg) for day, kg in points]
    if len(coords) > 1:
        parts.append(
            format_html(
                '<polyline class="line" points="{}"/>', " ".join(f"{_n(x)},{_n(y)}" for x, y in coords)
            )
        )
    for (day, kg), (x, y) in zip(points, coords, strict=True):
        parts.append(
            format_html(
                '<circle class="point" cx="{}" cy="{}" r="4"><title>{}: {} kg</title></circle>',
                _n(x), _n(y), date_format(day, "j M Y"), number_format(Decimal(str(kg)), decimal_pos=2),
            )
        )  # fmt: skip
    for day, label_x in {(first, LEFT), (last, WIDTH - RIGHT)}:
        anchor = "start" if label_x == LEFT else "end"
        if len(points) == 1:
            label_x, anchor = LEFT + plot_w / 2, "middle"
        parts.append(
            format_html(
                '<text class="axis" x="{}" y="{}" text-anchor="{}">{}</text>',
                _n(label_x), HEIGHT - BOTTOM + 18, anchor, date_format(day, "j M Y"),
            )
        )  # fmt: skip
    parts.append(mark_safe("</svg>"))  # noqa: S308 (a constant)
    return mark_safe("".join(str(p) for p in parts))  # noqa: S308 (every piece above is escaped)
