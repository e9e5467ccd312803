"""Invoices, payments and their CSV import, and the 1099-NEC list of a tax year.

Least roles: reading for viewers; recording invoices and payments, and importing, for
managers; the 1099-NEC export, which carries full TINs for the e-filing service, for admins."""

import csv

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models.functions import ExtractYear
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from handoff.compliance import exports, selectors, services
from handoff.compliance.forms import (
    InvoiceForm,
    PaymentFilterForm,
    PaymentForm,
    PaymentImportForm,
)
from handoff.compliance.models import Invoice, Payment
from handoff.core.access import org_member_required, require_role
from handoff.core.forms import add_service_errors
from handoff.core.roles import Role, role_at_least

PAGE_SIZE = 50


def _years(org) -> list[int]:
    years = set(
        Payment.objects.for_org(org)
        .annotate(y=ExtractYear("paid_on"))
        .values_list("y", flat=True)
        .distinct()
    )
    years.add(timezone.localdate().year)
    return sorted(years, reverse=True)


@org_member_required(Role.VIEWER)
def payment_list(request):
    filter_form = PaymentFilterForm(request.GET or None, org=request.org, years=_years(request.org))
    rows = selectors.payments(request.org)
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


@org_member_required(Role.MANAGER)
def payment_create(request):
    initial = {}
    if request.GET.get("provider", "").isdigit():
        initial["provider"] = int(request.GET["provider"])
    form = PaymentForm(request.POST or None, org=request.org, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            payment, warnings = services.record_payment(
                request.org,
                actor=request.user,
                provider_id=data["provider"].pk,
                engagement_id=data["engagement"].pk if data["engagement"] else None,
                invoice_id=data["invoice"].pk if data["invoice"] else None,
                data={key: data[key] for key in services.PAYMENT_FIELDS},
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


@org_member_required(Role.VIEWER)
def invoice_list(request):
    form = None
    if request.method == "POST":
        require_role(request.membership, Role.MANAGER)
        form = InvoiceForm(request.POST, org=request.org)
        if form.is_valid():
            data = form.cleaned_data
            try:
                invoice = services.record_invoice(
                    request.org,
                    actor=request.user,
                    provider_id=data["provider"].pk,
                    engagement_id=data["engagement"].pk if data["engagement"] else None,
                    data={key: data[key] for key in services.INVOICE_FIELDS},
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Invoice {invoice.number} is recorded.")
                return redirect("compliance:invoices", request.org.slug)
    elif role_ok(request, Role.MANAGER):
        form = InvoiceForm(org=request.org)
    rows = Invoice.objects.for_org(request.org).select_related("provider", "engagement")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "compliance/invoice_list.html", {"form": form, "page": page})


def role_ok(request, role) -> bool:
    return role_at_least(request.membership.role, role)


@org_member_required(Role.MANAGER)
def payment_import(request):
    """Upload a CSV, see every row's verdict, then import: all rows or none."""
    form = PaymentImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            rows = form.rows()
        except forms.ValidationError as error:
            form.add_error("file", error)
        else:
            commit = request.POST.get("action") == "import"
            report = services.import_payments(
                request.org, actor=request.user, rows=rows, commit=commit
            )
            bad = sum(1 for entry in report if entry["errors"])
            if commit and not bad and report:
                messages.success(request, f"{len(report)} payments were recorded.")
                return redirect("compliance:payments", request.org.slug)
            if commit and bad:
                messages.error(request, "Nothing was imported: fix the rows below first.")
    context = {
        "form": form,
        "report": report,
        "bad": report and sum(1 for entry in report if entry["errors"]),
        "content": form.cleaned_data.get("content", "")
        if form.is_bound and form.is_valid()
        else "",
    }
    return render(request, "compliance/payment_import.html", context)


# --- 1099-NEC --------------------------------------------------------------------------------
def _year(raw: int) -> int:
    if not 2000 <= raw <= 2100:
        raise Http404("No such tax year.")
    return raw


@org_member_required(Role.VIEWER)
def nec_list(request, year):
    report = selectors.nec_report(request.org, _year(year))
    context = {
        "report": report,
        "years": _years(request.org),
        "can_export": role_ok(request, Role.ADMIN),
        "columns": exports.NEC_COLUMNS,
    }
    return render(request, "compliance/nec_list.html", context)


@never_cache
@org_member_required(Role.ADMIN)
def nec_export(request, year):
    """The payees who need a 1099-NEC, as CSV for an e-filing service (columns documented in
    docs/compliance.md); it carries full TINs, so the export is recorded."""
    report = selectors.nec_report(request.org, _year(year))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="1099-nec-{year}.csv"'
    writer = csv.writer(response)
    rows = exports.nec_rows(request.org, report)
    writer.writerow(exports.NEC_COLUMNS)
    writer.writerows(rows)
    services.record_export(request.org, actor=request.user, year=year, count=len(rows))
    return response
