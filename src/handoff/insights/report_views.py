"""Report pages: a provider's quarterly business review and the organization's summary, each as
a printable page, a PDF and a CSV. Least role: viewer; sending a review by e-mail: manager."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from handoff.accounts.access import principal_required
from handoff.core.roles import Role
from handoff.core.tenancy import get_visible_or_404
from handoff.insights import report_email, reports
from handoff.providers.models import Provider


def _period(request):
    """The period asked for; a bad one falls back on the last complete quarter, and says so."""
    try:
        return reports.report_period(request.org, request.GET)
    except ValidationError as error:
        messages.error(request, "That period is not valid: " + " ".join(error.messages))
        return reports.last_complete_quarter(request.org)


def _review(request, provider_pk):
    provider = get_visible_or_404(Provider.objects, request.principal, pk=provider_pk)
    return reports.provider_review(request.principal, provider, _period(request))


def _download(content, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _review_page(request, review, email_form=None, status=200):
    context = reports.review_context(review)
    if request.principal.at_least(Role.MANAGER):
        context["email_form"] = email_form or report_email.ReviewEmailForm(
            request.org,
            initial={
                "recipients": report_email.default_recipient_ids(
                    request.principal, review.provider, request.user
                )
            },
        )
    return render(request, "insights/report_review.html", context, status=status)


@principal_required(Role.VIEWER)
def provider_review(request, provider_pk):
    return _review_page(request, _review(request, provider_pk))


@require_POST
@principal_required(Role.MANAGER)
def provider_review_email(request, provider_pk):
    """Send the review (of the period in the query string) to the members ticked."""
    provider = get_visible_or_404(Provider.objects, request.principal, pk=provider_pk)
    form = report_email.ReviewEmailForm(request.org, request.POST)
    try:
        period = reports.report_period(request.org, request.GET)
    except ValidationError as error:
        form.add_error(None, "That period is not valid: " + " ".join(error.messages))
        period = reports.last_complete_quarter(request.org)
    if form.is_valid():
        try:
            sent_to = report_email.request_review_email(
                request.org,
                provider,
                period,
                sender=request.user,
                recipient_ids=[user.pk for user in form.cleaned_data["recipients"]],
                message=form.cleaned_data["message"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"The {period.label} review is on its way to {len(sent_to)} "
                f"{'person' if len(sent_to) == 1 else 'people'}.",
            )
            url = reverse("insights:provider_review", args=[request.org.slug, provider.pk])
            return redirect(f"{url}?{urlencode(period.params())}")
    review = reports.provider_review(request.principal, provider, period)
    return _review_page(request, review, form, status=422)


@principal_required(Role.VIEWER)
def provider_review_pdf(request, provider_pk):
    review = _review(request, provider_pk)
    return _download(reports.review_pdf(review), "application/pdf", reports.filename(review, "pdf"))


@principal_required(Role.VIEWER)
def provider_review_csv(request, provider_pk):
    review = _review(request, provider_pk)
    return _download(
        reports.review_csv(review), "text/csv; charset=utf-8", reports.filename(review, "csv")
    )


@principal_required(Role.VIEWER)
def org_summary(request):
    summary = reports.org_summary(request.principal, _period(request))
    return render(request, "insights/report_summary.html", reports.summary_context(summary))


@principal_required(Role.VIEWER)
def org_summary_pdf(request):
    summary = reports.org_summary(request.principal, _period(request))
    return _download(
        reports.summary_pdf(summary), "application/pdf", reports.filename(summary, "pdf")
    )


@principal_required(Role.VIEWER)
def org_summary_csv(request):
    summary = reports.org_summary(request.principal, _period(request))
    return _download(
        reports.summary_csv(summary), "text/csv; charset=utf-8", reports.filename(summary, "csv")
    )
