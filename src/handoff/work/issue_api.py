"""Issues as JSON: list, raise, read, respond — for members (reading for viewers, writing for
members) and for provider contacts alike, each seeing what ``Issue.objects.visible_to`` allows
(a contact: their provider's engagements) and writing as their side; resolve and reopen are
the organization's (manager)."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from handoff.core.api import ErrorOut, api_access, paginate
from handoff.core.roles import Role
from handoff.core.tenancy import get_visible_or_404
from handoff.engagements.choices import Severity
from handoff.engagements.models import Engagement
from handoff.work import issues, selectors
from handoff.work.choices import IssueStatus, Side
from handoff.work.issue_views import VIEWS
from handoff.work.models import Issue, IssueEvent, Task

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}

router = Router(tags=["issues"])


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
    def resolve_events(issue, context):
        return issues.timeline(context["request"].principal, issue)


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
@router.get("/issues", response={200: IssuePage, **ERRORS}, summary="List issues")
@api_access(providers=True)
def list_issues(request, filters: Query[IssueFilters]):
    _check_view(filters.view)
    rows = selectors.issue_list(request.auth, filters.dict(), timezone.now())
    return paginate(rows, filters.page, filters.per_page)


@router.post("/issues", response={201: IssueDetailOut, **ERRORS}, summary="Raise an issue")
@api_access(Role.MEMBER, providers=True)
def raise_issue(request, payload: IssueIn):
    principal = request.auth
    engagement = get_visible_or_404(Engagement.objects, principal, pk=payload.engagement_id)
    if (
        payload.task_id is not None
        and not Task.objects.visible_to(principal).filter(pk=payload.task_id).exists()
    ):
        raise ValidationError({"task_id": "Choose a task of this engagement."})
    issue = issues.raise_issue(principal, engagement, data=payload.dict())
    return Status(201, _visible_issue(request, issue.pk))


@router.get("/issues/{issue_id}", response={200: IssueDetailOut, **ERRORS})
@api_access(providers=True)
def get_issue(request, issue_id: int):
    return _visible_issue(request, issue_id)


@router.post(
    "/issues/{issue_id}/respond",
    response={200: IssueDetailOut, **ERRORS},
    summary="Add a message (the first one from the side it was sent to answers it)",
)
@api_access(Role.MEMBER, providers=True)
def respond_issue(request, issue_id: int, payload: MessageIn):
    issue = _visible_issue(request, issue_id)
    issues.respond(request.principal, issue, body=payload.body)
    return _visible_issue(request, issue_id)


@router.post("/issues/{issue_id}/resolve", response={200: IssueDetailOut, **ERRORS})
@api_access(Role.MANAGER)
def resolve_issue(request, issue_id: int, payload: ResolveIn):
    issues.resolve(request.principal, _visible_issue(request, issue_id), note=payload.note)
    return _visible_issue(request, issue_id)


@router.post("/issues/{issue_id}/reopen", response={200: IssueDetailOut, **ERRORS})
@api_access(Role.MANAGER)
def reopen_issue(request, issue_id: int, payload: ReopenIn):
    issues.reopen(request.principal, _visible_issue(request, issue_id), reason=payload.reason)
    return _visible_issue(request, issue_id)
