from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema, Status

from handoff.core.api import ErrorOut, api_access, fields_named, paginate
from handoff.core.money import cents
from handoff.core.roles import Role
from handoff.core.tenancy import get_for_org_or_404
from handoff.decisions import costing, printing, report, selectors, services
from handoff.decisions.choices import (
    ChosenOption,
    Factor,
    FeePeriod,
    FreedHours,
    HoursPeriod,
    InHouseMode,
    PayBasis,
    PricingModel,
)
from handoff.decisions.models import (
    Analysis,
    BenefitsLoadDefault,
    BusinessFunction,
    Decision,
    InHouseRole,
    PayrollTaxRates,
    Quote,
)

router = Router(tags=["business functions"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class BusinessFunctionOut(Schema):
    id: int
    name: str
    description: str


class BusinessFunctionIn(Schema):
    name: str
    description: str = ""


@router.get(
    "/functions",
    response={200: list[BusinessFunctionOut], **ERRORS},
    summary="The organization's business functions",
)
@api_access()
def list_functions(request):
    return BusinessFunction.objects.for_org(request.org)


@router.post(
    "/functions", response={201: BusinessFunctionOut, **ERRORS}, summary="Add a business function"
)
@api_access(Role.MANAGER)
def create_function(request, payload: BusinessFunctionIn):
    function = services.add_business_function(
        request.org, actor=request.user, name=payload.name, description=payload.description
    )
    return Status(201, function)


# === The make-or-buy analysis ===================================================================
# Reading is for viewers, every write for managers. Figures are rounded once, here, as they are
# sent: money to cents, hours, volumes and months to hundredths, percents to tenths.
DECIDE = ["make or buy"]
HUNDREDTH = Decimal("0.01")
TENTH = Decimal("0.1")


def _round(value: Decimal | None, step: Decimal = HUNDREDTH) -> Decimal | None:
    return None if value is None else value.quantize(step, rounding=ROUND_HALF_UP)


# --- Schemas -----------------------------------------------------------------------------------
class Scores(Schema):
    control: int | None = Field(None, description="1–5, 5 best for the business.")
    quality_risk: int | None = Field(None, description="1–5, 5 is the least risk.")
    confidentiality: int | None = None
    availability: int | None = None
    dependence: int | None = Field(None, description="1–5, 5 is easiest to replace.")


class AnalysisIn(Schema):
    year: int | None = Field(None, description="Picks the payroll figures; default this year.")
    volume_unit: str = Field(description="What the work is counted in, e.g. 'invoice'.")
    monthly_volume: Decimal = Field(description="Units of work in a typical month; above zero.")
    notes: str = ""
    copy_previous: bool = Field(
        False, description="Start from the current analysis's options (it is archived anyway)."
    )


class AnalysisPatch(Schema):
    year: int | None = None
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

    @staticmethod
    def resolve_tiers(quote):
        return quote.tiers.all()


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


class DecisionOut(Schema):
    id: int
    analysis_id: int
    function_id: int
    function_name: str
    chosen_option: ChosenOption
    chosen_quote_id: int | None
    provider_id: int | None
    provider_name: str | None
    option_name: str
    planned_annual_cost: Decimal
    in_house_annual_cost: Decimal
    planned_savings: Decimal
    transition_cost: Decimal
    plan_starts_on: date
    reason: str
    decided_by_id: int | None
    decided_by_name: str | None
    decided_at: datetime

    @staticmethod
    def resolve_function_name(decision):
        return decision.function.name

    @staticmethod
    def resolve_provider_name(decision):
        return decision.provider.name if decision.provider_id else None

    @staticmethod
    def resolve_decided_by_name(decision):
        return decision.decided_by.name if decision.decided_by else None


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


# --- Shaping the report ------------------------------------------------------------------------
def _taxes(taxes: costing.PayrollTaxes, *, added: bool) -> dict:
    return {
        "social_security": cents(taxes.social_security),
        "medicare": cents(taxes.medicare),
        "federal_unemployment": cents(taxes.federal_unemployment),
        "state_unemployment": cents(taxes.state_unemployment),
        "total": cents(taxes.total),
        "added": added,
    }


def _freed(rows) -> list[dict]:
    return [
        {
            "whose": row.line.whose,
            "role_id": row.role_id,
            "who": row.who,
            "counted": row.line.counted,
            "as_entered": None
            if row.line.entered is None
            else report.models_hours_text(row.line.entered),
            "how": row.counted,
            "hours_a_year": _round(row.hours),
            "rate": cents(row.rate),
            "rate_basis": row.line.rate_basis,
            "rate_words": row.rate_words,
            "value": cents(row.value),
        }
        for row in rows
    ]


def _report(result: report.Report) -> dict:
    """The report as JSON-ready values, rounded here and nowhere before."""
    analysis, option, in_house = result.analysis, result.option, result.in_house
    complete = result.complete
    added = not option.payroll_taxes_in_load
    figures = result.figures
    return {
        "figures": {
            "analysis_year": analysis.year,
            "payroll_year": figures.payroll_year,
            "payroll_is_fallback": figures.payroll_is_fallback,
            "payroll_source": figures.payroll.source,
            "benefits_load_default_percent": figures.benefits.default_for(
                payroll_taxes_in_load=option.payroll_taxes_in_load
            ),
            "benefits_from": figures.benefits.effective_from,
            "benefits_is_fallback": figures.benefits_is_fallback,
            "benefits_source": figures.benefits.source,
            "note": figures.note,
        },
        "in_house": {
            "complete": complete,
            "annual_cost": cents(in_house.total) if complete else None,
            "manager_cost": cents(in_house.manager),
            "staff_hours": _round(in_house.staff_hours),
            "manager_hours": _round(in_house.manager_hours),
            "roles": [
                {
                    "role_id": line.role.pk,
                    "title": line.role.title,
                    "people": line.role.headcount,
                    "hours": _round(line.cost.hours),
                    "wages": cents(line.cost.wages),
                    "benefits": cents(line.cost.benefits),
                    "payroll_taxes": _taxes(line.cost.payroll_taxes, added=added),
                    "overhead": cents(line.cost.overhead),
                    "recruiting_and_training": cents(line.cost.recruiting_and_training),
                    "annual_cost": cents(line.cost.total),
                }
                for line in result.roles
            ],
            "payroll_taxes": _taxes(result.payroll_taxes, added=added),
            "summary": result.in_house_summary,
        },
        "quotes": [
            {
                "quote_id": line.quote.pk,
                "name": line.quote.display_name,
                "annual_cost": cents(line.result.annual_cost),
                "provider_fees": cents(line.result.cost.provider_fees),
                "oversight": cents(line.result.cost.oversight),
                "transition_cost": cents(line.quote.transition_cost),
                "first_year_cost": cents(line.result.first_year_cost),
                "savings": cents(line.result.savings) if complete else None,
                "savings_percent": _round(line.savings_percent, TENTH) if complete else None,
                "break_even_volume": _round(line.result.break_even_volume) if complete else None,
                "payback_months": _round(line.result.payback_months) if complete else None,
                "hours_freed": _round(line.result.hours_freed) if complete else None,
                "value_of_hours_freed": cents(line.result.value_of_hours_freed)
                if complete
                else None,
                "freed_hours": _freed(line.freed) if complete else [],
                "summary": line.summary,
            }
            for line in result.quotes
        ],
        "sensitivity": [
            {
                "change_percent": _round(line.change_percent, Decimal(1)),
                "monthly_volume": _round(line.row.monthly_volume),
                "in_house": cents(line.row.in_house) if complete else None,
                "quotes": [
                    {"quote_id": quote_line.quote.pk, "annual_cost": cents(cost)}
                    for quote_line, cost in zip(result.quotes, line.row.quotes, strict=True)
                ],
            }
            for line in result.sensitivity
        ],
        "factors": [
            {
                "factor": row.factor,
                "label": row.factor.label,
                "in_house": row.in_house,
                "quotes": [
                    {"quote_id": line.quote.pk, "score": score}
                    for line, score in zip(result.quotes, row.quotes, strict=True)
                ],
            }
            for row in result.factors
        ],
    }


def _summary(analysis: Analysis, result: report.Report) -> dict:
    return {
        "id": analysis.pk,
        "function_id": analysis.function_id,
        "function_name": analysis.function.name,
        "year": analysis.year,
        "volume_unit": analysis.volume_unit,
        "monthly_volume": analysis.monthly_volume,
        "notes": analysis.notes,
        "current": analysis.is_current,
        "decided": analysis.decision is not None,
        "in_house_annual_cost": cents(result.in_house.total) if result.complete else None,
        "version": analysis.version,
        "created_at": analysis.created_at,
        "archived_at": analysis.archived_at,
    }


def _analysis(request, analysis_id: int) -> Analysis:
    return get_for_org_or_404(selectors.analyses(request.org), request.org, pk=analysis_id)


def _analysis_out(request, analysis_id: int) -> dict:
    """The analysis with its options, its decision and its report, read afresh."""
    analysis = _analysis(request, analysis_id)
    result = report.for_analysis(analysis)
    return {
        **_summary(analysis, result),
        "in_house": analysis.in_house,
        "roles": list(analysis.roles.all()),
        "quotes": list(analysis.quotes.all()),
        "decision": analysis.decision,
        "report": _report(result),
    }


def _tier_rows(tiers) -> list[costing.TierRow]:
    return [costing.TierRow(t.from_units, t.to_units, t.unit_price) for t in tiers]


# --- Analyses ------------------------------------------------------------------------------------
@router.get(
    "/analyses",
    response={200: AnalysisPage, **ERRORS},
    tags=DECIDE,
    summary="Make-or-buy analyses, newest first (current and history)",
)
@api_access()
def list_analyses(request, filters: Query[AnalysisFilters]):
    analyses = selectors.analyses(request.org)
    if filters.function is not None:
        analyses = analyses.filter(function_id=filters.function)
    if filters.current is not None:
        analyses = analyses.filter(archived_at__isnull=filters.current)
    page = paginate(analyses, filters.page, filters.per_page)
    book = selectors.FigureBook()
    page["results"] = [_summary(a, report.for_analysis(a, book)) for a in page["results"]]
    return page


@router.post(
    "/functions/{function_id}/analyses",
    response={201: AnalysisOut, **ERRORS},
    tags=DECIDE,
    summary="Start an analysis of a function; its current analysis becomes history",
)
@api_access(Role.MANAGER)
def start_analysis(request, function_id: int, payload: AnalysisIn):
    function = get_for_org_or_404(BusinessFunction.objects, request.org, pk=function_id)
    analysis = services.start_analysis(
        function,
        actor=request.user,
        data=payload.dict(exclude={"copy_previous"}),
        copy_previous=payload.copy_previous,
    )
    return Status(201, _analysis_out(request, analysis.pk))


@router.get(
    "/analyses/{analysis_id}",
    response={200: AnalysisOut, **ERRORS},
    tags=DECIDE,
    summary="An analysis: its options, its decision and the comparison",
)
@api_access()
def get_analysis(request, analysis_id: int):
    return _analysis_out(request, analysis_id)


@router.patch(
    "/analyses/{analysis_id}",
    response={200: AnalysisOut, **ERRORS, 409: ErrorOut},
    tags=DECIDE,
    summary="Change the year, the volume or the notes (only the fields sent)",
)
@api_access(Role.MANAGER)
def update_analysis(request, analysis_id: int, payload: AnalysisPatch):
    services.update_analysis(
        _analysis(request, analysis_id),
        actor=request.user,
        data=payload.dict(exclude_unset=True, exclude={"version"}),
        expected_version=payload.version,
    )
    return _analysis_out(request, analysis_id)


@router.get(
    "/analyses/{analysis_id}/report",
    response={200: ReportOut, **ERRORS},
    tags=DECIDE,
    summary="The comparison: costs, savings, break-even, payback, hours freed, sensitivity",
)
@api_access()
def get_report(request, analysis_id: int):
    return _report(report.for_analysis(_analysis(request, analysis_id)))


@router.get(
    "/analyses/{analysis_id}/pdf",
    response=ERRORS,
    tags=DECIDE,
    url_name="analysis_pdf",
    summary="The printable report as a PDF, with the chart",
)
@api_access()
def analysis_pdf(request, analysis_id: int):
    analysis = _analysis(request, analysis_id)
    response = HttpResponse(
        printing.render_pdf(report.for_analysis(analysis)), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="{printing.pdf_filename(analysis)}"'
    return response


# --- The in-house option and its roles -----------------------------------------------------------
@router.patch(
    "/analyses/{analysis_id}/in-house",
    response={200: InHouseOut, **ERRORS},
    tags=DECIDE,
    summary="Change the in-house option (only the fields sent)",
)
@api_access(Role.MANAGER)
def update_in_house(request, analysis_id: int, payload: InHousePatch):
    return services.save_in_house(
        _analysis(request, analysis_id),
        actor=request.user,
        data=payload.dict(exclude_unset=True),
    )


@router.post(
    "/analyses/{analysis_id}/roles",
    response={201: RoleOut, **ERRORS},
    tags=DECIDE,
    summary="Add an in-house role",
)
@api_access(Role.MANAGER)
def add_role(request, analysis_id: int, payload: RoleIn):
    data = payload.dict()
    if data["benefits_load_percent"] is None:
        del data["benefits_load_percent"]  # the service gives the cited default
    role = services.add_role(_analysis(request, analysis_id), actor=request.user, data=data)
    return Status(201, role)


@router.patch(
    "/analyses/{analysis_id}/roles/{role_id}",
    response={200: RoleOut, **ERRORS},
    tags=DECIDE,
    summary="Change an in-house role (only the fields sent)",
)
@api_access(Role.MANAGER)
def update_role(request, analysis_id: int, role_id: int, payload: RolePatch):
    role = selectors.row_of(InHouseRole, _analysis(request, analysis_id), role_id)
    return services.update_role(role, actor=request.user, data=payload.dict(exclude_unset=True))


@router.delete(
    "/analyses/{analysis_id}/roles/{role_id}",
    response={204: None, **ERRORS},
    tags=DECIDE,
    summary="Remove an in-house role",
)
@api_access(Role.MANAGER)
def delete_role(request, analysis_id: int, role_id: int):
    services.delete_role(
        selectors.row_of(InHouseRole, _analysis(request, analysis_id), role_id), actor=request.user
    )
    return Status(204, None)


# --- Quotes --------------------------------------------------------------------------------------
def _quote_out(quote: Quote) -> Quote:
    return Quote.objects.select_related("provider").prefetch_related("tiers").get(pk=quote.pk)


@router.post(
    "/analyses/{analysis_id}/quotes",
    response={201: QuoteOut, **ERRORS},
    tags=DECIDE,
    summary="Add an outsourced quote",
)
@api_access(Role.MANAGER)
@fields_named(provider="provider_id")
def add_quote(request, analysis_id: int, payload: QuoteIn):
    quote = services.add_quote(
        _analysis(request, analysis_id),
        actor=request.user,
        data=payload.dict(exclude={"tiers"}),
        tiers=_tier_rows(payload.tiers),
    )
    return Status(201, _quote_out(quote))


@router.patch(
    "/analyses/{analysis_id}/quotes/{quote_id}",
    response={200: QuoteOut, **ERRORS},
    tags=DECIDE,
    summary="Change a quote (only the fields sent; the tiers only when sent)",
)
@api_access(Role.MANAGER)
@fields_named(provider="provider_id")
def update_quote(request, analysis_id: int, quote_id: int, payload: QuotePatch):
    quote = selectors.row_of(Quote, _analysis(request, analysis_id), quote_id)
    services.update_quote(
        quote,
        actor=request.user,
        data=payload.dict(exclude_unset=True, exclude={"tiers"}),
        tiers=None if payload.tiers is None else _tier_rows(payload.tiers),
    )
    return _quote_out(quote)


@router.delete(
    "/analyses/{analysis_id}/quotes/{quote_id}",
    response={204: None, **ERRORS},
    tags=DECIDE,
    summary="Remove a quote",
)
@api_access(Role.MANAGER)
def delete_quote(request, analysis_id: int, quote_id: int):
    services.delete_quote(
        selectors.row_of(Quote, _analysis(request, analysis_id), quote_id), actor=request.user
    )
    return Status(204, None)


# --- Decisions: the plan -------------------------------------------------------------------------
def _decisions(org):
    return Decision.objects.for_org(org).select_related("function", "provider", "decided_by")


@router.post(
    "/analyses/{analysis_id}/decision",
    response={201: DecisionOut, **ERRORS},
    tags=DECIDE,
    summary="Record the decision: the chosen option, why, and the plan it sets",
)
@api_access(Role.MANAGER)
@fields_named(chosen_quote="chosen_quote_id")
def record_decision(request, analysis_id: int, payload: DecisionIn):
    decision = services.record_decision(
        _analysis(request, analysis_id), actor=request.user, **payload.dict()
    )
    return Status(201, _decisions(request.org).get(pk=decision.pk))


@router.get(
    "/analyses/{analysis_id}/decision",
    response={200: DecisionOut, **ERRORS},
    tags=DECIDE,
    summary="The analysis's decision (404 while undecided)",
)
@api_access()
def get_decision(request, analysis_id: int):
    analysis = _analysis(request, analysis_id)
    return get_for_org_or_404(_decisions(request.org), request.org, analysis=analysis)


@router.get(
    "/decisions",
    response={200: DecisionPage, **ERRORS},
    tags=DECIDE,
    summary="Decisions, newest first: the plans that realised spend is compared against",
)
@api_access()
def list_decisions(request, filters: Query[DecisionFilters]):
    decisions = _decisions(request.org)
    if filters.function is not None:
        decisions = decisions.filter(function_id=filters.function)
    if filters.provider is not None:
        decisions = decisions.filter(provider_id=filters.provider)
    return paginate(decisions, filters.page, filters.per_page)


@router.get(
    "/decide/figures",
    response={200: DatedFiguresOut, **ERRORS},
    tags=DECIDE,
    summary="The dated payroll tax rates and benefits-load defaults, with their sources",
)
@api_access()
def dated_figures(request):
    return {
        "payroll_tax_rates": PayrollTaxRates.objects.all(),
        "benefits_load_defaults": BenefitsLoadDefault.objects.all(),
    }
