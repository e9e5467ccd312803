"""Scorecard charts: the on-time rate over the last periods and the standings of providers of
one function, drawn on the server as SVG (pygal) like ``decisions/charts.py``: no script, a title
for assistive technology, dark-on-light for print, and the same figures in a table beside
each chart on the page. A period without data is a gap, never a zero.

Drawing an SVG costs more than reading the figures behind it, so each chart is drawn once for
the same figures and title and kept (a few hundred of the latest, per process): a page viewed
again with nothing changed draws nothing.
"""

from functools import lru_cache

import pygal
from django.utils.safestring import SafeString

from handoff.core.charts import inline_svg, style

STYLE = style(("#1f5f8b", "#1d2430", "#b35c00", "#1d7a46"))


def on_time_chart(points: list[tuple[str, float | None]], provider_name: str) -> SafeString:
    """The on-time rate (0..1) of each period, as a percentage; None is drawn as a gap."""
    return _on_time_chart(tuple(points), provider_name)


@lru_cache(maxsize=256)
def _on_time_chart(points: tuple[tuple[str, float | None], ...], provider_name: str) -> SafeString:
    title = f"On time, {provider_name}"
    chart = pygal.Bar(
        js=[],  # no tooltip script from a CDN: installations often sit on closed networks
        disable_xml_declaration=True,
        style=STYLE,
        width=640,
        height=300,
        title=title,
        y_title="Delivered on time (%)",
        show_legend=False,
        range=(0, 100),
        include_x_axis=True,
        print_values=True,
        value_formatter=lambda value: f"{value:.0f}%",
    )
    chart.x_labels = [label for label, _ in points]
    chart.add("On time", [None if value is None else round(value * 100, 1) for _, value in points])
    return inline_svg(chart, title)


def standings_chart(rows: list[tuple[str, float | None]], title: str) -> SafeString:
    """Each provider's overall score (0–100), best first; providers without data are left out
    of the bars (the table says "no data")."""
    return _standings_chart(tuple(rows), title)


@lru_cache(maxsize=256)
def _standings_chart(rows: tuple[tuple[str, float | None], ...], title: str) -> SafeString:
    scored = sorted((row for row in rows if row[1] is not None), key=lambda row: -row[1])
    chart = pygal.HorizontalBar(
        js=[],
        disable_xml_declaration=True,
        style=STYLE,
        width=640,
        height=max(160, 60 + 40 * len(scored)),
        title=title,
        x_title="Overall score (0–100)",
        show_legend=False,
        range=(0, 100),
        include_x_axis=True,
        print_values=True,
        value_formatter=lambda value: f"{value:.0f}",
    )
    # pygal draws the first label at the bottom: reversed, the best stands on top.
    chart.x_labels = [name for name, _ in reversed(scored)]
    chart.add("Overall", [score for _, score in reversed(scored)])
    return inline_svg(chart, title)
