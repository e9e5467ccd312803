"""The shapes of invoices, payments and the payment import."""

from datetime import date
from decimal import Decimal

from ninja import Field, Schema

from handoff.core.api import Year
from handoff.payables.choices import PaymentMethod


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
