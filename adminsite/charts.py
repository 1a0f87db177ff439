"""Bar charts as inline SVG, drawn on the server: no JavaScript, no CDN, readable without CSS.

The numbers are also in the table beside each chart; the SVG carries a <title> for screen readers.
"""

import math

from django.utils.formats import date_format, number_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from common.money import format_rupiah

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 16, 36


def format_value(value, unit: str) -> str:
    """A number as the active language writes it (id: 1.234 and 12,5; en: 1,234 and 12.5)."""
    if value is None:
        return "–"
    if unit == "rupiah":
        return format_rupiah(value)
    if isinstance(value, float):
        text = number_format(value, decimal_pos=1)
    else:
        text = number_format(value, force_grouping=True)
    return f"{text} %" if unit == "percent" else text


def _short(value, unit: str) -> str:
    """Axis labels: 1.5 jt, 200 rb for rupiah; plain numbers otherwise."""
    if unit == "rupiah":
        if value >= 1_000_000_000:
            return f"{value / 1_000_000_000:g} M"
        if value >= 1_000_000:
            return f"{value / 1_000_000:g} jt"
        if value >= 1_000:
            return f"{value / 1_000:g} rb"
    if unit == "percent":
        return f"{value:g}%"
    return f"{value:g}"


def _n(number: float) -> str:
    return f"{number:.1f}"


def nice_max(value: float) -> float:
    """A round axis top at or above `value` (1, 2, 2.5, 5 × 10^n)."""
    if value <= 0:
        return 1
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        top = step * 10**exponent
        if top >= value:
            return top
    return 10 ** (exponent + 1)


def bar_chart(stat) -> str:
    series = stat.primary
    if series is None:
        return ""
    values = series.values
    top = 100 if stat.unit == "percent" else nice_max(max([v for v in values if v is not None] or [0]))
    if stat.unit == "count":
        top = max(4, math.ceil(top / 4) * 4)  # whole numbers on the four gridlines
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(1, len(values))
    bar_w = max(2.0, slot * 0.7)
    parts = [
        format_html(
            '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="chart-{}-title" '
            'xmlns="http://www.w3.org/2000/svg"><title id="chart-{}-title">{} — {}</title>',
            WIDTH, HEIGHT, stat.key, stat.key, stat.title, series.label,
        )
    ]  # fmt: skip
    for i in range(5):  # gridlines and axis labels
        value = top * i / 4
        y = TOP + plot_h - plot_h * i / 4
        parts.append(
            format_html(
                '<line class="grid" x1="{}" y1="{}" x2="{}" y2="{}"/>'
                '<text class="axis" x="{}" y="{}" text-anchor="end">{}</text>',
                LEFT, _n(y), WIDTH - RIGHT, _n(y), LEFT - 6, _n(y + 4), _short(value, stat.unit),
            )
        )  # fmt: skip
    label_every = 1 if len(values) <= 12 else math.ceil(len(values) / 12)
    for i, (month, value) in enumerate(zip(stat.months, values, strict=True)):
        x = LEFT + slot * i + (slot - bar_w) / 2
        label = date_format(month, "M y") if (i % label_every == 0) else ""
        if value is not None:
            h = plot_h * max(0, min(value, top)) / top  # negatives (net refunds) sit at zero; the table says
            parts.append(
                format_html(
                    '<rect class="bar" x="{}" y="{}" width="{}" height="{}">'
                    "<title>{}: {}</title></rect>",
                    _n(x), _n(TOP + plot_h - h), _n(bar_w), _n(h), date_format(month, "F Y"),
                    format_value(value, stat.unit),
                )
            )  # fmt: skip
        if label:
            parts.append(
                format_html(
                    '<text class="axis" x="{}" y="{}" text-anchor="middle">{}</text>',
                    _n(x + bar_w / 2), HEIGHT - BOTTOM + 16, label,
                )
            )  # fmt: skip
    parts.append(mark_safe("</svg>"))  # noqa: S308 (a constant)
    return mark_safe("".join(str(p) for p in parts))  # noqa: S308 (every piece above is escaped)


__all__ = ["bar_chart", "format_value", "nice_max"]
