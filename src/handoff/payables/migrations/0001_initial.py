"""Invoices and payments move here from compliance, keeping their tables (no data copied)."""

from decimal import Decimal

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("compliance", "0013_onboarding_agreement"),
        ("accounts", "0004_signup_mail"),
        ("engagements", "0006_agreementversion_signature_request"),
        ("providers", "0005_provider_is_attorney"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    # The tables stay as they were (compliance_invoice, compliance_payment): only Django's
    # state moves here; compliance's 0016 drops them from its own state.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Invoice",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("number", models.CharField(max_length=60, verbose_name="invoice number")),
                        ("issued_on", models.DateField(verbose_name="invoice date")),
                        (
                            "due_on",
                            models.DateField(blank=True, null=True, verbose_name="due date"),
                        ),
                        (
                            "amount",
                            models.DecimalField(
                                decimal_places=2,
                                max_digits=12,
                                validators=[
                                    django.core.validators.MinValueValidator(
                                        Decimal("0.01"), "Enter an amount above zero."
                                    )
                                ],
                            ),
                        ),
                        ("description", models.CharField(blank=True, max_length=300)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "created_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "engagement",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="engagements.engagement",
                            ),
                        ),
                        (
                            "organization",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="accounts.organization",
                            ),
                        ),
                        (
                            "provider",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="invoices",
                                to="providers.provider",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "compliance_invoice",
                        "ordering": ["-issued_on", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="Payment",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("paid_on", models.DateField(verbose_name="date paid")),
                        (
                            "amount",
                            models.DecimalField(
                                decimal_places=2,
                                max_digits=12,
                                validators=[
                                    django.core.validators.MinValueValidator(
                                        Decimal("0.01"), "Enter an amount above zero."
                                    )
                                ],
                            ),
                        ),
                        (
                            "method",
                            models.CharField(
                                choices=[
                                    ("check", "Check"),
                                    ("ach", "Bank transfer (ACH)"),
                                    ("wire", "Wire transfer"),
                                    ("cash", "Cash"),
                                    ("card", "Credit or debit card"),
                                    ("payment_network", "Payment network (e.g. PayPal)"),
                                ],
                                max_length=16,
                            ),
                        ),
                        (
                            "reference",
                            models.CharField(
                                blank=True,
                                help_text="Check number, transfer reference, invoice…",
                                max_length=100,
                            ),
                        ),
                        ("processor_reported", models.BooleanField(default=False, editable=False)),
                        (
                            "without_w9",
                            models.BooleanField(
                                default=False,
                                editable=False,
                                verbose_name="paid without a W-9 on file",
                            ),
                        ),
                        (
                            "backup_withheld",
                            models.DecimalField(
                                decimal_places=2,
                                default=Decimal("0"),
                                editable=False,
                                help_text="Withheld from this payment for the IRS (1099-NEC box 4, Form 945).",
                                max_digits=12,
                                verbose_name="backup withholding",
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "created_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "engagement",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="engagements.engagement",
                            ),
                        ),
                        (
                            "invoice",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="payments",
                                to="payables.invoice",
                            ),
                        ),
                        (
                            "organization",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="accounts.organization",
                            ),
                        ),
                        (
                            "provider",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="payments",
                                to="providers.provider",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "compliance_payment",
                        "ordering": ["-paid_on", "-id"],
                    },
                ),
                migrations.AddIndex(
                    model_name="invoice",
                    index=models.Index(
                        fields=["organization", "provider", "-issued_on"], name="invoice_org_prov"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="invoice",
                    constraint=models.UniqueConstraint(
                        fields=("organization", "provider", "number"), name="invoice_number_unique"
                    ),
                ),
                migrations.AddIndex(
                    model_name="payment",
                    index=models.Index(
                        fields=["organization", "paid_on"], name="payment_org_paid_on"
                    ),
                ),
                migrations.AddIndex(
                    model_name="payment",
                    index=models.Index(
                        fields=["organization", "provider", "paid_on"], name="payment_org_prov"
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
