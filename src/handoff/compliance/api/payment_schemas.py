"""The shapes of the 1099-NEC reports and filings."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from handoff.compliance.choices import FilingMethod, ReportableReason


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
