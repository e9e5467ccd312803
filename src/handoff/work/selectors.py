"""Reads of tasks, schedules and issues shared by the pages, the portal, the API and the
calendar feed, with their joins decided once so a list costs the same queries whatever its
length."""

import zoneinfo
from datetime import date, datetime, time, timedelta

from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from handoff.engagements.choices import EngagementStatus, Severity
from handoff.engagements.models import Engagement
from handoff.providers.models import Provider
from handoff.work import issues, status
from handoff.work.choices import IssueStatus, Priority, TaskStatus
from handoff.work.models import Issue, Schedule, Task, TaskAttachment, TaskComment, TaskMove


class Tab:
    MINE = "mine"
    WAITING = "waiting"
    WEEK = "week"
    OVERDUE = "overdue"
    OPEN = "open"
    CLOSED = "closed"

    CHOICES = [
        (MINE, "My tasks"),
        (WAITING, "Waiting for us"),
        (WEEK, "Due this week"),
        (OVERDUE, "Overdue"),
        (OPEN, "All open"),
        (CLOSED, "Closed"),
    ]
    VALUES = [value for value, _ in CHOICES]
    # The same tabs named from a provider's contact's side of the work.
    PROVIDER_CHOICES = [
        (MINE, "Assigned to me"),
        (OPEN, "All open"),
        (WEEK, "Due this week"),
        (OVERDUE, "Overdue"),
        (WAITING, "Awaiting review"),
        (CLOSED, "Closed"),
    ]


class Sort:
    DUE = "due"
    PRIORITY = "priority"
    UPDATED = "updated"

    CHOICES = [(DUE, "Due first"), (PRIORITY, "Priority"), (UPDATED, "Recently updated")]
    VALUES = [value for value, _ in CHOICES]


PRIORITY_RANK = Case(
    When(priority=Priority.URGENT, then=Value(0)),
    When(priority=Priority.HIGH, then=Value(1)),
    When(priority=Priority.NORMAL, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)

ORDER = {
    Sort.DUE: ["due_at", "id"],
    Sort.PRIORITY: [PRIORITY_RANK, "due_at", "id"],
    Sort.UPDATED: ["-updated_at", "-id"],
}


WAITING_ORDER = ("delivered_at", "id")
"""Waiting for us: the longest waiting (the earliest delivery) first."""


def waiting_for_us(principal):
    """Delivered tasks waiting for our review, the longest waiting first, with their provider."""
    return tasks_for_list(principal).waiting_for_us().order_by(*WAITING_ORDER)


def tasks_for_list(principal):
    """The base of every task list: what ``principal`` may see, with engagement, provider and
    both assignees joined."""
    return Task.objects.visible_to(principal).select_related(
        "engagement__provider", "our_assignee", "their_assignee"
    )


def task_list(
    principal,
    *,
    user=None,
    tab: str = Tab.OPEN,
    q: str = "",
    provider: int | None = None,
    engagement: int | None = None,
    status_: str = "",
    priority: str = "",
    assignee: int | None = None,
    sort: str = Sort.DUE,
    now: datetime | None = None,
    due_from: date | None = None,
    due_to: date | None = None,
):
    """The tasks ``principal`` may see for a tab, filtered and sorted as the list page and the
    API offer (members and provider contacts alike).

    Tabs (the sets of ``work.status``): mine (open — with the provider or waiting for us —
    assigned to ``user``; for a provider's contact, to them as the provider's assignee),
    waiting (delivered, waiting for our review; the longest waiting first), week (with the
    provider, due from now to 7 days on), overdue (with the provider, past due), open (with the
    provider or waiting for us), closed (accepted or cancelled); any other value: all tasks.
    ``due_from`` and ``due_to`` (both included) are days in the organization's time zone.
    """
    now = now or timezone.now()
    tasks = tasks_for_list(principal)
    if tab == Tab.MINE and principal.is_provider:
        tasks = tasks.open().filter(their_assignee_id=principal.contact_id)
    elif tab == Tab.MINE:
        tasks = tasks.open().filter(our_assignee=user)
    elif tab == Tab.WAITING:
        tasks = tasks.waiting_for_us()
    elif tab == Tab.WEEK:
        tasks = tasks.with_provider().filter(due_at__gte=now, due_at__lt=now + timedelta(days=7))
    elif tab == Tab.OVERDUE:
        tasks = tasks.overdue(now)
    elif tab == Tab.OPEN:
        tasks = tasks.open()
    elif tab == Tab.CLOSED:
        tasks = tasks.closed()
    if q := (q or "").strip():
        tasks = tasks.filter(title__icontains=q)
    if provider:
        tasks = tasks.filter(engagement__provider_id=provider)
    if engagement:
        tasks = tasks.filter(engagement_id=engagement)
    if status_ in TaskStatus.values:
        tasks = tasks.filter(status=status_)
    if priority in Priority.values:
        tasks = tasks.filter(priority=priority)
    if assignee:
        tasks = tasks.filter(our_assignee_id=assignee)
    if due_from or due_to:
        zone = zoneinfo.ZoneInfo(principal.organization.time_zone)
        if due_from:
            tasks = tasks.filter(due_at__gte=datetime.combine(due_from, time.min, tzinfo=zone))
        if due_to:
            day_after = datetime.combine(due_to + timedelta(days=1), time.min, tzinfo=zone)
            tasks = tasks.filter(due_at__lt=day_after)
    if tab == Tab.CLOSED and sort == Sort.DUE:
        return tasks.order_by("-closed_at", "-id")
    if tab == Tab.WAITING and sort == Sort.DUE:
        return tasks.order_by(*WAITING_ORDER)
    return tasks.order_by(*ORDER.get(sort, ORDER[Sort.DUE]))


def task_detail(principal):
    return Task.objects.visible_to(principal).select_related(
        "organization",
        "engagement__provider",
        "our_assignee",
        "their_assignee",
        "requested_by",
        "schedule",
    )


def turn_since(task, moves) -> datetime | None:
    """Since when it has been the current side's turn: the first move of the latest run of
    moves into statuses of the same side (with the provider since it was sent, or returned;
    waiting for us since it was delivered); None once closed."""
    turn = status.TURN[task.status]
    if turn is None:
        return None
    since = None
    for move in reversed(list(moves)):
        if status.TURN.get(move.to_status) != turn:
            break
        since = move.at
    return since or task.created_at


def moves_of(principal, task):
    return (
        TaskMove.objects.visible_to(principal)
        .filter(task=task)
        .select_related("actor")
        .prefetch_related("attachments")
    )


def comments_of(principal, task):
    """The task's thread as ``principal`` sees it (a provider's contact: no internal notes)."""
    return (
        TaskComment.objects.visible_to(principal)
        .filter(task=task)
        .select_related("author")
        .prefetch_related("attachments")
    )


def attachments_of(principal, task):
    """The task's files as ``principal`` sees them (a provider's contact: none of internal
    notes)."""
    return (
        TaskAttachment.objects.visible_to(principal).filter(task=task).select_related("uploaded_by")
    )


def schedules_of(principal, engagement):
    return Schedule.objects.visible_to(principal).filter(engagement=engagement)


# --- Issues -----------------------------------------------------------------------------------
def _day(value) -> date | None:
    try:
        return value if isinstance(value, date) else date.fromisoformat(str(value or ""))
    except ValueError:
        return None


def filter_issues(queryset, params, now, *, org=None):
    """Apply the list's view, provider, engagement and severity filters (pages and API), and
    ``raised_from``/``raised_to`` (days, both included, in ``org``'s time zone)."""
    view = params.get("view") or "open"
    if view == "open":
        queryset = queryset.exclude(status=IssueStatus.RESOLVED)
    elif view == "overdue":
        queryset = queryset.filter(issues.overdue_q(now))
    elif view == "resolved":
        queryset = queryset.filter(status=IssueStatus.RESOLVED)
    for name, field in (("provider", "engagement__provider_id"), ("engagement", "engagement_id")):
        value = str(params.get(name) or "")
        if value.isdigit():
            queryset = queryset.filter(**{field: int(value)})
    severity = params.get("severity") or ""
    if severity in Severity.values:
        queryset = queryset.filter(severity=severity)
    zone = zoneinfo.ZoneInfo(org.time_zone if org is not None else "UTC")
    if first := _day(params.get("raised_from")):
        queryset = queryset.filter(raised_at__gte=datetime.combine(first, time.min, tzinfo=zone))
    if last := _day(params.get("raised_to")):
        day_after = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone)
        queryset = queryset.filter(raised_at__lt=day_after)
    return queryset


def issue_list(principal, params, now):
    """The issues page: what ``principal`` may see, with their routing, filtered by ``params``
    (see ``filter_issues``; days in the organization's time zone), the latest raised first."""
    queryset = filter_issues(
        issues.with_routing(Issue.objects.visible_to(principal)),
        params,
        now,
        org=principal.organization,
    )
    return queryset.order_by("-raised_at", "-id")


def issue_filter_providers(principal):
    """The issues page's provider choices: providers with an engagement, by name."""
    return (
        Provider.objects.visible_to(principal)
        .filter(engagements__isnull=False)
        .distinct()
        .order_by("name")
    )


def issue_filter_engagements(principal):
    """The issues page's engagement choices: every engagement past its draft, by title."""
    return (
        Engagement.objects.visible_to(principal)
        .exclude(status=EngagementStatus.DRAFT)
        .select_related("provider")
        .order_by("title")
    )
