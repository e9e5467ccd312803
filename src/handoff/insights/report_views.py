"""Report pages: a provider's quarterly business review and the organization's summary, each as
a printable page, a PDF and a CSV. Least role: viewer."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render

from handoff.core.access import org_member_required
from handoff.core.roles import Role
from handoff.core.tenancy import get_for_org_or_404
from handoff.insights import reports
from handoff.providers.models import Provider


def _period(request):
    """The period asked for; a bad one falls back on the last complete quarter, and says so."""
    try:
        return reports.report_period(request.org, request.GET)
    except ValidationError as error:
        messages.error(request, "That period is not valid: " + " ".join(error.messages))
        return reports.last_complete_quarter(request.org)


def _review(request, provider_pk):
    provider = get_for_org_or_404(Provider.objects, request.org, pk=provider_pk)
    return reports.provider_review(request.org, provider, _period(request))


def _download(content, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@org_member_required(Role.VIEWER)
def provider_review(request, provider_pk):
    review = _review(request, provider_pk)
    return render(request, "insights/report_review.html", reports.review_context(review))


@org_member_required(Role.VIEWER)
def provider_review_pdf(request, provider_pk):
    review = _review(request, provider_pk)
    return _download(reports.review_pdf(review), "application/pdf", reports.filename(review, "pdf"))


@org_member_required(Role.VIEWER)
def provider_review_csv(request, provider_pk):
    review = _review(request, provider_pk)
    return _download(
        reports.review_csv(review), "text/csv; charset=utf-8", reports.filename(review, "csv")
    )


@org_member_required(Role.VIEWER)
def org_summary(request):
    summary = reports.org_summary(request.org, _period(request))
    return render(request, "insights/report_summary.html", reports.summary_context(summary))


@org_member_required(Role.VIEWER)
def org_summary_pdf(request):
    summary = reports.org_summary(request.org, _period(request))
    return _download(
        reports.summary_pdf(summary), "application/pdf", reports.filename(summary, "pdf")
    )


@org_member_required(Role.VIEWER)
def org_summary_csv(request):
    summary = reports.org_summary(request.org, _period(request))
    return _download(
        reports.summary_csv(summary), "text/csv; charset=utf-8", reports.filename(summary, "csv")
    )
