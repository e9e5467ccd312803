"""Evaluate: the organization's scorecard settings, the relationship check-ins, and the
monthly task facts scorecards read.

Scorecards themselves are not stored: they are computed set-based from tasks, issues,
payments and check-ins (``insights/scorecards.py``), one grouped query per source. The tasks'
delivery facts are read from ``TaskMonth``, one row per engagement and month kept current from
the tasks (``insights/rollup.py``), rather than from every task of the period.
"""

import hashlib

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from handoff.core.tenancy import TenantModel, TenantQuerySet

rating = {
    "null": True,
    "blank": True,
    "validators": [MinValueValidator(1), MaxValueValidator(5)],
}


class InsightsSettings(TenantModel):
    """One row per organization: how often check-ins go out and how the overall score weighs
    each figure (empty weights: the defaults in ``scorecards.DEFAULT_WEIGHTS``)."""

    class Cadence(models.IntegerChoices):
        OFF = 0, "Never"
        MONTHLY = 1, "Every month"
        QUARTERLY = 3, "Every quarter"
        HALF_YEARLY = 6, "Every six months"
        YEARLY = 12, "Every year"

    checkin_months = models.PositiveSmallIntegerField(
        "relationship check-ins",
        choices=Cadence.choices,
        default=Cadence.QUARTERLY,
        help_text="How often the people who work with each provider are asked how it goes.",
    )
    ask_provider = models.BooleanField(
        "ask the provider too",
        default=False,
        help_text="Also ask the provider's point person, through the portal, for their view.",
    )
    weights = models.JSONField(
        default=dict, blank=True, help_text="Weight of each figure in the overall score."
    )
    rollup_zone = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="The time zone the TaskMonth rows were counted in; blank: not counted yet.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="insights_settings_one_per_org")
        ]


class CheckInRound(TenantModel):
    """One period's check-in about one provider: the questions go to several people."""

    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.CASCADE, related_name="checkin_rounds"
    )
    period_start = models.DateField()
    period_end = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-period_start", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "provider", "period_start"], name="checkin_round_once"
            )
        ]

    def __str__(self):
        return f"{self.provider}: {self.period_start:%b %Y}–{self.period_end:%b %Y}"


class CheckInQuerySet(TenantQuerySet):
    def answered(self):
        return self.filter(answered_at__isnull=False)

    def portal_scope(self, principal):
        """A provider's contact sees the check-ins addressed to them."""
        return self.filter(contact_id=principal.contact_id)


class CheckIn(TenantModel):
    """One person's answers about a provider for one round: a member of the organization, or
    (the provider's own view) one of the provider's contacts. Answerable from a one-click link
    whose token is stored hashed."""

    round = models.ForeignKey(CheckInRound, on_delete=models.CASCADE, related_name="checkins")
    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.CASCADE, related_name="checkins"
    )
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="checkins",
    )
    contact = models.ForeignKey(
        "providers.Contact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="checkins",
        help_text="Set when this is the provider's own view.",
    )
    token_hash = models.CharField(max_length=64, unique=True)
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)

    comfortable = models.PositiveSmallIntegerField("comfortable working with them", **rating)
    clear = models.PositiveSmallIntegerField("communication is clear", **rating)
    responsive = models.PositiveSmallIntegerField("responsive", **rating)
    recommend = models.PositiveSmallIntegerField("would recommend them", **rating)
    note = models.TextField(blank=True)

    objects = CheckInQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "id"]
        indexes = [
            models.Index(
                fields=["organization", "provider", "answered_at"], name="checkin_org_provider"
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "round", "respondent"],
                condition=models.Q(respondent__isnull=False),
                name="checkin_once_per_member",
            ),
            models.UniqueConstraint(
                fields=["organization", "round", "contact"],
                condition=models.Q(contact__isnull=False),
                name="checkin_once_per_contact",
            ),
        ]

    QUESTIONS = ("comfortable", "clear", "responsive", "recommend")

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @property
    def is_provider_view(self) -> bool:
        return self.contact_id is not None


class TaskMonth(TenantModel):
    """The delivery facts of one engagement's tasks due in one month of the organization's
    time zone (cancelled tasks left out): what the scorecards' task figures add up, so that a
    quarter of 500 providers reads some 1,800 rows instead of 80,000 tasks.

    Only facts that do not change with the clock are kept here: open tasks are counted, and
    are past due once the month is over; the month under way is counted from the tasks at read
    time. A change to a task marks its month stale (``stale``
    holds a token) and the next read counts that month again from its tasks; see
    ``insights/rollup.py``."""

    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField(help_text="The month's first day.")
    stale = models.CharField(
        max_length=16, null=True, blank=True, help_text="Set when a task changed since counted."
    )

    delivered = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    late = models.PositiveIntegerField(default=0)
    late_seconds = models.FloatField(default=0)
    late_max_seconds = models.FloatField(null=True)
    delivered_once = models.PositiveIntegerField(default=0)
    returned = models.PositiveIntegerField(default=0)
    rated = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)
    turnaround_counted = models.PositiveIntegerField(default=0)
    turnaround_within = models.PositiveIntegerField(default=0)
    open = models.PositiveIntegerField(default=0, help_text="Still with the provider.")

    class Meta:
        indexes = [
            models.Index(fields=["organization", "month"], name="taskmonth_org_month"),
            models.Index(
                fields=["organization"],
                condition=models.Q(stale__isnull=False),
                name="taskmonth_stale",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "engagement", "month"], name="taskmonth_once"
            )
        ]

    def __str__(self):
        return f"{self.engagement_id} {self.month:%b %Y}"
