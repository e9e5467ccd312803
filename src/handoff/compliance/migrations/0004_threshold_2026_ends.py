"""The $2,000 threshold row covers 2026 only: from 2027 the amount is indexed for inflation
(IRC 6041(h)) and was not found published on 2026-12-04, so 2027 has no row yet and its pages
say that the 2026 figure stands in. Reloads the thresholds of 0002 (idempotent)."""

import importlib

from django.db import migrations


def load(apps, schema_editor):
    rules = importlib.import_module("handoff.compliance.migrations.0002_rules")
    Threshold = apps.get_model("compliance", "Form1099Threshold")
    for start, end, amount, source in rules.THRESHOLDS:
        Threshold.objects.update_or_create(
            effective_from=start,
            defaults={"effective_to": end, "amount": amount, "source": source},
        )


class Migration(migrations.Migration):
    dependencies = [("compliance", "0003_filing_1099")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
