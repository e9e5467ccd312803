"""Shaping an analysis and its report for the API.

Figures are rounded once, here, as they are sent: money to cents, hours, volumes and months to
hundredths, percents to tenths.
"""

from decimal import ROUND_HALF_UP, Decimal

from handoff.core.money import cents
from handoff.core.tenancy import get_visible_or_404
from handoff.decisions import costing, report, selectors
from handoff.decisions.models import Analysis

HUNDREDTH = Decimal("0.01")
TENTH = Decimal("0.1")


def _round(value: Decimal | None, step: Decimal = HUNDREDTH) -> Decimal | None:
    return None if value is None else value.quantize(step, rounding=ROUND_HALF_UP)


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
    return get_visible_or_404(
        selectors.analyses(request.principal), request.principal, pk=analysis_id
    )


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
