"""Invoices, payments and the payments' CSV import.

Least roles: reading for viewers; recording invoices and payments, and importing, for
managers."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from handoff.accounts.access import principal_required
from handoff.core import csv_import
from handoff.core.forms import add_service_errors
from handoff.core.roles import Role
from handoff.payables import selectors, services
from handoff.payables.forms import InvoiceForm, PaymentFilterForm, PaymentForm, PaymentImportForm

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
    return render(request, "payables/payment_list.html", context)


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
            return redirect("payables:payments", request.org.slug)
    return render(request, "payables/payment_form.html", {"form": form})


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
                return redirect("payables:invoices", request.org.slug)
    elif request.principal.at_least(Role.MANAGER):
        form = InvoiceForm(principal=request.principal)
    rows = selectors.invoices(request.principal)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "payables/invoice_list.html", {"form": form, "page": page})


@principal_required(Role.MANAGER)
def payment_import(request):
    """Upload a CSV, see every row's verdict, then import: all rows or none."""
    return csv_import.import_page(
        request,
        PaymentImportForm(request.POST or None, request.FILES or None),
        lambda rows, commit: services.import_payments(request.principal, rows=rows, commit=commit),
        template="payables/payment_import.html",
        columns=[("Provider", "provider"), ("Paid", "paid_on"), ("Amount", "amount")],
        done=lambda count: f"{count} payments were recorded.",
        done_url=reverse("payables:payments", args=[request.org.slug]),
    )
