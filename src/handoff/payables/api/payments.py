"""Payments and the CSV payment import."""

from django.core.exceptions import ValidationError
from ninja import Query, Status

from handoff.core.api import api_access, fields_named, paginate
from handoff.core.roles import Role
from handoff.payables import selectors, services
from handoff.payables.api.routing import ERRORS, router
from handoff.payables.api.schemas import (
    ImportIn,
    PaymentCreatedOut,
    PaymentFilters,
    PaymentImportOut,
    PaymentIn,
    PaymentPage,
)
from handoff.payables.forms import csv_rows


@router.get("/payables/payments", response={200: PaymentPage, **ERRORS})
@api_access()
def list_payments(request, filters: Query[PaymentFilters]):
    rows = selectors.payments(request.principal)
    if filters.provider is not None:
        rows = rows.filter(provider_id=filters.provider)
    if filters.year is not None:
        rows = rows.filter(paid_on__year=filters.year)
    if filters.paid_from is not None:
        rows = rows.filter(paid_on__gte=filters.paid_from)
    if filters.paid_to is not None:
        rows = rows.filter(paid_on__lte=filters.paid_to)
    return paginate(rows, filters.page, filters.per_page)


@router.post(
    "/payables/payments",
    response={201: PaymentCreatedOut, **ERRORS},
    summary="Record a payment (a payee without a W-9 warns, or is refused by the settings)",
)
@api_access(Role.MANAGER)
@fields_named(provider="provider_id", engagement="engagement_id", invoice="invoice_id")
def create_payment(request, payload: PaymentIn):
    payment, warnings = services.record_payment(
        request.principal,
        provider_id=payload.provider_id,
        engagement_id=payload.engagement_id,
        invoice_id=payload.invoice_id,
        data=payload.dict(exclude={"provider_id", "engagement_id", "invoice_id", "confirm_date"}),
        confirm_date=payload.confirm_date,
    )
    payment = selectors.payments(request.principal).get(pk=payment.pk)
    payment.warnings = warnings
    return Status(201, payment)


@router.post(
    "/payables/payments/import",
    response={200: PaymentImportOut, **ERRORS},
    summary="Import payments from CSV: a dry run, or all rows or none",
)
@api_access(Role.MANAGER)
def import_payments(request, payload: ImportIn):
    try:
        rows = csv_rows(payload.csv)
    except ValidationError as error:
        raise ValidationError({"csv": error.messages}) from None
    report = services.import_payments(request.principal, rows=rows, commit=payload.commit)
    ok = report and not any(entry["errors"] for entry in report)
    if any(entry["errors"] for entry in report):
        return Status(
            422,
            {
                "detail": "Nothing was imported: some rows are bad.",
                "errors": [
                    {"field": f"line {e['line']}", "message": m}
                    for e in report
                    for m in e["errors"]
                ],
                # Each message starts with its column ("paid_on: …").
            },
        )
    return {"imported": len(report) if payload.commit and ok else 0, "rows": report}
