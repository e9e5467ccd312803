"""Charts drawn on the server as SVG (pygal), one look for all of them, inlined safely.

pygal writes an inline configuration script for its optional tooltips even with ``js=[]``; it
does nothing without the tooltip library, so it is removed and the SVG is plain markup that the
page, the PDF (WeasyPrint) and an e-mail show alike. Every chart gets a title for assistive
technology; the pages put the same figures in a table beside it.

The pages' Content-Security-Policy refuses inline styles: pygal's one ``style`` attribute
becomes the equivalent SVG attribute, and its stylesheet is let through by the request's nonce
(:func:`with_style_nonce`, the ``{% chart %}`` template tag) at the moment a page shows it, since
a drawn chart is kept and shown on many pages.
"""

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from pygal.style import Style

_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)


def style(colors: tuple[str, ...]) -> Style:
    """The stylesheet's ink on a transparent ground, with ``colors`` for the series in order."""
    return Style(
        background="transparent",
        plot_background="transparent",
        foreground="#1d2430",
        foreground_strong="#1d2430",
        foreground_subtle="#5b6472",
        font_family='system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Arial, '
        "sans-serif",
        colors=colors,
        title_font_size=15,
        label_font_size=12,
        major_label_font_size=12,
        legend_font_size=13,
        value_font_size=12,
    )


def inline_svg(chart, title: str) -> SafeString:
    """The chart as SVG markup without script, labelled with ``title``."""
    svg = _SCRIPT.sub("", chart.render(is_unicode=True))
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(title)}" ', 1)
    svg = svg.replace('style="opacity: 0"', 'opacity="0"')
    return mark_safe(svg)  # noqa: S308 - pygal escapes the names and labels it writes


def with_style_nonce(svg: str, nonce: str) -> SafeString:
    """``svg`` with its ``<style>`` elements carrying ``nonce``."""
    return mark_safe(svg.replace("<style ", f'<style nonce="{escape(nonce)}" '))  # noqa: S308
