"""Accounting systems: bills out (QuickBooks Online, Xero), payments and vendors in (a dry run,
or all rows or none), and the organization's own column mappings."""

from datetime import date

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from ninja import Field, Query, Schema, Status

from handoff.core.api import api_access, downloads
from handoff.core.roles import Role
from handoff.core.tenancy import get_visible_or_404
from handoff.payables import accounting
from handoff.payables import accounting_services as services
from handoff.payables.api.routing import ERRORS, router
from handoff.payables.models import ColumnMapping


class AccountingBillFilters(Schema):
    format: str = Field(description="quickbooks or xero (a bill mapping's key).")
    date_from: date | None = Field(None, description="Invoice date on or after this day.")
    date_to: date | None = Field(None, description="Invoice date on or before this day.")
    provider: int | None = None


class AccountingColumnOut(Schema):
    header: str
    field: str
    required: bool


class AccountingFormatOut(Schema):
    key: str
    name: str
    system: str
    kind: str = Field(description="bills (written), payments or vendors (read).")
    date_format: str
    columns: list[AccountingColumnOut] = Field(description="A bill file's columns, in order.")
    roles: dict[str, str] = Field(description="A file read: role → the header of its column.")
    source: dict
    verified: bool


class AccountingImportIn(Schema):
    format: str = Field(description="A payments or vendors mapping's key (see the formats).")
    csv: str = Field(description="The file's text, header row first.")
    commit: bool = Field(False, description="False: a dry run that saves nothing.")


class AccountingImportRowOut(Schema):
    line: int
    payee: str
    paid_on: str
    amount: str
    reference: str
    match: str = Field(description="The provider matched and how (by TIN, by name).")
    status: str = Field(description="ready, new, exists, skipped or refused.")
    skipped: str = Field(description="Why the row is left out, when it is.")
    errors: list[str]
    warnings: list[str]


class AccountingImportOut(Schema):
    committed: bool
    counts: dict[str, int]
    rows: list[AccountingImportRowOut]


class AccountingMappingIn(Schema):
    base: str = Field(description="The built-in payments or vendors mapping to adapt.")
    name: str
    roles: dict[str, str] = Field(description="Role → the header of that column in your file.")
    date_format: str = Field("%Y-%m-%d", description="One of " + ", ".join(accounting.DATE_FORMATS))


class AccountingMappingOut(Schema):
    id: int
    key: str
    name: str
    base: str
    roles: dict[str, str]
    date_format: str


@router.get(
    "/payables/accounting/bills",
    response=ERRORS,
    summary="Approved invoices as a QuickBooks Online or Xero bill import CSV",
)
@api_access()
@downloads("text/csv", description="The bill import file, one row per invoice line.")
def export_bills(request, filters: Query[AccountingBillFilters]):
    name, text, _ = services.export_bills(
        request.principal,
        format_key=filters.format,
        date_from=filters.date_from,
        date_to=filters.date_to,
        provider_id=filters.provider,
    )
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.get("/payables/accounting/formats", response={200: list[AccountingFormatOut], **ERRORS})
@api_access()
def list_formats(request):
    found = services.mapping_choices(
        request.principal, (accounting.BILLS, accounting.PAYMENTS, accounting.VENDORS)
    )
    return [
        {
            **{k: getattr(m, k) for k in ("key", "name", "system", "kind", "date_format")},
            "columns": [c.__dict__ for c in m.columns],
            "roles": m.roles,
            "source": m.source,
            "verified": m.verified,
        }
        for m in found
    ]


@router.post(
    "/payables/accounting/import",
    response={200: AccountingImportOut, **ERRORS},
    summary="Import payments or vendors from an accounting export or a bank statement",
)
@api_access(Role.MANAGER)
def import_file(request, payload: AccountingImportIn):
    mapping = services.get_mapping(request.principal, payload.format)
    rows = services.read_rows(mapping, payload.csv)
    report = services.import_file(
        request.principal, format_key=payload.format, rows=rows, commit=payload.commit
    )
    if any(entry["errors"] for entry in report):
        return Status(
            422,
            {
                "detail": "Nothing was imported: some rows are bad.",
                # Each message starts with its column ("Amount: …").
                "errors": [
                    {"field": f"line {entry['line']}", "message": message}
                    for entry in report
                    for message in entry["errors"]
                ],
            },
        )
    return {
        "committed": bool(payload.commit and report),
        "counts": services.summary(report),
        "rows": report,
    }


@router.post("/payables/accounting/mappings", response={201: AccountingMappingOut, **ERRORS})
@api_access(Role.ADMIN)
def create_mapping(request, payload: AccountingMappingIn):
    row = services.save_mapping(request.principal, **payload.dict())
    return Status(201, row)


@router.put(
    "/payables/accounting/mappings/{mapping_id}", response={200: AccountingMappingOut, **ERRORS}
)
@api_access(Role.ADMIN)
def update_mapping(request, mapping_id: int, payload: AccountingMappingIn):
    row = get_visible_or_404(ColumnMapping.objects, request.principal, pk=mapping_id)
    if payload.base != row.base:
        raise ValidationError({"base": "A mapping keeps the built-in one it adapts."})
    return services.save_mapping(request.principal, mapping=row, **payload.dict())


@router.delete("/payables/accounting/mappings/{mapping_id}", response={204: None, **ERRORS})
@api_access(Role.ADMIN)
def delete_mapping(request, mapping_id: int):
    row = get_visible_or_404(ColumnMapping.objects, request.principal, pk=mapping_id)
    services.delete_mapping(request.principal, row)
    return Status(204, None)
