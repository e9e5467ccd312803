"""TIN Matching and B-notice pages. Anyone in the organization reads where each payee stands;
preparing the request file (it holds full TINs), recording the IRS's answers and notices, and
closing a case are an admin's."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from handoff.accounts.access import principal_required
from handoff.compliance import onboarding, tin_matching
from handoff.compliance.forms import (
    BNoticeResolveForm,
    BNoticeSentForm,
    IrsNoticeForm,
    TinResultsForm,
)
from handoff.core.forms import add_service_errors
from handoff.core.roles import Role
from handoff.core.tenancy import get_visible_or_404


def _page(request, *, results_form=None, notice_form=None, status=200):
    principal = request.principal
    cases = list(tin_matching.cases(principal))
    context = {
        "to_check": tin_matching.to_check(principal),
        "open_cases": [case for case in cases if case.is_open],
        "closed_cases": [case for case in cases if not case.is_open],
        "checks": list(tin_matching.recent_checks(principal)),
        "results_form": results_form or TinResultsForm(),
        "notice_form": notice_form or IrsNoticeForm(principal=principal),
        "sent_form": BNoticeSentForm(),
        "resolve_form": BNoticeResolveForm(),
        "today": timezone.localdate(),
    }
    return render(request, "compliance/tin_matching.html", context, status=status)


@principal_required(Role.VIEWER)
def tin_matching_page(request):
    return _page(request)


@never_cache
@require_POST
@principal_required(Role.ADMIN)
def tin_request(request):
    try:
        content, count = tin_matching.request_file(request.principal)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("compliance:tin_matching", request.org.slug)
    response = HttpResponse(content, content_type="text/plain; charset=us-ascii")
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="tin-matching-{stamp}.txt"'
    return response


@require_POST
@principal_required(Role.ADMIN)
def tin_results(request):
    form = TinResultsForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            outcome = tin_matching.import_results(
                request.principal, form.cleaned_data["file"].read(), form.cleaned_data["checked_on"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Recorded the IRS's answers: {outcome['matched']} matched, "
                f"{outcome['mismatched']} did not match, {outcome['ask_again']} to ask again.",
            )
            return redirect("compliance:tin_matching", request.org.slug)
    return _page(request, results_form=form, status=400)


@require_POST
@principal_required(Role.ADMIN)
def b_notice_create(request):
    form = IrsNoticeForm(request.POST, principal=request.principal)
    if form.is_valid():
        try:
            case = tin_matching.record_notice(request.principal, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Recorded the IRS notice for {case.provider.name}: send the B notice by "
                f"{case.send_by:%B %-d, %Y}.",
            )
            return redirect("compliance:tin_matching", request.org.slug)
    return _page(request, notice_form=form, status=400)


def _case_action(request, pk, form_class, act, done):
    case = get_visible_or_404(tin_matching.cases(request.principal), request.principal, pk=pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            act(case, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
    if form.errors:
        for field, errors in form.errors.items():
            label = f"{form.fields[field].label}: " if field in form.fields else ""
            messages.error(request, f"{case.provider.name} — {label}{' '.join(errors)}")
    else:
        messages.success(request, done(case))
    return redirect("compliance:tin_matching", request.org.slug)


@require_POST
@principal_required(Role.ADMIN)
def b_notice_sent(request, pk):
    return _case_action(
        request,
        pk,
        BNoticeSentForm,
        lambda case, data: tin_matching.mark_sent(request.principal, case, data["sent_on"]),
        lambda case: f"Recorded the {tin_matching.what_was_sent(case)} to {case.provider.name}.",
    )


@require_POST
@principal_required(Role.ADMIN)
def b_notice_w9_link(request, pk):
    """E-mail the payee of an open case a W-9 link asking for a corrected W-9."""
    case = get_visible_or_404(tin_matching.cases(request.principal), request.principal, pk=pk)
    try:
        link = onboarding.solicit_corrected_w9(request.principal, case)
    except ValidationError as error:
        messages.error(request, f"{case.provider.name} — {' '.join(error.messages)}")
    else:
        messages.success(
            request,
            f"A W-9 link asking {case.provider.name} for a corrected W-9 went to {link.sent_to}.",
        )
    return redirect("compliance:tin_matching", request.org.slug)


@require_POST
@principal_required(Role.ADMIN)
def b_notice_resolve(request, pk):
    return _case_action(
        request,
        pk,
        BNoticeResolveForm,
        lambda case, data: tin_matching.resolve(
            request.principal, case, on=data["resolved_on"], note=data["resolution"]
        ),
        lambda case: f"Closed the mismatch case of {case.provider.name}.",
    )
