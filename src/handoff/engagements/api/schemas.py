"""Engagements, their holidays, access, exit, agreement and renewals as JSON."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from django.urls import reverse
from ninja import Field, Schema

from handoff.core.api import ResponseSchema
from handoff.core.money import cents
from handoff.engagements.api.lookups import _agreement_state
from handoff.engagements.choices import (
    AgreementState,
    BillingPeriod,
    EngagementStatus,
    ExitItemKind,
    PricingModel,
    Severity,
)


# --- Schemas: engagements ---------------------------------------------------------------------
class FunctionRef(Schema):
    id: int
    name: str


class Tier(Schema):
    above: Decimal = Field(description="Units a month above which this price applies.")
    unit_price: Decimal


class EngagementOut(Schema):
    id: int
    provider_id: int
    provider_name: str = Field(alias="provider.name")
    title: str
    functions: list[FunctionRef]
    scope: str
    pricing_model: PricingModel
    amount: Decimal
    billing_period: BillingPeriod
    unit_name: str
    monthly_quantity: Decimal | None
    payment_terms_days: int
    expenses_allowed: bool = Field(description="Its invoices may carry expense lines.")
    tiers: list[Tier] = Field(alias="price_tiers")
    annual_cost: Decimal | None = Field(description="None when an estimate it needs is missing.")
    currency: str
    start_date: date
    end_date: date | None
    auto_renew: bool
    renewal_months: int
    notice_days: int
    term_end: date | None = Field(description="The end of the term in force today.")
    notice_deadline: date | None = Field(description="The next last day to give notice.")
    notice_ends_term_on: date | None = Field(
        description="The term end that notice given by the deadline ends the engagement on."
    )
    status: EngagementStatus
    agreement_state: AgreementState
    exit_started_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_annual_cost(engagement):
        return cents(engagement.annual_cost)

    @staticmethod
    def resolve_currency(engagement, context):
        return context["request"].org.currency

    @staticmethod
    def resolve_agreement_state(engagement):
        return _agreement_state(engagement)


class EngagementPage(Schema):
    count: int
    page: int
    per_page: int
    results: list[EngagementOut]


class EngagementPersonOut(Schema):
    name: str
    email: str


class ProviderPriceOut(Schema):
    pricing_model: PricingModel
    amount: Decimal
    billing_period: BillingPeriod
    unit_name: str


class ProviderServiceLevelOut(Schema):
    task_kind: str
    turnaround: str


class ProviderResponseTargetOut(Schema):
    severity: Severity
    target: str


class EscalationRungOut(Schema):
    level: int
    ours: str
    theirs: str
    after: str


class ProviderEngagementOut(Schema):
    """An engagement as its provider's contact sees it (what the engagement page shows them):
    the work, its service levels and who to contact — the price only where the organization
    shows prices in the portal, never the internal terms."""

    id: int
    title: str
    status: EngagementStatus
    scope: str
    start_date: date
    end_date: date | None
    price: ProviderPriceOut | None = Field(
        description="Only when the organization shows prices in the portal."
    )
    our_point_person: EngagementPersonOut | None
    their_point_person: str | None
    issue_contact: str | None
    service_levels: list[ProviderServiceLevelOut]
    response_targets: list[ProviderResponseTargetOut]
    workflow: list[str]
    escalation_ladder: list[EscalationRungOut]


class ProviderEngagementPage(Schema):
    count: int
    page: int
    per_page: int
    results: list[ProviderEngagementOut]


class EngagementFilters(Schema):
    status: EngagementStatus | None = None
    provider: int | None = Field(None, description="A provider id.")
    function: int | None = Field(None, description="A business function id.")
    page: int = 1
    per_page: int = 50


class EngagementIn(Schema):
    provider_id: int
    function_ids: list[int] = Field(description="Business function ids; at least one.")
    title: str
    scope: str = ""
    pricing_model: PricingModel = PricingModel.FLAT
    amount: Decimal = Field(description="The flat fee, the hourly rate, or the unit price.")
    billing_period: BillingPeriod = BillingPeriod.MONTH
    unit_name: str = ""
    monthly_quantity: Decimal | None = None
    payment_terms_days: int = 30
    expenses_allowed: bool = Field(False, description="Its invoices may carry expense lines.")
    tiers: list[Tier] = Field(default=[], description="Volume tiers of per-unit pricing.")
    start_date: date
    end_date: date | None = None
    auto_renew: bool = False
    renewal_months: int = 12
    notice_days: int = 30


class EngagementPatch(Schema):
    function_ids: list[int] | None = None
    title: str | None = None
    scope: str | None = None
    pricing_model: PricingModel | None = None
    amount: Decimal | None = None
    billing_period: BillingPeriod | None = None
    unit_name: str | None = None
    monthly_quantity: Decimal | None = None
    payment_terms_days: int | None = None
    expenses_allowed: bool | None = None
    tiers: list[Tier] | None = Field(None, description="Sent: replaces all the tiers.")
    start_date: date | None = None
    end_date: date | None = None
    auto_renew: bool | None = None
    renewal_months: int | None = None
    notice_days: int | None = None
    version: int | None = Field(
        None, description="The version you edited; a newer stored version answers 409."
    )


class StatusMoveIn(Schema):
    to_status: EngagementStatus
    reason: str = Field("", description="Required to pause or end.")
    confirm_before_start: bool = Field(
        False,
        description="Activate before the start date: without it, activating an engagement "
        "whose start date is after today is refused (422 on this field).",
    )


class StatusChangeOut(ResponseSchema):
    id: int
    from_status: EngagementStatus
    to_status: EngagementStatus
    reason: str
    changed_by_id: int | None
    changed_by_name: str | None = Field(None, alias="changed_by.name")
    changed_at: datetime


# --- Schemas: holidays, access, exit ----------------------------------------------------------
class HolidayOut(Schema):
    id: int
    date: date
    name: str


class HolidayIn(Schema):
    date: date
    name: str


class FederalHolidaysIn(Schema):
    year: int = Field(ge=1900, le=2100)


class FederalHolidaysOut(Schema):
    added: int


class AccessGrantOut(Schema):
    id: int
    system: str
    account: str
    level: str
    granted_by_id: int | None
    granted_on: date
    revoked_on: date | None
    revoked_by_id: int | None


class AccessGrantIn(Schema):
    system: str
    account: str
    level: str
    granted_by_id: int | None = Field(None, description="A member's user id; default: you.")
    granted_on: date | None = Field(None, description="Default: today.")


class ExitItemOut(Schema):
    id: int
    kind: ExitItemKind
    text: str
    access_grant_id: int | None
    done: bool
    done_at: datetime | None
    done_by_id: int | None

    @staticmethod
    def resolve_done(item):
        return item.done_at is not None


class ExitItemIn(Schema):
    text: str


class ExitItemDoneIn(Schema):
    done: bool = True


# --- Schemas: agreement ---------------------------------------------------------------------
class AgreementVersionOut(Schema):
    id: int
    number: int
    generated_at: datetime
    sent_at: datetime | None
    signature_request_id: int | None = Field(
        description="Sent for signature in the app: GET /signature-requests/{id}."
    )
    download_url: str

    @staticmethod
    def resolve_download_url(version):
        return reverse(
            "api:agreement_version_file",
            kwargs={"engagement_id": version.engagement_id, "version_id": version.pk},
        )


class AgreementSignatureIn(Schema):
    provider_name: str = Field(max_length=200, description="Who signs for the provider.")
    provider_email: str = Field(max_length=254, description="Where their link is mailed.")
    our_signer_id: int = Field(description="The member (user id) who signs for us.")
    provider_first: bool = Field(True, description="False: we sign first, then the provider.")
    valid_days: int = Field(14, description="How long the links work: 1 to 60 days.")


class SignedAgreementOut(Schema):
    id: int
    version_id: int | None
    signed_on: date
    signers: str
    content_type: str
    uploaded_at: datetime
    download_url: str

    @staticmethod
    def resolve_download_url(signed):
        return reverse(
            "api:signed_agreement_file",
            kwargs={"engagement_id": signed.engagement_id, "signed_id": signed.pk},
        )


class AgreementOut(Schema):
    state: AgreementState
    versions: list[AgreementVersionOut]
    signed: list[SignedAgreementOut]


class SignedAgreementIn(Schema):
    signed_on: date
    signers: str = Field(description="Who signed, on both sides.")
    version_id: int | None = Field(None, description="The generated version that was signed.")


class ClauseOut(Schema):
    id: int
    key: str
    title: str
    body: str
    position: int
    individuals_only: bool


class ClausePatch(Schema):
    title: str | None = None
    body: str | None = None


# --- Schemas: renewals ------------------------------------------------------------------------
class RenewalFilters(Schema):
    days: int = Field(60, ge=1, le=730, description="The window, from today.")


class RenewalOut(Schema):
    engagement_id: int = Field(alias="engagement.pk")
    title: str = Field(alias="engagement.title")
    provider_id: int = Field(alias="engagement.provider_id")
    provider_name: str = Field(alias="engagement.provider.name")
    status: EngagementStatus = Field(alias="engagement.status")
    auto_renew: bool = Field(alias="engagement.auto_renew")
    term_end: date | None
    notice_deadline: date | None
    events: list[Literal["term_end", "notice_deadline"]] = Field(
        description="Which of the two dates fall in the window, soonest first."
    )
