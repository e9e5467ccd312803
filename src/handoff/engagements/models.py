from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from handoff.core.tenancy import TenantModel, TenantQuerySet
from handoff.engagements import terms
from handoff.engagements.choices import (
    PORTAL_VISIBLE_STATUSES,
    BillingPeriod,
    EngagementStatus,
    ExitItemKind,
    MeetingCadence,
    Party,
    PricingModel,
    Severity,
    TargetUnit,
    TurnaroundRule,
)
from handoff.providers.choices import Channel

money = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(Decimal(0))]}
quantity = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(Decimal(0))]}


def their_engagements(principal, through: str = "engagement") -> models.Q:
    """Rows under a provider contact's own provider's engagements, drafts aside: the portal's
    rule, for a row that reaches its engagement ``through`` that path."""
    return models.Q(
        **{
            f"{through}__provider_id": principal.provider_id,
            f"{through}__status__in": PORTAL_VISIBLE_STATUSES,
        }
    )


class EngagementQuerySet(TenantQuerySet):
    def portal_scope(self, principal):
        """A provider's contact sees their own provider's engagements, drafts aside."""
        return self.filter(provider_id=principal.provider_id, status__in=PORTAL_VISIBLE_STATUSES)


class EngagementTermsQuerySet(TenantQuerySet):
    def portal_scope(self, principal):
        """The terms both sides work to (response targets, the escalation ladder): a
        provider's contact sees those of their own provider's engagements."""
        return self.filter(their_engagements(principal))


class Engagement(TenantModel):
    """An arrangement with one provider for one or more business functions."""

    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.PROTECT, related_name="engagements"
    )
    title = models.CharField(max_length=150, help_text="e.g. 'Monthly bookkeeping and close'.")
    functions = models.ManyToManyField(
        "decisions.BusinessFunction",
        through="EngagementFunction",
        related_name="engagements",
        verbose_name="business functions",
    )
    scope = models.TextField(blank=True, help_text="What they do for you, and what they don't.")

    pricing_model = models.CharField(
        max_length=10, choices=PricingModel.choices, default=PricingModel.FLAT
    )
    amount = models.DecimalField(
        "fee, rate or unit price",
        **money,
        help_text="The flat fee, the hourly rate, or the price of one unit.",
    )
    billing_period = models.CharField(
        max_length=10,
        choices=BillingPeriod.choices,
        default=BillingPeriod.MONTH,
        help_text="For a flat fee: how often it is charged.",
    )
    unit_name = models.CharField(
        max_length=40, blank=True, help_text="For per-unit pricing, e.g. 'claim' or 'call'."
    )
    monthly_quantity = models.DecimalField(
        "estimated hours or units a month",
        **quantity,
        null=True,
        blank=True,
        help_text="For hourly and per-unit pricing: the estimate the yearly cost rests on.",
    )
    payment_terms_days = models.PositiveSmallIntegerField(
        "payment terms (days)", default=30, validators=[MaxValueValidator(365)]
    )
    expenses_allowed = models.BooleanField(
        "expenses may be invoiced",
        default=False,
        help_text="The provider may add expense lines (travel, filing fees) to its invoices.",
    )

    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True, help_text="Leave empty if open-ended.")
    auto_renew = models.BooleanField("renews automatically", default=False)
    renewal_months = models.PositiveSmallIntegerField(
        "renewal term (months)", default=12, validators=[MaxValueValidator(120)]
    )
    notice_days = models.PositiveSmallIntegerField(
        "notice period (days)", default=30, validators=[MaxValueValidator(730)]
    )

    status = models.CharField(
        max_length=10,
        choices=EngagementStatus.choices,
        default=EngagementStatus.DRAFT,
        editable=False,
    )
    exit_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EngagementQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-id"]
        indexes = [
            models.Index(fields=["organization", "status"], name="engagement_org_status"),
            models.Index(fields=["organization", "provider"], name="engagement_org_provider"),
            models.Index(fields=["organization", "end_date"], name="engagement_org_end"),
        ]

    def __str__(self):
        return f"{self.title} ({self.provider})" if self.provider_id else self.title

    def get_absolute_url(self):
        return reverse("engagements:detail", args=[self.organization.slug, self.pk])

    def clean(self):
        super().clean()
        errors = {}
        if self.provider_id:
            try:
                self.ensure_same_org("provider")
            except ValidationError as error:
                errors.update(error.message_dict)
        if self.end_date and self.start_date and self.end_date < self.start_date:
            errors["end_date"] = ["The end date is before the start date."]
        if self.pricing_model == PricingModel.PER_UNIT and not self.unit_name:
            errors["unit_name"] = ["Name the unit you pay for, e.g. 'claim'."]
        if errors:
            raise ValidationError(errors)

    # --- Derived terms ---------------------------------------------------------------------
    def tiers(self) -> list[terms.Tier]:
        return [terms.Tier(tier.above, tier.unit_price) for tier in self.price_tiers.all()]

    @property
    def annual_cost(self) -> Decimal | None:
        return terms.annual_cost(
            self.pricing_model,
            self.amount,
            billing_period=self.billing_period,
            monthly_quantity=self.monthly_quantity,
            tiers=self.tiers() if self.pricing_model == PricingModel.PER_UNIT else [],
        )

    def term_end(self, today=None):
        return terms.current_term_end(
            self.start_date,
            self.end_date,
            auto_renew=self.auto_renew,
            renewal_months=self.renewal_months,
            today=today or timezone.localdate(),
        )

    def notice_deadline(self, today=None):
        """The next last day to give notice (for the following term once this one's passed)."""
        today = today or timezone.localdate()
        return terms.notice_deadline(
            self.term_end(today),
            self.notice_days,
            auto_renew=self.auto_renew,
            renewal_months=self.renewal_months,
            today=today,
        )

    def notice_ends_term_on(self, today=None):
        """The term end that notice given by ``notice_deadline`` would end the engagement on."""
        deadline = self.notice_deadline(today)
        return deadline and deadline + timedelta(days=self.notice_days)


class EngagementFunction(TenantModel):
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE)
    function = models.ForeignKey("decisions.BusinessFunction", on_delete=models.PROTECT)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "engagement", "function"], name="engagement_function_unique"
            )
        ]


class PriceTier(TenantModel):
    """A volume band of per-unit pricing: units above ``above`` cost ``unit_price``."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="price_tiers")
    above = models.DecimalField("above (units a month)", **quantity)
    unit_price = models.DecimalField(**money)

    class Meta:
        ordering = ["above"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "engagement", "above"], name="price_tier_unique"
            )
        ]


class StatusChange(TenantModel):
    """One move of an engagement's status: who, when, why."""

    engagement = models.ForeignKey(
        Engagement, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=10, choices=EngagementStatus.choices)
    to_status = models.CharField(max_length=10, choices=EngagementStatus.choices)
    reason = models.CharField(max_length=500, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "engagement"], name="status_change_org_eng")
        ]


class Target(models.Model):
    """A time allowance: so many hours or business days."""

    amount = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    unit = models.CharField(max_length=15, choices=TargetUnit.choices, default=TargetUnit.HOURS)

    class Meta:
        abstract = True

    @property
    def target_display(self) -> str:
        unit = self.get_unit_display()
        return f"{self.amount} {unit[:-1] if self.amount == 1 else unit}"


class ServiceLevel(TenantModel):
    """The turnaround promised for one kind of task, e.g. 'invoice batch: 2 business days'."""

    engagement = models.ForeignKey(
        Engagement, on_delete=models.CASCADE, related_name="service_levels"
    )
    task_kind = models.CharField(max_length=80)
    rule = models.CharField(
        max_length=15, choices=TurnaroundRule.choices, default=TurnaroundRule.BUSINESS_DAYS
    )
    business_days = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(250)]
    )
    day_of_month = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text="31 means the month's last day.",
    )

    class Meta:
        ordering = ["task_kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "engagement", "task_kind"], name="service_level_unique"
            )
        ]

    def __str__(self):
        return f"{self.task_kind}: {self.turnaround_display}"

    def clean(self):
        if self.rule == TurnaroundRule.BUSINESS_DAYS and self.business_days is None:
            raise ValidationError({"business_days": "Give the number of business days."})
        if self.rule == TurnaroundRule.DAY_OF_MONTH and self.day_of_month is None:
            raise ValidationError({"day_of_month": "Give the day of the month."})

    @property
    def turnaround_display(self) -> str:
        if self.rule == TurnaroundRule.DAY_OF_MONTH:
            return (
                "by the last day of the month"
                if self.day_of_month == 31
                else (f"by day {self.day_of_month} of the month")
            )
        days = self.business_days
        return f"{days} business day{'' if days == 1 else 's'}"


class ResponseTarget(Target, TenantModel):
    """How soon an issue of one severity must get a first response."""

    engagement = models.ForeignKey(
        Engagement, on_delete=models.CASCADE, related_name="response_targets"
    )
    severity = models.CharField(max_length=10, choices=Severity.choices)

    objects = EngagementTermsQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "engagement", "severity"], name="response_target_unique"
            )
        ]

    def __str__(self):
        return f"{self.get_severity_display()}: within {self.target_display}"


class HolidayQuerySet(TenantQuerySet):
    def portal_scope(self, principal):
        """The organization's days off are its providers' to know too: the clocks on the work
        they share (response targets, due dates) skip them."""
        return self


class Holiday(TenantModel):
    """A day the organization does not count as a business day."""

    date = models.DateField()
    name = models.CharField(max_length=100)

    objects = HolidayQuerySet.as_manager()

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "date"], name="holiday_unique_date")
        ]

    def __str__(self):
        return f"{self.date:%b %d, %Y}: {self.name}"


class WorkflowStep(TenantModel):
    """One hand-off in the provider's process: who hands what to whom, by when."""

    engagement = models.ForeignKey(
        Engagement, on_delete=models.CASCADE, related_name="workflow_steps"
    )
    position = models.PositiveSmallIntegerField()
    actor = models.CharField("who", max_length=10, choices=Party.choices)
    action = models.CharField("does what", max_length=200, help_text="e.g. 'send the receipts'.")
    recipient = models.CharField("to whom", max_length=10, choices=Party.choices, blank=True)
    due = models.CharField("by when", max_length=100, blank=True, help_text="e.g. 'every Friday'.")

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["organization", "engagement"], name="workflow_org_eng")]

    def __str__(self):
        return self.sentence

    @property
    def sentence(self) -> str:
        who = "We" if self.actor == Party.US else "They"
        to = {Party.US: " to us", Party.PROVIDER: " to them"}.get(self.recipient, "")
        return f"{who} {self.action}{to}" + (f" {self.due}" if self.due else "")


class CommunicationPlan(TenantModel):
    """Who talks to whom about what: the routing that tasks and issues follow."""

    engagement = models.OneToOneField(
        Engagement, on_delete=models.CASCADE, related_name="communication_plan"
    )
    our_point_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="our point person for new work",
    )
    their_point_person = models.ForeignKey(
        "providers.Contact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="their point person for new work",
    )
    issue_contact = models.ForeignKey(
        "providers.Contact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="their contact for issues",
    )
    preferred_channel = models.CharField(
        max_length=10, choices=Channel.choices, default=Channel.EMAIL
    )
    meeting_cadence = models.CharField(
        max_length=10, choices=MeetingCadence.choices, default=MeetingCadence.MONTHLY
    )
    meeting_notes = models.CharField(
        max_length=200, blank=True, help_text="e.g. 'first Tuesday, 30 minutes, video call'."
    )

    def missing_for_activation(self) -> list[str]:
        """What must be filled in before the engagement can become active."""
        missing = []
        if self.our_point_person_id is None:
            missing.append("our point person for new work")
        if self.their_point_person_id is None:
            missing.append("their point person for new work")
        if self.issue_contact_id is None:
            missing.append("their contact for issues")
        return missing


class EscalationLevel(Target, TenantModel):
    """A rung of the escalation ladder: who on each side, and how long before it climbs."""

    engagement = models.ForeignKey(
        Engagement, on_delete=models.CASCADE, related_name="escalation_levels"
    )
    level = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    our_person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    their_contact = models.ForeignKey(
        "providers.Contact", on_delete=models.PROTECT, related_name="+"
    )

    objects = EngagementTermsQuerySet.as_manager()

    class Meta:
        ordering = ["level"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "engagement", "level"], name="escalation_level_unique"
            )
        ]

    def __str__(self):
        return f"Level {self.level}: after {self.target_display}"


class AgreementClause(TenantModel):
    """A standard clause of the organization's agreement template, editable by an admin."""

    key = models.SlugField(max_length=40)
    title = models.CharField(max_length=100)
    body = models.TextField()
    position = models.PositiveSmallIntegerField(default=0)
    individuals_only = models.BooleanField(
        default=False, help_text="Printed only when the provider is an individual."
    )

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "key"], name="agreement_clause_key")
        ]

    def __str__(self):
        return self.title


def agreement_upload_path(instance, filename):
    return (
        f"org-{instance.organization_id}/agreements/engagement-{instance.engagement_id}/{filename}"
    )


class AgreementVersion(TenantModel):
    """One generated PDF of the written agreement; every version is kept."""

    engagement = models.ForeignKey(
        Engagement, on_delete=models.CASCADE, related_name="agreement_versions"
    )
    number = models.PositiveSmallIntegerField()
    file = models.FileField(upload_to=agreement_upload_path)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    generated_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Sent for signature in the app (rather than marked sent and signed elsewhere).
    signature_request = models.OneToOneField(
        "signatures.SignatureRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "engagement", "number"], name="agreement_version_unique"
            )
        ]

    def __str__(self):
        return f"Agreement v{self.number}"


class SignedAgreement(TenantModel):
    """The signed copy of the agreement: sealed when signed in the app, or as uploaded. The
    provider's contacts see their own in the portal (both sides signed it)."""

    engagement = models.ForeignKey(
        Engagement, on_delete=models.CASCADE, related_name="signed_agreements"
    )
    version = models.ForeignKey(
        AgreementVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file = models.FileField(upload_to=agreement_upload_path)
    content_type = models.CharField(max_length=40)
    signed_on = models.DateField()
    signers = models.CharField(max_length=300, help_text="Who signed, on both sides.")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    objects = EngagementTermsQuerySet.as_manager()

    class Meta:
        ordering = ["-signed_on", "-id"]
        # "Which active engagements have no signed agreement?" (the dashboard) looks each
        # engagement up within the organization.
        indexes = [
            models.Index(fields=["organization", "engagement"], name="signedagreement_org_eng")
        ]


class AccessGrant(TenantModel):
    """A system, account or data set of ours that the provider can reach."""

    engagement = models.ForeignKey(
        Engagement, on_delete=models.CASCADE, related_name="access_grants"
    )
    system = models.CharField(max_length=100, help_text="e.g. 'QuickBooks Online'.")
    account = models.CharField(max_length=150, help_text="The login or account they use.")
    level = models.CharField(max_length=100, help_text="e.g. 'accountant', 'read-only'.")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    granted_on = models.DateField(default=timezone.localdate)
    revoked_on = models.DateField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        # Open access first on every database (SQLite and PostgreSQL sort NULL differently).
        ordering = [models.F("revoked_on").asc(nulls_first=True), "system", "id"]
        indexes = [models.Index(fields=["organization", "engagement"], name="access_org_eng")]

    def __str__(self):
        return f"{self.system} ({self.account}, {self.level})"


class ExitItem(TenantModel):
    """One thing to close before an engagement ends."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="exit_items")
    kind = models.CharField(max_length=15, choices=ExitItemKind.choices)
    text = models.CharField(max_length=200)
    access_grant = models.ForeignKey(
        AccessGrant, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = [models.F("done_at").asc(nulls_first=True), "id"]
        indexes = [models.Index(fields=["organization", "engagement"], name="exit_org_eng")]
