"""Invoices, payments and the payments' CSV import.

The invoice pages serve both sides from one code path (``/o/<org>/pay/invoices/…`` for members,
``/portal/<org>/invoices/…`` for a provider's contact): each reads the invoices the visibility
rule lets them (a contact, their own provider's) and sees the layout of their side.

Least roles: reading for viewers; entering invoices on a provider's behalf, recording payments
and importing, for managers; a provider's contact reads and submits their provider's invoices.
"""

import re

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
from handoff.core.tenancy import get_visible_or_404
from handoff.payables import selectors, services
from handoff.payables.forms import (
    LINE_ROWS,
    InvoiceFilterForm,
    InvoiceSubmitForm,
    PaymentFilterForm,
    PaymentForm,
    PaymentImportForm,
    line_formset,
)
from handoff.payables.models import InvoiceAttachment
from handoff.work.views import attachment_response

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


# --- Invoices (both sides) -------------------------------------------------------------------
def side_url(request, name: str, *args) -> str:
    """``payables:<name>`` for a member, ``payables:portal_<name>`` for a provider's contact."""
    prefix = "portal_" if request.principal.is_provider else ""
    return reverse(f"payables:{prefix}{name}", args=[request.principal.organization.slug, *args])


def _side(request) -> dict:
    """What the invoice templates need on either side: the addresses, and the currency (a
    contact's pages are given no ``org``)."""
    return {
        "currency": request.principal.organization.currency,
        "list_url": side_url(request, "invoices"),
        "submit_url": side_url(request, "invoice_submit"),
    }


@principal_required(Role.VIEWER, providers=True)
def invoice_list(request):
    """Every invoice the principal may see, newest first: members filter by status and
    provider; a contact sees their own provider's."""
    principal = request.principal
    form = InvoiceFilterForm(request.GET or None, principal=principal)
    filters = form.filters()
    rows = selectors.invoice_list(
        principal, status=filters.get("status"), provider=filters.get("provider")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        **_side(request),
        "page": page,
        "query": query.urlencode(),
        "can_submit": principal.is_provider or principal.at_least(Role.MANAGER),
    }
    if not principal.is_provider:
        context["filter_form"] = form
    return render(request, "payables/invoice_list.html", context)


@principal_required(Role.VIEWER, providers=True)
def invoice_detail(request, pk):
    invoice = get_visible_or_404(
        selectors.invoice_detail(request.principal), request.principal, pk=pk
    )
    versions = selectors.versions_of(request.principal, invoice)
    context = {**_side(request), "invoice": invoice, "versions": versions}
    return render(request, "payables/invoice_detail.html", context)


@principal_required(Role.VIEWER, providers=True)
def invoice_file(request, pk):
    """A file sent with an invoice the principal may see, as a download."""
    attachment = get_visible_or_404(InvoiceAttachment.objects.all(), request.principal, pk=pk)
    return attachment_response(attachment)


LINE_ERROR = re.compile(r"^lines\[(\d+)\]\.(\w+)$")


def _show_errors(form, lines, used: list[int], error: ValidationError) -> None:
    """A service's refusal on the page: ``lines[2].amount`` on the row it came from."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, found in error.message_dict.items():
        match = LINE_ERROR.match(field)
        if match and int(match.group(1)) < len(used):
            row = lines.forms[used[int(match.group(1))]]
            name = match.group(2)
            row.add_error(name if name in row.fields else None, found)
        elif field in form.fields:
            form.add_error(field, found)
        else:
            form.add_error(None, found)


def _rows_from(data, prefix: str = "lines") -> list[dict]:
    """The line rows typed so far (raw text), for showing them again with more empty rows."""
    try:
        total = min(int(data.get(f"{prefix}-TOTAL_FORMS", 0)), services.MAX_LINES)
    except ValueError:
        total = 0
    rows = []
    for index in range(total):
        row = {name: data.get(f"{prefix}-{index}-{name}", "") for name in services.LINE_FIELDS}
        if any(value.strip() for value in row.values()):
            rows.append(row)
    return rows


@principal_required(Role.MANAGER, providers=True)
def invoice_submit(request):
    """A contact submits their provider's invoice; a manager enters one on a provider's
    behalf. "Add rows" shows the page again with what was typed and more empty rows."""
    principal = request.principal
    engagements = selectors.invoiceable_engagements(principal)
    options = {"engagements": engagements, "show_provider": not principal.is_provider}
    initial = {}
    if request.GET.get("engagement", "").isdigit():
        initial["engagement"] = int(request.GET["engagement"])
    if request.method == "POST" and "add_rows" in request.POST:
        typed = _rows_from(request.POST)
        form = InvoiceSubmitForm(initial=request.POST.dict(), **options)
        lines = line_formset(rows=LINE_ROWS)(prefix="lines", initial=typed)
    elif request.method == "POST":
        form = InvoiceSubmitForm(request.POST, request.FILES, **options)
        lines = line_formset()(request.POST, prefix="lines")
        if form.is_valid() & lines.is_valid():
            used = [index for index, row in enumerate(lines.forms) if not row.is_blank]
            data = form.cleaned_data
            try:
                invoice = services.submit_invoice(
                    principal,
                    data["engagement"],
                    {key: data[key] for key in services.SUBMIT_FIELDS if key in data},
                    [
                        {key: lines.forms[index].cleaned_data[key] for key in services.LINE_FIELDS}
                        for index in used
                    ],
                    data["attachments"],
                )
            except ValidationError as error:
                _show_errors(form, lines, used, error)
            else:
                messages.success(request, _submitted(invoice))
                return redirect(side_url(request, "invoice", invoice.pk))
    else:
        form = InvoiceSubmitForm(initial=initial, **options)
        lines = line_formset()(prefix="lines")
    context = {
        **_side(request),
        "form": form,
        "lines": lines,
        "has_engagements": engagements.exists(),
    }
    status = 422 if request.method == "POST" and "add_rows" not in request.POST else 200
    return render(request, "payables/invoice_submit.html", context, status=status)


def _submitted(invoice) -> str:
    flagged = len(invoice.flags)
    text = f"Invoice {invoice.number} is submitted for approval."
    if flagged:
        text += (
            f" {flagged} thing{'s' if flagged != 1 else ''} differ from the engagement's "
            "terms; the approver sees them below."
        )
    return text


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
