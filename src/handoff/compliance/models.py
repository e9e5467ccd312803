"""Comply: the dated rules (one table for every organization) and each organization's
assessments, W-9s, invoices and payments."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from handoff.compliance.choices import (
    EXEMPT_PAYEE_CODES,
    TIN_MATCHED,
    TIN_MISMATCHED,
    Category,
    Direction,
    FilingMethod,
    ForeignForm,
    LlcClassification,
    MismatchSource,
    Outcome,
    TaxClassification,
    TinMatchResult,
    TinType,
)
from handoff.core.tenancy import TenantModel, TenantQuerySet
from handoff.core.uploads import DOCUMENT_EXTENSIONS
from handoff.decisions.models import DatedFigures, dollars, percent

NOT_NEGATIVE = MinValueValidator(Decimal(0), "This cannot be negative.")


# --- Dated rules -------------------------------------------------------------------------------
class ClassificationRuleSet(DatedFigures):
    """The factors of the common-law test in force from ``effective_from``, and how the
    weighing is called. A new wording or weight is a new rule set, not a code change; an
    assessment keeps the rule set it was made under."""

    name = models.CharField(max_length=150)
    employee_share_at_least = models.DecimalField(
        max_digits=4, decimal_places=3, help_text="Employee weight ÷ all weight at or above this."
    )
    contractor_share_at_most = models.DecimalField(max_digits=4, decimal_places=3)
    min_answered_share = models.DecimalField(max_digits=4, decimal_places=3)

    def __str__(self):
        return f"{self.name} (from {self.effective_from:%Y-%m-%d})"


class ClassificationFactor(models.Model):
    rule_set = models.ForeignKey(
        ClassificationRuleSet, on_delete=models.CASCADE, related_name="factors"
    )
    key = models.SlugField(max_length=40)
    category = models.CharField(max_length=15, choices=Category.choices)
    position = models.PositiveSmallIntegerField()
    question = models.CharField(max_length=300)
    help_text = models.TextField(blank=True)
    yes_points_to = models.CharField(max_length=12, choices=Direction.choices)
    yes_weight = models.PositiveSmallIntegerField(validators=[MaxValueValidator(5)])
    no_weight = models.PositiveSmallIntegerField(validators=[MaxValueValidator(5)])
    source = models.TextField()

    class Meta:
        ordering = ["rule_set", "position"]
        constraints = [
            models.UniqueConstraint(fields=["rule_set", "key"], name="classification_factor_key")
        ]

    def __str__(self):
        return self.question


class StateTest(models.Model):
    """A state's ABC test, its prongs and its listed exemptions, in force for a period."""

    state = models.CharField(max_length=2)
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    name = models.CharField(max_length=150)
    applies_to = models.CharField(max_length=300)
    prongs = models.JSONField(help_text="[{key, label, question}], in order.")
    exemptions = models.JSONField(default=list, help_text="[{key, name, description, citation}]")
    source = models.TextField()

    class Meta:
        ordering = ["state", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["state", "effective_from"], name="state_test_dated")
        ]

    def __str__(self):
        return self.name


class Form1099Threshold(DatedFigures):
    """The 1099-NEC reporting threshold for payments made in the period (IRC 6041(a))."""

    amount = models.DecimalField(**dollars)

    def __str__(self):
        return f"${self.amount:,.0f} from {self.effective_from:%Y-%m-%d}"


class Section3509Rates(DatedFigures):
    """IRC 3509 rates for a reclassified worker, as percents (1.5 for 1.5%)."""

    withholding_percent = models.DecimalField(**percent)
    withholding_no_1099_percent = models.DecimalField(**percent)
    employee_fica_share_percent = models.DecimalField(**percent)
    employee_fica_share_no_1099_percent = models.DecimalField(**percent)

    class Meta(DatedFigures.Meta):
        verbose_name_plural = "section 3509 rates"

    def __str__(self):
        return f"IRC 3509 rates from {self.effective_from:%Y-%m-%d}"


class BackupWithholdingRate(DatedFigures):
    """The backup withholding rate on reportable payments (IRC 3406(a)(1); IRS Pub. 1281)."""

    percent = models.DecimalField(**percent)

    class Meta(DatedFigures.Meta):
        verbose_name = "backup withholding rate"


class StateContractorRule(models.Model):
    """A state's rule for reporting independent contractors to its new-hire registry, in force
    from ``effective_from``; a change is a new row (a migration), not a code change. Handoff
    counts payments made in the calendar year toward ``threshold``; where the state counts a
    contract's expected value, the page says a report may be due sooner."""

    state = models.CharField(max_length=2)
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    threshold = models.DecimalField(
        **dollars, null=True, blank=True, help_text="Empty: a contractor paid any amount."
    )
    more_than = models.BooleanField(
        default=False, help_text="The amount must be exceeded, not just reached."
    )
    counts_contract_value = models.BooleanField(
        default=False,
        help_text="The state counts what the contract is expected to pay, not only what was paid.",
    )
    entity_types = models.JSONField(
        default=list, help_text="The provider entity types the rule covers."
    )
    who = models.CharField(max_length=300)
    deadline_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Days after the threshold is crossed; empty: none named."
    )
    every_year = models.BooleanField(
        default=False, help_text="Reported again in each calendar year the contractor qualifies."
    )
    how = models.CharField(max_length=300, help_text="The form or service the state takes.")
    asks = models.TextField(help_text="What the report asks for.")
    source = models.TextField()
    verified_on = models.DateField(
        null=True, blank=True, help_text="When the source was read; empty: not re-read yet."
    )

    class Meta:
        ordering = ["state", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["state", "effective_from"], name="state_contractor_rule_unique"
            )
        ]

    def __str__(self):
        return f"{self.state} contractor reporting from {self.effective_from:%Y-%m-%d}"


# --- The organization's settings ---------------------------------------------------------------
class ComplianceSettings(TenantModel):
    refuse_payments_without_w9 = models.BooleanField(
        "refuse payments to payees without a W-9",
        default=False,
        help_text="Off: such a payment is recorded with a warning. On: it is refused.",
    )
    benefits_cost_percent = models.DecimalField(
        "benefit cost, % of wages",
        max_digits=6,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[NOT_NEGATIVE, MaxValueValidator(Decimal(200))],
        help_text="What your benefits for an employee cost, as a percent of wages (health "
        "insurance, retirement, paid leave), without payroll taxes. Leave empty if you do not "
        "know; reclassification estimates then leave benefits out.",
    )
    # The payer on the organization's 1099 returns (IRIS asks for them on every return). The
    # TIN is kept like a W-9's: encrypted with the ``tins`` key ring, last four for display.
    payer_tin_type = models.CharField(
        "payer's TIN type",
        max_length=4,
        choices=[(TinType.EIN, "EIN"), (TinType.SSN, "SSN")],
        blank=True,
    )
    payer_tin_encrypted = models.TextField(blank=True, editable=False)
    payer_tin_last4 = models.CharField(max_length=4, blank=True, editable=False)
    payer_name = models.CharField(
        "payer's name",
        max_length=200,
        blank=True,
        help_text="The name on the organization's tax returns; empty means the organization's "
        "name.",
    )
    payer_name_2 = models.CharField("payer's second name line", max_length=200, blank=True)
    payer_address = models.CharField("payer's address", max_length=200, blank=True)
    payer_address_2 = models.CharField("payer's address, second line", max_length=200, blank=True)
    payer_city = models.CharField("payer's city", max_length=100, blank=True)
    payer_state = models.CharField("payer's state", max_length=2, blank=True)
    payer_postal_code = models.CharField("payer's ZIP code", max_length=10, blank=True)
    payer_country = models.CharField(
        "payer's country", max_length=2, default="US", help_text="Two-letter country code."
    )
    payer_phone = models.CharField("payer's phone", max_length=20, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    @property
    def masked_payer_tin(self) -> str:
        if not self.payer_tin_last4:
            return ""
        return masked(self.payer_tin_type, self.payer_tin_last4)

    class Meta:
        verbose_name_plural = "compliance settings"
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="compliance_settings_one")
        ]


# --- Classification assessments ---------------------------------------------------------------
class ClassificationAssessment(TenantModel):
    """One assessment of a provider's status, kept as made: a new one is a new version."""

    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.PROTECT, related_name="classification_assessments"
    )
    number = models.PositiveSmallIntegerField(editable=False)
    rule_set = models.ForeignKey(ClassificationRuleSet, on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField(default=dict)
    state_answers = models.JSONField(default=dict)
    state_test_ids = models.JSONField(
        default=list, help_text="The state tests asked (the organization's states then)."
    )
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    federal_outcome = models.CharField(max_length=12, choices=Outcome.choices)
    employee_weight = models.PositiveSmallIntegerField(default=0)
    contractor_weight = models.PositiveSmallIntegerField(default=0)
    annual_payments = models.DecimalField(
        "a year of payments",
        **dollars,
        validators=[NOT_NEGATIVE],
        help_text="The basis of the reclassification estimate.",
    )
    payments_basis = models.CharField(max_length=200, blank=True)
    exposure_year = models.PositiveSmallIntegerField()
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["organization", "provider", "-created_at"], name="assessment_org_provider"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "provider", "number"], name="assessment_version_unique"
            )
        ]

    def __str__(self):
        return f"Assessment {self.number} of {self.provider}"

    def get_absolute_url(self):
        return reverse("compliance:assessment", args=[self.organization.slug, self.pk])


class AssessedEngagement(TenantModel):
    """An engagement an assessment was made for, with the terms that bear on the factors as
    they stood then (hours, pay basis, length, scope) and the agreement version then latest."""

    assessment = models.ForeignKey(
        ClassificationAssessment, on_delete=models.CASCADE, related_name="engagement_links"
    )
    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="+"
    )
    agreement_version = models.ForeignKey(
        "engagements.AgreementVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    terms = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "assessment", "engagement"], name="assessed_engagement_one"
            )
        ]
        indexes = [
            models.Index(fields=["organization", "engagement"], name="assessed_org_engagement")
        ]


# --- W-9 ---------------------------------------------------------------------------------------
def w9_upload_path(instance, filename):
    return f"org-{instance.organization_id}/w9/provider-{instance.provider_id}/{filename}"


class PayeeOwnQuerySet(TenantQuerySet):
    def portal_scope(self, principal):
        """A provider's contact sees their own business's W-9s and W-9 links in the portal."""
        return self.filter(provider_id=principal.provider_id)


class W9(TenantModel):
    """A payee's Form W-9. The TIN is kept only encrypted (``tins.encrypt``), with a keyed hash
    for finding duplicates and its last four digits for display; the newest W-9 is current."""

    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="w9s")
    legal_name = models.CharField(max_length=200, help_text="Line 1: the name on the tax return.")
    business_name = models.CharField(
        max_length=200, blank=True, help_text="Line 2: business or disregarded-entity name."
    )
    tax_classification = models.CharField(
        "federal tax classification", max_length=20, choices=TaxClassification.choices
    )
    llc_classification = models.CharField(
        "LLC's tax classification",
        max_length=1,
        choices=LlcClassification.choices,
        blank=True,
        help_text="Only for an LLC: C, S or P.",
    )
    exempt_payee_code = models.CharField(max_length=2, choices=EXEMPT_PAYEE_CODES, blank=True)
    is_attorney = models.BooleanField(
        "payee is an attorney or law firm",
        default=False,
        help_text="Attorneys' fees stay reportable on 1099-NEC even when paid to a corporation.",
    )
    tin_type = models.CharField("TIN type", max_length=4, choices=TinType.choices)
    item_2_crossed_out = models.BooleanField(
        "certification item 2 crossed out",
        default=False,
        help_text="The payee crossed out item 2: the IRS told them they are subject to backup "
        "withholding, so 24% is withheld from later payments.",
    )
    tin_encrypted = models.TextField(editable=False)
    tin_hash = models.CharField(max_length=64, editable=False)
    tin_last4 = models.CharField(max_length=4, editable=False)
    street = models.CharField("address", max_length=200)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=2)
    postal_code = models.CharField("ZIP code", max_length=10)
    signed_on = models.DateField("date signed")
    document = models.FileField(upload_to=w9_upload_path)
    document_type = models.CharField(max_length=40)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField(default=timezone.now)

    objects = PayeeOwnQuerySet.as_manager()

    class Meta:
        verbose_name = "W-9"
        ordering = ["-signed_on", "-id"]
        indexes = [
            models.Index(fields=["organization", "provider", "-signed_on"], name="w9_org_provider"),
            models.Index(fields=["organization", "tin_hash"], name="w9_org_tin_hash"),
        ]

    def __str__(self):
        return f"W-9 of {self.legal_name}"

    @property
    def download_name(self) -> str:
        """The name the signed form is served under (stored, it is encrypted: ``….enc``)."""
        return f"w9-{self.provider_id}.{DOCUMENT_EXTENSIONS.get(self.document_type, 'bin')}"

    @property
    def masked_tin(self) -> str:
        return masked(self.tin_type, self.tin_last4)

    @property
    def is_corporation(self) -> bool:
        """A C or S corporation, or an LLC taxed as one (exempt payee code 5 alone does not
        decide here: the classification does)."""
        return self.tax_classification in (
            TaxClassification.C_CORPORATION,
            TaxClassification.S_CORPORATION,
        ) or (
            self.tax_classification == TaxClassification.LLC
            and self.llc_classification in (LlcClassification.C, LlcClassification.S)
        )


def w8_upload_path(instance, filename):
    return f"org-{instance.organization_id}/w8/provider-{instance.provider_id}/{filename}"


def w8_valid_through(signed_on: date) -> date:
    """A Form W-8BEN or W-8BEN-E stays in effect from the day it is signed until the last day
    of the third calendar year after, unless circumstances change (Treas. Reg.
    §1.1441-1(e)(4)(ii)(A); Instructions for the Requester of Forms W-8, "Period of
    Validity"): one signed 2026-03-01 lasts through 2029-12-31."""
    return date(signed_on.year + 3, 12, 31)


class W8(TenantModel):
    """A foreign payee's certificate of foreign status, given instead of a W-9: a W-8BEN an
    individual fills and signs through their onboarding link (kept as a substitute form PDF),
    or a W-8BEN-E an entity uploads. Any taxpayer number on it is kept only encrypted, as is
    the signed form. A payee whose newest tax form is a W-8 in force gets no 1099-NEC."""

    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="w8s")
    form = models.CharField(max_length=8, choices=ForeignForm.choices)
    name = models.CharField(
        max_length=200, help_text="Line 1: the individual or organization that is the owner."
    )
    country = models.CharField(
        max_length=80,
        help_text="Line 2: country of citizenship (W-8BEN) or of organization (W-8BEN-E).",
    )
    street = models.CharField(
        "permanent residence address", max_length=200, blank=True, help_text="Line 3; no P.O. box."
    )
    city = models.CharField(
        "city or town, state or province, postal code", max_length=200, blank=True
    )
    address_country = models.CharField("country of residence", max_length=80, blank=True)
    us_tin_type = models.CharField(
        "U.S. TIN type", max_length=4, choices=TinType.choices, blank=True
    )
    us_tin_encrypted = models.TextField(blank=True, editable=False)
    us_tin_last4 = models.CharField(max_length=4, blank=True, editable=False)
    foreign_tin_encrypted = models.TextField(blank=True, editable=False)
    foreign_tin_not_required = models.BooleanField(
        "foreign TIN not legally required", default=False, help_text="Line 6b."
    )
    date_of_birth = models.DateField(null=True, blank=True, help_text="Line 8.")
    treaty_country = models.CharField(
        "treaty country", max_length=80, blank=True, help_text="Line 9: resident of, for a treaty."
    )
    treaty_article = models.CharField(
        "treaty article and paragraph", max_length=60, blank=True, help_text="Line 10."
    )
    treaty_rate = models.DecimalField(
        "treaty withholding rate (%)",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(30))],
    )
    treaty_income = models.CharField("type of income", max_length=120, blank=True)
    treaty_conditions = models.TextField("additional conditions", blank=True, max_length=1000)
    signer_name = models.CharField(max_length=200, blank=True)
    signer_capacity = models.CharField(
        "capacity", max_length=120, blank=True, help_text="When signing for the owner."
    )
    signed_on = models.DateField("date signed")
    document = models.FileField(upload_to=w8_upload_path)
    document_type = models.CharField(max_length=40)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField(default=timezone.now)

    objects = PayeeOwnQuerySet.as_manager()

    class Meta:
        verbose_name = "W-8"
        ordering = ["-signed_on", "-id"]
        indexes = [
            models.Index(fields=["organization", "provider", "-signed_on"], name="w8_org_provider"),
        ]

    def __str__(self):
        return f"{self.form_label} of {self.name}"

    @property
    def form_label(self) -> str:
        return "W-8BEN-E" if self.form == ForeignForm.W8BEN_E else "W-8BEN"

    @property
    def valid_through(self) -> date:
        return w8_valid_through(self.signed_on)

    def in_force_on(self, day: date) -> bool:
        return self.signed_on <= day <= self.valid_through

    @property
    def download_name(self) -> str:
        extension = DOCUMENT_EXTENSIONS.get(self.document_type, "bin")
        return f"{self.form_label.lower()}-{self.provider_id}.{extension}"

    @property
    def masked_us_tin(self) -> str:
        return masked(self.us_tin_type, self.us_tin_last4) if self.us_tin_last4 else ""


class OnboardingLink(TenantModel):
    """A one-time, expiring link that lets a contractor give their W-9 without an account:
    consent to electronic records and signatures (ESIGN Act, 15 U.S.C. §7001(c)), the form,
    and a signature under penalties of perjury, each step recorded with time, address and
    browser (Instructions for the Requester of Form W-9, "Electronic submission of Forms W-9").
    The raw token is only in the e-mail; the row keeps its hash."""

    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.CASCADE, related_name="onboarding_links"
    )
    sent_to = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    reminded_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    consented_at = models.DateTimeField(null=True, blank=True)
    consent_address = models.GenericIPAddressField(null=True, blank=True)
    consent_user_agent = models.CharField(max_length=300, blank=True)
    consent_version = models.CharField(max_length=20, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signer_name = models.CharField(max_length=200, blank=True)
    signed_address = models.GenericIPAddressField(null=True, blank=True)
    signed_user_agent = models.CharField(max_length=300, blank=True)
    document_sha256 = models.CharField("SHA-256 of the signed PDF", max_length=64, blank=True)
    w9 = models.OneToOneField(
        W9, null=True, blank=True, on_delete=models.PROTECT, related_name="onboarding_link"
    )
    # Or, for a foreign payee, the W-8 they gave instead.
    w8 = models.OneToOneField(
        W8, null=True, blank=True, on_delete=models.PROTECT, related_name="onboarding_link"
    )
    # The engagement agreement sent with the link, signed as the onboarding's last step (the
    # contractor signs first; the member who sent the link countersigns).
    agreement = models.ForeignKey(
        "signatures.SignatureRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The W-9's fields as the contractor last left them, so that coming back resumes; never
    # the TIN, the certification or the signature (``onboarding.DRAFT_FIELDS``).
    draft = models.JSONField(default=dict, blank=True)

    objects = PayeeOwnQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "provider"], name="onboarding_org_provider"),
            models.Index(fields=["organization", "-created_at"], name="onboarding_org_created"),
        ]

    def __str__(self):
        return f"W-9 link for {self.provider} sent to {self.sent_to}"

    STATUSES = {
        "sent": "sent",
        "opened": "opened",
        "consented": "consented, tax form not signed",
        "signed": "tax form signed",
        "expired": "expired",
        "revoked": "withdrawn",
    }

    @property
    def status(self) -> str:
        """Where the contractor stands: sent → opened → consented → signed, or a dead end."""
        if self.signed_at:
            return "signed"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        if self.consented_at:
            return "consented"
        return "opened" if self.opened_at else "sent"

    @property
    def status_label(self) -> str:
        return self.STATUSES[self.status]

    @property
    def is_live(self) -> bool:
        """The contractor can still use it."""
        return self.status in ("sent", "opened", "consented")


class ContractorStatement(TenantModel):
    """The contractor's own answers to the classification questions they know best (their
    business and other clients, tools, hours and methods, pay, profit or loss), given and
    signed through their W-9 link: evidence beside the organization's own answers."""

    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.CASCADE, related_name="contractor_statements"
    )
    link = models.OneToOneField(
        OnboardingLink, null=True, on_delete=models.SET_NULL, related_name="statement"
    )
    answers = models.JSONField(default=dict, help_text="Factor key → yes, no or unsure.")
    note = models.TextField("anything to add", blank=True, max_length=2000)
    signer_name = models.CharField(max_length=200)
    signed_at = models.DateTimeField(default=timezone.now)
    signed_address = models.GenericIPAddressField(null=True, blank=True)
    signed_user_agent = models.CharField(max_length=300, blank=True)

    objects = PayeeOwnQuerySet.as_manager()

    class Meta:
        ordering = ["-signed_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "provider"], name="statement_org_provider"),
        ]

    def __str__(self):
        return f"How {self.provider} works, in their words"


class TinCheck(TenantModel):
    """What the IRS answered for a W-9's name and TIN in a bulk TIN Matching result file."""

    w9 = models.ForeignKey(W9, on_delete=models.CASCADE, related_name="tin_checks")
    result = models.PositiveSmallIntegerField(choices=TinMatchResult.choices)
    checked_on = models.DateField("date of the IRS result")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-checked_on", "-id"]
        indexes = [models.Index(fields=["organization", "w9"], name="tin_check_org_w9")]

    def __str__(self):
        return f"TIN check of {self.w9.legal_name} on {self.checked_on:%Y-%m-%d}"

    @property
    def matched(self) -> bool:
        return self.result in TIN_MATCHED

    @property
    def mismatched(self) -> bool:
        return self.result in TIN_MISMATCHED


class BNotice(TenantModel):
    """A payee whose name and TIN do not match, and the B-notice path that follows (IRS Pub.
    1281): after an IRS notice (CP2100/CP2100A, 972CG), the B notice asking for a certified TIN
    within 15 business days and backup withholding from 30 business days after the notice
    unless a certified TIN arrives first. A TIN Matching mismatch alone asks for a corrected
    W-9 on the same timetable but withholds nothing until the IRS's notice confirms it. A
    second notice within three years needs the IRS's or SSA's validation, not just a new W-9.
    One open case per payee."""

    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.PROTECT, related_name="b_notices"
    )
    w9 = models.ForeignKey(W9, on_delete=models.PROTECT, related_name="b_notices")
    source = models.CharField(max_length=16, choices=MismatchSource.choices)
    received_on = models.DateField("date received")
    second = models.BooleanField(
        "second notice in three years",
        default=False,
        help_text="The IRS named this payee's name and TIN twice within three calendar years.",
    )
    send_by = models.DateField("send the B notice by")
    b_notice_sent_on = models.DateField("B notice sent", null=True, blank=True)
    withholding_from = models.DateField(
        "withhold from",
        null=True,
        blank=True,
        help_text="Empty for a TIN Matching result alone: only an IRS notice (CP2100, 972CG) "
        "makes backup withholding required.",
    )
    resolved_on = models.DateField(null=True, blank=True)
    resolution = models.CharField(max_length=300, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "B notice"
        ordering = ["-received_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "provider"],
                condition=models.Q(resolved_on__isnull=True),
                name="b_notice_one_open",
            )
        ]

    def __str__(self):
        return f"B notice for {self.provider}, received {self.received_on:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.resolved_on is None

    def withholds_on(self, day: date) -> bool:
        """Whether a payment made on ``day`` is subject to backup withholding."""
        if self.withholding_from is None or day < self.withholding_from:
            return False
        return self.resolved_on is None or day < self.resolved_on

    @property
    def from_irs_notice(self) -> bool:
        return self.source != MismatchSource.TIN_MATCHING


def masked(tin_type: str, last4: str) -> str:
    if tin_type == TinType.EIN:
        return f"••-•••{last4}"
    return f"•••-••-{last4}"


class StateContractorReport(TenantModel):
    """That a contractor was reported to a state's new-hire registry for a year."""

    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.PROTECT, related_name="state_reports"
    )
    state = models.CharField(max_length=2)
    year = models.PositiveSmallIntegerField()
    filed_on = models.DateField("date reported")
    reference = models.CharField(
        "confirmation", max_length=100, blank=True, help_text="The state's confirmation, if any."
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    filed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-year", "state", "-filed_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "provider", "state", "year"],
                name="state_contractor_report_unique",
            )
        ]

    def __str__(self):
        return f"{self.provider} reported to {self.state} for {self.year}"


# --- 1099-NEC filings --------------------------------------------------------------------------
class Filing1099(TenantModel):
    """That a tax year's 1099-NEC forms were filed: when, how and the confirmation received.
    One per organization and tax year; once recorded, the dashboard and the deadline reminders
    stop asking for that year. Corrected or undone by an admin, each step audited."""

    tax_year = models.PositiveSmallIntegerField()
    filed_on = models.DateField("date filed")
    method = models.CharField("how", max_length=10, choices=FilingMethod.choices)
    service_name = models.CharField(
        "filing service",
        max_length=100,
        blank=True,
        help_text="Only for a filing service: its name.",
    )
    confirmation = models.CharField(
        "confirmation number",
        max_length=100,
        blank=True,
        help_text="IRIS's Receipt ID or the service's confirmation. Not needed on paper.",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-tax_year"]
        verbose_name = "1099-NEC filing"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "tax_year"], name="filing_1099_year_unique"
            )
        ]

    def __str__(self):
        return f"1099-NEC for {self.tax_year} filed on {self.filed_on:%Y-%m-%d}"

    @property
    def how(self) -> str:
        if self.method == FilingMethod.SERVICE and self.service_name:
            return f"through {self.service_name}"
        return {
            FilingMethod.IRIS: "through IRIS",
            FilingMethod.SERVICE: "through a filing service",
            FilingMethod.PAPER: "on paper",
        }[self.method]


# --- Recipient copies (Copy B) of Form 1099-NEC -----------------------------------------------
class StatementConsentQuerySet(TenantQuerySet):
    def portal_scope(self, principal):
        """A provider's contact sees their own business's consents and requests."""
        return self.filter(provider_id=principal.provider_id)

    def in_force(self):
        return self.filter(withdrawn_at__isnull=True)


class StatementConsent(TenantModel):
    """A provider contact's consent to receive the 1099-NEC recipient statement (Copy B)
    electronically, in the portal, instead of on paper: given affirmatively after the
    disclosure, in a way that shows they can open a PDF (they open a sample PDF and type back
    the code it shows), and kept with when, from where and which disclosure they read (Treas.
    Reg. §31.6051-1(j), applied to Forms 1099 by the General Instructions for Certain
    Information Returns, "Electronic recipient statements"; Pub. 1179, section 4.6). A
    withdrawal ends it; a new consent is a new row."""

    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.CASCADE, related_name="statement_consents"
    )
    contact = models.ForeignKey(
        "providers.Contact", on_delete=models.CASCADE, related_name="statement_consents"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    given_at = models.DateTimeField(default=timezone.now)
    address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    disclosure_version = models.CharField(max_length=20)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_address = models.GenericIPAddressField(null=True, blank=True)

    objects = StatementConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-given_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "provider"], name="stmt_consent_org_provider"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "contact"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="stmt_consent_one_live_per_contact",
            )
        ]

    def __str__(self):
        return f"Consent to electronic tax statements by {self.contact}"

    @property
    def in_force(self) -> bool:
        return self.withdrawn_at is None


class PaperCopyRequest(TenantModel):
    """A provider contact's request, in the portal, for a paper copy of a year's recipient
    statement (the disclosure says a paper copy is available on request)."""

    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.CASCADE, related_name="paper_copy_requests"
    )
    contact = models.ForeignKey("providers.Contact", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    tax_year = models.PositiveSmallIntegerField()
    requested_at = models.DateTimeField(default=timezone.now)
    address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    objects = StatementConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(
                fields=["organization", "tax_year", "provider"], name="paper_request_org_year"
            ),
        ]

    def __str__(self):
        return f"Paper copy of the {self.tax_year} statement asked for {self.provider}"


class RecipientStatementQuerySet(TenantQuerySet):
    def portal_scope(self, principal):
        """A contact sees their own business's copies posted in the portal, nothing else."""
        return self.filter(
            provider_id=principal.provider_id,
            how=StatementDelivery.PORTAL,
            furnished_on__isnull=False,
        )


class StatementDelivery(models.TextChoices):
    PORTAL = "portal", "posted in the portal"
    PAPER = "paper", "on paper"


class RecipientStatement(TenantModel):
    """One copy of a payee's 1099-NEC recipient statement (Copy B) for a tax year, as it was
    furnished: the amounts and the recipient's name, address and masked TIN as they stood, so
    that the copy reads the same later. Posted in the portal (furnished that day) or printed
    for mailing (furnished when marked mailed). A later copy with other amounts is a corrected
    one; each copy is a new version."""

    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.PROTECT, related_name="recipient_statements"
    )
    tax_year = models.PositiveSmallIntegerField()
    version = models.PositiveSmallIntegerField()
    nonemployee_compensation = models.DecimalField("box 1", **dollars)
    federal_tax_withheld = models.DecimalField("box 4", **dollars, default=Decimal(0))
    corrected = models.BooleanField(default=False)
    how = models.CharField(max_length=8, choices=StatementDelivery.choices)
    recipient_name = models.CharField(max_length=200)
    recipient_name_2 = models.CharField(max_length=200, blank=True)
    recipient_street = models.CharField(max_length=200)
    recipient_city = models.CharField(max_length=100)
    recipient_state = models.CharField(max_length=2)
    recipient_postal_code = models.CharField(max_length=10)
    tin_type = models.CharField(max_length=4, choices=TinType.choices)
    tin_last4 = models.CharField(max_length=4)
    payer = models.JSONField(default=dict, help_text="The payer's name, address and phone then.")
    printed_on = models.DateField(null=True, blank=True)
    furnished_on = models.DateField(null=True, blank=True)
    furnished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = RecipientStatementQuerySet.as_manager()

    class Meta:
        ordering = ["-tax_year", "provider", "-version"]
        indexes = [
            models.Index(fields=["organization", "tax_year", "provider"], name="stmt_org_year"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "provider", "tax_year", "version"],
                name="recipient_statement_version_unique",
            )
        ]

    def __str__(self):
        return f"{self.tax_year} Copy B for {self.provider} (version {self.version})"

    @property
    def truncated_tin(self) -> str:
        """The recipient's TIN with its first five digits replaced by asterisks, as payee
        statements may show it (Treas. Reg. §301.6109-4; General Instructions for Certain
        Information Returns, "Truncating recipient's TIN on payee statements")."""
        if self.tin_type == TinType.EIN:
            return f"**-***{self.tin_last4}"
        return f"***-**-{self.tin_last4}"

    @property
    def download_name(self) -> str:
        suffix = "-corrected" if self.corrected else ""
        return f"1099-nec-{self.tax_year}-copy-b-{self.provider_id}-v{self.version}{suffix}.pdf"
