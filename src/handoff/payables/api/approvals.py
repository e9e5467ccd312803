"""Approving and rejecting invoices, and who approves them (settings and rules).

Least roles: approving and rejecting for managers (the invoice's rule may ask more, a 403
saying so); reading the settings and rules for managers; changing them for admins."""

from ninja import Status

from handoff.core.api import api_access, fields_named
from handoff.core.roles import Role
from handoff.core.tenancy import get_visible_or_404
from handoff.payables import selectors, services
from handoff.payables.api.routing import ERRORS, router
from handoff.payables.api.schemas import (
    ApprovalRuleIn,
    ApprovalRuleOut,
    ApprovalSettingsIn,
    ApprovalSettingsOut,
    InvoiceDecidedOut,
    RejectIn,
)


def _decided(principal, invoice_id, warnings):
    invoice = selectors.invoice_detail(principal).get(pk=invoice_id)
    invoice.warnings = warnings
    return invoice


@router.post(
    "/payables/invoices/{invoice_id}/approve",
    response={200: InvoiceDecidedOut, **ERRORS},
    summary="Approve a submitted invoice (above the second-approver amount: one of two)",
)
@api_access(Role.MANAGER)
def approve_invoice(request, invoice_id: int):
    principal = request.principal
    invoice = get_visible_or_404(selectors.invoices(principal), principal, pk=invoice_id)
    _, warnings = services.approve_invoice(principal, invoice.pk)
    return _decided(principal, invoice.pk, warnings)


@router.post(
    "/payables/invoices/{invoice_id}/reject",
    response={200: InvoiceDecidedOut, **ERRORS},
    summary="Reject a submitted invoice with a reason the provider sees",
)
@api_access(Role.MANAGER)
def reject_invoice(request, invoice_id: int, payload: RejectIn):
    principal = request.principal
    invoice = get_visible_or_404(selectors.invoices(principal), principal, pk=invoice_id)
    services.reject_invoice(principal, invoice.pk, payload.reason)
    return _decided(principal, invoice.pk, [])


@router.get("/payables/approval-settings", response={200: ApprovalSettingsOut, **ERRORS})
@api_access(Role.MANAGER)
def get_approval_settings(request):
    return selectors.approval_settings(request.principal)


@router.put("/payables/approval-settings", response={200: ApprovalSettingsOut, **ERRORS})
@api_access(Role.ADMIN)
def put_approval_settings(request, payload: ApprovalSettingsIn):
    return services.update_approval_settings(request.principal, payload.dict())


@router.get("/payables/approval-rules", response={200: list[ApprovalRuleOut], **ERRORS})
@api_access(Role.MANAGER)
def list_approval_rules(request):
    return list(selectors.approval_rules(request.principal))


@router.post("/payables/approval-rules", response={201: ApprovalRuleOut, **ERRORS})
@api_access(Role.ADMIN)
@fields_named(engagement="engagement_id", function="function_id")
def create_approval_rule(request, payload: ApprovalRuleIn):
    rule = services.add_approval_rule(
        request.principal,
        engagement_id=payload.engagement_id,
        function_id=payload.function_id,
        least_role=payload.least_role,
    )
    return Status(201, selectors.approval_rules(request.principal).get(pk=rule.pk))


@router.delete("/payables/approval-rules/{rule_id}", response={204: None, **ERRORS})
@api_access(Role.ADMIN)
def delete_approval_rule(request, rule_id: int):
    rule = get_visible_or_404(
        selectors.approval_rules(request.principal), request.principal, pk=rule_id
    )
    services.delete_approval_rule(request.principal, rule)
    return Status(204, None)
