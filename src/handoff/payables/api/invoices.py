"""Invoices: members read every provider's and enter them on a provider's behalf; a provider's
contact (a portal token) reads and submits their own provider's. Files are sent with the
portal's page, not here (see docs/invoices-and-filing.md)."""

from ninja import Query, Status

from handoff.core.api import api_access, fields_named, paginate
from handoff.core.roles import Role
from handoff.core.tenancy import get_visible_or_404
from handoff.payables import selectors, services
from handoff.payables.api.routing import ERRORS, router
from handoff.payables.api.schemas import (
    InvoiceDetailOut,
    InvoiceFilters,
    InvoiceIn,
    InvoicePage,
)


@router.get("/payables/invoices", response={200: InvoicePage, **ERRORS})
@api_access(providers=True)
def list_invoices(request, filters: Query[InvoiceFilters]):
    rows = selectors.invoice_list(
        request.principal,
        status=filters.status,
        provider=filters.provider,
        payment_state=filters.payment_state,
    )
    return paginate(rows, filters.page, filters.per_page)


@router.get("/payables/invoices/{invoice_id}", response={200: InvoiceDetailOut, **ERRORS})
@api_access(providers=True)
def get_invoice(request, invoice_id: int):
    return get_visible_or_404(
        selectors.invoice_detail(request.principal), request.principal, pk=invoice_id
    )


@router.post(
    "/payables/invoices",
    response={201: InvoiceDetailOut, **ERRORS},
    summary="Submit an invoice (a contact) or enter one for a provider (a manager)",
)
@api_access(Role.MANAGER, providers=True)
@fields_named(engagement="engagement_id", provider="provider_id")
def create_invoice(request, payload: InvoiceIn):
    principal = request.principal
    data = payload.dict(exclude={"engagement_id", "lines"})
    if payload.lines or principal.is_provider:
        invoice = services.submit_invoice(
            principal,
            payload.engagement_id,
            data,
            [line.dict() for line in payload.lines],
        )
    else:
        invoice = services.record_invoice(
            principal,
            provider_id=payload.provider_id,
            engagement_id=payload.engagement_id,
            data=data,
        )
    return Status(201, selectors.invoice_detail(principal).get(pk=invoice.pk))
