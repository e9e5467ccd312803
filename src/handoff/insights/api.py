from datetime import datetime
from decimal import Decimal

from ninja import Field, Router, Schema, Status

from handoff.core.api import ErrorOut, api_access, fields_named
from handoff.core.money import cents
from handoff.core.roles import Role
from handoff.core.tenancy import get_visible_or_404
from handoff.decisions import services as decisions
from handoff.decisions.models import BusinessFunction, ShortlistCandidate
from handoff.insights import shortlist as shortlists
from handoff.insights.reputation import estimate
from handoff.insights.selectors import evidence_for
from handoff.providers.models import Provider

router = Router(tags=["reputation"])


class ReputationOut(Schema):
    score: float | None
    low: float | None
    high: float | None
    confidence: str | None
    reference_checks: int
    deliveries: int
    summary: str


@router.get(
    "/providers/{provider_id}/reputation",
    response={200: ReputationOut, 401: ErrorOut, 404: ErrorOut},
    summary="Reputation on the 1–5 scale with its 90% interval",
)
@api_access()
def provider_reputation(request, provider_id: int):
    provider = get_visible_or_404(Provider.objects, request.principal, pk=provider_id)
    evidence = evidence_for(request.principal, [provider.pk])[provider.pk]
    reputation = estimate(evidence)
    deliveries = evidence.on_time + evidence.late
    if reputation is None:
        return {
            "score": None,
            "low": None,
            "high": None,
            "confidence": None,
            "reference_checks": 0,
            "deliveries": deliveries,
            "summary": "Not enough information: no reference checks or deliveries yet.",
        }
    return {
        "score": round(reputation.score, 2),
        "low": round(reputation.low, 2),
        "high": round(reputation.high, 2),
        "confidence": reputation.confidence,
        "reference_checks": len(evidence.reference_checks),
        "deliveries": deliveries,
        "summary": f"{reputation.score:.1f} out of 5, likely between {reputation.low:.1f} and "
        f"{reputation.high:.1f} ({reputation.confidence} confidence).",
    }


ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class CandidateOut(Schema):
    id: int
    provider_id: int
    provider_name: str
    note: str
    chosen_at: datetime | None
    quoted_annual_cost: Decimal | None = Field(description="The cheapest current quote, a year.")
    reputation: float | None
    reputation_low: float | None
    reputation_high: float | None
    references: int
    references_checked: int
    due_diligence_done: int
    due_diligence_total: int
    due_diligence_expired: int
    due_diligence_complete: bool
    fields: list[str]


def _row_out(row) -> dict:
    reputation = row.reputation
    return {
        "id": row.candidate.pk,
        "provider_id": row.provider.pk,
        "provider_name": row.provider.name,
        "note": row.candidate.note,
        "chosen_at": row.candidate.chosen_at,
        "quoted_annual_cost": cents(row.annual_cost),
        "reputation": reputation and round(reputation.score, 2),
        "reputation_low": reputation and round(reputation.low, 2),
        "reputation_high": reputation and round(reputation.high, 2),
        "references": row.references,
        "references_checked": row.references_checked,
        "due_diligence_done": row.due_diligence_done,
        "due_diligence_total": row.due_diligence_total,
        "due_diligence_expired": row.due_diligence_expired,
        "due_diligence_complete": row.due_diligence_complete,
        "fields": [field.name for field in row.provider.fields.all()],
    }


class CandidateIn(Schema):
    provider_id: int
    note: str = ""


class ChosenOut(Schema):
    candidate_id: int
    engagement_id: int
    detail: str


def _function(request, function_id):
    return get_visible_or_404(BusinessFunction.objects, request.principal, pk=function_id)


@router.get(
    "/functions/{function_id}/shortlist",
    response={200: list[CandidateOut], **ERRORS},
    summary="Candidates side by side, best record first",
)
@api_access()
def list_shortlist(request, function_id: int):
    return [
        _row_out(row)
        for row in shortlists.comparison(request.principal, _function(request, function_id))
    ]


@router.post("/functions/{function_id}/shortlist", response={201: list[CandidateOut], **ERRORS})
@api_access(Role.MANAGER)
@fields_named(provider="provider_id")
def add_to_shortlist(request, function_id: int, payload: CandidateIn):
    function = _function(request, function_id)
    decisions.add_candidate(
        request.principal, function, provider_id=payload.provider_id, note=payload.note
    )
    return Status(
        201, [_row_out(row) for row in shortlists.comparison(request.principal, function)]
    )


@router.delete("/functions/{function_id}/shortlist/{candidate_id}", response={204: None, **ERRORS})
@api_access(Role.MANAGER)
def remove_from_shortlist(request, function_id: int, candidate_id: int):
    candidate = get_visible_or_404(
        ShortlistCandidate.objects.filter(function_id=function_id),
        request.principal,
        pk=candidate_id,
    )
    decisions.remove_candidate(request.principal, candidate)
    return Status(204, None)


@router.post(
    "/functions/{function_id}/shortlist/{candidate_id}/choose",
    response={201: ChosenOut, **ERRORS},
    summary="Choose a candidate: records the choice and drafts the engagement",
)
@api_access(Role.MANAGER)
def choose_candidate(request, function_id: int, candidate_id: int):
    candidate = get_visible_or_404(
        ShortlistCandidate.objects.filter(function_id=function_id).select_related(
            "provider", "function"
        ),
        request.principal,
        pk=candidate_id,
    )
    engagement = shortlists.choose(request.principal, candidate)
    return Status(
        201,
        {
            "candidate_id": candidate.pk,
            "engagement_id": engagement.pk,
            "detail": f"Drafted engagement {engagement.title}.",
        },
    )
