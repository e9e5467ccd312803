"""The one place tasks, schedules and calendar feeds change: pages, the API, the provider portal
and the background sweeps all call these functions.

Each function owns its transaction, checks every linked row belongs to the organization (and a
contact to the engagement's provider), writes the audit trail and tells the people concerned.
Bad input raises ``ValidationError`` keyed by field and changes nothing; an edit over a newer
version raises ``core.errors.Conflict``.
"""

import secrets
import zoneinfo
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from handoff.accounts.portal import portal_user_for
from handoff.core import audit
from handoff.core.errors import Conflict
from handoff.core.principal import Principal
from handoff.core.roles import Role
from handoff.core.uploads import safe_name, sniff_attachment
from handoff.engagements import calendar
from handoff.engagements.choices import EngagementStatus, TargetUnit, TurnaroundRule
from handoff.engagements.models import CommunicationPlan, Engagement, ServiceLevel
from handoff.engagements.services import contact_of, holiday_dates, member_of
from handoff.notifications.events import Event
from handoff.notifications.models import Notification
from handoff.notifications.services import notify
from handoff.work import hooks, recurrence, status
from handoff.work.choices import Priority, Recurrence, Side, TaskStatus
from handoff.work.models import (
    CalendarFeed,
    Schedule,
    Task,
    TaskAttachment,
    TaskComment,
    TaskMove,
)

MAX_FILES = 10
TASK_FIELDS = ("title", "details", "kind", "priority", "due_at")
ASSIGNEE_FIELDS = ("our_assignee_id", "their_assignee_id")


# --- Helpers --------------------------------------------------------------------------------
def org_zone(org) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(org.time_zone)


def local_today(org, now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(org_zone(org)).date()


def contact_recipients(contact) -> tuple[list, list[str]]:
    """Who to tell for a provider contact: their portal login if they have live access, else
    their e-mail address (if it is a usable one)."""
    if contact is None:
        return [], []
    user = portal_user_for(contact)
    if user is not None:
        return [user], []
    address = (contact.email or "").strip()
    if not address:
        return [], []
    try:
        validate_email(address)
    except ValidationError:
        return [], []
    return [], [address]


def _provider_url(task: Task) -> str:
    """The task's address in the portal."""
    return task.get_portal_url()


def _tell_ours(
    task: Task, event, subject: str, *, actor, key: str, body: str = "", creator: bool = False
) -> None:
    """Tell our assignee; with ``creator``, the member who sent the task too (once, when they
    are the same person)."""
    users = [task.our_assignee] if task.our_assignee_id else []
    if creator and task.requested_by_id and task.requested_by_id != task.our_assignee_id:
        users.append(task.requested_by)
    if not users:
        return
    notify(
        organization=task.organization,
        event=event,
        subject=subject,
        body=body,
        url=task.get_absolute_url(),
        users=users,
        key=key,
        actor=actor,
    )


def _tell_theirs(task: Task, event, subject: str, *, actor, key: str, body: str = "") -> None:
    users, emails = contact_recipients(task.their_assignee)
    if not users and not emails:
        return
    notify(
        organization=task.organization,
        event=event,
        subject=subject,
        body=body,
        url=_provider_url(task),
        users=users,
        emails=emails,
        key=key,
        actor=actor,
    )


def _check_files(files, field: str = "files") -> list[tuple]:
    """Sniff every file before anything is written: one bad file refuses them all."""
    files = [f for f in files or () if f]
    if len(files) > MAX_FILES:
        raise ValidationError({field: f"Attach at most {MAX_FILES} files at a time."})
    return [(upload, *sniff_attachment(upload, field)) for upload in files]


def _store_files(task: Task, checked, *, actor, side, move=None, comment=None) -> list:
    rows, saved = [], []
    try:
        for upload, content_type, extension in checked:
            name = safe_name(getattr(upload, "name", "") or "", extension)
            row = TaskAttachment(
                organization=task.organization,
                task=task,
                move=move,
                comment=comment,
                name=name[:200],
                content_type=content_type,
                size=upload.size,
                side=side,
                uploaded_by=actor if actor is not None and actor.is_authenticated else None,
            )
            row.file.save(safe_name(name, extension, limit=64), upload, save=False)
            saved.append(row.file)
            row.save()
            rows.append(row)
    except Exception:
        for stored in saved:  # nothing half-saved: the database rolls back, the files go too
            stored.storage.delete(stored.name)
        raise
    return rows


def _locked_task(principal: Principal, task: Task, expected_version: int | None = None) -> Task:
    current = (
        Task.objects.select_for_update(of=("self",))
        .visible_to(principal)
        .select_related(
            "organization", "engagement", "our_assignee", "their_assignee", "requested_by"
        )
        .get(pk=task.pk)
    )
    if expected_version is not None and expected_version != current.version:
        raise Conflict(current.version)
    return current


def _clean_text(value, field: str, *, required: bool = False, limit: int | None = None) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: "This field is required."})
    if limit and len(text) > limit:
        raise ValidationError({field: f"Keep it under {limit} characters."})
    return text


# --- Due dates ------------------------------------------------------------------------------
DUE_PAST_LIMIT = relativedelta(years=1)
DUE_FUTURE_LIMIT = relativedelta(years=5)


def due_date_problem(due: date, *, today: date, engagement_start: date | None) -> str:
    """Why ``due`` (a day in the organization's zone) is refused as a task's due date, or "".

    The one rule the task form, the schedule form and the API share: not more than a year in
    the past, not more than five years ahead, and not before the engagement starts."""
    if due < today - DUE_PAST_LIMIT:
        return (
            f"{due:%b %-d, %Y} is more than a year in the past; "
            "a task is due within a year back at the earliest."
        )
    if due > today + DUE_FUTURE_LIMIT:
        return (
            f"{due:%b %-d, %Y} is more than five years ahead; "
            "a task is due within five years at the latest."
        )
    if engagement_start is not None and due < engagement_start:
        return (
            f"{due:%b %-d, %Y} is before the engagement starts on "
            f"{engagement_start:%b %-d, %Y}; no work is due before then."
        )
    return ""


def service_level_for(
    principal: Principal, engagement: Engagement, kind: str
) -> ServiceLevel | None:
    if not kind:
        return None
    return (
        ServiceLevel.objects.visible_to(principal)
        .filter(engagement=engagement, task_kind=kind)
        .first()
    )


def suggest_due(
    principal: Principal, engagement: Engagement, kind: str, now: datetime | None = None
):
    """The due time the engagement's service level for ``kind`` promises for work sent at
    ``now``, in the organization's zone and around its holidays; None without a service level.

    Business days end at 17:00 local; "by day N" is due at 17:00 on the business day on or
    before the next Nth."""
    level = service_level_for(principal, engagement, kind)
    if level is None:
        return None
    org = engagement.organization
    now = now or timezone.now()
    tz, holidays = org_zone(org), holiday_dates(principal)
    if level.rule == TurnaroundRule.DAY_OF_MONTH:
        day = calendar.next_day_of_month(now.astimezone(tz).date(), level.day_of_month, holidays)
        return datetime.combine(day, calendar.END_OF_BUSINESS_DAY, tzinfo=tz)
    return calendar.deadline(now, level.business_days, TargetUnit.BUSINESS_DAYS, tz, holidays)


def _kinds(principal: Principal, engagement: Engagement) -> set[str]:
    return set(
        ServiceLevel.objects.visible_to(principal)
        .filter(engagement=engagement)
        .values_list("task_kind", flat=True)
    )


# --- Tasks ----------------------------------------------------------------------------------
def _apply_fields(principal: Principal, task: Task, engagement: Engagement, data: dict) -> None:
    """Set the editable fields present in ``data`` on ``task``, checked."""
    if "title" in data:
        task.title = " ".join((data["title"] or "").split())
    if "details" in data:
        task.details = (data["details"] or "").strip()
    if "priority" in data:
        task.priority = data["priority"] or Priority.NORMAL
    if "kind" in data:
        kind = (data["kind"] or "").strip()
        if kind and kind not in _kinds(principal, engagement):
            raise ValidationError(
                {"kind": f"Choose one of this engagement's service levels, not {kind!r}."}
            )
        task.kind = kind
    if "due_at" in data and data["due_at"] is not None:
        due = data["due_at"]
        if not isinstance(due, datetime) or timezone.is_naive(due):
            raise ValidationError({"due_at": "Give the due date and time with its time zone."})
        if due != task.due_at:  # a due date kept as it was is not judged again
            problem = due_date_problem(
                due.astimezone(org_zone(engagement.organization)).date(),
                today=local_today(engagement.organization),
                engagement_start=engagement.start_date,
            )
            if problem:
                raise ValidationError({"due_at": problem})
        task.due_at = due
    if "our_assignee_id" in data:
        task.our_assignee = member_of(principal, data["our_assignee_id"], "our_assignee")
    if "their_assignee_id" in data:
        task.their_assignee = contact_of(
            principal, engagement, data["their_assignee_id"], "their_assignee"
        )


@transaction.atomic
def create_task(principal: Principal, engagement: Engagement, *, data: dict, files=()) -> Task:
    """Send a task to the engagement's provider (only while the engagement is active), as a
    member of the engagement's organization.

    ``data``: title, details, kind, priority, due_at (aware; left out, the kind's service level
    suggests it), our_assignee_id and their_assignee_id (left out: the communication plan's
    point people). The first move (→ requested) is kept and their assignee is told.
    ``turnaround_due_at`` is set from the kind's service level (None without one).
    """
    principal.require_in(engagement.organization_id, Role.MEMBER, "Sending a task")
    return _create_task(principal, engagement, data=data, files=files)


def _create_task(
    principal: Principal,
    engagement: Engagement,
    *,
    data: dict,
    files=(),
    schedule=None,
    occurrence=None,
) -> Task:
    engagement = (
        Engagement.objects.visible_to(principal)
        .select_related("organization", "provider")
        .get(pk=engagement.pk)
    )
    if engagement.status != EngagementStatus.ACTIVE:
        raise ValidationError(
            f"This engagement is {engagement.get_status_display().lower()}; tasks are sent "
            "only under an active engagement."
        )
    org = engagement.organization
    plan = CommunicationPlan.objects.visible_to(principal).filter(engagement=engagement).first()
    data = dict(data)
    if data.get("our_assignee_id") is None and plan is not None:
        data["our_assignee_id"] = plan.our_point_person_id
    if data.get("their_assignee_id") is None and plan is not None:
        data["their_assignee_id"] = plan.their_point_person_id
    actor = principal.user  # None when a schedule sends it
    task = Task(
        organization=org,
        engagement=engagement,
        requested_by=actor or (schedule.created_by if schedule else None),
        schedule=schedule,
        occurrence=occurrence,
    )
    _apply_fields(principal, task, engagement, {k: v for k, v in data.items() if k != "due_at"})
    # The promise of the kind's service level, as it stands when the task is sent: kept on the
    # task so that scorecards count turnaround in SQL, and so that a service level or holiday
    # changed later does not rewrite it.
    task.turnaround_due_at = suggest_due(principal, engagement, task.kind, task.created_at)
    if data.get("due_at") is not None:
        _apply_fields(principal, task, engagement, {"due_at": data["due_at"]})
    else:
        task.due_at = task.turnaround_due_at
        if task.due_at is None:
            raise ValidationError(
                {"due_at": "Give a due date, or choose a task kind with a service level."}
            )
    task.full_clean(exclude=["engagement", "organization"], validate_constraints=False)
    checked = _check_files(files)
    task.save()
    hooks.task_changed(task)
    move = TaskMove.objects.create(
        organization=org,
        task=task,
        from_status="",
        to_status=TaskStatus.REQUESTED,
        actor=task.requested_by,
        side=Side.US,
        at=task.created_at,
    )
    _store_files(task, checked, actor=actor, side=Side.US, move=move)
    source = f" from schedule {schedule.title}" if schedule else ""
    audit.record(
        org, actor, "task.created", task, f"Sent task {task.title} to {engagement.provider}{source}"
    )
    local_due = timezone.localtime(task.due_at, org_zone(org))
    _tell_theirs(
        task,
        Event.TASK_NEW,
        f"New task from {org.name}: {task.title}",
        body=f"Due {local_due:%a %b %-d, %Y %H:%M} ({org.time_zone}).\n\n{task.details}",
        actor=actor,
        key=f"task:{task.pk}:new",
    )
    return task


@transaction.atomic
def update_task(
    principal: Principal, task: Task, *, data: dict, expected_version: int | None = None
) -> Task:
    """Change title, details, kind, priority, due_at or the assignees of a task that is not
    closed (our side, members and up). Only the keys present in ``data`` change; a new assignee
    of theirs is told. A new kind recomputes ``turnaround_due_at`` from ``created_at``; a new due
    date does not."""
    principal.require_in(task.organization_id, Role.MEMBER, "Editing a task")
    actor = principal.user
    task = _locked_task(principal, task, expected_version)
    if task.status in status.CLOSED:
        raise ValidationError(
            f"The task is {task.get_status_display().lower()}; it can no longer be edited."
        )
    fields = [*TASK_FIELDS, "our_assignee", "their_assignee"]
    before = {field: getattr(task, field) for field in fields}
    known = set(TASK_FIELDS) | set(ASSIGNEE_FIELDS)
    unknown = set(data) - known
    if unknown:
        raise ValidationError({"body": f"Unknown fields: {', '.join(sorted(unknown))}."})
    if "due_at" in data and data["due_at"] is None:
        raise ValidationError({"due_at": "A task needs a due date."})
    _apply_fields(principal, task, task.engagement, data)
    if task.kind != before["kind"]:
        # Another kind is another promise: its service level (as it stands now) counted from
        # when the task was sent. A new due date alone leaves the promise as it was.
        task.turnaround_due_at = suggest_due(principal, task.engagement, task.kind, task.created_at)
    task.full_clean(exclude=["engagement", "organization"], validate_constraints=False)
    after = {field: getattr(task, field) for field in fields}
    changes = audit.diff(before, after)
    if not changes:
        return task
    task.version += 1
    task.save()
    hooks.task_changed(task, was=(task.engagement_id, before["due_at"]))
    audit.record(
        task.organization, actor, "task.updated", task, f"Edited task {task.title}", changes
    )
    if "their_assignee" in changes and task.their_assignee_id:
        _tell_theirs(
            task,
            Event.TASK_NEW,
            f"Task assigned to you: {task.title}",
            body=task.details,
            actor=actor,
            key=f"task:{task.pk}:assigned:{task.their_assignee_id}",
        )
    return task


MOVE_EVENTS = {
    TaskStatus.ACKNOWLEDGED: ("ours", Event.TASK_ACKNOWLEDGED, "Acknowledged"),
    TaskStatus.DELIVERED: ("ours", Event.TASK_DELIVERED, "Delivered"),
    TaskStatus.RETURNED: ("theirs", Event.TASK_RETURNED, "Returned for rework"),
    TaskStatus.ACCEPTED: ("theirs", Event.TASK_ACCEPTED, "Accepted"),
    TaskStatus.CANCELLED: ("theirs", Event.TASK_CANCELLED, "Cancelled"),
}
FILES_ON = {TaskStatus.DELIVERED, TaskStatus.RETURNED}


@transaction.atomic
def move_task(
    principal: Principal,
    task: Task,
    *,
    to_status: str,
    note: str = "",
    rating: int | None = None,
    files=(),
    expected_version: int | None = None,
    on_behalf_reason: str = "",
) -> Task:
    """Move a task along the status machine for the principal's side (see ``status.MOVES``).

    A return for rework needs a note; a rating (1–5) is given only on acceptance, where the note
    is kept as the acceptance note; files go with a delivery or a return. The provider's own
    steps (acknowledge, start work, deliver) made by our side are recorded on the provider's
    behalf and need ``on_behalf_reason``, kept on the move. The move is kept with who and when,
    and the other side's assignee is told; a delivery tells our assignee and the member who sent
    the task.
    """
    principal.require_in(
        task.organization_id, Role.MEMBER, "Moving a task", or_provider=task.engagement.provider_id
    )
    actor, side = principal.user, principal.side
    if to_status not in TaskStatus.values:
        raise ValidationError({"status": f"{to_status!r} is not a task status."})
    if to_status == TaskStatus.CANCELLED and not principal.is_provider:
        principal.require(Role.MANAGER, "Cancelling a task")
    task = _locked_task(principal, task, expected_version)
    try:
        status.check_move(task.status, to_status, side)
    except status.IllegalMove as error:
        raise ValidationError({"status": str(error)}) from None
    reason = _clean_text(on_behalf_reason, "on_behalf_reason", limit=1000)
    on_behalf = side == Side.US and to_status in status.PROVIDER_STEPS
    if on_behalf and not reason:
        verb = status.VERBS[to_status].lower()
        raise ValidationError(
            {
                "on_behalf_reason": f"“{status.VERBS[to_status]}” is the provider's step: say why "
                f"you record it ({verb}) on their behalf."
            }
        )
    if reason and not on_behalf:
        raise ValidationError(
            {"on_behalf_reason": "Only the provider's own steps are recorded on their behalf."}
        )
    note = _clean_text(note, "note", limit=5000)
    if to_status == TaskStatus.RETURNED and not note:
        raise ValidationError({"note": "Say what needs rework."})
    if rating is not None:
        if to_status != TaskStatus.ACCEPTED:
            raise ValidationError({"rating": "A quality rating is given on acceptance only."})
        if not isinstance(rating, int) or not 1 <= rating <= 5:
            raise ValidationError({"rating": "Rate the quality from 1 to 5."})
    files = [f for f in files or () if f]
    if files and to_status not in FILES_ON:
        raise ValidationError({"files": "Files go with a delivery or a return for rework."})
    checked = _check_files(files)

    now = timezone.now()
    before = task.status
    task.status = to_status
    if to_status == TaskStatus.ACKNOWLEDGED and task.acknowledged_at is None:
        task.acknowledged_at = now
    elif to_status == TaskStatus.DELIVERED:
        task.delivered_at = now
        task.first_delivered_at = task.first_delivered_at or now
    elif to_status == TaskStatus.RETURNED:
        task.returns += 1
    elif to_status == TaskStatus.ACCEPTED:
        task.closed_at = now
        task.quality_rating = rating
        task.acceptance_note = note
    elif to_status == TaskStatus.CANCELLED:
        task.closed_at = now
    task.version += 1
    task.save()
    hooks.task_changed(task)
    move = TaskMove.objects.create(
        organization=task.organization,
        task=task,
        from_status=before,
        to_status=to_status,
        actor=actor if actor is not None and actor.is_authenticated else None,
        side=side,
        note=note,
        on_behalf_reason=reason,
        at=now,
    )
    _store_files(task, checked, actor=actor, side=side, move=move)
    label = TaskStatus(to_status).label
    behalf = f" (on the provider's behalf: {reason})" if on_behalf else ""
    audit.record(
        task.organization,
        actor,
        "task.moved",
        task,
        f"Task {task.title}: {TaskStatus(before).label.lower()} → {label.lower()}{behalf}"[:300],
        {"status": [before, to_status]},
    )
    if to_status in MOVE_EVENTS:
        whom, event, verb = MOVE_EVENTS[to_status]
        key = f"task:{task.pk}:move:{move.pk}"
        subject = f"{verb}: {task.title}"
        if whom == "ours":
            creator = to_status in status.WAITING_FOR_US  # work waiting for us: its sender too
            _tell_ours(task, event, subject, body=note, actor=actor, key=key, creator=creator)
        else:
            _tell_theirs(task, event, subject, body=note, actor=actor, key=key)
    return task


NUDGE_WINDOW = timedelta(minutes=10)


def nudge_recipient(principal: Principal, task: Task):
    """Whom a nudge reminds: their assignee, else the engagement's point person at the provider."""
    if task.their_assignee_id:
        return task.their_assignee
    plan = (
        CommunicationPlan.objects.visible_to(principal)
        .filter(engagement_id=task.engagement_id)
        .select_related("their_point_person")
        .first()
    )
    return plan.their_point_person if plan is not None else None


@transaction.atomic
def nudge_task(principal: Principal, task: Task, *, now: datetime | None = None) -> bool:
    """Remind the provider of a task that is with them (their assignee, else their point person).

    Idempotent within ``NUDGE_WINDOW``: a second nudge (a double click) in that time sends
    nothing and returns False; True when the reminder went now. Our side, members and up."""
    principal.require_in(task.organization_id, Role.MEMBER, "Reminding the provider")
    actor = principal.user
    task = _locked_task(principal, task)
    if not task.is_with_provider:
        raise ValidationError(
            {
                "status": f"The task is {task.get_status_display().lower()}; "
                "a reminder goes only while the work is with the provider."
            }
        )
    contact = nudge_recipient(principal, task)
    users, emails = contact_recipients(contact)
    if not users and not emails:
        raise ValidationError(
            {
                "their_assignee": "Nobody at the provider can be reminded: give the task their "
                "assignee, or the engagement a point person with a portal login or an e-mail "
                "address."
            }
        )
    now = now or timezone.now()
    prefix = f"task:{task.pk}:nudge:"
    recent = Notification.objects.visible_to(principal).filter(
        key__startswith=prefix, created_at__gt=now - NUDGE_WINDOW
    )
    if recent.exists():
        return False
    local_due = timezone.localtime(task.due_at, org_zone(task.organization))
    notify(
        organization=task.organization,
        event=Event.TASK_REMINDER,
        subject=f"Reminder from {task.organization.name}: {task.title}",
        body=f"Due {local_due:%a %b %-d, %Y %H:%M} ({task.organization.time_zone}).",
        url=_provider_url(task),
        users=users,
        emails=emails,
        key=f"{prefix}{now.isoformat()}",
        actor=actor,
    )
    audit.record(
        task.organization, actor, "task.nudged", task, f"Reminded {contact} of {task.title}"
    )
    return True


@transaction.atomic
def add_comment(
    principal: Principal, task: Task, *, body: str, internal: bool = False, files=()
) -> TaskComment:
    """Post to the task's thread for the principal's side and tell the other side's assignee.
    The provider side never posts internal notes; an internal note tells nobody at the
    provider."""
    principal.require_in(
        task.organization_id,
        Role.MEMBER,
        "Commenting on a task",
        or_provider=task.engagement.provider_id,
    )
    actor, side = principal.user, principal.side
    body = _clean_text(body, "body", required=True, limit=10000)
    if internal and side == Side.PROVIDER:
        raise ValidationError({"internal": "Only your client's team can write internal notes."})
    task = (
        Task.objects.visible_to(principal)
        .select_related("organization", "engagement", "our_assignee", "their_assignee")
        .get(pk=task.pk)
    )
    checked = _check_files(files)
    comment = TaskComment.objects.create(
        organization=task.organization,
        task=task,
        author=actor if actor is not None and actor.is_authenticated else None,
        side=side,
        body=body,
        internal=internal,
    )
    _store_files(task, checked, actor=actor, side=side, comment=comment)
    Task.objects.filter(pk=task.pk).update(updated_at=timezone.now())
    kind = "internal note" if internal else "comment"
    audit.record(
        task.organization, actor, "task.commented", task, f"Added a {kind} on {task.title}"
    )
    key = f"task:{task.pk}:comment:{comment.pk}"
    subject = f"New comment on {task.title}"
    if side == Side.PROVIDER:
        _tell_ours(task, Event.TASK_COMMENT, subject, body=body, actor=actor, key=key)
    elif not internal:
        _tell_theirs(task, Event.TASK_COMMENT, subject, body=body, actor=actor, key=key)
    return comment


@transaction.atomic
def add_attachments(principal: Principal, task: Task, *, files, move=None, comment=None) -> list:
    """Attach files to a task (or one of its moves or comments) on our side; all or none are
    kept. A provider's contact sends files with a delivery, a return or a comment instead."""
    if principal.is_provider:
        raise PermissionDenied("Files go with a delivery or a comment in the portal.")
    principal.require_in(task.organization_id, Role.MEMBER, "Attaching files")
    actor, side = principal.user, principal.side
    files = [f for f in files or () if f]
    if not files:
        raise ValidationError({"files": "Choose at least one file."})
    for linked, field in ((move, "move"), (comment, "comment")):
        if linked is not None and (
            linked.task_id != task.pk or linked.organization_id != task.organization_id
        ):
            raise ValidationError({field: "Choose one of this task's."})
    checked = _check_files(files)
    rows = _store_files(task, checked, actor=actor, side=side, move=move, comment=comment)
    Task.objects.filter(pk=task.pk).update(updated_at=timezone.now())
    audit.record(
        task.organization,
        actor,
        "task.attached",
        task,
        f"Attached {', '.join(row.name for row in rows)} to {task.title}"[:300],
    )
    return rows


# --- Schedules ------------------------------------------------------------------------------
SCHEDULE_FIELDS = (
    "title",
    "details",
    "kind",
    "priority",
    "rule",
    "day_of_month",
    "weekdays",
    "interval_days",
    "due_time",
    "lead_days",
    "starts_on",
    "ends_on",
)


def _apply_schedule(principal: Principal, schedule: Schedule, data: dict) -> None:
    unknown = set(data) - set(SCHEDULE_FIELDS)
    if unknown:
        raise ValidationError({"body": f"Unknown fields: {', '.join(sorted(unknown))}."})
    starts_before = schedule.starts_on if schedule.pk else None
    for key, value in data.items():
        setattr(schedule, key, value)
    schedule.title = " ".join((schedule.title or "").split())
    schedule.details = (schedule.details or "").strip()
    schedule.weekdays = (
        sorted(set(schedule.weekdays or [])) if schedule.rule == Recurrence.WEEKLY else []
    )
    if schedule.rule != Recurrence.MONTHLY_DAY:
        schedule.day_of_month = None
    if schedule.rule != Recurrence.EVERY_N_DAYS:
        schedule.interval_days = None
    if schedule.kind and schedule.kind not in _kinds(principal, schedule.engagement):
        raise ValidationError(
            {"kind": f"Choose one of this engagement's service levels, not {schedule.kind!r}."}
        )
    changed_start = starts_before != schedule.starts_on
    if "starts_on" in data and isinstance(schedule.starts_on, date) and changed_start:
        # The first due date the schedule can give: the tasks' own due-date rule applies.
        problem = due_date_problem(
            schedule.starts_on,
            today=local_today(schedule.organization),
            engagement_start=schedule.engagement.start_date,
        )
        if problem:
            raise ValidationError({"starts_on": problem})
    schedule.full_clean(exclude=["engagement", "organization"], validate_constraints=False)


def _locked_schedule(
    principal: Principal, schedule: Schedule, expected_version: int | None = None
) -> Schedule:
    current = (
        Schedule.objects.select_for_update(of=("self",))
        .visible_to(principal)
        .select_related("organization", "engagement")
        .get(pk=schedule.pk)
    )
    if expected_version is not None and expected_version != current.version:
        raise Conflict(current.version)
    return current


@transaction.atomic
def create_schedule(principal: Principal, engagement: Engagement, *, data: dict) -> Schedule:
    """Recurring work for an engagement (manager and up). A new schedule never sends work
    already past due: its first task is for the first due date on or after today (and its
    start)."""
    from handoff.engagements.services import ensure_open

    principal.require_in(engagement.organization_id, Role.MANAGER, "Scheduling work")
    actor = principal.user

    ensure_open(engagement)
    org = engagement.organization
    schedule = Schedule(organization=org, engagement=engagement, created_by=actor)
    _apply_schedule(principal, schedule, data)
    today = local_today(org)
    schedule.generated_through = max(schedule.starts_on, today) - timedelta(days=1)
    schedule.save()
    audit.record(
        org,
        actor,
        "schedule.created",
        schedule,
        f"Added schedule {schedule.title}: {schedule.describe()}",
    )
    generate_due_tasks(schedule, today)
    schedule.refresh_from_db()
    return schedule


@transaction.atomic
def update_schedule(
    principal: Principal, schedule: Schedule, *, data: dict, expected_version: int | None = None
) -> Schedule:
    """Change a schedule (manager and up). Tasks already sent stay as they are; dates already
    considered are not considered again, so a changed rule applies from the next date onward and
    never sends a second task for a date that had one."""
    principal.require_in(schedule.organization_id, Role.MANAGER, "Changing recurring work")
    actor = principal.user
    schedule = _locked_schedule(principal, schedule, expected_version)
    before = {key: getattr(schedule, key) for key in SCHEDULE_FIELDS}
    _apply_schedule(principal, schedule, data)
    changes = audit.diff(before, {key: getattr(schedule, key) for key in SCHEDULE_FIELDS})
    if not changes:
        return schedule
    schedule.version += 1
    schedule.save()
    audit.record(
        schedule.organization,
        actor,
        "schedule.updated",
        schedule,
        f"Edited schedule {schedule.title}",
        changes,
    )
    generate_due_tasks(schedule, local_today(schedule.organization))
    schedule.refresh_from_db()
    return schedule


@transaction.atomic
def pause_schedule(principal: Principal, schedule: Schedule) -> Schedule:
    """Stop sending a schedule's tasks until it is resumed (manager and up)."""
    principal.require_in(schedule.organization_id, Role.MANAGER, "Pausing recurring work")
    actor = principal.user
    schedule = _locked_schedule(principal, schedule)
    if schedule.paused_at is not None:
        raise ValidationError("The schedule is already paused.")
    schedule.paused_at = timezone.now()
    schedule.version += 1
    schedule.save()
    audit.record(
        schedule.organization, actor, "schedule.paused", schedule, f"Paused {schedule.title}"
    )
    return schedule


@transaction.atomic
def resume_schedule(principal: Principal, schedule: Schedule) -> Schedule:
    """Resume a paused schedule (manager and up). Due dates that fell while it was paused
    (before today) are skipped, not sent late; due dates from today on are sent as usual."""
    principal.require_in(schedule.organization_id, Role.MANAGER, "Resuming recurring work")
    actor = principal.user
    schedule = _locked_schedule(principal, schedule)
    if schedule.paused_at is None:
        raise ValidationError("The schedule is not paused.")
    today = local_today(schedule.organization)
    skip_to = today - timedelta(days=1)
    if schedule.generated_through is None or schedule.generated_through < skip_to:
        schedule.generated_through = skip_to
    schedule.paused_at = None
    schedule.version += 1
    schedule.save()
    audit.record(
        schedule.organization, actor, "schedule.resumed", schedule, f"Resumed {schedule.title}"
    )
    generate_due_tasks(schedule, today)
    schedule.refresh_from_db()
    return schedule


@transaction.atomic
def delete_schedule(principal: Principal, schedule: Schedule) -> None:
    """Remove a schedule (manager and up); the tasks it sent stay (they lose the link to it)."""
    principal.require_in(schedule.organization_id, Role.MANAGER, "Removing recurring work")
    actor = principal.user
    schedule = _locked_schedule(principal, schedule)
    audit.record(
        schedule.organization,
        actor,
        "schedule.deleted",
        schedule,
        f"Removed schedule {schedule.title}",
    )
    schedule.delete()


def send_date(schedule: Schedule, due: date) -> date:
    return due - timedelta(days=schedule.lead_days)


def next_dates(principal: Principal, schedule: Schedule, today: date, count: int = 3) -> list[date]:
    """The next due dates the schedule has still to send, soonest first."""
    if schedule.paused:
        first = today
    else:
        first = max(today, (schedule.generated_through or date.min) + timedelta(days=1))
    last = first + timedelta(days=400)
    if schedule.ends_on:
        last = min(last, schedule.ends_on)
    holidays = holiday_dates(principal)
    return recurrence.occurrences(schedule.as_rule(), first, last, holidays)[:count]


@transaction.atomic
def generate_due_tasks(schedule: Schedule, today: date) -> list[Task]:
    """Send each task of ``schedule`` whose send date (due date − lead days) has come by
    ``today`` (the organization's local date); returns the tasks sent now.

    Safe to run any number of times: the schedule row is locked, ``generated_through`` records
    the last due date considered, and the (schedule, occurrence) constraint backs it up. A
    paused schedule sends nothing; resuming skips the dates that fell while paused (see
    ``resume_schedule``). While the engagement is not active nothing is sent and the dates that
    pass are skipped the same way. Missed runs (a worker down for a while) catch up.

    The tasks are sent by the schedule, for its organization, whoever's change set it off.
    """
    principal = Principal.system(schedule.organization)
    schedule = _locked_schedule(principal, schedule)
    if schedule.paused_at is not None:
        return []
    engagement = schedule.engagement
    if engagement.status != EngagementStatus.ACTIVE:
        skip_to = today - timedelta(days=1)
        if schedule.generated_through is None or schedule.generated_through < skip_to:
            Schedule.objects.filter(pk=schedule.pk).update(generated_through=skip_to)
        return []
    first = (
        schedule.generated_through + timedelta(days=1)
        if schedule.generated_through
        else schedule.starts_on
    )
    last = today + timedelta(days=schedule.lead_days)
    if schedule.ends_on:
        last = min(last, schedule.ends_on)
    if last < first:
        return []
    org = schedule.organization
    dates = recurrence.occurrences(schedule.as_rule(), first, last, holiday_dates(principal))
    # No work is due before the engagement starts (the tasks' due-date rule).
    dates = [due for due in dates if due >= engagement.start_date]
    taken = set(
        Task.objects.visible_to(principal)
        .filter(schedule=schedule, occurrence__in=dates)
        .values_list("occurrence", flat=True)
    )
    tz = org_zone(org)
    created = []
    for due in dates:
        if due in taken:
            continue
        task = _create_task(
            principal,
            engagement,
            data={
                "title": schedule.title,
                "details": schedule.details,
                "kind": schedule.kind,
                "priority": schedule.priority,
                "due_at": datetime.combine(due, schedule.due_time, tzinfo=tz),
            },
            schedule=schedule,
            occurrence=due,
        )
        created.append(task)
    Schedule.objects.filter(pk=schedule.pk).update(generated_through=last)
    return created


# --- Calendar feeds -------------------------------------------------------------------------
FEED_PREFIX = "cal_"


@transaction.atomic
def create_feed(principal: Principal) -> tuple[CalendarFeed, str]:
    """A new secret calendar address of the principal's own (a member's, or a provider
    contact's); the token is returned once and only its hash is kept."""
    if principal.user is None:
        raise PermissionDenied("A calendar feed belongs to a person.")
    org, user = principal.organization, principal.user
    raw = FEED_PREFIX + secrets.token_urlsafe(24)
    feed = CalendarFeed.objects.create(
        organization=org, user=user, token_hash=CalendarFeed.hash(raw), hint=raw[:8]
    )
    audit.record(org, user, "calendar_feed.created", feed, "Created a calendar feed")
    return feed, raw


@transaction.atomic
def revoke_feed(principal: Principal, feed: CalendarFeed) -> CalendarFeed:
    """Revoke one of the principal's own calendar feeds: its address stops working."""
    mine = principal.user is not None and feed.user_id == principal.user.pk
    if feed.organization_id != principal.organization_id or not mine:
        raise PermissionDenied("You can revoke only your own calendar feeds.")
    actor = principal.user
    if feed.revoked_at is None:
        feed.revoked_at = timezone.now()
        feed.save(update_fields=["revoked_at"])
        audit.record(
            feed.organization, actor, "calendar_feed.revoked", feed, "Revoked a calendar feed"
        )
    return feed
