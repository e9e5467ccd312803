from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse

from handoff.core.tenancy import TenantModel
from handoff.providers.choices import Channel, EntityType, ProviderKind, ProviderStatus


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
