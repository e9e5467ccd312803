"""Classification assessments: list, create (the next version for a provider) and read one,
with the estimate for a chosen tax year."""

from django.core.exceptions import ValidationError
from ninja import Query, Status

from handoff.compliance import selectors, services
from handoff.compliance.api.routing import ERRORS, router
from handoff.compliance.api.schemas import (
    AssessmentDetailOut,
    AssessmentFilters,
    AssessmentIn,
    AssessmentPage,
)
from handoff.core.api import api_access, fields_named, paginate
from handoff.core.money import cents
from handoff.core.roles import Role
from handoff.core.tenancy import get_visible_or_404
from handoff.providers.models import Provider


def _summary(assessment) -> dict:
    reasons = selectors.staleness(assessment)
    return {
        "id": assessment.pk,
        "provider_id": assessment.provider_id,
        "provider_name": assessment.provider.name,
        "number": assessment.number,
        "created_at": assessment.created_at,
        "outcome": assessment.outcome,
        "federal_outcome": assessment.federal_outcome,
        "employee_weight": assessment.employee_weight,
        "contractor_weight": assessment.contractor_weight,
        "stale": bool(reasons),
        "stale_reasons": reasons,
        "engagements": list(assessment.engagement_links.all()),
        "annual_payments": assessment.annual_payments,
        "payments_basis": assessment.payments_basis,
        "notes": assessment.notes,
    }


def _detail(principal, assessment, tax_year: int | None = None) -> dict:
    view = selectors.view_of(principal, assessment, tax_year=tax_year)
    result = view.result
    exposures = [e for e in (view.exposure_filed, view.exposure_not_filed) if e is not None]
    return _summary(assessment) | {
        "toward_employee": list(result.toward_employee),
        "toward_contractor": list(result.toward_contractor),
        "unanswered": list(result.unanswered),
        "states": [
            {
                "state": s.test.state,
                "name": s.test.name,
                "outcome": s.outcome,
                "unmet": [p.key for p in s.unmet],
                "unanswered": [p.key for p in s.unanswered],
                "exemption": s.exemption.key if s.exemption else None,
            }
            for s in result.states
        ],
        "next_steps": list(result.next_steps),
        "exposure": [
            {
                "filed_1099": e.filed_1099,
                "wages": e.wages,
                "total": cents(e.total),
                "lines": [
                    {
                        "label": x.label,
                        "amount": cents(x.amount),
                        "formula": x.formula,
                        "source": x.source,
                    }
                    for x in e.lines
                ],
            }
            for e in exposures
        ],
        "tax_year": view.tax_year,
        "figures_year": view.figures_year,
        "figures_note": view.figures_note,
        "rule_set_id": assessment.rule_set_id,
    }


@router.get("/compliance/assessments", response={200: AssessmentPage, **ERRORS})
@api_access()
def list_assessments(request, filters: Query[AssessmentFilters]):
    rows = selectors.assessments(request.principal).order_by("-created_at", "-id")
    if filters.provider is not None:
        rows = rows.filter(provider_id=filters.provider)
    page = paginate(rows, filters.page, filters.per_page)
    page["results"] = [_summary(row) for row in page["results"]]
    return page


@router.post(
    "/compliance/assessments",
    response={201: AssessmentDetailOut, **ERRORS},
    summary="Assess a provider's status (the next version for that provider)",
)
@api_access(Role.MANAGER)
@fields_named(engagements="engagement_ids")
def create_assessment(request, payload: AssessmentIn):
    provider = Provider.objects.visible_to(request.principal).filter(pk=payload.provider_id).first()
    if provider is None:
        raise ValidationError({"provider_id": "Choose a provider of this organization."})
    assessment = services.create_assessment(
        request.principal,
        provider,
        answers={key: value.dict() for key, value in payload.answers.items()},
        state_answers={key: value.dict() for key, value in payload.state_answers.items()},
        engagement_ids=payload.engagement_ids,
        annual_payments=payload.annual_payments,
        notes=payload.notes,
    )
    return Status(201, _detail(request.principal, _assessment(request, assessment.pk)))


def _assessment(request, pk):
    return get_visible_or_404(selectors.assessments(request.principal), request.principal, pk=pk)


@router.get(
    "/compliance/assessments/{assessment_id}", response={200: AssessmentDetailOut, **ERRORS}
)
@api_access()
def get_assessment(request, assessment_id: int, tax_year: str | None = None):
    """``tax_year``: the year of the reclassification estimate (the assessment's own year by
    default); a year with no figures entered uses the nearest year's, named in
    ``figures_note``. A year outside the allowed range answers 422 with the field."""
    assessment = _assessment(request, assessment_id)
    year = None if tax_year in (None, "") else selectors.check_tax_year(tax_year)
    return _detail(request.principal, assessment, tax_year=year)
