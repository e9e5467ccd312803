"""Invoices from providers and the payments made to them.

Both began in ``compliance`` and moved here keeping their tables (``db_table``; migration
``payables.0001_initial`` and ``compliance.0016_move_invoices_payments`` only move Django's
state), so nothing was copied. Their tax side — a W-9 on file, backup withholding, the 1099
totals — stays in ``compliance``, which reads these rows and checks each new payment through
:mod:`handoff.payables.hooks`."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from handoff.core.tenancy import TenantModel
from handoff.decisions.models import dollars
from handoff.payables.choices import PROCESSOR_REPORTED, PaymentMethod

POSITIVE = MinValueValidator(Decimal("0.01"), "Enter an amount above zero.")


class Invoice(TenantModel):
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
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "compliance_invoice"  # the table it had in compliance, kept (no copy)
        ordering = ["-issued_on", "-id"]
        indexes = [
            models.Index(fields=["organization", "provider", "-issued_on"], name="invoice_org_prov")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "provider", "number"], name="invoice_number_unique"
            )
        ]

    def __str__(self):
        return f"Invoice {self.number} from {self.provider}"

    def clean(self):
        super().clean()
        _check_links(self)
        if self.due_on and self.issued_on and self.due_on < self.issued_on:
            raise ValidationError({"due_on": "The due date is before the invoice date."})


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
