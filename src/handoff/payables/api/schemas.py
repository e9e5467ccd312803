"""The shapes of invoices, payments and the payment import."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from handoff.core.api import ResponseSchema, Year
from handoff.payables.choices import InvoiceStatus, LineKind, PaymentMethod

# A line's numbers as JSON numbers or strings ("12.50"): a value that is not one is refused
# by the service naming the line's field (``lines[2].amount``), like its other refusals.
Number = Decimal | str
CENT = Decimal("0.01")


class InvoiceFlagOut(Schema):
    code: str
    message: str
    difference: Decimal | None = Field(
        description="What the invoice bills minus what the terms give; null when no amount."
    )


class InvoiceApprovalOut(Schema):
    approver_id: int
    approver_name: str = Field(alias="approver.name")
    role: str
    created_at: datetime


class InvoiceOut(ResponseSchema):
    id: int
    provider_id: int
    provider_name: str = Field(alias="provider.name")
    engagement_id: int | None
    number: str
    issued_on: date
    due_on: date | None
    period_start: date | None
    period_end: date | None
    amount: Decimal = Field(description="The total: the sum of the lines.")
    description: str
    status: InvoiceStatus
    entered_by_member: bool = Field(description="Entered by a member on the provider's behalf.")
    replaces_id: int | None = Field(description="The invoice this one corrects.")
    flags: list[InvoiceFlagOut] = Field(
        description="What differs from the engagement's terms, found at submission."
    )
    rejection_reason: str = Field(description="Why it was rejected (the provider sees it).")
    approvals: list[InvoiceApprovalOut] = Field(description="Who approved it, and when.")
    paid: Decimal = Field(description="The payments recorded against it.")
    balance: Decimal = Field(description="amount − paid.")
    payment_state: str = Field(description="unpaid, partly_paid or paid (from the payments).")

    @staticmethod
    def resolve_paid(obj) -> Decimal:
        return Decimal(getattr(obj, "paid", 0) or 0).quantize(CENT)

    @staticmethod
    def resolve_balance(obj) -> Decimal:
        balance = getattr(obj, "balance", None)
        return Decimal(obj.amount if balance is None else balance).quantize(CENT)

    @staticmethod
    def resolve_payment_state(obj) -> str:
        return getattr(obj, "payment_state", "unpaid")


class InvoiceLineOut(Schema):
    kind: LineKind
    description: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal


class InvoiceFileOut(Schema):
    id: int
    name: str
    content_type: str
    size: int


class InvoiceDetailOut(InvoiceOut):
    note: str
    lines: list[InvoiceLineOut]
    attachments: list[InvoiceFileOut]


class InvoiceLineIn(Schema):
    kind: str = Field(description="hours, units, fee or expense.")
    description: str = ""
    quantity: Number = Field(description="Hours or units; 1 for a fee or an expense.")
    unit_price: Number = Field(description="The hourly rate, the unit price, or the fee.")
    amount: Number = Field(description="quantity × unit_price, to the cent.")


class InvoiceIn(Schema):
    engagement_id: int | None = Field(
        None, description="The engagement billed; a provider's contact must give one."
    )
    provider_id: int | None = Field(
        None, description="Only for a member's invoice under no engagement: whose it is."
    )
    number: str = Field(description="Unique per provider.")
    issued_on: date
    due_on: date | None = None
    period_start: date | None = Field(None, description="Required under an engagement.")
    period_end: date | None = Field(None, description="Required under an engagement.")
    amount: Number = Field(description="The total; refused unless it is the sum of the lines.")
    description: str = ""
    note: str = ""
    lines: list[InvoiceLineIn] = Field(
        default=[],
        description="The lines. A member who sends none enters the total as one fee line.",
    )
    replaces_id: int | None = Field(
        None, description="A submitted or rejected invoice this one corrects (kept, superseded)."
    )


class InvoicePage(Schema):
    count: int
    page: int
    per_page: int
    results: list[InvoiceOut]


class PageFilters(Schema):
    provider: int | None = None
    page: int = 1
    per_page: int = 50


class InvoiceFilters(PageFilters):
    status: InvoiceStatus | None = Field(None, description="Every status when not given.")
    payment_state: Literal["unpaid", "partly_paid", "paid", "open"] | None = Field(
        None, description="Approved invoices by what is paid of them (open: a balance left)."
    )


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


class InvoiceDecidedOut(InvoiceDetailOut):
    warnings: list[str] = Field(description="E.g. no W-9 on file; approval 1 of 2.")


class RejectIn(Schema):
    reason: str = Field(description="Why; the provider's contacts see it.")


class ApprovalSettingsOut(Schema):
    least_role: str = Field(description="manager, admin or owner.")
    manager_limit: Decimal | None = Field(description="A manager approves up to; null: no limit.")
    admin_limit: Decimal | None = Field(description="An admin approves up to; null: no limit.")
    second_approver_above: Decimal | None = Field(
        description="Above this, two different people approve; null: never."
    )


class ApprovalSettingsIn(Schema):
    least_role: str = "manager"
    manager_limit: Decimal | None = None
    admin_limit: Decimal | None = None
    second_approver_above: Decimal | None = None


class ApprovalRuleOut(Schema):
    id: int
    engagement_id: int | None
    function_id: int | None
    least_role: str
    subject: str


class ApprovalRuleIn(Schema):
    engagement_id: int | None = Field(None, description="An engagement, or…")
    function_id: int | None = Field(None, description="…a business function (one of them).")
    least_role: str = Field(description="manager, admin or owner.")
