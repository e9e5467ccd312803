"""Invoices, payments and the payments' CSV import.

The invoice pages serve both sides from one code path (``/o/<org>/pay/invoices/…`` for members,
``/portal/<org>/invoices/…`` for a provider's contact): each reads the invoices the visibility
rule lets them (a contact, their own provider's) and sees the layout of their side.

Least roles: reading for viewers; entering invoices on a provider's behalf, recording payments
and importing, for managers; a provider's contact reads and submits their provider's invoices.
"""

import re
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from handoff.accounts.access import principal_required
from handoff.core import csv_import
from handoff.core.forms import add_service_errors
from handoff.core.roles import Role
from handoff.core.tenancy import get_visible_or_404
from handoff.payables import selectors, services
from handoff.payables.forms import (
    LINE_ROWS,
    ApprovalRuleForm,
    ApprovalSettingsForm,
    InvoiceFilterForm,
    InvoiceSubmitForm,
    PaymentFilterForm,
    PaymentForm,
    PaymentImportForm,
    RejectForm,
    line_formset,
)
from handoff.payables.models import InvoiceAttachment
from handoff.work.forms import AttachForm
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
    invoice = None
    if request.GET.get("invoice", "").isdigit():
        # "Record a payment" on an invoice's page: its provider, engagement and balance.
        invoice = selectors.invoices(request.principal).filter(pk=request.GET["invoice"]).first()
        if invoice is not None:
            initial.update(
                provider=invoice.provider_id,
                engagement=invoice.engagement_id,
                invoice=invoice.pk,
                amount=Decimal(invoice.balance).quantize(Decimal("0.01")),
                reference=f"Invoice {invoice.number}",
            )
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
            if payment.invoice_id:
                return redirect("payables:invoice", request.org.slug, payment.invoice_id)
            return redirect("payables:payments", request.org.slug)
    return render(request, "payables/payment_form.html", {"form": form, "for_invoice": invoice})


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
        principal,
        status=filters.get("status"),
        provider=filters.get("provider"),
        payment_state=filters.get("payment_state"),
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
    return _invoice_page(request, invoice)


def _invoice_page(request, invoice, *, reject_form=None, attach_form=None, status=200):
    principal = request.principal
    versions = selectors.versions_of(principal, invoice)
    context = {
        **_side(request),
        "invoice": invoice,
        "attach_form": (attach_form or AttachForm())
        if invoice.status == "submitted"
        and (principal.is_provider or principal.at_least(Role.MANAGER))
        else None,
        "attach_url": side_url(request, "invoice_attach", invoice.pk),
        "versions": versions,
        "payment_state": selectors.PAYMENT_STATE_LABELS[invoice.payment_state],
        "can_correct": invoice.status == "rejected"
        and (principal.is_provider or principal.at_least(Role.MANAGER)),
        "correct_url": side_url(request, "invoice_submit") + f"?replaces={invoice.pk}",
    }
    if not principal.is_provider:
        decision = selectors.who_may_approve(principal, invoice)
        context["approval_sentence"] = decision.sentence(invoice.amount)
        context["approvals_needed"] = decision.approvals_needed
        if invoice.status == "submitted" and principal.at_least(Role.MANAGER):
            try:
                refusal = decision.refusal_for(principal, invoice)
            except PermissionDenied as error:
                refusal = ("role", str(error))
            context["approve_refusal"] = refusal[1] if refusal else ""
            context["reject_form"] = reject_form or RejectForm()
        context["can_pay"] = (
            invoice.status == "approved"
            and invoice.balance > 0
            and principal.at_least(Role.MANAGER)
        )
    return render(request, "payables/invoice_detail.html", context, status=status)


def _member_invoice(request, pk):
    return get_visible_or_404(selectors.invoice_detail(request.principal), request.principal, pk=pk)


@require_POST
@principal_required(Role.MANAGER)
def invoice_approve(request, pk):
    invoice = _member_invoice(request, pk)
    try:
        _, warnings = services.approve_invoice(request.principal, invoice.pk)
    except (ValidationError, PermissionDenied) as error:
        for message in error.messages if hasattr(error, "messages") else [str(error)]:
            messages.error(request, message)
        return redirect("payables:invoice", request.org.slug, invoice.pk)
    invoice = _member_invoice(request, pk)
    if invoice.status == "approved":
        messages.success(request, f"Invoice {invoice.number} is approved.")
    for warning in warnings:
        messages.warning(request, warning)
    return redirect("payables:invoice", request.org.slug, invoice.pk)


@require_POST
@principal_required(Role.MANAGER)
def invoice_reject(request, pk):
    invoice = _member_invoice(request, pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _invoice_page(request, invoice, reject_form=form, status=422)
    try:
        services.reject_invoice(request.principal, invoice.pk, form.cleaned_data["reason"])
    except PermissionDenied as error:
        messages.error(request, str(error))
    except ValidationError as error:
        add_service_errors(form, error)
        return _invoice_page(request, invoice, reject_form=form, status=422)
    else:
        messages.success(request, f"Invoice {invoice.number} is rejected; the provider is told.")
    return redirect("payables:invoice", request.org.slug, invoice.pk)


RULE_IDS = "id_rule_%s"  # the rule form shares field names with the settings form on the page


@principal_required(Role.MANAGER, writes=Role.ADMIN)
def approval_settings(request):
    """Who approves invoices: the settings (admins edit) and the rules per engagement or
    function."""
    principal = request.principal
    current = selectors.approval_settings(principal)
    initial = {name: getattr(current, name) for name in services.APPROVAL_SETTINGS_FIELDS}
    form = ApprovalSettingsForm(initial=initial)
    rule_form = ApprovalRuleForm(principal=principal, auto_id=RULE_IDS)
    status = 200
    if request.method == "POST" and request.POST.get("form") == "rule":
        rule_form = ApprovalRuleForm(request.POST, principal=principal, auto_id=RULE_IDS)
        if rule_form.is_valid():
            data = rule_form.cleaned_data
            try:
                services.add_approval_rule(
                    principal,
                    engagement_id=data["engagement"].pk if data["engagement"] else None,
                    function_id=data["function"].pk if data["function"] else None,
                    least_role=data["least_role"],
                )
            except ValidationError as error:
                add_service_errors(rule_form, error)
            else:
                messages.success(request, "The rule is added.")
                return redirect("payables:approval_settings", request.org.slug)
        status = 422
    elif request.method == "POST":
        form = ApprovalSettingsForm(request.POST)
        if form.is_valid():
            try:
                services.update_approval_settings(principal, form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Who approves invoices is saved.")
                return redirect("payables:approval_settings", request.org.slug)
        status = 422
    context = {
        "form": form,
        "rule_form": rule_form,
        "rules": selectors.approval_rules(principal),
        "can_edit": principal.at_least(Role.ADMIN),
    }
    return render(request, "payables/approval_settings.html", context, status=status)


@require_POST
@principal_required(Role.ADMIN)
def approval_rule_delete(request, pk):
    rule = get_visible_or_404(selectors.approval_rules(request.principal), request.principal, pk=pk)
    services.delete_approval_rule(request.principal, rule)
    messages.success(request, "The rule is removed.")
    return redirect("payables:approval_settings", request.org.slug)


@require_POST
@principal_required(Role.MANAGER, providers=True)
def invoice_attach(request, pk):
    """Add files to an invoice that waits for approval (its provider's contact or a manager)."""
    invoice = get_visible_or_404(
        selectors.invoice_detail(request.principal), request.principal, pk=pk
    )
    form = AttachForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            files = form.cleaned_data["files"]
            rows = services.add_attachments(request.principal, invoice.pk, files)
        except ValidationError as error:
            for message in error.message_dict.get("attachments", error.messages):
                form.add_error("files", message)
        else:
            messages.success(request, f"{len(rows)} file(s) added to invoice {invoice.number}.")
            return redirect(side_url(request, "invoice", invoice.pk) + "#files")
    return _invoice_page(request, invoice, attach_form=form, status=422)


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
    typed_lines = []
    correcting = None
    if request.GET.get("replaces", "").isdigit():
        correcting = selectors.invoice_detail(principal).filter(pk=request.GET["replaces"]).first()
    if correcting is not None:
        # "Submit a corrected invoice": the rejected one's heading and lines, to change.
        initial.update(
            engagement=correcting.engagement_id,
            number=f"{correcting.number}-2",
            due_on=correcting.due_on,
            period_start=correcting.period_start,
            period_end=correcting.period_end,
            amount=correcting.amount,
            note=correcting.note,
            replaces_id=correcting.pk,
        )
        typed_lines = [
            {name: getattr(row, name) for name in services.LINE_FIELDS}
            for row in correcting.lines.all()
        ]
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
                    {
                        **{key: data[key] for key in services.SUBMIT_FIELDS if key in data},
                        "replaces_id": data.get("replaces_id"),
                    },
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
        lines = line_formset()(prefix="lines", initial=typed_lines or None)
    context = {
        "correcting": correcting,
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
