from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from handoff.core.tenancy import TenantModel, TenantQuerySet
from handoff.providers.choices import (
    Channel,
    DueDiligenceStatus,
    EntityType,
    ProviderKind,
    ProviderStatus,
    Relationship,
    WouldHireAgain,
)


class ExpertiseField(TenantModel):
    """A field a provider works in (bookkeeping, billing…); each organization extends its list."""

    name = models.CharField(max_length=60)

    class Meta:
        ordering = [Lower("name")]
        constraints = [
            models.UniqueConstraint("organization", Lower("name"), name="expertise_unique_name")
        ]

    def __str__(self):
        return self.name


class Provider(TenantModel):
    """A firm or an individual the business outsources to, or considers."""

    name = models.CharField(max_length=150)
    legal_name = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=12, choices=ProviderKind.choices, default=ProviderKind.FIRM)
    entity_type = models.CharField(
        max_length=20,
        choices=EntityType.choices,
        blank=True,
        help_text="Needed later for 1099 reporting.",
    )
    is_attorney = models.BooleanField(
        "attorney or law firm",
        default=False,
        help_text="Attorneys' fees go on Form 1099-NEC even when the firm is a corporation.",
    )
    fields = models.ManyToManyField(
        ExpertiseField,
        through="ProviderExpertise",
        blank=True,
        related_name="providers",
        verbose_name="fields of expertise",
    )
    website = models.URLField(blank=True)
    street = models.CharField("street address", max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField("state or region", max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=60, blank=True, default="United States")
    status = models.CharField(
        max_length=10, choices=ProviderStatus.choices, default=ProviderStatus.PROSPECT
    )
    notes = models.TextField(blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = [Lower("name"), "id"]
        indexes = [
            # The list's default: live providers by name, read in index order.
            models.Index(
                "organization",
                Lower("name"),
                "id",
                condition=models.Q(archived_at__isnull=True),
                name="provider_org_live_name",
            ),
            models.Index(fields=["organization", "status"], name="provider_org_status"),
            models.Index(fields=["organization", "-updated_at"], name="provider_org_updated"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("providers:detail", args=[self.organization.slug, self.pk])

    @property
    def address_lines(self) -> list[str]:
        locality = " ".join(
            part
            for part in [self.city + ("," if self.region else ""), self.region, self.postal_code]
            if part
        )
        return [line for line in [self.street, locality.strip(" ,"), self.country] if line]


class ProviderExpertise(TenantModel):
    """Join of a provider and a field of expertise, carrying the organization like every row."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE)
    field = models.ForeignKey(ExpertiseField, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "provider", "field"], name="provider_expertise_unique"
            )
        ]


class Contact(TenantModel):
    """A person at a provider: who to call, write to or assign work to."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=150)
    title = models.CharField(max_length=100, blank=True)
    email = models.EmailField("e-mail address", blank=True)
    phone = models.CharField(max_length=40, blank=True)
    preferred_channel = models.CharField(
        max_length=10, choices=Channel.choices, default=Channel.EMAIL
    )
    notes = models.TextField(blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = [Lower("name"), "id"]
        indexes = [
            models.Index(fields=["organization", "provider"], name="contact_org_provider"),
            models.Index("organization", Lower("email"), name="contact_org_email"),
        ]

    def __str__(self):
        return f"{self.name} ({self.provider})" if self.provider_id else self.name

    def clean(self):
        super().clean()
        if self.provider_id:
            self.ensure_same_org("provider")
        if self.preferred_channel == Channel.EMAIL and not self.email:
            raise ValidationError({"email": "Give an e-mail address, or prefer another channel."})
        if self.preferred_channel == Channel.PHONE and not self.phone:
            raise ValidationError({"phone": "Give a phone number, or prefer another channel."})


class Reference(TenantModel):
    """Someone who worked with the provider and can vouch for them (or not)."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="references")
    name = models.CharField(max_length=150)
    company = models.CharField(max_length=150, blank=True)
    email = models.EmailField("e-mail address", blank=True)
    phone = models.CharField(max_length=40, blank=True)
    relationship = models.CharField(
        max_length=20, choices=Relationship.choices, default=Relationship.CURRENT_CLIENT
    )
    worked_from = models.DateField("worked together from", null=True, blank=True)
    worked_to = models.DateField("until", null=True, blank=True, help_text="Empty if ongoing.")
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = [Lower("name"), "id"]
        indexes = [models.Index(fields=["organization", "provider"], name="reference_org_provider")]

    def __str__(self):
        return f"{self.name} ({self.company})" if self.company else self.name

    def clean(self):
        super().clean()
        if self.worked_from and self.worked_to and self.worked_to < self.worked_from:
            raise ValidationError({"worked_to": "The end is before the start."})


class ReferenceQuestionQuerySet(TenantQuerySet):
    def link_scope(self, principal):
        """A reference's link shows them the organization's questions, to answer them."""
        return self if isinstance(principal.grant, ReferenceRequest) else self.none()


class ReferenceQuestion(TenantModel):
    """A question of the organization's reference-check interview. The standard ones (with a
    ``key``) feed the reputation score and can be reworded, not removed; added ones are free
    text."""

    objects = ReferenceQuestionQuerySet.as_manager()

    key = models.SlugField(max_length=40, blank=True)
    text = models.CharField(max_length=300)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "key"],
                condition=~models.Q(key=""),
                name="reference_question_key",
            )
        ]

    def __str__(self):
        return self.text


rating = {
    "null": True,
    "blank": True,
    "validators": [MinValueValidator(1), MaxValueValidator(5)],
}


class ReferenceCheck(TenantModel):
    """One structured interview with a reference, by phone or through the e-mailed form."""

    reference = models.ForeignKey(Reference, on_delete=models.CASCADE, related_name="checks")
    understood_field = models.PositiveSmallIntegerField(**rating)
    met_deadlines = models.PositiveSmallIntegerField(**rating)
    missed_deadlines = models.TextField("examples of missed deadlines", blank=True)
    communication = models.PositiveSmallIntegerField(**rating)
    quality = models.PositiveSmallIntegerField("quality of work", **rating)
    would_hire_again = models.CharField(max_length=10, choices=WouldHireAgain.choices, blank=True)
    red_flags = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    answers = models.JSONField(
        default=dict, blank=True, help_text="Answers to the organization's added questions."
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    asked_at = models.DateTimeField(default=timezone.now)
    self_submitted = models.BooleanField(
        default=False, help_text="Filled in by the reference through the e-mailed link."
    )

    class Meta:
        ordering = ["-asked_at", "-id"]
        indexes = [models.Index(fields=["organization", "reference"], name="refcheck_org_ref")]

    RATINGS = ("understood_field", "met_deadlines", "communication", "quality")

    def ratings(self) -> list[int]:
        return [value for value in (getattr(self, name) for name in self.RATINGS) if value]


class ReferenceRequest(TenantModel):
    """A one-time, expiring link that lets a reference answer the check without an account."""

    reference = models.ForeignKey(Reference, on_delete=models.CASCADE, related_name="requests")
    token_hash = models.CharField(max_length=64, unique=True)
    sent_to = models.EmailField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "reference"], name="refrequest_org_ref")]

    @property
    def status(self) -> str:
        if self.used_at:
            return "answered"
        return "expired" if self.expires_at <= timezone.now() else "waiting"


class DueDiligenceTemplate(TenantModel):
    """A checklist the organization applies to providers it vets."""

    name = models.CharField(max_length=100)

    class Meta:
        ordering = [Lower("name")]
        constraints = [
            models.UniqueConstraint("organization", Lower("name"), name="dd_template_unique_name")
        ]

    def __str__(self):
        return self.name


class DueDiligenceTemplateItem(TenantModel):
    template = models.ForeignKey(
        DueDiligenceTemplate, on_delete=models.CASCADE, related_name="items"
    )
    title = models.CharField(max_length=150)
    needs_document = models.BooleanField(default=True)
    has_expiry = models.BooleanField(default=False)
    has_amount = models.BooleanField("has a coverage amount", default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.title


def due_diligence_upload_path(instance, filename):
    return (
        f"org-{instance.organization_id}/due-diligence/provider-{instance.provider_id}/{filename}"
    )


class DueDiligenceItem(TenantModel):
    """One thing checked about a provider: a certificate, a licence, an answer, a verification."""

    provider = models.ForeignKey(
        Provider, on_delete=models.CASCADE, related_name="due_diligence_items"
    )
    title = models.CharField(max_length=150)
    status = models.CharField(
        max_length=15, choices=DueDiligenceStatus.choices, default=DueDiligenceStatus.PENDING
    )
    needs_document = models.BooleanField(default=True)
    has_expiry = models.BooleanField(default=False)
    has_amount = models.BooleanField(default=False)
    document = models.FileField(upload_to=due_diligence_upload_path, blank=True)
    document_type = models.CharField(max_length=40, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    amount = models.DecimalField(
        "coverage amount",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    notes = models.TextField(blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["organization", "provider"], name="dd_item_org_provider"),
            models.Index(fields=["organization", "expires_on"], name="dd_item_org_expiry"),
        ]

    def __str__(self):
        return self.title

    @property
    def expired(self) -> bool:
        return bool(self.expires_on and self.expires_on < timezone.localdate())
