"""Invoices, payments and their CSV import, and the 1099-NEC list of a tax year.

Least roles: reading for viewers; recording invoices and payments, and importing, for
managers; the 1099-NEC export, which carries full TINs for the e-filing service, for admins."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from handoff.accounts.access import principal_required
from handoff.compliance import exports, selectors, services
from handoff.compliance.forms import (
    FilingForm,
    InvoiceForm,
    PaymentFilterForm,
    PaymentForm,
    PaymentImportForm,
)
from handoff.compliance.models import Invoice
from handoff.core import csv_import
from handoff.core.errors import Conflict
from handoff.core.forms import add_service_errors
from handoff.core.roles import Role

PAGE_SIZE = 50


def _years(principal) -> list[int]:
    years = set(selectors.payment_years(principal))
    years.add(timezone.localdate().year)
    return sorted(years, reverse=True)


@principal_required(Role.VIEWER)
def payment_list(request):
    filter_form = PaymentFilterForm(
        request.GET or None, principal=request.principal, years=_years(request.principal)
    )
    rows = selectors.payments(request.principal)
    filters = filter_form.filters()
    if "year" in filters:
        rows = rows.filter(paid_on__year=filters["year"])
    if "provider" in filters:
        rows = rows.filter(provider_id=filters["provider"])
    if "paid_from" in filters:
        rows = rows.filter(paid_on__gte=filters["paid_from"])
    if "paid_to" in filters:
        rows = rows.filter(paid_on__lte=filters["paid_to"])
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filter_form": filter_form, "page": page, "query": query.urlencode()}
    return render(request, "compliance/payment_list.html", context)


@principal_required(Role.MANAGER)
def payment_create(request):
    initial = {}
    if request.GET.get("provider", "").isdigit():
        initial["provider"] = int(request.GET["provider"])
    form = PaymentForm(request.POST or None, principal=request.principal, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            payment, warnings = services.record_payment(
                request.principal,
                provider_id=data["provider"].pk,
                engagement_id=data["engagement"].pk if data["engagement"] else None,
                invoice_id=data["invoice"].pk if data["invoice"] else None,
                data={key: data[key] for key in services.PAYMENT_FIELDS},
                confirm_date=data["confirm_date"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"Recorded {payment.amount:,.2f} paid to {payment.provider.name}."
            )
            for warning in warnings:
                messages.warning(request, warning)
            return redirect("compliance:payments", request.org.slug)
    return render(request, "compliance/payment_form.html", {"form": form})


@principal_required(Role.VIEWER, writes=Role.MANAGER)
def invoice_list(request):
    form = None
    if request.method == "POST":
        form = InvoiceForm(request.POST, principal=request.principal)
        if form.is_valid():
            data = form.cleaned_data
            try:
                invoice = services.record_invoice(
                    request.principal,
                    provider_id=data["provider"].pk,
                    engagement_id=data["engagement"].pk if data["engagement"] else None,
                    data={key: data[key] for key in services.INVOICE_FIELDS},
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Invoice {invoice.number} is recorded.")
                return redirect("compliance:invoices", request.org.slug)
    elif request.principal.at_least(Role.MANAGER):
        form = InvoiceForm(principal=request.principal)
    rows = Invoice.objects.visible_to(request.principal).select_related("provider", "engagement")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "compliance/invoice_list.html", {"form": form, "page": page})


@principal_required(Role.MANAGER)
def payment_import(request):
    """Upload a CSV, see every row's verdict, then import: all rows or none."""
    return csv_import.import_page(
        request,
        PaymentImportForm(request.POST or None, request.FILES or None),
        lambda rows, commit: services.import_payments(request.principal, rows=rows, commit=commit),
        template="compliance/payment_import.html",
        columns=[("Provider", "provider"), ("Paid", "paid_on"), ("Amount", "amount")],
        done=lambda count: f"{count} payments were recorded.",
        done_url=reverse("compliance:payments", args=[request.org.slug]),
    )


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
    paid = selectors.payment_years(request.principal)
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
