"""Run's periodic sweeps: sending scheduled work, and telling assignees what is due soon or
overdue. Registered with the notifications sweep registry from ``apps.WorkConfig.ready``.

Each is safe to run twice: schedules remember the dates they considered, and every message
carries an idempotency key (``task:<id>:due_soon:<due iso>`` warns again only when the due time
moves; ``task:<id>:overdue`` once per task).
"""

import logging
from datetime import datetime, timedelta

from django.db.models import CharField, Exists, Max, OuterRef, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from handoff.core.principal import Principal
from handoff.engagements.choices import EngagementStatus
from handoff.notifications.events import Event
from handoff.notifications.models import (
    DEFAULT_DUE_SOON_HOURS,
    Notification,
    NotificationSettings,
)
from handoff.notifications.services import due_soon_hours, notify
from handoff.notifications.sweeps import sweep
from handoff.work import services
from handoff.work.models import Schedule, Task

logger = logging.getLogger(__name__)

BATCH = 1000


@sweep(every=timedelta(minutes=15), name="work.schedules")
def generate_scheduled_tasks(now: datetime) -> int:
    """Send the scheduled tasks whose send date has come, for every schedule not paused; how
    many tasks were sent. One schedule's failure does not stop the others."""
    sent = 0
    rows = Schedule.objects.filter(paused_at__isnull=True).select_related("organization")
    for schedule in rows.exclude(engagement__status=EngagementStatus.ENDED).iterator():
        today = services.local_today(schedule.organization, now)
        try:
            sent += len(services.generate_due_tasks(schedule, today))
        except Exception:
            logger.exception("Schedule %s could not generate its tasks", schedule.pk)
    return sent


def _their_users_and_emails(task):
    return services.contact_recipients(task.their_assignee)


def _local(task, when) -> str:
    local = timezone.localtime(when, services.org_zone(task.organization))
    return f"{local:%a %b %-d %H:%M} ({task.organization.time_zone})"


def _tell(task, event, subject: str, body: str, key: str, *, ours, theirs) -> int:
    """Tell our assignee (``ours``, linked to the task's page) and the provider's side
    (``theirs``: portal users and e-mail addresses, linked to the portal); how many sides were
    told now."""
    users, emails = theirs
    sides = []
    if ours is not None:
        sides.append({"url": task.get_absolute_url(), "users": [ours]})
    if users or emails:
        sides.append({"url": services._provider_url(task), "users": users, "emails": emails})
    message = {"organization": task.organization, "event": event, "subject": subject}
    return sum(bool(notify(body=body, key=key, **message, **side)) for side in sides)


@sweep(every=timedelta(minutes=5), name="work.due_soon")
def due_soon(now: datetime) -> int:
    """Warn each assignee (both sides) whose task, still with the provider, falls due within
    their chosen lead time (notifications settings, 24 hours unless they chose); once per due
    time."""
    longest = NotificationSettings.objects.aggregate(longest=Max("due_soon_hours"))["longest"] or 0
    horizon = now + timedelta(hours=max(longest, DEFAULT_DUE_SOON_HOURS))
    tasks = (
        Task.objects.with_provider()
        .filter(due_at__gt=now, due_at__lte=horizon)
        .select_related("organization", "our_assignee", "their_assignee")
        .order_by("due_at")[:BATCH]
    )
    lead_times: dict = {}

    def within_lead(user, task) -> bool:
        if (user.pk, task.organization_id) not in lead_times:
            lead_times[user.pk, task.organization_id] = due_soon_hours(
                Principal.system(task.organization), user
            )
        return task.due_at <= now + timedelta(hours=lead_times[user.pk, task.organization_id])

    warned = 0
    for task in tasks:
        ours = task.our_assignee
        users, emails = _their_users_and_emails(task)
        their_lead = (
            within_lead(users[0], task)
            if users
            else task.due_at <= now + timedelta(hours=DEFAULT_DUE_SOON_HOURS)
        )
        warned += _tell(
            task,
            Event.TASK_DUE_SOON,
            f"Due soon: {task.title}",
            f"Due {_local(task, task.due_at)}.",
            f"task:{task.pk}:due_soon:{task.due_at.isoformat()}",
            ours=ours if ours is not None and within_lead(ours, task) else None,
            theirs=(users, emails) if their_lead else ([], []),
        )
    return warned


@sweep(every=timedelta(minutes=5), name="work.overdue")
def overdue(now: datetime) -> int:
    """Tell both assignees once when a task still with the provider passes its due time
    (delivered work waiting for our review is not overdue)."""
    told_before = Notification.objects.filter(
        organization_id=OuterRef("organization_id"),
        key=Concat(Value("task:"), Cast(OuterRef("pk"), CharField()), Value(":overdue")),
    )
    tasks = (
        Task.objects.overdue(now)
        .exclude(Exists(told_before))
        .select_related("organization", "our_assignee", "their_assignee")
        .order_by("due_at")[:BATCH]
    )
    told = 0
    for task in tasks:
        told += _tell(
            task,
            Event.TASK_OVERDUE,
            f"Overdue: {task.title}",
            f"It was due {_local(task, task.due_at)}.",
            f"task:{task.pk}:overdue",
            ours=task.our_assignee,
            theirs=_their_users_and_emails(task),
        )
    return told
