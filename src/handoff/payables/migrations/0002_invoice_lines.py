"""Invoices gain lines, a status, a period, flags and versions; files can come with them.

Invoices recorded before this (typed in by a member as one amount) stay valid and payable: each
becomes "approved" with one fee line of its amount, so nothing recorded before is lost."""

from decimal import Decimal

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import handoff.payables.models


def existing_invoices_approved_with_one_line(apps, schema_editor):
    Invoice = apps.get_model("payables", "Invoice")
    InvoiceLine = apps.get_model("payables", "InvoiceLine")
    # Every organization's invoices: this step runs once over the whole table.
    invoices = Invoice.objects.all().only("pk", "organization_id", "amount", "description")
    for invoice in invoices.iterator(chunk_size=1000):
        InvoiceLine.objects.create(
            organization_id=invoice.organization_id,
            invoice_id=invoice.pk,
            position=0,
            kind="fee",
            description=invoice.description or "Invoice total",
            quantity=Decimal(1),
            unit_price=invoice.amount,
            amount=invoice.amount,
        )
    invoices.update(status="approved")


def lines_dropped(apps, schema_editor):
    """Going back drops the lines with their table; the invoices keep their amounts."""


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_signup_mail"),
        ("engagements", "0007_expenses_allowed"),
        ("payables", "0001_initial"),
        ("providers", "0005_provider_is_attorney"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="InvoiceAttachment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "file",
                    models.FileField(
                        max_length=300, upload_to=handoff.payables.models.invoice_file_path
                    ),
                ),
                ("name", models.CharField(max_length=200)),
                ("content_type", models.CharField(max_length=100)),
                ("size", models.PositiveIntegerField()),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={
                "ordering": ["created_at", "id"],
            },
        ),
        migrations.CreateModel(
            name="InvoiceLine",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=0)),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("hours", "Hours"),
                            ("units", "Units"),
                            ("fee", "Fee"),
                            ("expense", "Expense"),
                        ],
                        max_length=10,
                    ),
                ),
                ("description", models.CharField(blank=True, max_length=300)),
                (
                    "quantity",
                    models.DecimalField(decimal_places=2, default=Decimal("1"), max_digits=12),
                ),
                ("unit_price", models.DecimalField(decimal_places=2, max_digits=12)),
                ("amount", models.DecimalField(decimal_places=2, max_digits=12)),
            ],
            options={
                "ordering": ["position", "id"],
            },
        ),
        migrations.AddField(
            model_name="invoice",
            name="entered_by_member",
            field=models.BooleanField(
                default=False,
                help_text="A member typed it in for the provider; the provider did not submit it.",
                verbose_name="entered on the provider's behalf",
            ),
        ),
        migrations.AddField(
            model_name="invoice",
            name="flags",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name="invoice",
            name="note",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="invoice",
            name="period_end",
            field=models.DateField(blank=True, null=True, verbose_name="period to"),
        ),
        migrations.AddField(
            model_name="invoice",
            name="period_start",
            field=models.DateField(blank=True, null=True, verbose_name="period from"),
        ),
        migrations.AddField(
            model_name="invoice",
            name="replaces",
            field=models.ForeignKey(
                blank=True,
                help_text="The invoice this one corrects (both are kept).",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="versions",
                to="payables.invoice",
            ),
        ),
        migrations.AddField(
            model_name="invoice",
            name="status",
            field=models.CharField(
                choices=[
                    ("submitted", "Submitted"),
                    ("approved", "Approved"),
                    ("rejected", "Rejected"),
                    ("superseded", "Superseded"),
                    ("void", "Void"),
                ],
                default="submitted",
                max_length=12,
            ),
        ),
        migrations.AddField(
            model_name="invoice",
            name="submitted_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddIndex(
            model_name="invoice",
            index=models.Index(fields=["organization", "status"], name="invoice_org_status"),
        ),
        migrations.AddIndex(
            model_name="invoice",
            index=models.Index(
                fields=["organization", "engagement"], name="invoice_org_engagement"
            ),
        ),
        migrations.AddField(
            model_name="invoiceattachment",
            name="invoice",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="attachments",
                to="payables.invoice",
            ),
        ),
        migrations.AddField(
            model_name="invoiceattachment",
            name="organization",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="accounts.organization",
            ),
        ),
        migrations.AddField(
            model_name="invoiceattachment",
            name="uploaded_by",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="invoiceline",
            name="invoice",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="lines",
                to="payables.invoice",
            ),
        ),
        migrations.AddField(
            model_name="invoiceline",
            name="organization",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="accounts.organization",
            ),
        ),
        migrations.AddIndex(
            model_name="invoiceattachment",
            index=models.Index(fields=["organization", "invoice"], name="invoicefile_org_inv"),
        ),
        migrations.AddIndex(
            model_name="invoiceline",
            index=models.Index(fields=["organization", "invoice"], name="invoiceline_org_inv"),
        ),
        migrations.RunPython(existing_invoices_approved_with_one_line, lines_dropped),
    ]
