"""The comparison an analysis answers with (in-house cost, each quote's result, sensitivity,
factors, the figures used), the whole analysis, and the dated figures."""

from datetime import date
from decimal import Decimal

from ninja import Field, Schema

from handoff.decisions.api.schemas import (
    AnalysisSummaryOut,
    DecisionOut,
    InHouseOut,
    QuoteOut,
    RoleOut,
)
from handoff.decisions.choices import Factor


class PayrollTaxesOut(Schema):
    social_security: Decimal
    medicare: Decimal
    federal_unemployment: Decimal
    state_unemployment: Decimal
    total: Decimal
    added: bool = Field(description="False when the benefits load already includes them.")


class RoleCostOut(Schema):
    role_id: int
    title: str
    people: int
    hours: Decimal
    wages: Decimal
    benefits: Decimal
    payroll_taxes: PayrollTaxesOut
    overhead: Decimal
    recruiting_and_training: Decimal
    annual_cost: Decimal


class InHouseCostOut(Schema):
    complete: bool = Field(description="False until there is a cost to compare against.")
    annual_cost: Decimal | None
    manager_cost: Decimal
    staff_hours: Decimal
    manager_hours: Decimal
    roles: list[RoleCostOut]
    payroll_taxes: PayrollTaxesOut
    summary: str


class FreedHoursOut(Schema):
    whose: str = Field(description="role, staff (the actual cost's), manager or oversight.")
    role_id: int | None
    who: str
    counted: str = Field(description="derived, whole or hours: how the hours were counted.")
    as_entered: str | None = Field(description="e.g. '2 h/week', when entered per period.")
    how: str = Field(description="How the hours were counted, in words.")
    hours_a_year: Decimal = Field(description="Negative for our oversight, which takes hours.")
    rate: Decimal
    rate_basis: str = Field(
        description="role_rate, set_rate, manager_rate, oversight_rate or actual_rate."
    )
    rate_words: str
    value: Decimal


class QuoteResultOut(Schema):
    quote_id: int
    name: str
    annual_cost: Decimal
    provider_fees: Decimal
    oversight: Decimal
    transition_cost: Decimal
    first_year_cost: Decimal
    savings: Decimal | None = Field(description="A year against in-house; negative: dearer.")
    savings_percent: Decimal | None
    break_even_volume: Decimal | None = Field(
        description="Units a month where it costs what in-house does; null for a flat fee, or "
        "when it is cheaper (or dearer) at any volume."
    )
    payback_months: Decimal | None = Field(description="Null when it never pays back.")
    hours_freed: Decimal | None
    value_of_hours_freed: Decimal | None = Field(
        description="Each hour at the rate of the person whose hour it is; beside the savings, "
        "never added to them."
    )
    freed_hours: list[FreedHoursOut] = Field(description="The lines the two figures add up.")
    summary: str


class SensitivityCostOut(Schema):
    quote_id: int
    annual_cost: Decimal


class SensitivityOut(Schema):
    change_percent: Decimal
    monthly_volume: Decimal
    in_house: Decimal | None
    quotes: list[SensitivityCostOut]


class FactorScoreOut(Schema):
    quote_id: int
    score: int | None


class AnalysisFactorOut(Schema):
    factor: Factor
    label: str
    in_house: int | None
    quotes: list[FactorScoreOut]


class FiguresOut(Schema):
    analysis_year: int
    payroll_year: int = Field(description="The year of the payroll figures used.")
    payroll_is_fallback: bool = Field(
        description="True when the table has no figures for the analysis's year yet."
    )
    payroll_source: str
    benefits_load_default_percent: Decimal
    benefits_from: date = Field(description="From when the benefits-load default is in force.")
    benefits_is_fallback: bool = Field(
        description="True when that default does not cover the analysis's year."
    )
    benefits_source: str
    note: str = Field(description="Which year's figures serve a year with no row; else empty.")


class ReportOut(Schema):
    figures: FiguresOut
    in_house: InHouseCostOut
    quotes: list[QuoteResultOut]
    sensitivity: list[SensitivityOut]
    factors: list[AnalysisFactorOut]


class AnalysisOut(AnalysisSummaryOut):
    in_house: InHouseOut
    roles: list[RoleOut]
    quotes: list[QuoteOut]
    decision: DecisionOut | None
    report: ReportOut


class PayrollTaxRatesOut(Schema):
    effective_from: date
    effective_to: date | None
    social_security_percent: Decimal
    social_security_wage_base: Decimal
    medicare_percent: Decimal
    federal_unemployment_percent: Decimal
    federal_unemployment_wage_base: Decimal
    source: str


class BenefitsLoadDefaultOut(Schema):
    effective_from: date
    effective_to: date | None
    combined_percent: Decimal = Field(description="Benefits including payroll taxes.")
    benefits_only_percent: Decimal = Field(description="Without the legally required ones.")
    range_low_percent: Decimal
    range_high_percent: Decimal
    source: str


class DatedFiguresOut(Schema):
    payroll_tax_rates: list[PayrollTaxRatesOut]
    benefits_load_defaults: list[BenefitsLoadDefaultOut]
