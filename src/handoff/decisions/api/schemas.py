"""What the decisions API reads and answers for functions, analyses, their options and the
decision. The comparison's own shapes are in ``report_schemas``."""

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema

from handoff.core.api import ResponseSchema, Year
from handoff.decisions import costing
from handoff.decisions.choices import (
    ChosenOption,
    FeePeriod,
    FreedHours,
    HoursPeriod,
    InHouseMode,
    PayBasis,
    PricingModel,
)


class BusinessFunctionOut(Schema):
    id: int
    name: str
    description: str


class BusinessFunctionIn(Schema):
    name: str
    description: str = ""


class Scores(Schema):
    control: int | None = Field(None, description="1–5, 5 best for the business.")
    quality_risk: int | None = Field(None, description="1–5, 5 is the least risk.")
    confidentiality: int | None = None
    availability: int | None = None
    dependence: int | None = Field(None, description="1–5, 5 is easiest to replace.")


class AnalysisIn(Schema):
    year: Year | None = Field(None, description="Picks the payroll figures; default this year.")
    volume_unit: str = Field(description="What the work is counted in, e.g. 'invoice'.")
    monthly_volume: Decimal = Field(description="Units of work in a typical month; above zero.")
    notes: str = ""
    copy_previous: bool = Field(
        False, description="Start from the current analysis's options (it is archived anyway)."
    )


class AnalysisPatch(Schema):
    year: Year | None = None
    volume_unit: str | None = None
    monthly_volume: Decimal | None = None
    notes: str | None = None
    version: int | None = Field(
        None, description="The version you edited; a newer stored version answers 409."
    )


class InHouseOut(Scores):
    mode: InHouseMode
    actual_annual_cost: Decimal | None
    actual_hours_per_year: Decimal | None
    payroll_taxes_in_load: bool
    federal_unemployment_percent: Decimal
    state_unemployment_percent: Decimal
    state_unemployment_wage_base: Decimal | None
    manager_hours: Decimal = Field(description="As entered, per manager_period.")
    manager_period: HoursPeriod
    manager_hours_a_year: Decimal = Field(description="52 weeks or 12 months a year; exact.")
    manager_hourly_rate: Decimal
    value_per_freed_hour: Decimal | None = Field(
        description="One value for every freed staff hour; null: each role's own loaded cost "
        "of an hour."
    )

    @staticmethod
    def resolve_manager_hours_a_year(option):
        return costing.hours_a_year(option.manager_hours, option.manager_period)


class InHousePatch(Scores):
    mode: InHouseMode | None = None
    actual_annual_cost: Decimal | None = None
    actual_hours_per_year: Decimal | None = None
    payroll_taxes_in_load: bool | None = Field(
        None,
        description="True: the benefits load is the combined BLS figure and already includes "
        "payroll taxes, which are then not added. False: benefits only; taxes are added.",
    )
    federal_unemployment_percent: Decimal | None = None
    state_unemployment_percent: Decimal | None = None
    state_unemployment_wage_base: Decimal | None = None
    manager_hours: Decimal | None = Field(
        None, description="The manager's supervising hours, per manager_period."
    )
    manager_period: HoursPeriod | None = Field(None, description="week, month or year.")
    manager_hourly_rate: Decimal | None = None
    value_per_freed_hour: Decimal | None = Field(
        None, description="Null: value each role's freed hours at the role's own rate."
    )


class RoleOut(Schema):
    id: int
    title: str
    headcount: int
    pay_basis: PayBasis
    annual_salary: Decimal | None
    hourly_wage: Decimal | None
    paid_hours_per_year: Decimal
    benefits_load_percent: Decimal
    overhead_per_person: Decimal
    recruiting_cost: Decimal
    training_cost: Decimal
    expected_tenure_years: Decimal
    freed: FreedHours
    freed_hours: Decimal | None
    freed_period: HoursPeriod


class RoleIn(Schema):
    title: str
    headcount: int = 1
    pay_basis: PayBasis = PayBasis.SALARY
    annual_salary: Decimal | None = None
    hourly_wage: Decimal | None = None
    paid_hours_per_year: Decimal = Decimal(2080)
    benefits_load_percent: Decimal | None = Field(
        None,
        description="Percent of wages; left out, the cited default that fits the option "
        "(benefits only, or combined with payroll taxes).",
    )
    overhead_per_person: Decimal = Decimal(0)
    recruiting_cost: Decimal = Decimal(0)
    training_cost: Decimal = Decimal(0)
    expected_tenure_years: Decimal = Decimal(3)
    freed: FreedHours = Field(
        FreedHours.DERIVED,
        description="derived (all its paid hours), whole (the whole role) or hours (freed_hours "
        "per freed_period, for all its people together).",
    )
    freed_hours: Decimal | None = None
    freed_period: HoursPeriod = HoursPeriod.WEEK


class RolePatch(Schema):
    title: str | None = None
    headcount: int | None = None
    pay_basis: PayBasis | None = None
    annual_salary: Decimal | None = None
    hourly_wage: Decimal | None = None
    paid_hours_per_year: Decimal | None = None
    benefits_load_percent: Decimal | None = None
    overhead_per_person: Decimal | None = None
    recruiting_cost: Decimal | None = None
    training_cost: Decimal | None = None
    expected_tenure_years: Decimal | None = None
    freed: FreedHours | None = None
    freed_hours: Decimal | None = None
    freed_period: HoursPeriod | None = None


class TierRowSchema(Schema):
    from_units: Decimal = Field(description="Units a month where the tier starts.")
    to_units: Decimal | None = Field(None, description="Where it ends; null on the last tier.")
    unit_price: Decimal


class QuoteOut(Scores):
    id: int
    provider_id: int | None
    provider_name: str | None
    name: str
    display_name: str
    pricing_model: PricingModel
    amount: Decimal
    fee_period: FeePeriod
    unit_name: str
    monthly_quantity: Decimal | None
    tiers: list[TierRowSchema]
    transition_cost: Decimal
    oversight_hours: Decimal = Field(description="As entered, per oversight_period.")
    oversight_period: HoursPeriod
    oversight_hours_a_year: Decimal = Field(description="52 weeks or 12 months a year; exact.")
    oversight_hourly_rate: Decimal
    turnaround: str
    notes: str

    @staticmethod
    def resolve_oversight_hours_a_year(quote):
        return costing.hours_a_year(quote.oversight_hours, quote.oversight_period)

    @staticmethod
    def resolve_provider_name(quote):
        return quote.provider.name if quote.provider_id else None


class QuoteIn(Scores):
    provider_id: int | None = None
    name: str = Field("", description="Who quoted; needed when no provider is given.")
    pricing_model: PricingModel = PricingModel.FLAT
    amount: Decimal = Field(description="The flat fee, the hourly rate, or the unit price.")
    fee_period: FeePeriod = FeePeriod.MONTH
    unit_name: str = ""
    monthly_quantity: Decimal | None = Field(
        None, description="Hours (hourly) or units (per unit) a month at the analysis's volume."
    )
    tiers: list[TierRowSchema] = Field(default=[], description="Volume tiers of a per-unit price.")
    transition_cost: Decimal = Decimal(0)
    oversight_hours: Decimal = Field(Decimal(0), description="Per oversight_period.")
    oversight_period: HoursPeriod = Field(HoursPeriod.WEEK, description="week, month or year.")
    oversight_hourly_rate: Decimal = Decimal(0)
    turnaround: str = ""
    notes: str = ""


class QuotePatch(Scores):
    provider_id: int | None = None
    name: str | None = None
    pricing_model: PricingModel | None = None
    amount: Decimal | None = None
    fee_period: FeePeriod | None = None
    unit_name: str | None = None
    monthly_quantity: Decimal | None = None
    tiers: list[TierRowSchema] | None = Field(None, description="Sent: replaces all the tiers.")
    transition_cost: Decimal | None = None
    oversight_hours: Decimal | None = None
    oversight_period: HoursPeriod | None = None
    oversight_hourly_rate: Decimal | None = None
    turnaround: str | None = None
    notes: str | None = None


class DecisionIn(Schema):
    chosen_quote_id: int | None = Field(
        None, description="A quote of the analysis; null: in-house."
    )
    reason: str
    plan_starts_on: date | None = Field(None, description="Default today.")


class DecisionOut(ResponseSchema):
    id: int
    analysis_id: int
    function_id: int
    function_name: str = Field(alias="function.name")
    chosen_option: ChosenOption
    chosen_quote_id: int | None
    provider_id: int | None
    provider_name: str | None = Field(None, alias="provider.name")
    option_name: str
    planned_annual_cost: Decimal
    in_house_annual_cost: Decimal
    planned_savings: Decimal
    transition_cost: Decimal
    plan_starts_on: date
    reason: str
    decided_by_id: int | None
    decided_by_name: str | None = Field(None, alias="decided_by.name")
    decided_at: datetime


class DecisionPage(Schema):
    count: int
    page: int
    per_page: int
    results: list[DecisionOut]


class DecisionFilters(Schema):
    function: int | None = Field(None, description="A business function id.")
    provider: int | None = Field(None, description="A provider id.")
    page: int = 1
    per_page: int = 50


class AnalysisSummaryOut(Schema):
    id: int
    function_id: int
    function_name: str
    year: int
    volume_unit: str
    monthly_volume: Decimal
    notes: str
    current: bool
    decided: bool
    in_house_annual_cost: Decimal | None = Field(description="None until in-house is entered.")
    version: int
    created_at: datetime
    archived_at: datetime | None


class AnalysisPage(Schema):
    count: int
    page: int
    per_page: int
    results: list[AnalysisSummaryOut]


class AnalysisFilters(Schema):
    function: int | None = Field(None, description="A business function id.")
    current: bool | None = Field(None, description="True: only current; false: only history.")
    page: int = 1
    per_page: int = 50
