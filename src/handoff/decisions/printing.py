"""The analysis on paper: the chart drawn once for the printable page and the PDF (WeasyPrint),
from the same template part as the analysis page."""

from django.template.loader import render_to_string
from django.utils import timezone

from handoff.decisions.charts import sensitivity_chart
from handoff.decisions.models import Analysis
from handoff.decisions.report import Report


def chart_for(result: Report) -> str:
    """The sensitivity chart, when there is a quote to draw against in-house."""
    return sensitivity_chart(result) if result.quotes else ""


def render_pdf(result: Report) -> bytes:
    """The report as a PDF, the chart inline as SVG."""
    from weasyprint import HTML  # imported here: loading pango costs a second at start-up

    html = render_to_string(
        "decisions/analysis_pdf.html",
        {
            "report": result,
            "analysis": result.analysis,
            "org": result.analysis.organization,
            "chart_svg": chart_for(result),
            "today": timezone.localdate(),
        },
    )
    return HTML(string=html).write_pdf()


def pdf_filename(analysis: Analysis) -> str:
    return f"{analysis.organization.slug}-analysis-{analysis.pk}-{analysis.year}.pdf"
