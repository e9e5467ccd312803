"""Recipient copies (Copy B) of Form 1099-NEC: the members' page of a tax year (viewers read,
owners and admins furnish), and the portal's "Tax statements" page where a payee's contact
consents to electronic copies, withdraws, asks for paper and downloads their posted copies."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from handoff.accounts.access import principal_required
from handoff.accounts.throttle import client_address
from handoff.compliance import statements
from handoff.core.roles import Role
from handoff.core.tenancy import get_visible_or_404
from handoff.work.portal_views import portal_required


def _year(raw: int) -> int:
    if not 2000 <= raw <= 2100:
        raise Http404("No such tax year.")
    return raw


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _first_error(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return " ".join(m for msgs in error.message_dict.values() for m in msgs)
    return " ".join(error.messages)


# --- Members ---------------------------------------------------------------------------------
@principal_required(Role.VIEWER)
def statement_list(request, year):
    report = statements.copies(request.principal, _year(year))
    context = {
        "report": report,
        "can_furnish": request.principal.at_least(Role.ADMIN),
        "today": timezone.localdate(),
        "labels": statements.STATUS_LABELS,
    }
    return render(request, "compliance/statement_list.html", context)


def _back(request, year):
    return redirect("compliance:statements", request.org.slug, year)


def _act(request, year, doing):
    """Run ``doing()`` for a POST, telling the result or the refusal; back to the list."""
    if request.method != "POST":
        return _back(request, year)
    try:
        done = doing()
    except ValidationError as error:
        messages.error(request, _first_error(error))
    else:
        if done:
            messages.success(request, done)
    return _back(request, year)


@principal_required(Role.ADMIN)
def statement_furnish_all(request, year):
    def doing():
        posted, to_print = statements.furnish_all(request.principal, _year(year))
        names = ", ".join(row.provider.name for row in to_print)
        text = f"{len(posted)} cop{'y' if len(posted) == 1 else 'ies'} posted in the portal."
        if to_print:
            text += f" To print for mailing (no consent): {names}."
        return text

    return _act(request, year, doing)


@principal_required(Role.ADMIN)
def statement_post(request, year, provider_pk):
    def doing():
        copy = statements.post_to_portal(request.principal, _year(year), provider_pk)
        return f"{copy.provider.name}'s copy is posted in the portal; they were told by e-mail."

    return _act(request, year, doing)


@principal_required(Role.ADMIN)
def statement_ask(request, year, provider_pk):
    def doing():
        sent = statements.ask_for_consent(request.principal, provider_pk)
        return f"Asked for consent by e-mail ({', '.join(sent)})."

    return _act(request, year, doing)


@never_cache
@principal_required(Role.ADMIN)
def statement_print(request, year, provider_pk):
    """Download the copy to print; it is recorded as printed today (mark it mailed after)."""
    if request.method != "POST":
        return _back(request, year)
    try:
        copy, content = statements.print_for_mailing(request.principal, _year(year), provider_pk)
    except ValidationError as error:
        messages.error(request, _first_error(error))
        return _back(request, year)
    return _pdf(content, copy.download_name)


@principal_required(Role.ADMIN)
def statement_mailed(request, year, provider_pk):
    def doing():
        try:
            mailed_on = date.fromisoformat(request.POST.get("mailed_on", ""))
        except ValueError:
            raise ValidationError({"mailed_on": "Enter the day it was mailed."}) from None
        copy = statements.mark_mailed(
            request.principal, _year(year), provider_pk, mailed_on=mailed_on
        )
        return f"{copy.provider.name}'s copy is marked mailed on {mailed_on:%b %-d, %Y}."

    return _act(request, year, doing)


@never_cache
@principal_required(Role.ADMIN)
def statement_pdf(request, year, pk):
    copy = get_visible_or_404(
        statements.statements(request.principal), request.principal, pk=pk, tax_year=year
    )
    return _pdf(statements.open_copy(request.principal, copy), copy.download_name)


# --- Portal ----------------------------------------------------------------------------------
def _browser(request) -> dict:
    return {
        "address": client_address(request),
        "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
    }


def _portal_page(request, status=200, **extra):
    principal = request.principal
    this_year = timezone.localdate().year
    context = {
        "consent": statements.consent_in_force(principal, principal.provider_id),
        "copies": list(statements.portal_copies(principal)),
        "requests": list(statements.paper_requests(principal)[:5]),
        "version": statements.DISCLOSURE_VERSION,
        "years": list(range(this_year - 1, this_year - 4, -1)),
        "requester": principal.organization.name,
        "errors": {},
        **extra,
    }
    return render(request, "compliance/portal_statements.html", context, status=status)


@portal_required
def portal_statements(request):
    return _portal_page(request)


@never_cache
@portal_required
def portal_statement_sample(request):
    return _pdf(statements.sample_pdf(request.principal), "sample-tax-statement.pdf")


@require_POST
@portal_required
def portal_statement_consent(request):
    try:
        statements.give_consent(
            request.principal,
            agreed=request.POST.get("agree") == "on",
            code=request.POST.get("code", ""),
            **_browser(request),
        )
    except ValidationError as error:
        return _portal_page(
            request,
            status=422,
            errors={k: " ".join(v) for k, v in error.message_dict.items()},
            code=request.POST.get("code", ""),
        )
    messages.success(request, "Thank you: your tax statements will be posted here.")
    return redirect("compliance:portal_statements", request.principal.organization.slug)


@require_POST
@portal_required
def portal_statement_withdraw(request):
    try:
        statements.withdraw_consent(request.principal, address=client_address(request))
    except ValidationError as error:
        messages.error(request, _first_error(error))
    else:
        messages.success(
            request,
            "Your consent is withdrawn: statements not furnished yet will come on paper. "
            "A confirmation was e-mailed to you.",
        )
    return redirect("compliance:portal_statements", request.principal.organization.slug)


@require_POST
@portal_required
def portal_statement_paper(request):
    raw = request.POST.get("tax_year", "")
    try:
        statements.request_paper_copy(
            request.principal, tax_year=int(raw) if raw.isdigit() else None, **_browser(request)
        )
    except ValidationError as error:
        messages.error(request, _first_error(error))
    else:
        messages.success(request, f"Your request for a paper copy of the {raw} statement is sent.")
    return redirect("compliance:portal_statements", request.principal.organization.slug)


@never_cache
@portal_required
def portal_statement_pdf(request, pk):
    copy = get_visible_or_404(statements.statements(request.principal), request.principal, pk=pk)
    return _pdf(statements.open_copy(request.principal, copy), copy.download_name)
