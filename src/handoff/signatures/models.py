"""Signature requests: a PDF sent to its signers in order, each signature recorded, and the
signing certificate the installation seals finished documents with."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from handoff.core.tenancy import TenantModel, TenantQuerySet
from handoff.signatures import hooks


class SigningCertificate(models.Model):
    """A certificate this installation seals signed documents with (PAdES, through pyHanko).

    Installation-wide, not an organization's: made on first use (or read from the PKCS#12 file
    ``HANDOFF_SIGNING_CERTIFICATE`` names); ``handoff manage signing_certificate --rotate``
    makes a new one and retires the current one, which still verifies what it sealed. The
    private key is kept encrypted (PKCS#8 under ``settings.SIGNING_KEY_PASSPHRASE``)."""

    created_at = models.DateTimeField(default=timezone.now)
    subject = models.CharField(max_length=200)
    certificate_pem = models.TextField()
    key_pem = models.TextField(blank=True, help_text="Encrypted PKCS#8; empty for an outside one.")
    fingerprint = models.CharField("SHA-256 fingerprint", max_length=64, unique=True)
    not_after = models.DateTimeField()
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.subject} ({self.fingerprint[:16]}…)"


def document_path(instance, filename):
    return f"org-{instance.organization_id}/signatures/{filename}"


class Side(models.TextChoices):
    PROVIDER = "provider", "Provider"
    US = "us", "Our organization"


class SignatureRequest(TenantModel):
    """One PDF out for signature. ``kind`` names what it is (an agreement); the app that sent it
    points at it with a foreign key of its own and reacts to it through :mod:`.hooks`."""

    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    document = models.FileField(upload_to=document_path)
    document_sha256 = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    declined_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    sealed = models.FileField(upload_to=document_path, blank=True)
    sealed_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    certificate = models.ForeignKey(
        SigningCertificate, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "-created_at"], name="sigreq_org_created"),
        ]

    def __str__(self):
        return self.title

    STATUSES = {
        "out": "out for signature",
        "signed": "signed by all",
        "declined": "declined",
        "expired": "expired",
        "cancelled": "cancelled",
    }

    @property
    def status(self) -> str:
        if self.completed_at:
            return "signed"
        if self.cancelled_at:
            return "cancelled"
        if self.declined_at:
            return "declined"
        if self.expires_at <= timezone.now():
            return "expired"
        return "out"

    @property
    def status_label(self) -> str:
        return self.STATUSES[self.status]

    @property
    def is_live(self) -> bool:
        return self.status == "out"


class SignerQuerySet(TenantQuerySet):
    def portal_scope(self, principal):
        """A provider's contact sees the signatures asked of them: the provider's side, sent
        to their own e-mail address, on requests the sending app says are their provider's
        (:func:`.hooks.portal_requests`)."""
        email = (principal.contact.email or "").strip()
        if not email:
            return self.none()
        return self.filter(
            hooks.portal_requests(principal, through="request"),
            side=Side.PROVIDER,
            email__iexact=email,
        )


class Signer(TenantModel):
    """One person who signs a request, in ``position`` order; their record is what the signature
    page of the sealed PDF shows. The raw token is only in their e-mail; the row keeps its hash,
    set when it is their turn."""

    request = models.ForeignKey(SignatureRequest, on_delete=models.CASCADE, related_name="signers")
    position = models.PositiveSmallIntegerField()
    side = models.CharField(max_length=10, choices=Side.choices)
    name = models.CharField(max_length=200)
    email = models.EmailField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True, null=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    consented_at = models.DateTimeField(null=True, blank=True)
    consent_address = models.GenericIPAddressField(null=True, blank=True)
    consent_user_agent = models.CharField(max_length=300, blank=True)
    consent_version = models.CharField(max_length=20, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    typed_name = models.CharField(max_length=200, blank=True)
    signed_address = models.GenericIPAddressField(null=True, blank=True)
    signed_user_agent = models.CharField(max_length=300, blank=True)
    document_sha256 = models.CharField("SHA-256 of the document shown", max_length=64, blank=True)
    # What the signer drew beside their typed name, if anything: a PNG as a
    # ``data:image/png;base64,`` URL (checked by services.sign). The typed name is the signature.
    drawn_signature = models.TextField(blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)

    objects = SignerQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "request", "position"], name="signer_position_unique"
            )
        ]

    def __str__(self):
        return f"{self.name} <{self.email}>"

    @property
    def status(self) -> str:
        """Where this signer stands: waiting (not their turn) → sent → opened → consented →
        signed, or declined."""
        if self.signed_at:
            return "signed"
        if self.declined_at:
            return "declined"
        if self.consented_at:
            return "consented"
        if self.opened_at:
            return "opened"
        return "sent" if self.sent_at else "waiting"
