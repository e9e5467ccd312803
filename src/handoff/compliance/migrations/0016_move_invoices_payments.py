"""Invoices and payments now belong to the payables app (its 0001); their tables stay as they
are, so only Django's state changes here. Content types follow the models."""

from django.db import migrations

MOVED = ["invoice", "payment"]


def content_types_to_payables(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label="payables", model=model).exists():
            ContentType.objects.filter(app_label="compliance", model=model).update(
                app_label="payables"
            )


def content_types_to_compliance(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label="compliance", model=model).exists():
            ContentType.objects.filter(app_label="payables", model=model).update(
                app_label="compliance"
            )


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0015_recipient_copies"),
        ("payables", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="payment",
                    name="invoice",
                ),
                migrations.RemoveField(
                    model_name="payment",
                    name="created_by",
                ),
                migrations.RemoveField(
                    model_name="payment",
                    name="engagement",
                ),
                migrations.RemoveField(
                    model_name="payment",
                    name="organization",
                ),
                migrations.RemoveField(
                    model_name="payment",
                    name="provider",
                ),
                migrations.DeleteModel(
                    name="Invoice",
                ),
                migrations.DeleteModel(
                    name="Payment",
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_to_payables, content_types_to_compliance),
    ]
