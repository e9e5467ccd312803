"""Issues and escalations: raising, answering, resolving and reopening an issue, and the sweep
that climbs the escalation ladder when a response target passes.

Routing follows the engagement's communication plan. An issue raised by our side goes to their
issue contact (in the portal when they have a login, else by e-mail); one raised by the
provider goes to our point person. Either way the response target for the issue's severity
sets ``respond_by``; no target, no clock and no climbing.

The first message from the side the issue was routed to is its first response: it stops the
clock for good. While nobody answers, :func:`escalate_overdue` climbs one rung of the ladder
each time ``respond_by`` passes: that rung's people are told, and the rung's own allowance
(``amount`` + ``unit``) sets the next ``respond_by``. At the top of the ladder the issue stays
overdue, and says so, but climbs no further.

Only our side resolves or reopens (manager and up): the provider proposes a resolution by
writing in the thread. Raised, first-response, escalation and resolution times are all kept
for the scorecards.
"""

import zoneinfo
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from handoff.accounts.portal import contact_for, portal_user_for
from handoff.core import audit
from handoff.core.principal import Principal
from handoff.core.roles import Role
from handoff.engagements import calendar
from handoff.engagements.choices import EngagementStatus, Severity
from handoff.engagements.models import Engagement, EscalationLevel, ResponseTarget
from handoff.engagements.services import holiday_dates
from handoff.notifications.events import Event
from handoff.notifications.services import notify
from handoff.notifications.sweeps import sweep
from handoff.work.choices import IssueStatus, Side
from handoff.work.models import Issue, IssueEvent, Task

Kind = IssueEvent.Kind


# --- Reads shared by pages, the API and the portal --------------------------------------------
def routed_side(issue: Issue) -> str:
    """The side expected to answer: the other one."""
    return Side.US if issue.raised_side == Side.PROVIDER else Side.PROVIDER


def is_overdue(issue: Issue, now: datetime | None = None) -> bool:
    """Waiting for a first response past its ``respond_by``."""
    return (
        issue.status == IssueStatus.OPEN
        and issue.first_response_at is None
        and issue.respond_by is not None
        and issue.respond_by < (now or timezone.now())
    )


def overdue_q(now: datetime) -> Q:
    return Q(status=IssueStatus.OPEN, first_response_at__isnull=True, respond_by__lt=now)


def with_routing(queryset):
    """Everything a list row or the detail page shows, in the same few queries."""
    return queryset.select_related(
        "organization",
        "engagement__provider",
        "engagement__communication_plan__our_point_person",
        "engagement__communication_plan__issue_contact",
        "task",
        "raised_by",
        "first_response_by",
        "resolved_by",
    )


def ladder(principal: Principal, engagement: Engagement) -> list[EscalationLevel]:
    return list(
        EscalationLevel.objects.visible_to(principal)
        .filter(engagement=engagement)
        .select_related("our_person", "their_contact")
        .order_by("level")
    )


def timeline(principal: Principal, issue: Issue) -> list[IssueEvent]:
    return list(
        IssueEvent.objects.visible_to(principal)
        .filter(issue=issue)
        .select_related("author")
        .order_by("at", "id")
    )


# --- Helpers ----------------------------------------------------------------------------------
def _zone(org) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(org.time_zone)


def _deadline(principal: Principal, start: datetime, allowance, holidays=None) -> datetime | None:
    if allowance is None:
        return None
    if holidays is None:
        holidays = holiday_dates(principal)
    zone = _zone(principal.organization)
    return calendar.deadline(start, allowance.amount, allowance.unit, zone, holidays)


def response_target(
    principal: Principal, engagement: Engagement, severity: str
) -> ResponseTarget | None:
    return (
        ResponseTarget.objects.visible_to(principal)
        .filter(engagement=engagement, severity=severity)
        .first()
    )


def _urls(issue: Issue) -> tuple[str, str]:
    return issue.get_absolute_url(), issue.get_portal_url()


def _tell(issue: Issue, event: str, subject: str, body: str, *, users=(), contacts=(), key, actor):
    """Notify our people (``users``) with the app's link and provider ``contacts`` in the
    portal when they have a login, else by e-mail. Idempotent by ``key``."""
    internal_url, portal_url = _urls(issue)
    portal_users, emails = [], []
    for contact in contacts:
        if contact is None:
            continue
        login = portal_user_for(contact)
        if login is not None:
            portal_users.append(login)
        elif contact.email:
            emails.append(contact.email)
    common = {
        "organization": issue.organization,
        "event": event,
        "subject": subject,
        "body": body,
        "key": key,
        "actor": actor,
    }
    members = [user for user in users if user is not None]
    if members:
        notify(users=members, url=internal_url, **common)
    if portal_users:
        notify(users=portal_users, url=portal_url, **common)
    if emails:
        notify(emails=emails, **common)


def _recipients(issue: Issue) -> tuple[list, list]:
    """Whom an issue was routed to: (our users, their contacts)."""
    plan = getattr(issue.engagement, "communication_plan", None)
    if plan is None:
        return [], []
    if issue.raised_side == Side.US:
        return [], [plan.issue_contact]
    return [plan.our_point_person], []


def _when(moment: datetime | None, org) -> str:
    if moment is None:
        return ""
    return f"{timezone.localtime(moment, _zone(org)):%b %-d, %Y %-I:%M %p} ({org.time_zone})"


def _clean_body(body: str, field: str, what: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({field: f"Write {what}."})
    if len(body) > 10_000:
        raise ValidationError({field: "Keep it under 10,000 characters."})
    return body


# --- Services ---------------------------------------------------------------------------------
@transaction.atomic
def raise_issue(principal: Principal, engagement: Engagement, *, data: dict) -> Issue:
    """Raise an issue on ``engagement`` (or one of its tasks: ``data["task_id"]``) for the
    principal's side, route it and start its response clock. ``data``: title, description,
    severity, task_id."""
    org = engagement.organization
    principal.require_in(
        engagement.organization_id,
        Role.MEMBER,
        "Raising an issue",
        or_provider=engagement.provider_id,
    )
    actor, side = principal.user, principal.side
    if engagement.status == EngagementStatus.DRAFT:
        raise ValidationError(
            "This engagement is still a draft; issues are raised on agreed engagements."
        )
    task = None
    task_id = data.get("task_id") or data.get("task")
    if isinstance(task_id, Task):
        task_id = task_id.pk
    if task_id not in (None, ""):
        task = (
            Task.objects.visible_to(principal)
            .filter(engagement=engagement, pk=int(task_id) if str(task_id).isdigit() else -1)
            .first()
        )
        if task is None:
            raise ValidationError({"task_id": "Choose a task of this engagement."})
    severity = data.get("severity") or Severity.NORMAL
    if severity not in Severity.values:
        raise ValidationError({"severity": f"Choose one of: {', '.join(Severity.values)}."})
    now = timezone.now()
    issue = Issue(
        organization=org,
        engagement=engagement,
        task=task,
        title=" ".join((data.get("title") or "").split()),
        description=(data.get("description") or "").strip(),
        severity=severity,
        status=IssueStatus.OPEN,
        raised_by=actor,
        raised_side=side,
        level=0,
        raised_at=now,
        respond_by=_deadline(principal, now, response_target(principal, engagement, severity)),
    )
    issue.full_clean()
    issue.save()
    IssueEvent.objects.create(
        organization=org,
        issue=issue,
        kind=Kind.RAISED,
        author=actor,
        side=side,
        body=issue.description,
        level=0,
        at=now,
    )
    audit.record(org, actor, "issue.raised", issue, f"Raised issue {issue.title}")
    issue = with_routing(Issue.objects.visible_to(principal)).get(pk=issue.pk)
    users, contacts = _recipients(issue)
    who = "us" if side == Side.US else engagement.provider.name
    deadline = (
        f"Please respond by {_when(issue.respond_by, org)}."
        if issue.respond_by
        else "No response target is set for this severity."
    )
    on = f" on task “{task.title}”" if task else ""
    _tell(
        issue,
        Event.ISSUE_RAISED,
        f"{issue.get_severity_display()} issue{on}: {issue.title}",
        f"{actor} raised it for {who} on “{engagement.title}”.\n\n"
        f"{issue.description}\n\n{deadline}",
        users=users,
        contacts=contacts,
        key=f"issue:{issue.pk}:raised",
        actor=actor,
    )
    return issue


def _locked(principal: Principal, issue: Issue) -> Issue:
    return (
        Issue.objects.visible_to(principal)
        .select_for_update()
        .select_related("organization", "engagement")
        .get(pk=issue.pk)
    )


@transaction.atomic
def respond(principal: Principal, issue: Issue, *, body: str) -> IssueEvent:
    """Add a message to the thread from the principal's side. The first one from the side the
    issue was routed to is the first response: it is recorded once and stops the escalation
    clock."""
    body = _clean_body(body, "body", "a message")
    issue = _locked(principal, issue)
    principal.require_in(
        issue.engagement.organization_id,
        Role.MEMBER,
        "Answering an issue",
        or_provider=issue.engagement.provider_id,
    )
    actor, side = principal.user, principal.side
    if issue.status == IssueStatus.RESOLVED:
        raise ValidationError("This issue is resolved; reopen it, or raise a new one, to continue.")
    now = timezone.now()
    event = IssueEvent.objects.create(
        organization=issue.organization,
        issue=issue,
        kind=Kind.MESSAGE,
        author=actor,
        side=side,
        body=body,
        level=issue.level,
        at=now,
    )
    if side == routed_side(issue) and issue.first_response_at is None:
        issue.first_response_at = now
        issue.first_response_by = actor
        issue.status = IssueStatus.RESPONDED
        issue.save(update_fields=["first_response_at", "first_response_by", "status"])
        audit.record(
            issue.organization, actor, "issue.responded", issue, f"First response to {issue.title}"
        )
    users, contacts = _other_side(principal, issue, side)
    _tell(
        issue,
        Event.ISSUE_MESSAGE,
        f"New message on: {issue.title}",
        body,
        users=users,
        contacts=contacts,
        key=f"issue:{issue.pk}:message:{event.pk}",
        actor=actor,
    )
    return event


def _other_side(principal: Principal, issue: Issue, side: str) -> tuple[list, list]:
    """Who hears of a message from ``side``: the other side's routing (the point person or the
    issue contact), whoever raised the issue there, and the ladder's current level."""
    plan = getattr(issue.engagement, "communication_plan", None)
    rung = next((r for r in ladder(principal, issue.engagement) if r.level == issue.level), None)
    raiser = [issue.raised_by] if issue.raised_side != side else []
    if side == Side.PROVIDER:
        ours = [plan.our_point_person] if plan else []
        return raiser + ours + ([rung.our_person] if rung else []), []
    theirs = [plan.issue_contact] if plan else []
    return raiser, theirs + ([rung.their_contact] if rung else [])


@transaction.atomic
def resolve(principal: Principal, issue: Issue, *, note: str) -> Issue:
    """Close the issue with a note saying how. Our side only (manager and up)."""
    note = _clean_body(note, "note", "how it was resolved")
    if principal.is_provider:
        raise PermissionDenied(
            "Only the business resolves an issue; write your proposed resolution in the thread."
        )
    issue = _locked(principal, issue)
    principal.require_in(
        issue.engagement.organization_id,
        Role.MANAGER,
        "Resolving an issue",
        or_provider=issue.engagement.provider_id,
    )
    actor, side = principal.user, principal.side
    if issue.status == IssueStatus.RESOLVED:
        raise ValidationError("This issue is resolved already.")
    now = timezone.now()
    issue.status = IssueStatus.RESOLVED
    issue.resolved_at = now
    issue.resolved_by = actor
    issue.resolution = note
    issue.save(update_fields=["status", "resolved_at", "resolved_by", "resolution"])
    event = IssueEvent.objects.create(
        organization=issue.organization,
        issue=issue,
        kind=Kind.RESOLVED,
        author=actor,
        side=side,
        body=note,
        level=issue.level,
        at=now,
    )
    audit.record(issue.organization, actor, "issue.resolved", issue, f"Resolved {issue.title}")
    issue = with_routing(Issue.objects.visible_to(principal)).get(pk=issue.pk)
    users, contacts = _recipients(issue)
    _tell(
        issue,
        Event.ISSUE_RESOLVED,
        f"Resolved: {issue.title}",
        f"{actor} resolved it: {note}",
        users=[*users, issue.raised_by if issue.raised_side == Side.US else None],
        contacts=[*contacts, contact_for(issue.raised_by, issue.organization)]
        if issue.raised_side == Side.PROVIDER
        else contacts,
        key=f"issue:{issue.pk}:resolved:{event.pk}",
        actor=actor,
    )
    return issue


@transaction.atomic
def reopen(principal: Principal, issue: Issue, *, reason: str) -> Issue:
    """Open a resolved issue again, saying why. Our side only (manager and up). An issue never
    answered gets a fresh allowance at its current level; an answered one stays answered."""
    reason = _clean_body(reason, "reason", "why it is reopened")
    if principal.is_provider:
        raise PermissionDenied("Only the business reopens an issue; raise a new one instead.")
    issue = _locked(principal, issue)
    principal.require_in(
        issue.engagement.organization_id,
        Role.MANAGER,
        "Reopening an issue",
        or_provider=issue.engagement.provider_id,
    )
    actor, side = principal.user, principal.side
    if issue.status != IssueStatus.RESOLVED:
        raise ValidationError("This issue is open; only a resolved issue can be reopened.")
    now = timezone.now()
    org = issue.organization
    issue.status = IssueStatus.RESPONDED if issue.first_response_at else IssueStatus.OPEN
    issue.resolved_at = None
    issue.resolved_by = None
    issue.resolution = ""
    fields = ["status", "resolved_at", "resolved_by", "resolution"]
    if issue.first_response_at is None:
        allowance = (
            response_target(principal, issue.engagement, issue.severity)
            if issue.level == 0
            else EscalationLevel.objects.visible_to(principal)
            .filter(engagement=issue.engagement, level=issue.level)
            .first()
        )
        issue.respond_by = _deadline(principal, now, allowance)
        fields.append("respond_by")
    issue.save(update_fields=fields)
    IssueEvent.objects.create(
        organization=org,
        issue=issue,
        kind=Kind.REOPENED,
        author=actor,
        side=side,
        body=reason,
        level=issue.level,
        at=now,
    )
    audit.record(org, actor, "issue.reopened", issue, f"Reopened {issue.title}")
    return issue


# --- The escalation sweep ---------------------------------------------------------------------
@sweep(every=timedelta(minutes=5), name="work.escalate_overdue_issues")
def escalate_overdue(now: datetime | None = None) -> int:
    """Climb one rung for every open issue past its ``respond_by`` without a first response;
    returns how many climbed. Safe to run twice and from two workers: the issue row is locked
    and the escalation event is unique per level, so each level is reached once."""
    now = now or timezone.now()
    candidates = list(
        Issue.objects.filter(overdue_q(now)).values_list("pk", "engagement_id", "level")
    )
    if not candidates:
        return 0
    rungs: dict[int, list[EscalationLevel]] = {}
    for rung in (
        EscalationLevel.objects.filter(engagement_id__in={eng for _, eng, _ in candidates})
        .select_related("our_person", "their_contact")
        .order_by("level")
    ):
        rungs.setdefault(rung.engagement_id, []).append(rung)
    holidays: dict[int, set] = {}
    climbed = 0
    for pk, engagement_id, level in candidates:
        following = [rung for rung in rungs.get(engagement_id, []) if rung.level > level]
        if following and _climb(pk, following[0], now, holidays):
            climbed += 1
    return climbed


def _climb(pk: int, rung: EscalationLevel, now: datetime, holidays: dict) -> bool:
    with transaction.atomic():
        issue = (
            Issue.objects.select_for_update()
            .filter(overdue_q(now), pk=pk, level__lt=rung.level)
            .first()
        )
        if issue is None:
            return False  # answered, resolved or climbed since the list was read
        org = issue.organization
        system = Principal.system(org)  # the sweep climbs the ladder for the organization
        try:
            with transaction.atomic():
                IssueEvent.objects.create(
                    organization=org,
                    issue=issue,
                    kind=Kind.ESCALATED,
                    side="",
                    body=f"No response by {_when(issue.respond_by, org)}.",
                    level=rung.level,
                    at=now,
                )
        except IntegrityError:
            return False  # another worker reached this level first
        if org.pk not in holidays:
            holidays[org.pk] = holiday_dates(system)
        issue.level = rung.level
        issue.escalated_at = now
        issue.respond_by = _deadline(system, now, rung, holidays[org.pk])
        issue.save(update_fields=["level", "escalated_at", "respond_by"])
        audit.record(
            org, None, "issue.escalated", issue, f"{issue.title} escalated to level {rung.level}"
        )
        issue = with_routing(Issue.objects.visible_to(system)).get(pk=issue.pk)
        plan = getattr(issue.engagement, "communication_plan", None)
        routed_users, routed_contacts = _recipients(issue)
        contacts = [rung.their_contact, *routed_contacts]
        if plan is not None:
            contacts.append(plan.issue_contact)
        _tell(
            issue,
            Event.ISSUE_ESCALATED,
            f"Escalated to level {rung.level}: {issue.title}",
            f"The {issue.get_severity_display().lower()} issue “{issue.title}” on "
            f"“{issue.engagement.title}” got no response in time; it now needs "
            f"{rung.our_person} and {rung.their_contact.name}. Please respond by "
            f"{_when(issue.respond_by, org)}.",
            users=[rung.our_person, *routed_users],
            contacts=contacts,
            key=f"issue:{issue.pk}:escalated:{rung.level}",
            actor=None,
        )
        return True
