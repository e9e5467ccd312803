"""The sensitivity chart: each option's annual cost as volume moves from −50% to +50%, drawn on
the server as SVG (pygal) so the page and the PDF show the same picture and no script runs.

pygal writes an inline configuration script for its optional tooltips even with ``js=[]``; it
is removed, so the SVG is a picture and nothing else. The same figures stand in a table beside
the chart for screen readers and for print.
"""

import re
from decimal import ROUND_HALF_UP, Decimal

import pygal
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from pygal.style import Style

from handoff.core.money import cents
from handoff.core.templatetags.handoff import money, quantity
from handoff.decisions.report import Report

_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)

STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#1d2430",
    foreground_strong="#1d2430",
    foreground_subtle="#5b6472",
    font_family='system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif',
    # In-house first, in ink; then the quotes in the stylesheet's brand, warning, ok colours.
    colors=("#1d2430", "#1f5f8b", "#b35c00", "#1d7a46", "#7a3e9d", "#b3261e", "#00798c"),
    title_font_size=15,
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=13,
    value_font_size=12,
)


def _point(value: Decimal) -> float:
    """A cost as a chart coordinate (pygal plots floats), rounded to the cent first."""
    return float(cents(value))


def _volume_label(line) -> str:
    volume = quantity(line.row.monthly_volume.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if not line.row.change:
        return f"{volume} (today)"
    return f"{volume} ({line.change_percent:+.0f}%)".replace("-", "−")


def sensitivity_chart(report: Report) -> SafeString:
    """The chart as inline SVG markup, described by its title for assistive technology."""
    analysis = report.analysis
    currency = report.currency
    units = analysis.volume_unit_plural
    title = f"Annual cost by volume of {units}"
    chart = pygal.Line(
        js=[],  # no tooltip script from a CDN: installations often sit on closed networks
        disable_xml_declaration=True,
        style=STYLE,
        width=760,
        height=380,
        margin_right=48,  # room for the last volume label
        title=title,
        x_title=f"{units[:1].upper()}{units[1:]} a month (change from today's volume)",
        y_title=f"Annual cost ({currency})",
        legend_at_bottom=True,
        truncate_legend=-1,
        include_x_axis=True,  # costs from zero, so a small difference does not look large
        dots_size=3.5,
        value_formatter=lambda value: money(Decimal(str(value)), currency),
    )
    chart.x_labels = [_volume_label(line) for line in report.sensitivity]
    chart.add("In-house", [_point(line.row.in_house) for line in report.sensitivity])
    for index, quote_line in enumerate(report.quotes):
        chart.add(
            quote_line.quote.display_name,
            [_point(line.row.quotes[index]) for line in report.sensitivity],
        )
    svg = _SCRIPT.sub("", chart.render(is_unicode=True))
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(title)}" ', 1)
    return mark_safe(svg)  # noqa: S308 - pygal escapes the names and labels it writes
