"""Run: the work sent to providers, the schedules that send it, the issues raised about it, and
the provider contacts who see it through the portal."""

import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from handoff.core.tenancy import TenantModel, TenantQuerySet
from handoff.engagements.choices import Severity
from handoff.engagements.models import their_engagements
from handoff.work import recurrence, status
from handoff.work.choices import IssueStatus, Priority, Recurrence, Side, TaskStatus


class TaskQuerySet(TenantQuerySet):
    def open(self):
        """Not closed: with the provider or waiting for us."""
        return self.filter(status__in=status.OPEN)

    def with_provider(self):
        """The provider's turn: the work that can be due soon or overdue."""
        return self.filter(status__in=status.WITH_PROVIDER)

    def waiting_for_us(self):
        """Delivered, waiting for our review."""
        return self.filter(status__in=status.WAITING_FOR_US)

    def closed(self):
        return self.filter(status__in=status.CLOSED)

    def overdue(self, now=None):
        """Still with the provider past its due time (delivered work is not overdue)."""
        return self.with_provider().filter(due_at__lt=now or timezone.now())

    def for_contact(self, contact):
        """The tasks a provider contact may see in the portal: their own provider's."""
        return self.filter(
            organization_id=contact.organization_id, engagement__provider_id=contact.provider_id
        )

    def portal_scope(self, principal):
        """A provider's contact sees the work under their provider's engagements, drafts aside."""
        return self.filter(their_engagements(principal))


class Task(TenantModel):
    """One piece of work sent to a provider under an engagement, with its due time."""

    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.PROTECT, related_name="tasks"
    )
    title = models.CharField(max_length=200)
    details = models.TextField(
        blank=True, help_text="Plain text; links and line breaks are shown as such."
    )
    kind = models.CharField(
        "task kind",
        max_length=80,
        blank=True,
        help_text="One of the engagement's service levels, which suggests the due date.",
    )
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    due_at = models.DateTimeField("due", help_text="In the organization's time zone.")
    status = models.CharField(
        max_length=15, choices=TaskStatus.choices, default=TaskStatus.REQUESTED
    )
    our_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tasks",
        verbose_name="our assignee",
    )
    their_assignee = models.ForeignKey(
        "providers.Contact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tasks",
        verbose_name="their assignee",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    schedule = models.ForeignKey(
        "Schedule", null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    occurrence = models.DateField(
        null=True, blank=True, help_text="The schedule's date this task was created for."
    )

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(
        null=True, blank=True, help_text="The latest delivery; on time means by the due time."
    )
    first_delivered_at = models.DateTimeField(null=True, blank=True)
    turnaround_due_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text=(
            "The deadline the kind's service level promised, counted from when the task was "
            "sent; None without a service level."
        ),
    )
    closed_at = models.DateTimeField(null=True, blank=True, help_text="Accepted or cancelled.")
    returns = models.PositiveSmallIntegerField(default=0, help_text="Times returned for rework.")
    quality_rating = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    acceptance_note = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["organization", "status", "due_at"], name="task_org_status_due"),
            models.Index(fields=["organization", "engagement", "due_at"], name="task_org_eng"),
            models.Index(fields=["organization", "our_assignee", "due_at"], name="task_org_ours"),
            models.Index(fields=["organization", "due_at"], name="task_org_due"),
            # Work with the provider by due time (overdue, due this week, the dashboard's first
            # rows): a small part of the tasks, read in due order without sorting.
            models.Index(
                fields=["organization", "due_at", "id"],
                condition=models.Q(status__in=status.WITH_PROVIDER),
                name="task_open_due",
            ),
            # A member's open work, with the provider or waiting for their review (the "Mine"
            # tab, the dashboard's count): a few rows among the thousands ever assigned to them.
            models.Index(
                fields=["organization", "our_assignee", "due_at"],
                condition=models.Q(status__in=status.OPEN),
                name="task_open_ours",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "schedule", "occurrence"],
                condition=models.Q(schedule__isnull=False),
                name="task_one_per_occurrence",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("work:task", args=[self.organization.slug, self.pk])

    def get_portal_url(self):
        """Where the provider's contact opens the task (the same page, in the portal's frame)."""
        return reverse("portal:task", args=[self.organization.slug, self.pk])

    @property
    def is_open(self) -> bool:
        """Not closed: with the provider or waiting for us."""
        return self.status in status.OPEN

    @property
    def is_with_provider(self) -> bool:
        return self.status in status.WITH_PROVIDER

    @property
    def is_waiting_for_us(self) -> bool:
        return self.status in status.WAITING_FOR_US

    @property
    def turn(self) -> str | None:
        """Whose turn it is: ``Side.PROVIDER``, ``Side.US``, or None once closed."""
        return status.TURN[self.status]

    def is_overdue(self, now=None) -> bool:
        """Still with the provider past its due time."""
        return self.is_with_provider and self.due_at < (now or timezone.now())

    @property
    def on_time(self) -> bool | None:
        """Delivered by the due time? None until delivered (and for cancelled work)."""
        if self.delivered_at is None or self.status == TaskStatus.CANCELLED:
            return None
        return self.delivered_at <= self.due_at

    @property
    def lateness(self):
        """How late the latest delivery came (a timedelta), or None when on time."""
        if self.delivered_at is None or self.delivered_at <= self.due_at:
            return None
        return self.delivered_at - self.due_at


class TaskMoveQuerySet(TenantQuerySet):
    def portal_scope(self, principal):
        """A provider's contact sees the history of their provider's tasks."""
        return self.filter(their_engagements(principal, "task__engagement"))


class TaskMove(TenantModel):
    """One status change of a task: who, which side, when, and why."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="moves")
    from_status = models.CharField(max_length=15, choices=TaskStatus.choices, blank=True)
    to_status = models.CharField(max_length=15, choices=TaskStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    side = models.CharField(max_length=10, choices=Side.choices)
    note = models.TextField(blank=True)
    on_behalf_reason = models.TextField(
        blank=True,
        help_text="Set when our side recorded one of the provider's own steps for them: why.",
    )
    at = models.DateTimeField(default=timezone.now)

    objects = TaskMoveQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["organization", "task"], name="taskmove_org_task")]

    def __str__(self):
        return f"{self.from_status or 'new'} -> {self.to_status}"


class TaskCommentQuerySet(TenantQuerySet):
    def portal_scope(self, principal):
        """A provider's contact sees the threads of their provider's tasks, internal notes
        aside."""
        return self.filter(their_engagements(principal, "task__engagement"), internal=False)


class TaskComment(TenantModel):
    """A message in a task's thread. Internal notes are never shown to the provider."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    side = models.CharField(max_length=10, choices=Side.choices)
    body = models.TextField()
    internal = models.BooleanField(
        "internal note", default=False, help_text="Only your organization sees it."
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = TaskCommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["organization", "task"], name="taskcomment_org_task")]


def attachment_path(instance, filename):
    return f"tasks/{instance.organization_id}/{instance.task_id}/{secrets.token_hex(8)}-{filename}"


class TaskAttachmentQuerySet(TenantQuerySet):
    def portal_scope(self, principal):
        """A provider's contact sees the files of their provider's tasks, but not those of
        internal notes."""
        return self.filter(their_engagements(principal, "task__engagement")).exclude(
            comment__internal=True
        )


class TaskAttachment(TenantModel):
    """A file sent with a task, a delivery or a comment (type and size checked on upload)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="attachments")
    move = models.ForeignKey(
        TaskMove, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    comment = models.ForeignKey(
        TaskComment, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, max_length=300)
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    side = models.CharField(max_length=10, choices=Side.choices)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = TaskAttachmentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["organization", "task"], name="taskfile_org_task")]

    def __str__(self):
        return self.name


class Schedule(TenantModel):
    """Recurring work: creates each next task ahead of time, with its due date."""

    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="schedules"
    )
    title = models.CharField(max_length=200, help_text="The title each task gets.")
    details = models.TextField(blank=True)
    kind = models.CharField("task kind", max_length=80, blank=True)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    rule = models.CharField(
        "repeats", max_length=15, choices=Recurrence.choices, default=Recurrence.MONTHLY_DAY
    )
    day_of_month = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text="31 means the month's last day.",
    )
    weekdays = models.JSONField(
        default=list, blank=True, help_text="For weekly work: 0 = Monday … 6 = Sunday."
    )
    interval_days = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(366)]
    )
    due_time = models.TimeField(help_text="Local time on the due date.")
    lead_days = models.PositiveSmallIntegerField(
        "create ahead (days)",
        default=7,
        validators=[MaxValueValidator(90)],
        help_text="How many days before its due date each task is sent.",
    )
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    generated_through = models.DateField(
        null=True,
        blank=True,
        editable=False,
        help_text="The last due date already considered; later dates are still to come.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["title", "id"]
        indexes = [models.Index(fields=["organization", "engagement"], name="schedule_org_eng")]

    def __str__(self):
        return f"{self.title} ({self.describe()})"

    def clean(self):
        super().clean()
        if self.rule == Recurrence.MONTHLY_DAY and not self.day_of_month:
            raise ValidationError({"day_of_month": "Give the day of the month."})
        if self.rule == Recurrence.WEEKLY:
            days = self.weekdays or []
            if not days or any(not isinstance(d, int) or not 0 <= d <= 6 for d in days):
                raise ValidationError({"weekdays": "Choose at least one weekday."})
        if self.rule == Recurrence.EVERY_N_DAYS and not self.interval_days:
            raise ValidationError({"interval_days": "Give the number of days between tasks."})
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "The end comes before the start."})

    @property
    def paused(self) -> bool:
        return self.paused_at is not None

    def as_rule(self) -> recurrence.Rule:
        return recurrence.Rule(
            kind=self.rule,
            anchor=self.starts_on,
            day_of_month=self.day_of_month,
            weekdays=tuple(self.weekdays or ()),
            interval_days=self.interval_days,
        )

    def describe(self) -> str:
        return recurrence.describe(self.as_rule())


class IssueQuerySet(TenantQuerySet):
    def portal_scope(self, principal):
        """A provider's contact sees the issues on their provider's engagements, drafts aside."""
        return self.filter(their_engagements(principal))


class Issue(TenantModel):
    """A problem raised on an engagement or one of its tasks, routed by the communication plan
    and climbing the escalation ladder while it goes unanswered."""

    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.PROTECT, related_name="issues"
    )
    task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="issues"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.NORMAL)
    status = models.CharField(max_length=10, choices=IssueStatus.choices, default=IssueStatus.OPEN)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    raised_side = models.CharField(max_length=10, choices=Side.choices)
    level = models.PositiveSmallIntegerField(
        default=0, help_text="0: the issue contact; 1 and up: the escalation ladder's levels."
    )
    respond_by = models.DateTimeField(
        null=True, blank=True, help_text="When it climbs if nobody answers; none: no target."
    )
    raised_at = models.DateTimeField(default=timezone.now)
    first_response_at = models.DateTimeField(null=True, blank=True)
    first_response_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    escalated_at = models.DateTimeField(null=True, blank=True, help_text="The latest climb.")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.TextField(blank=True)

    objects = IssueQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "status", "respond_by"], name="issue_org_due"),
            models.Index(fields=["organization", "engagement"], name="issue_org_eng"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("work:issue", args=[self.organization.slug, self.pk])

    def get_portal_url(self):
        """Where the provider's contact opens the issue (the same page, in the portal's frame)."""
        return reverse("portal:issue", args=[self.organization.slug, self.pk])


class IssueEventQuerySet(TenantQuerySet):
    def portal_scope(self, principal):
        """A provider's contact sees the whole thread of their provider's issues."""
        return self.filter(their_engagements(principal, "issue__engagement"))


class IssueEvent(TenantModel):
    """The issue's thread and history: messages, responses, climbs and the resolution."""

    class Kind(models.TextChoices):
        RAISED = "raised", "Raised"
        MESSAGE = "message", "Message"
        ESCALATED = "escalated", "Escalated"
        RESOLVED = "resolved", "Resolved"
        REOPENED = "reopened", "Reopened"

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    side = models.CharField(max_length=10, choices=Side.choices, blank=True)
    body = models.TextField(blank=True)
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    objects = IssueEventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["organization", "issue"], name="issueevent_org_issue")]
        constraints = [
            # One climb per level: a sweep run twice, or by two workers, escalates once.
            models.UniqueConstraint(
                fields=["organization", "issue", "level"],
                condition=models.Q(kind="escalated"),
                name="issue_escalates_once_per_level",
            )
        ]


class CalendarFeedQuerySet(TenantQuerySet):
    def portal_scope(self, principal):
        """A provider's contact sees their own calendar addresses."""
        return self.filter(user=principal.user)


class CalendarFeed(TenantModel):
    """A person's secret iCalendar address for the due dates of the tasks assigned to them."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = CalendarFeedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "user"], name="calfeed_org_user")]

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()
