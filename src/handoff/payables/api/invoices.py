"""Invoices: members read every provider's and enter them on a provider's behalf; a provider's
contact (a portal token) reads and submits their own provider's, and adds files to it while
it waits for approval."""

from django.http import HttpRequest
from ninja import File, Query, Status, UploadedFile

from handoff.core.api import STORAGE_DOWN, api_access, downloads, fields_named, paginate
from handoff.core.roles import Role
from handoff.core.tenancy import get_visible_or_404
from handoff.core.uploads import ATTACHMENT_TYPES
from handoff.payables import selectors, services
from handoff.payables.api.routing import ERRORS, router
from handoff.payables.api.schemas import (
    InvoiceDetailOut,
    InvoiceFileOut,
    InvoiceFilters,
    InvoiceIn,
    InvoicePage,
)
from handoff.payables.models import InvoiceAttachment
from handoff.work.views import attachment_response


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


def _invoice(request, invoice_id: int):
    return get_visible_or_404(
        selectors.invoice_detail(request.principal), request.principal, pk=invoice_id
    )


@router.post(
    "/payables/invoices/{invoice_id}/attachments",
    response={201: list[InvoiceFileOut], **ERRORS, **STORAGE_DOWN},
    summary="Add files while the invoice waits for approval (multipart field 'files')",
)
@api_access(Role.MANAGER, providers=True)
@fields_named(attachments="files")
def add_attachments(request: HttpRequest, invoice_id: int, files: File[list[UploadedFile]]):
    invoice = _invoice(request, invoice_id)
    return Status(201, services.add_attachments(request.principal, invoice.pk, files))


@router.get(
    "/payables/invoice-files/{file_id}",
    response={**ERRORS, **STORAGE_DOWN},
    summary="Download a file sent with an invoice (its id is in the invoice's attachments)",
)
@api_access(providers=True)
@downloads(*ATTACHMENT_TYPES)
def invoice_file(request, file_id: int):
    return attachment_response(
        get_visible_or_404(InvoiceAttachment.objects.all(), request.principal, pk=file_id)
    )
