"""Issues, portal access and the provider portal's own as JSON: the same services as the pages.

Three routers:

- ``issues_router``: issues list, raise, read, respond — for members (reading for viewers,
  writing for members) and for provider contacts alike, each seeing what
  ``Issue.objects.visible_to`` allows (a contact: their provider's engagements) and writing
  as their side; resolve and reopen are the organization's (manager).
- ``access_router`` (members' tokens): portal invitations and revocations (manager), portal
  settings (admin).
- ``portal_router`` (contacts' tokens only, under ``/portal/``): what is genuinely the
  provider's own view, their engagements with the terms the portal shows. Tasks and issues are
  the members' endpoints (``work.api`` and ``issues_router``) with a contact's token.
"""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from handoff.accounts import portal
from handoff.accounts.auth import TokenAuth
from handoff.accounts.models import PortalAccess
from handoff.core.api import ErrorOut, api_access, paginate
from handoff.core.roles import Role
from handoff.core.tenancy import get_for_org_or_404, get_visible_or_404
from handoff.engagements.choices import EngagementStatus, Severity
from handoff.engagements.models import Engagement, EscalationLevel
from handoff.providers.models import Contact
from handoff.work import issues, selectors
from handoff.work.choices import IssueStatus, Side
from handoff.work.issue_views import VIEWS
from handoff.work.models import Issue, IssueEvent, Task

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}

issues_router = Router(tags=["issues"])
access_router = Router(tags=["provider portal access"])


# --- Portal tokens ----------------------------------------------------------------------------
portal_router = Router(tags=["provider portal"], auth=TokenAuth(providers=True))


# --- Schemas: issues --------------------------------------------------------------------------
class IssueOut(Schema):
    id: int
    engagement_id: int
    engagement_title: str = Field(alias="engagement.title")
    provider_id: int = Field(alias="engagement.provider_id")
    provider_name: str = Field(alias="engagement.provider.name")
    task_id: int | None
    title: str
    description: str
    severity: Severity
    status: IssueStatus
    overdue: bool = Field(description="Waiting for a first response past respond_by.")
    raised_side: Side
    raised_by: str | None
    level: int = Field(description="0: the issue contact; 1 and up: the escalation ladder.")
    respond_by: datetime | None = Field(description="None: no response target, no climbing.")
    raised_at: datetime
    first_response_at: datetime | None
    escalated_at: datetime | None
    resolved_at: datetime | None
    resolution: str

    @staticmethod
    def resolve_overdue(issue):
        return issues.is_overdue(issue)

    @staticmethod
    def resolve_raised_by(issue):
        return str(issue.raised_by) if issue.raised_by else None


class IssueEventOut(Schema):
    kind: IssueEvent.Kind
    side: str
    author: str | None
    body: str
    level: int | None
    at: datetime

    @staticmethod
    def resolve_author(event):
        return str(event.author) if event.author else None


class IssueDetailOut(IssueOut):
    events: list[IssueEventOut]

    @staticmethod
    def resolve_events(issue):
        return issues.timeline(issue)


class IssuePage(Schema):
    count: int
    page: int
    per_page: int
    results: list[IssueOut]


class IssueFilters(Schema):
    view: str = Field("open", description=f"One of: {', '.join(VIEWS)}.")
    provider: int | None = None
    engagement: int | None = None
    severity: Severity | None = None
    raised_from: date | None = Field(None, description="Raised on or after this day (local).")
    raised_to: date | None = Field(None, description="Raised on or before this day (local).")
    page: int = 1
    per_page: int = 50


class IssueIn(Schema):
    engagement_id: int
    task_id: int | None = None
    title: str
    description: str = ""
    severity: Severity = Severity.NORMAL


class MessageIn(Schema):
    body: str


class ResolveIn(Schema):
    note: str


class ReopenIn(Schema):
    reason: str


def _issue_rows(queryset):
    return issues.with_routing(queryset).order_by("-raised_at", "-id")


def _check_view(view: str) -> None:
    if view not in VIEWS:
        raise ValidationError({"view": f"Choose one of: {', '.join(VIEWS)}."})


def _visible_issue(request, issue_id):
    return get_visible_or_404(_issue_rows(Issue.objects), request.auth, pk=issue_id)


# --- Endpoints: issues (a member's token, or a provider contact's: their provider's only) ----
@issues_router.get("/issues", response={200: IssuePage, **ERRORS}, summary="List issues")
@api_access(providers=True)
def list_issues(request, filters: Query[IssueFilters]):
    _check_view(filters.view)
    rows = selectors.issue_list(request.auth, filters.dict(), timezone.now())
    return paginate(rows, filters.page, filters.per_page)


@issues_router.post("/issues", response={201: IssueDetailOut, **ERRORS}, summary="Raise an issue")
@api_access(Role.MEMBER, providers=True)
def raise_issue(request, payload: IssueIn):
    principal = request.auth
    engagement = get_visible_or_404(Engagement.objects, principal, pk=payload.engagement_id)
    if (
        payload.task_id is not None
        and not Task.objects.visible_to(principal).filter(pk=payload.task_id).exists()
    ):
        raise ValidationError({"task_id": "Choose a task of this engagement."})
    issue = issues.raise_issue(
        engagement, actor=request.user, side=principal.side, data=payload.dict()
    )
    return Status(201, _visible_issue(request, issue.pk))


@issues_router.get("/issues/{issue_id}", response={200: IssueDetailOut, **ERRORS})
@api_access(providers=True)
def get_issue(request, issue_id: int):
    return _visible_issue(request, issue_id)


@issues_router.post(
    "/issues/{issue_id}/respond",
    response={200: IssueDetailOut, **ERRORS},
    summary="Add a message (the first one from the side it was sent to answers it)",
)
@api_access(Role.MEMBER, providers=True)
def respond_issue(request, issue_id: int, payload: MessageIn):
    issue = _visible_issue(request, issue_id)
    issues.respond(issue, actor=request.user, side=request.auth.side, body=payload.body)
    return _visible_issue(request, issue_id)


@issues_router.post("/issues/{issue_id}/resolve", response={200: IssueDetailOut, **ERRORS})
@api_access(Role.MANAGER)
def resolve_issue(request, issue_id: int, payload: ResolveIn):
    issues.resolve(
        _visible_issue(request, issue_id), actor=request.user, side=Side.US, note=payload.note
    )
    return _visible_issue(request, issue_id)


@issues_router.post("/issues/{issue_id}/reopen", response={200: IssueDetailOut, **ERRORS})
@api_access(Role.MANAGER)
def reopen_issue(request, issue_id: int, payload: ReopenIn):
    issues.reopen(
        _visible_issue(request, issue_id), actor=request.user, side=Side.US, reason=payload.reason
    )
    return _visible_issue(request, issue_id)


# --- Endpoints: portal access and settings (organization tokens) ------------------------------
class PortalAccessOut(Schema):
    id: int
    contact_id: int
    contact_name: str = Field(alias="contact.name")
    contact_email: str = Field(alias="contact.email")
    provider_id: int = Field(alias="contact.provider_id")
    provider_name: str = Field(alias="contact.provider.name")
    state: str = Field(description="invited, active, expired or revoked.")
    invited_at: datetime
    expires_at: datetime
    accepted_at: datetime | None
    revoked_at: datetime | None


class InvitationOut(PortalAccessOut):
    invitation_url: str = Field(description="The link sent by e-mail; shown this once.")


class InviteIn(Schema):
    contact_id: int


class PortalSettingsOut(Schema):
    show_prices: bool


def _accesses(org):
    return PortalAccess.objects.for_org(org).select_related("contact__provider")


@access_router.get("/portal-access", response={200: list[PortalAccessOut], **ERRORS})
@api_access()
def list_portal_access(request):
    return list(_accesses(request.org))


@access_router.post(
    "/portal-access",
    response={201: InvitationOut, **ERRORS},
    summary="Invite a provider contact to the portal (replaces a pending invitation)",
)
@api_access(Role.MANAGER)
def invite_to_portal(request, payload: InviteIn):
    contact = get_for_org_or_404(Contact.objects, request.org, pk=payload.contact_id)
    try:
        access, raw = portal.invite(request.principal, contact)
    except ValidationError as error:
        raise ValidationError({"contact_id": error.messages}) from None
    access = _accesses(request.org).get(pk=access.pk)
    access.invitation_url = portal.invitation_url(raw)
    return Status(201, access)


@access_router.post("/portal-access/{access_id}/revoke", response={200: PortalAccessOut, **ERRORS})
@api_access(Role.MANAGER)
def revoke_portal_access(request, access_id: int):
    access = get_for_org_or_404(PortalAccess.objects, request.org, pk=access_id)
    portal.revoke(request.principal, access)
    return _accesses(request.org).get(pk=access.pk)


@access_router.get("/portal-settings", response={200: PortalSettingsOut, **ERRORS})
@api_access(Role.ADMIN)
def get_portal_settings(request):
    return portal.settings_for(request.org)


@access_router.put("/portal-settings", response={200: PortalSettingsOut, **ERRORS})
@api_access(Role.ADMIN)
def put_portal_settings(request, payload: PortalSettingsOut):
    return portal.update_settings(request.principal, show_prices=payload.show_prices)


# --- Schemas: the portal ----------------------------------------------------------------------
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
            for rung in EscalationLevel.objects.for_org(engagement.organization_id)
            .filter(engagement=engagement)
            .select_related("our_person", "their_contact")
        ],
    }


# --- Endpoints: the portal (portal tokens) ----------------------------------------------------
def _portal_engagements(request):
    return Engagement.objects.visible_to(request.principal).select_related(
        "communication_plan__our_point_person",
        "communication_plan__their_point_person",
        "communication_plan__issue_contact",
    )


@portal_router.get("/engagements", response={200: list[PortalEngagementOut], **ERRORS})
@api_access(providers=True)
def portal_engagements(request):
    show = portal.settings_for(request.portal_org).show_prices
    return [_portal_engagement(e, show) for e in _portal_engagements(request).order_by("title")]


@portal_router.get("/engagements/{engagement_id}", response={200: PortalEngagementOut, **ERRORS})
@api_access(providers=True)
def portal_engagement(request, engagement_id: int):
    engagement = get_for_org_or_404(
        _portal_engagements(request), request.portal_org, pk=engagement_id
    )
    return _portal_engagement(engagement, portal.settings_for(request.portal_org).show_prices)
