"""The sensitivity chart: each option's annual cost as volume moves from −50% to +50%, drawn on
the server as SVG (pygal) so the page and the PDF show the same picture and no script runs.

The same figures stand in a table beside the chart for screen readers and for print.
"""

from decimal import ROUND_HALF_UP, Decimal

import pygal
from django.utils.safestring import SafeString

from handoff.core.charts import inline_svg, style
from handoff.core.money import cents
from handoff.core.templatetags.handoff import money, quantity
from handoff.decisions.report import Report

# In-house first, in ink; then the quotes in the stylesheet's brand, warning, ok colours.
STYLE = style(("#1d2430", "#1f5f8b", "#b35c00", "#1d7a46", "#7a3e9d", "#b3261e", "#00798c"))


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
    return inline_svg(chart, title)
