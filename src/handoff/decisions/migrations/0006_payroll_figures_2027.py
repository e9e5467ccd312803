"""The 2027 payroll tax figures that are published (looked up on 2026-12-04).

Only the Social Security wage base changes: SSA's determinations for 2027 (published in the
Federal Register in October 2026, with the 3.6% cost-of-living increase) set the contribution
and benefit base at $192,300. The employer rates — Social Security 6.2%, Medicare 1.45% (IRS
Topic 751) — and FUTA's 6.0% on the first $7,000 less the 5.4% credit (IRS Topic 759) are set
by statute and unchanged. Which states' FUTA credit is reduced for 2027 is not known until
November 2027; the in-house option's FUTA rate is the user's to raise.
"""

from datetime import date
from decimal import Decimal

from django.db import migrations

SOURCE = (
    "Social Security 6.2% and Medicare 1.45%, employer shares: IRS Topic 751 (set by statute, "
    "unchanged for 2027). Social Security wage base $192,300 for 2027: SSA's 2027 "
    "cost-of-living increase and other determinations, Federal Register, October 2026 "
    "[secondary: read in published summaries of that notice on 2026-12-04; confirm at "
    "ssa.gov/oact/cola/cbb.html]. FUTA 6.0% on the first $7,000 paid to each worker, less the "
    "5.4% credit for paying state unemployment tax on time: 0.6% net, $42 a worker, IRS Topic "
    "759 (employers in credit-reduction states pay more; the 2027 list comes in November 2027). "
    "The 0.9% Additional Medicare Tax is the employee's alone, with no employer match."
)


def load(apps, schema_editor):
    apps.get_model("decisions", "PayrollTaxRates").objects.update_or_create(
        effective_from=date(2027, 1, 1),
        defaults={
            "effective_to": date(2027, 12, 31),
            "social_security_percent": Decimal("6.2"),
            "social_security_wage_base": Decimal("192300"),
            "medicare_percent": Decimal("1.45"),
            "federal_unemployment_percent": Decimal("0.6"),
            "federal_unemployment_wage_base": Decimal("7000"),
            "source": SOURCE,
        },
    )


def unload(apps, schema_editor):
    apps.get_model("decisions", "PayrollTaxRates").objects.filter(
        effective_from=date(2027, 1, 1)
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("decisions", "0005_hours_as_entered")]

    operations = [migrations.RunPython(load, unload)]
