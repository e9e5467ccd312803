"""Notifications, each person's preferences, the organization's webhooks and their deliveries,
and the bookkeeping of periodic sweeps."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

from handoff.core.links import absolute_url
from handoff.core.tenancy import TenantModel, TenantQuerySet
from handoff.notifications import egress
from handoff.notifications.events import Event

DEFAULT_DUE_SOON_HOURS = 24
MAX_DUE_SOON_HOURS = 24 * 30


def event_label(value: str) -> str:
    """An event's name for people. The column holds no ``choices`` so that adding an event is
    a change to ``events.py`` alone, not a migration; services check the values."""
    return Event(value).label if value in Event.values else value


class EmailState(models.TextChoices):
    NONE = "none", "No e-mail"
    PENDING = "pending", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    DIGEST = "digest", "Held for the daily digest"
    SENT = "sent", "Sent"
    FAILED = "failed", "Could not be sent"


class NotificationQuerySet(TenantQuerySet):
    def inbox(self, user):
        """What ``user`` sees in the inbox, newest first."""
        return self.filter(user=user, in_app=True).order_by("-created_at", "-id")

    def unread(self):
        return self.filter(read_at__isnull=True)

    def portal_scope(self, principal):
        """A provider's contact sees the messages addressed to them."""
        return self.filter(user=principal.user)


class Notification(TenantModel):
    """One message to one person: an inbox line, an e-mail, or both.

    ``user`` is empty for people without a login (a provider contact), who get the e-mail only.
    ``key`` makes a message idempotent: the same key reaches the same recipient once.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    email = models.EmailField("e-mail address", blank=True)
    event = models.CharField(max_length=40)  # an Event value; see event_label
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    key = models.CharField(max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    in_app = models.BooleanField(default=True, help_text="Shown in the recipient's inbox.")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    email_state = models.CharField(
        max_length=10, choices=EmailState.choices, default=EmailState.NONE
    )
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    email_error = models.CharField(max_length=300, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "key", "user"],
                condition=~models.Q(key="") & models.Q(user__isnull=False),
                name="notification_once_per_user",
            ),
            models.UniqueConstraint(
                fields=["organization", "key", "email"],
                condition=~models.Q(key="") & models.Q(user__isnull=True),
                name="notification_once_per_email",
            ),
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | ~models.Q(email=""),
                name="notification_has_recipient",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "user", "-created_at"], name="notification_inbox"),
            models.Index(fields=["email_state", "created_at"], name="notification_email_state"),
        ]

    def __str__(self):
        return self.subject

    @property
    def event_label(self) -> str:
        return event_label(self.event)

    @property
    def recipient(self) -> str:
        return str(self.user) if self.user_id else self.email

    @property
    def absolute_url(self) -> str:
        """The notification's site path as a link that works from an e-mail or a chat
        message."""
        return absolute_url(self.url)


class OwnChoicesQuerySet(TenantQuerySet):
    def portal_scope(self, principal):
        """A provider's contact sees their own notification choices."""
        return self.filter(user=principal.user)


class NotificationSettings(TenantModel):
    """One person's choices in one organization that are not per event."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    due_soon_hours = models.PositiveIntegerField(
        "warn me about due work this many hours ahead",
        default=DEFAULT_DUE_SOON_HOURS,
    )
    daily_digest = models.BooleanField(
        "one daily e-mail instead of one e-mail per notification", default=False
    )
    last_digest_on = models.DateField(null=True, blank=True)

    objects = OwnChoicesQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user"], name="notification_settings_unique"
            )
        ]

    def __str__(self):
        return f"Notification settings of {self.user} in {self.organization}"

    def clean(self):
        if not 1 <= self.due_soon_hours <= MAX_DUE_SOON_HOURS:
            raise ValidationError(
                {"due_soon_hours": f"Choose between 1 and {MAX_DUE_SOON_HOURS} hours."}
            )


class EventPreference(TenantModel):
    """Where one event reaches one person; without a row, it reaches both inbox and e-mail."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_preferences"
    )
    event = models.CharField(max_length=40)  # an Event value; see event_label
    in_app = models.BooleanField("inbox", default=True)
    email = models.BooleanField("e-mail", default=True)

    objects = OwnChoicesQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user", "event"], name="event_preference_unique"
            )
        ]

    def __str__(self):
        return f"{event_label(self.event)} for {self.user}"


class WebhookFormat(models.TextChoices):
    SLACK = "slack", "Slack"
    TEAMS = "teams", "Microsoft Teams"


class Webhook(TenantModel):
    """A chat channel's incoming webhook that receives the organization's chosen events."""

    name = models.CharField(max_length=100, help_text="e.g. #bookkeeping on Slack")
    url = models.URLField("webhook address", max_length=500)
    format = models.CharField(max_length=10, choices=WebhookFormat.choices)
    events = models.JSONField(default=list, blank=True)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("notifications:webhook", args=[self.organization.slug, self.pk])

    def clean(self):
        errors = {}
        parsed = urlsplit(self.url or "")
        allowed = egress.allowed_by_name(parsed.hostname or "")
        if parsed.scheme != "https" and not (parsed.scheme == "http" and allowed):
            errors["url"] = (
                "Use an https:// address (http:// only for a host the installation allows)."
            )
        if not isinstance(self.events, list) or not self.events:
            errors["events"] = "Choose at least one event to send."
        else:
            unknown = [value for value in self.events if value not in Event.values]
            if unknown:
                errors["events"] = f"Unknown events: {', '.join(map(str, unknown))}."
        if errors:
            raise ValidationError(errors)

    def event_labels(self) -> list[str]:
        return [Event(value).label for value in self.events if value in Event.values]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class WebhookDeliveryQuerySet(TenantQuerySet):
    def due(self, now):
        return self.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)


class WebhookDelivery(TenantModel):
    """One message posted (or to be posted) to one webhook, with its attempts."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40, blank=True, help_text="Empty for a test message.")
    key = models.CharField(max_length=200, blank=True)
    payload = models.JSONField()
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = WebhookDeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "webhook", "key"],
                condition=~models.Q(key=""),
                name="webhook_delivery_once_per_key",
            )
        ]
        indexes = [
            models.Index(
                fields=["organization", "webhook", "-created_at"], name="webhook_delivery_list"
            ),
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due"),
        ]

    def __str__(self):
        return f"Delivery {self.pk} to {self.webhook_id}"

    @property
    def event_label(self) -> str:
        return event_label(self.event) if self.event else "Test message"


class SweepRun(models.Model):
    """When each periodic sweep last started: shared by every worker, so a sweep due every five
    minutes runs once in five minutes however many workers there are. Not tenant data."""

    name = models.CharField(max_length=200, unique=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_result = models.IntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    def __str__(self):
        return self.name
