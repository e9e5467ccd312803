"""An engagement as the provider's contact sees it in the portal (contacts' tokens only, under
``/api/v1/portal/``): the work, service levels and who to contact, the price only where the
organization shows it — what ``engagements/detail.html`` shows them."""

from datetime import date

from ninja import Field, Router, Schema

from handoff.accounts import portal
from handoff.accounts.auth import TokenAuth
from handoff.core.api import ErrorOut, api_access
from handoff.core.tenancy import get_visible_or_404
from handoff.engagements.choices import EngagementStatus, Severity
from handoff.engagements.models import Engagement

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}

router = Router(tags=["provider portal"], auth=TokenAuth(providers=True))


class PersonOut(Schema):
    name: str
    email: str


class PortalServiceLevelOut(Schema):
    task_kind: str
    turnaround: str


class PortalResponseTargetOut(Schema):
    severity: Severity
    target: str


class LadderRungOut(Schema):
    level: int
    ours: str
    theirs: str
    after: str


class PortalEngagementOut(Schema):
    id: int
    title: str
    status: EngagementStatus
    scope: str
    start_date: date
    end_date: date | None
    price: dict | None = Field(
        None, description="Only when the organization shows prices in the portal."
    )
    our_point_person: PersonOut | None
    their_point_person: str | None
    issue_contact: str | None
    service_levels: list[PortalServiceLevelOut]
    response_targets: list[PortalResponseTargetOut]
    workflow: list[str]
    escalation_ladder: list[LadderRungOut]


def _portal_engagement(engagement, show_prices: bool) -> dict:
    plan = getattr(engagement, "communication_plan", None)
    ours = plan.our_point_person if plan else None
    return {
        "id": engagement.pk,
        "title": engagement.title,
        "status": engagement.status,
        "scope": engagement.scope,
        "start_date": engagement.start_date,
        "end_date": engagement.end_date,
        "price": {
            "pricing_model": engagement.pricing_model,
            "amount": str(engagement.amount),
            "billing_period": engagement.billing_period,
            "unit_name": engagement.unit_name,
        }
        if show_prices
        else None,
        "our_point_person": {"name": ours.name, "email": ours.email} if ours else None,
        "their_point_person": plan.their_point_person.name
        if plan and plan.their_point_person
        else None,
        "issue_contact": plan.issue_contact.name if plan and plan.issue_contact else None,
        "service_levels": [
            {"task_kind": sl.task_kind, "turnaround": sl.turnaround_display}
            for sl in engagement.service_levels.all()
        ],
        "response_targets": [
            {"severity": t.severity, "target": t.target_display}
            for t in engagement.response_targets.all()
        ],
        "workflow": [step.sentence for step in engagement.workflow_steps.all()],
        "escalation_ladder": [
            {
                "level": rung.level,
                "ours": rung.our_person.name,
                "theirs": rung.their_contact.name,
                "after": rung.target_display,
            }
            for rung in engagement.escalation_levels.select_related("our_person", "their_contact")
        ],
    }


def _portal_engagements(principal):
    return Engagement.objects.visible_to(principal).select_related(
        "communication_plan__our_point_person",
        "communication_plan__their_point_person",
        "communication_plan__issue_contact",
    )


@router.get("/engagements", response={200: list[PortalEngagementOut], **ERRORS})
@api_access(providers=True)
def portal_engagements(request):
    show = portal.settings_for(request.portal_org).show_prices
    engagements = _portal_engagements(request.principal).order_by("title")
    return [_portal_engagement(e, show) for e in engagements]


@router.get("/engagements/{engagement_id}", response={200: PortalEngagementOut, **ERRORS})
@api_access(providers=True)
def portal_engagement(request, engagement_id: int):
    engagement = get_visible_or_404(
        _portal_engagements(request.principal), request.principal, pk=engagement_id
    )
    return _portal_engagement(engagement, portal.settings_for(request.portal_org).show_prices)
