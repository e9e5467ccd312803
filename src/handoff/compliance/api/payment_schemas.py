"""The shapes of invoices, payments, the payment import and the 1099-NEC reports and filings."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from handoff.compliance.choices import FilingMethod, PaymentMethod, ReportableReason
from handoff.core.api import Year


# --- Invoices and payments -------------------------------------------------------------------
class InvoiceOut(Schema):
    id: int
    provider_id: int
    engagement_id: int | None
    number: str
    issued_on: date
    due_on: date | None
    amount: Decimal
    description: str


class InvoiceIn(Schema):
    provider_id: int
    engagement_id: int | None = None
    number: str
    issued_on: date
    due_on: date | None = None
    amount: Decimal
    description: str = ""


class InvoicePage(Schema):
    count: int
    page: int
    per_page: int
    results: list[InvoiceOut]


class PageFilters(Schema):
    provider: int | None = None
    page: int = 1
    per_page: int = 50


class PaymentOut(Schema):
    id: int
    provider_id: int
    provider_name: str = Field(alias="provider.name")
    engagement_id: int | None
    invoice_id: int | None
    paid_on: date
    amount: Decimal
    method: PaymentMethod
    reference: str
    processor_reported: bool = Field(description="Card or network: on the processor's 1099-K.")
    without_w9: bool = Field(description="No W-9 was on file when it was recorded.")
    backup_withheld: Decimal = Field(
        description="Backup withholding from this payment (1099-NEC box 4, Form 945): the "
        "dated rate while an IRS name/TIN notice's case calls for it; 0 otherwise."
    )


class PaymentCreatedOut(PaymentOut):
    warnings: list[str]


class PaymentIn(Schema):
    provider_id: int
    engagement_id: int | None = None
    invoice_id: int | None = None
    paid_on: date
    amount: Decimal
    method: PaymentMethod
    reference: str = ""
    confirm_date: bool = Field(
        False,
        description="True confirms a date after today (scheduled ahead), before the payee's "
        "engagement starts, or more than two tax years back; without it such a date is 422.",
    )


class PaymentPage(Schema):
    count: int
    page: int
    per_page: int
    results: list[PaymentOut]


class PaymentFilters(PageFilters):
    year: Year | None = Field(None, description="Calendar year of payment.")
    paid_from: date | None = Field(None, description="Paid on or after this day.")
    paid_to: date | None = Field(None, description="Paid on or before this day.")


class ImportIn(Schema):
    csv: str = Field(description="The file's text, header row first.")
    commit: bool = Field(False, description="False: a dry run that saves nothing.")


class PaymentImportRowOut(Schema):
    line: int
    provider: str
    paid_on: str
    amount: str
    errors: list[str]
    warnings: list[str]


class PaymentImportOut(Schema):
    imported: int
    rows: list[PaymentImportRowOut]


# --- 1099-NEC --------------------------------------------------------------------------------
class NecRowOut(Schema):
    provider_id: int
    provider_name: str
    total: Decimal
    processor_reported: Decimal
    reportable: Decimal
    needs_form: bool
    reason: ReportableReason
    corporation: bool
    attorney: bool
    w9_state: Literal["on_file", "missing"]
    tin_masked: str | None
    withheld: Decimal = Field(description="Backup withholding in the year (box 4).")
    foreign_form: str | None = Field(
        None, description="W-8BEN or W-8BEN-E when the payee is a foreign person that year."
    )
    reason_detail: str = Field("", description="Why no 1099-NEC, where more than the reason.")


class FilingOut(Schema):
    tax_year: int
    filed_on: date
    method: FilingMethod
    service_name: str
    confirmation: str
    recorded_by: str | None
    recorded_at: datetime
    version: int

    @staticmethod
    def resolve_recorded_by(filing):
        return str(filing.recorded_by) if filing.recorded_by else None


class FilingIn(Schema):
    filed_on: date
    method: FilingMethod
    service_name: str = Field("", description="Only for method=service: its name.")
    confirmation: str = Field(
        "", description="IRIS's Receipt ID or the service's confirmation; not needed on paper."
    )


class FilingPatch(Schema):
    filed_on: date | None = None
    method: FilingMethod | None = None
    service_name: str | None = None
    confirmation: str | None = None
    version: int | None = Field(
        None, description="The version you corrected; a newer stored version answers 409."
    )


class NecOut(Schema):
    year: int
    threshold: Decimal
    threshold_source: str
    threshold_note: str = Field(
        description="Said when the year has no threshold entered and another year's is used."
    )
    deadline: date
    past_due: bool = Field(description="The deadline has passed with forms needed, not filed.")
    needing_forms: int
    missing_w9: int
    filing: FilingOut | None
    rows: list[NecRowOut]


class UnfiledYearOut(Schema):
    year: int
    forms: int
    deadline: date
    past_due: bool
    message: str


class FilingStatusOut(Schema):
    years_paid: list[int] = Field(description="Every year with payments, newest first.")
    unfiled: list[UnfiledYearOut] = Field(
        description="Past years whose forms are needed and not marked filed, oldest first."
    )
    filings: list[FilingOut]
