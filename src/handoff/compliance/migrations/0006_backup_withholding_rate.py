"""The backup withholding rate, as dated data with its source."""

from decimal import Decimal

from django.db import migrations

RATES = [
    (
        "2018-01-01",
        None,
        Decimal("24"),
        "IRC §3406(a)(1): the fourth-lowest rate of tax under §1(c), 24% for taxable years "
        "beginning after 2017 (P.L. 115-97 §11101); IRS Publication 1281, Backup Withholding "
        "for Missing and Incorrect Name/TIN(s).",
    ),
]


def load(apps, schema_editor):
    Rate = apps.get_model("compliance", "BackupWithholdingRate")
    for start, end, rate, source in RATES:
        Rate.objects.update_or_create(
            effective_from=start,
            defaults={"effective_to": end, "percent": rate, "source": source},
        )


class Migration(migrations.Migration):
    dependencies = [("compliance", "0005_tin_matching_b_notices")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
