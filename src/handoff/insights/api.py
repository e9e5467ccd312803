from ninja import Router, Schema

from handoff.core.api import ErrorOut
from handoff.core.tenancy import get_for_org_or_404
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
def provider_reputation(request, provider_id: int):
    provider = get_for_org_or_404(Provider.objects, request.org, pk=provider_id)
    evidence = evidence_for(request.org, [provider.pk])[provider.pk]
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
