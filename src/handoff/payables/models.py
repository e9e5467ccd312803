"""Invoices from providers and the payments made to them.

Both began in ``compliance`` and moved here keeping their tables (``db_table``; migration
``payables.0001_initial`` and ``compliance.0016_move_invoices_payments`` only move Django's
state), so nothing was copied. Their tax side — a W-9 on file, backup withholding, the 1099
totals — stays in ``compliance``, which reads these rows and checks each new payment through
:mod:`handoff.payables.hooks`."""

import secrets
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse

from handoff.core.tenancy import TenantModel, TenantQuerySet
from handoff.decisions.models import dollars
from handoff.payables.choices import PROCESSOR_REPORTED, InvoiceStatus, LineKind, PaymentMethod

POSITIVE = MinValueValidator(Decimal("0.01"), "Enter an amount above zero.")


INVOICE_STATUS_CLASS = {
    InvoiceStatus.SUBMITTED: "status-sent",
    InvoiceStatus.APPROVED: "status-active",
    InvoiceStatus.REJECTED: "status-dd-rejected",
    InvoiceStatus.SUPERSEDED: "status-archived",
    InvoiceStatus.VOID: "status-ended",
}


class InvoiceQuerySet(TenantQuerySet):
    def portal_scope(self, principal):
        """A provider's contact sees their own provider's invoices, every status."""
        return self.filter(provider_id=principal.provider_id)


class InvoicePartQuerySet(TenantQuerySet):
    def portal_scope(self, principal):
        """The lines and files of the contact's own provider's invoices."""
        return self.filter(invoice__provider_id=principal.provider_id)


class Invoice(TenantModel):
    """A provider's bill: its lines (``InvoiceLine``) add up to ``amount``. Submitted through
    the portal by the provider's contact, or entered by a member on the provider's behalf;
    ``flags`` keeps what the checks against the engagement's terms found at submission
    (:mod:`handoff.payables.checks`), for the approver."""

    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.PROTECT, related_name="invoices"
    )
    engagement = models.ForeignKey(
        "engagements.Engagement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    number = models.CharField("invoice number", max_length=60)
    issued_on = models.DateField("invoice date")
    due_on = models.DateField("due date", null=True, blank=True)
    amount = models.DecimalField(**dollars, validators=[POSITIVE])
    description = models.CharField(max_length=300, blank=True)
    status = models.CharField(
        max_length=12, choices=InvoiceStatus.choices, default=InvoiceStatus.SUBMITTED
    )
    period_start = models.DateField("period from", null=True, blank=True)
    period_end = models.DateField("period to", null=True, blank=True)
    note = models.TextField(blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    entered_by_member = models.BooleanField(
        "entered on the provider's behalf",
        default=False,
        help_text="A member typed it in for the provider; the provider did not submit it.",
    )
    replaces = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="versions",
        help_text="The invoice this one corrects (both are kept).",
    )
    # [{"code", "message", "difference"}], as checks.Finding.as_json() wrote them.
    flags = models.JSONField(default=list, blank=True)
    rejection_reason = models.TextField(
        blank=True, help_text="Why it was rejected; the provider's contact sees it."
    )
    decided_at = models.DateTimeField("approved or rejected at", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        db_table = "compliance_invoice"  # the table it had in compliance, kept (no copy)
        ordering = ["-issued_on", "-id"]
        indexes = [
            models.Index(
                fields=["organization", "provider", "-issued_on"], name="invoice_org_prov"
            ),
            # The list's order, whole and within a status (the approval queue): a page of 50
            # is read from the index instead of sorting every invoice (bench/payables.py).
            models.Index(fields=["organization", "-issued_on", "-id"], name="invoice_org_issued"),
            models.Index(
                fields=["organization", "status", "-issued_on", "-id"],
                name="invoice_org_status_issued",
            ),
            models.Index(fields=["organization", "engagement"], name="invoice_org_engagement"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "provider", "number"], name="invoice_number_unique"
            )
        ]

    def __str__(self):
        return f"Invoice {self.number} from {self.provider}"

    def get_absolute_url(self):
        return reverse("payables:invoice", args=[self.organization.slug, self.pk])

    def get_portal_url(self):
        """Where the provider's contact opens the invoice (the same page, in the portal)."""
        return reverse("payables:portal_invoice", args=[self.organization.slug, self.pk])

    @property
    def status_class(self) -> str:
        """The stylesheet's badge for the status."""
        return INVOICE_STATUS_CLASS.get(self.status, "status-draft")

    def clean(self):
        super().clean()
        _check_links(self)
        if self.due_on and self.issued_on and self.due_on < self.issued_on:
            raise ValidationError({"due_on": "The due date is before the invoice date."})
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": "The period ends before it starts."})


class InvoiceLine(TenantModel):
    """One line of an invoice: hours × rate, units × price, a fee or an expense."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=10, choices=LineKind.choices)
    description = models.CharField(max_length=300, blank=True)
    quantity = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(1))
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    amount = models.DecimalField(max_digits=12, decimal_places=2)

    objects = InvoicePartQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["organization", "invoice"], name="invoiceline_org_inv")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.description or self.amount}"


def invoice_file_path(instance, filename):
    return (
        f"org-{instance.organization_id}/invoices/{instance.invoice_id}/"
        f"{secrets.token_hex(8)}-{filename}"
    )


class InvoiceAttachment(TenantModel):
    """A file sent with an invoice (timesheet, receipt), kind and size checked on upload."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=invoice_file_path, max_length=300)
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InvoicePartQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["organization", "invoice"], name="invoicefile_org_inv")]

    def __str__(self):
        return self.name


def _check_links(row) -> None:
    errors = {}
    for name in ("provider", "engagement", "invoice"):
        if getattr(row, f"{name}_id", None):
            try:
                row.ensure_same_org(name)
            except ValidationError as error:
                errors.update(error.message_dict)
    if not errors and row.engagement_id and row.engagement.provider_id != row.provider_id:
        errors["engagement"] = ["Choose an engagement with this provider."]
    invoice = getattr(row, "invoice", None) if getattr(row, "invoice_id", None) else None
    if not errors and invoice is not None and invoice.provider_id != row.provider_id:
        errors["invoice"] = ["Choose an invoice from this provider."]
    if errors:
        raise ValidationError(errors)


class Payment(TenantModel):
    """Money paid to a provider. Reportable on 1099-NEC by the calendar year of ``paid_on``
    unless made by card or through a payment network (the processor reports on 1099-K)."""

    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.PROTECT, related_name="payments"
    )
    engagement = models.ForeignKey(
        "engagements.Engagement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    invoice = models.ForeignKey(
        Invoice, null=True, blank=True, on_delete=models.SET_NULL, related_name="payments"
    )
    paid_on = models.DateField("date paid")
    amount = models.DecimalField(**dollars, validators=[POSITIVE])
    method = models.CharField(max_length=16, choices=PaymentMethod.choices)
    reference = models.CharField(
        max_length=100, blank=True, help_text="Check number, transfer reference, invoice…"
    )
    processor_reported = models.BooleanField(default=False, editable=False)
    without_w9 = models.BooleanField("paid without a W-9 on file", default=False, editable=False)
    backup_withheld = models.DecimalField(
        "backup withholding",
        **dollars,
        default=Decimal(0),
        editable=False,
        help_text="Withheld from this payment for the IRS (1099-NEC box 4, Form 945).",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "compliance_payment"  # the table it had in compliance, kept (no copy)
        ordering = ["-paid_on", "-id"]
        indexes = [
            models.Index(fields=["organization", "paid_on"], name="payment_org_paid_on"),
            models.Index(fields=["organization", "provider", "paid_on"], name="payment_org_prov"),
            # Each listed invoice's paid-so-far sums its payments (selectors.with_payments).
            models.Index(fields=["organization", "invoice"], name="payment_org_invoice"),
        ]

    def __str__(self):
        return f"{self.amount} to {self.provider} on {self.paid_on}"

    def clean(self):
        super().clean()
        _check_links(self)
        if self.paid_on and self.paid_on > date(2100, 12, 31):
            raise ValidationError({"paid_on": "Enter a real date."})

    def save(self, *args, **kwargs):
        self.processor_reported = self.method in PROCESSOR_REPORTED
        super().save(*args, **kwargs)


# --- Approval -------------------------------------------------------------------------------
# The roles that may approve, least first (a member or viewer never approves).
APPROVER_ROLES = [("manager", "Manager"), ("admin", "Admin"), ("owner", "Owner")]


class ApprovalSettings(TenantModel):
    """Who approves the organization's invoices: the least role (unless a rule raises it),
    how much each role may approve (owners have no limit; empty: no limit), and the amount
    above which two different people must approve (empty: never). One row per organization;
    until an admin saves it the defaults apply (:func:`selectors.approval_settings`)."""

    least_role = models.CharField(
        "least role that approves", max_length=10, choices=APPROVER_ROLES, default="manager"
    )
    manager_limit = models.DecimalField(
        "a manager approves up to", **dollars, null=True, blank=True, validators=[POSITIVE]
    )
    admin_limit = models.DecimalField(
        "an admin approves up to", **dollars, null=True, blank=True, validators=[POSITIVE]
    )
    second_approver_above = models.DecimalField(
        "a second approver above", **dollars, null=True, blank=True, validators=[POSITIVE]
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="approval_settings_one")
        ]

    def __str__(self):
        return f"Approval settings of {self.organization_id}"


class ApprovalRule(TenantModel):
    """Raises the least role that approves for one engagement's invoices, or for those of
    every engagement covering a business function. The engagement's rule wins over a
    function's, a function's over the settings' default."""

    engagement = models.ForeignKey(
        "engagements.Engagement", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    function = models.ForeignKey(
        "decisions.BusinessFunction",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    least_role = models.CharField("least role that approves", max_length=10, choices=APPROVER_ROLES)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(engagement__isnull=False, function__isnull=True)
                    | models.Q(engagement__isnull=True, function__isnull=False)
                ),
                name="approval_rule_one_subject",
            ),
            models.UniqueConstraint(
                fields=["organization", "engagement"],
                condition=models.Q(engagement__isnull=False),
                name="approval_rule_engagement_once",
            ),
            models.UniqueConstraint(
                fields=["organization", "function"],
                condition=models.Q(function__isnull=False),
                name="approval_rule_function_once",
            ),
        ]

    def __str__(self):
        return f"{self.subject}: {self.get_least_role_display()}"

    @property
    def subject(self) -> str:
        if self.engagement_id:
            return f"Engagement “{self.engagement.title}”"
        return f"Function “{self.function.name}”"


class InvoiceApproval(TenantModel):
    """One person's approval of an invoice; an invoice above the second-approver amount
    needs two, by two different people (the constraint has the last word on a race)."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="approvals")
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(max_length=10)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InvoicePartQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "approver"], name="invoice_approval_once_per_person"
            )
        ]

    def __str__(self):
        return f"Approval of {self.invoice_id} by {self.approver_id}"


# --- Accounting imports ---------------------------------------------------------------------
class ColumnMapping(TenantModel):
    """A copy of a built-in import mapping (``payables/formats/<base>.json``) with the
    organization's own headers: which column of its file means the date, payee, amount…
    ``roles`` maps each role (``accounting.ROLES_BY_KIND``) to a header."""

    name = models.CharField(max_length=80)
    base = models.CharField(
        "built-in mapping", max_length=40, help_text="The built-in mapping this one adapts."
    )
    roles = models.JSONField(default=dict, help_text="Role → the header of that column.")
    date_format = models.CharField(max_length=20)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "payables"
        ordering = [Lower("name"), "id"]
        constraints = [
            models.UniqueConstraint(
                "organization", Lower("name"), name="column_mapping_unique_name"
            )
        ]

    def __str__(self):
        return self.name

    @property
    def key(self) -> str:
        return f"mapping-{self.pk}"

    def clean(self):
        super().clean()
        from handoff.payables import accounting

        base = accounting.builtin_mappings().get(self.base)
        if base is None or base.kind == accounting.BILLS:
            raise ValidationError({"base": "Choose a built-in import mapping to adapt."})
        if self.date_format not in accounting.DATE_FORMATS:
            raise ValidationError({"date_format": "Choose one of the date formats offered."})
        allowed = set(accounting.ROLES_BY_KIND[base.kind])
        if not isinstance(self.roles, dict) or set(self.roles) - allowed:
            raise ValidationError({"roles": "Name a column for the listed meanings only."})
        for role in base.required_roles:
            if not (self.roles.get(role) or "").strip():
                label = accounting.ROLE_LABELS[role]
                raise ValidationError({role: f"{label}: name the column that holds it."})
