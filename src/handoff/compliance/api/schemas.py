"""The shapes of the rules, the settings, assessments and W-9s, as the API reads and answers
them."""

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema

from handoff.compliance.choices import (
    Answer,
    Category,
    Direction,
    LlcClassification,
    Outcome,
    StateOutcome,
    TaxClassification,
    TinType,
)
from handoff.core.api import ResponseSchema


# --- Rules ------------------------------------------------------------------------------------
class ClassificationFactorOut(Schema):
    key: str
    category: Category
    question: str
    help_text: str
    yes_points_to: Direction
    yes_weight: int
    no_weight: int
    source: str


class RuleSetOut(Schema):
    id: int
    name: str
    effective_from: date
    effective_to: date | None
    employee_share_at_least: Decimal
    contractor_share_at_most: Decimal
    min_answered_share: Decimal
    source: str
    factors: list[ClassificationFactorOut]


class StateTestOut(Schema):
    id: int
    state: str
    name: str
    applies_to: str
    effective_from: date
    effective_to: date | None
    prongs: list[dict]
    exemptions: list[dict]
    source: str


class DatedAmountOut(Schema):
    effective_from: date
    effective_to: date | None
    amount: Decimal
    source: str


class Section3509Out(Schema):
    effective_from: date
    effective_to: date | None
    withholding_percent: Decimal
    withholding_no_1099_percent: Decimal
    employee_fica_share_percent: Decimal
    employee_fica_share_no_1099_percent: Decimal
    source: str


class RulesOut(Schema):
    rule_sets: list[RuleSetOut]
    state_tests: list[StateTestOut]
    form_1099_thresholds: list[DatedAmountOut]
    section_3509_rates: list[Section3509Out]


# --- Settings ---------------------------------------------------------------------------------
class ComplianceSettingsOut(Schema):
    refuse_payments_without_w9: bool
    benefits_cost_percent: Decimal | None


class SettingsIn(Schema):
    refuse_payments_without_w9: bool | None = None
    benefits_cost_percent: Decimal | None = Field(
        None, description="Benefit cost as a percent of wages; null to leave it unrecorded."
    )


# --- Assessments ------------------------------------------------------------------------------
class ClassificationAnswerIn(Schema):
    answer: Answer = Answer.UNSURE
    evidence: str = ""


class StateAnswersIn(Schema):
    prongs: dict[str, ClassificationAnswerIn] = {}
    exemption: str = ""
    exemption_evidence: str = ""


class AssessmentIn(Schema):
    provider_id: int
    answers: dict[str, ClassificationAnswerIn] = Field(
        description="Factor key → answer and evidence; see GET /compliance/rules. A yes or no "
        "needs its evidence; a missing factor is 'unsure'."
    )
    state_answers: dict[str, StateAnswersIn] = Field(
        {},
        description="State code → prong answers and an exemption claimed, for the states "
        "of the organization that have an ABC test.",
    )
    engagement_ids: list[int] = []
    annual_payments: Decimal | None = Field(
        None,
        description="A year of payments for the estimate; empty to take it from the "
        "payments of the last 365 days or the engagements' yearly cost.",
    )
    notes: str = ""


class FindingOut(Schema):
    key: str = Field(alias="factor.key")
    category: Category = Field(alias="factor.category")
    question: str = Field(alias="factor.question")
    answer: Answer
    evidence: str
    points_to: Direction | None
    weight: int


class StateFindingOut(Schema):
    state: str
    name: str
    outcome: StateOutcome
    unmet: list[str]
    unanswered: list[str]
    exemption: str | None


class ExposureLineOut(Schema):
    label: str
    amount: Decimal
    formula: str
    source: str


class ExposureOut(Schema):
    filed_1099: bool
    wages: Decimal
    total: Decimal
    lines: list[ExposureLineOut]


class EngagementLinkOut(ResponseSchema):
    engagement_id: int
    title: str = Field(alias="engagement.title")
    agreement_version: int | None = Field(None, alias="agreement_version.number")


class AssessmentOut(Schema):
    id: int
    provider_id: int
    provider_name: str
    number: int
    created_at: datetime
    outcome: Outcome
    federal_outcome: Outcome
    employee_weight: int
    contractor_weight: int
    stale: bool
    stale_reasons: list[str]
    engagements: list[EngagementLinkOut]
    annual_payments: Decimal
    payments_basis: str
    notes: str
    disclaimer: str = "Guidance, not legal advice."


class AssessmentDetailOut(AssessmentOut):
    toward_employee: list[FindingOut]
    toward_contractor: list[FindingOut]
    unanswered: list[FindingOut]
    states: list[StateFindingOut]
    next_steps: list[str]
    exposure: list[ExposureOut]
    tax_year: int = Field(description="The tax year the estimate is made for.")
    figures_year: int | None = Field(description="The year of the payroll figures used.")
    figures_note: str = Field(
        description="Said when the tax year has no figures entered and another year's are used."
    )
    rule_set_id: int


class AssessmentPage(Schema):
    count: int
    page: int
    per_page: int
    results: list[AssessmentOut]


class AssessmentFilters(Schema):
    provider: int | None = Field(None, description="A provider id.")
    page: int = 1
    per_page: int = 50


# --- W-9 --------------------------------------------------------------------------------------
class W9Out(Schema):
    id: int
    provider_id: int
    provider_name: str = Field(alias="provider.name")
    legal_name: str
    business_name: str
    tax_classification: TaxClassification
    llc_classification: str
    exempt_payee_code: str
    is_attorney: bool
    tin_type: TinType
    item_2_crossed_out: bool = Field(
        description="Certification item 2 crossed out: backup withholding applies."
    )
    tin_masked: str = Field(
        alias="masked_tin", description="The last four digits; the full TIN only via /reveal."
    )
    street: str
    city: str
    state: str
    postal_code: str
    signed_on: date
    received_at: datetime
    in_force: bool
    same_tin_as: list[str] = Field(description="Other providers whose W-9 has the same TIN.")


class W9In(Schema):
    provider_id: int
    legal_name: str
    business_name: str = ""
    tax_classification: TaxClassification
    llc_classification: LlcClassification = LlcClassification.NONE
    exempt_payee_code: str = ""
    is_attorney: bool = False
    tin_type: TinType
    tin: str = Field(description="Nine digits, dashes optional. Stored encrypted.")
    item_2_crossed_out: bool = Field(
        default=False,
        description="The payee crossed out certification item 2 (subject to backup withholding).",
    )
    street: str
    city: str
    state: str
    postal_code: str
    signed_on: date


class W9Page(Schema):
    count: int
    page: int
    per_page: int
    results: list[W9Out]


class W9Filters(Schema):
    provider: int | None = None
    page: int = 1
    per_page: int = 50


class RevealOut(Schema):
    id: int
    tin_type: TinType
    tin: str


class PayeeOut(Schema):
    provider_id: int
    name: str
    paid: Decimal
    last_paid: date | None
