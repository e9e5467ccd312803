import hashlib
import secrets
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

from handoff.core.choices import CURRENCIES, US_STATE_CODES, time_zone_choices
from handoff.core.roles import Role
from handoff.core.tenancy import TenantModel, TenantQuerySet


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """A person; logs in with an e-mail address and belongs to organizations by membership."""

    username = None
    first_name = None
    last_name = None
    name = models.CharField("full name", max_length=150)
    email = models.EmailField("e-mail address", unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    objects = UserManager()

    class Meta:
        ordering = ["name", "email"]

    def __str__(self):
        return self.name or self.email

    def get_full_name(self):
        return self.name

    def get_short_name(self):
        return self.name.split(" ")[0] if self.name else self.email

    def clean(self):
        super().clean()
        self.email = self.email.strip().lower()


def validate_states(value):
    if not isinstance(value, list) or any(code not in US_STATE_CODES for code in value):
        raise ValidationError("Choose states by their two-letter US code.")


def validate_time_zone(value):
    if value not in {name for name, _ in time_zone_choices()}:
        raise ValidationError(f"{value!r} is not a known time zone.")


slug_validator = RegexValidator(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
    "Use lowercase letters, digits and single hyphens, e.g. acme-dental.",
)
RESERVED_SLUGS = {"new", "api", "static", "media", "admin", "accounts", "invite"}


class Organization(models.Model):
    """A business using Handoff; owns everything its members enter."""

    name = models.CharField(max_length=150)
    slug = models.SlugField(
        max_length=60,
        unique=True,
        validators=[slug_validator],
        help_text="Appears in addresses: /o/<slug>/.",
    )
    time_zone = models.CharField(
        max_length=64, default="America/New_York", validators=[validate_time_zone]
    )
    currency = models.CharField(max_length=3, choices=CURRENCIES, default="USD")
    states = models.JSONField(
        "US states where it operates",
        default=list,
        blank=True,
        validators=[validate_states],
        help_text="Some rules (contractor tests, tax forms) depend on the state.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def today(self):
        """Today's date in the organization's time zone."""
        return timezone.localtime(timezone.now(), ZoneInfo(self.time_zone)).date()

    def clean(self):
        if self.slug in RESERVED_SLUGS:
            raise ValidationError({"slug": "This address is reserved; choose another."})


class Membership(TenantModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="membership_unique")
        ]
        ordering = ["user__name"]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()}) in {self.organization}"


def hash_secret(raw: str) -> str:
    """Invitation and API tokens are long random strings, so a plain SHA-256 is enough."""
    return hashlib.sha256(raw.encode()).hexdigest()


class InvitationQuerySet(TenantQuerySet):
    def pending(self):
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )


class Invitation(TenantModel):
    email = models.EmailField("e-mail address")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "email"], name="invitation_org_email")]

    def __str__(self):
        return f"Invitation of {self.email} to {self.organization}"

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"


class ApiTokenQuerySet(TenantQuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)

    def portal_scope(self, principal):
        """A provider's contact sees their own tokens."""
        return self.filter(user=principal.user)


class ApiToken(TenantModel):
    """A personal bearer token: one organization, the owner's role there, stored hashed."""

    PREFIX = "hnd_"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What uses it, e.g. 'accounting sync'.")
    key_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12, help_text="The first characters, to recognize it.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "user"], name="apitoken_org_user")]

    def __str__(self):
        return f"{self.name} ({self.hint}…)"

    @classmethod
    def new_key(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)


class PortalAccessQuerySet(TenantQuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True, user__isnull=False)

    def live(self):
        """Accepted, not revoked, for an active login and a contact still on file."""
        return self.filter(
            revoked_at__isnull=True,
            accepted_at__isnull=False,
            user__isnull=False,
            user__is_active=True,
            contact__archived_at__isnull=True,
        )


class PortalAccess(TenantModel):
    """A provider contact's login to the portal of one organization: their provider's work only.

    The contact is a row of ``providers`` (named by string: accounts comes first in the
    dependency order and imports nothing of it).

    The invitation link carries a token stored hashed; accepting it creates or links a user.
    """

    contact = models.ForeignKey(
        "providers.Contact", on_delete=models.CASCADE, related_name="portal_accesses"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="portal_accesses",
    )
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    invited_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = PortalAccessQuerySet.as_manager()

    class Meta:
        ordering = ["-invited_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "contact"],
                condition=models.Q(revoked_at__isnull=True),
                name="portal_one_live_access_per_contact",
            ),
            models.UniqueConstraint(
                fields=["organization", "user"],
                condition=models.Q(revoked_at__isnull=True),
                name="portal_one_live_access_per_user",
            ),
        ]

    def __str__(self):
        return f"Portal access for {self.contact}"

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @property
    def state(self) -> str:
        if self.revoked_at:
            return "revoked"
        if self.accepted_at:
            return "active"
        if self.expires_at < timezone.now():
            return "expired"
        return "invited"


class PortalSettings(TenantModel):
    """What the organization lets its providers see in the portal."""

    show_prices = models.BooleanField(
        "show engagement prices to providers",
        default=False,
        help_text="Off: the portal shows the work, never what you pay.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="portal_settings_one_per_org")
        ]


class SignupMail(models.Model):
    """A sign-up e-mail sent (or asked for): to whom, from which client address, when. Kept
    for an hour so that sign-up cannot be used to flood an inbox (see
    ``services.start_signup``); it holds no organization's data."""

    email = models.EmailField()
    address = models.GenericIPAddressField(null=True, blank=True)
    sent_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["email", "sent_at"], name="signup_mail_email_sent")]

    def __str__(self):
        return f"Sign-up mail to {self.email}"
