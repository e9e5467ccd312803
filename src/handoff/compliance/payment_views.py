"""The 1099-NEC list of a tax year, its export and its filing.

Least roles: reading for viewers; the 1099-NEC export, which carries full TINs for the
e-filing service, and marking a year filed, for admins."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from handoff.accounts.access import principal_required
from handoff.compliance import exports, selectors, services
from handoff.compliance.forms import FilingForm
from handoff.core.errors import Conflict
from handoff.core.forms import add_service_errors
from handoff.core.roles import Role
from handoff.payables import selectors as payables


# --- 1099-NEC --------------------------------------------------------------------------------
def _year(raw: int) -> int:
    if not 2000 <= raw <= 2100:
        raise Http404("No such tax year.")
    return raw


@principal_required(Role.VIEWER)
def nec_index(request):
    """Comply's 1099-NEC link: the oldest past year still to file, else this year."""
    unfiled = selectors.filing_status(request.principal).unfiled
    year = unfiled[0].year if unfiled else timezone.localdate().year
    return redirect("compliance:nec", request.org.slug, year)


@principal_required(Role.VIEWER)
def nec_list(request, year):
    """A tax year's payees against its threshold, every year with payments a click away, and
    (for owners and admins) marking the year filed, correcting or undoing that."""
    report = selectors.nec_report(request.principal, _year(year))
    return _nec_page(request, report)


def _nec_page(request, report, form=None, status=200):
    can_file = request.principal.at_least(Role.ADMIN)
    today = timezone.localdate()
    if form is None and can_file and report.year < today.year:
        form = FilingForm(instance=report.filing) if report.filing else FilingForm()
    status_by_year = {
        unfiled.year: unfiled
        for unfiled in selectors.filing_status(request.principal, today).unfiled
    }
    paid = payables.payment_years(request.principal)
    context = {
        "report": report,
        "years": sorted({*paid, today.year, report.year}, reverse=True),
        "has_payments": bool(paid),
        "status_by_year": status_by_year,
        "can_export": can_file,
        "can_file": can_file,
        "form": form,
        "past": report.year < today.year,
        "past_due": report.year < today.year and today > report.deadline,
        "columns": exports.NEC_COLUMNS,
    }
    return render(request, "compliance/nec_list.html", context, status=status)


@principal_required(Role.ADMIN)
def nec_filing(request, year):
    """Mark the year's forms filed, or correct the record (POST only)."""
    report = selectors.nec_report(request.principal, _year(year))
    if request.method != "POST":
        return redirect("compliance:nec", request.org.slug, report.year)
    if request.POST.get("action") == "undo":
        if report.filing is None:
            return redirect("compliance:nec", request.org.slug, report.year)
        try:
            services.undo_filing(
                request.principal, report.filing, expected_version=_int(request.POST.get("version"))
            )
        except Conflict:
            messages.error(request, "Someone changed this filing meanwhile: look again first.")
        else:
            messages.success(request, f"The {report.year} forms are no longer marked filed.")
        return redirect("compliance:nec", request.org.slug, report.year)
    form = FilingForm(request.POST, instance=report.filing)
    if form.is_valid():
        data = {key: form.cleaned_data[key] for key in services.FILING_FIELDS}
        try:
            if report.filing is None:
                services.record_filing(request.principal, tax_year=report.year, data=data)
            else:
                services.correct_filing(
                    request.principal,
                    report.filing,
                    data=data,
                    expected_version=form.cleaned_data.get("version"),
                )
        except ValidationError as error:
            add_service_errors(form, error)
        except Conflict:
            form.add_error(None, "Someone changed this filing meanwhile: reload and try again.")
        else:
            messages.success(request, f"The {report.year} 1099-NEC forms are marked filed.")
            return redirect("compliance:nec", request.org.slug, report.year)
    report.filing = selectors.filings_of(request.principal).filter(tax_year=report.year).first()
    return _nec_page(request, report, form=form)


def _int(raw):
    return int(raw) if raw and str(raw).isdigit() else None


@never_cache
@principal_required(Role.ADMIN)
def nec_export(request, year):
    """The payees who need a 1099-NEC, as CSV for an e-filing service (columns documented in
    docs/compliance.md); it carries full TINs, so the export is recorded."""
    report = selectors.nec_report(request.principal, _year(year))
    content, count = exports.nec_csv(request.org, report)
    services.record_export(request.principal, year=year, count=count)
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="1099-nec-{year}.csv"'
    return response
