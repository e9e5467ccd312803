"""The dated figures behind the make-or-buy defaults, from the shared domain notes
(domain/taxes-and-reporting.md and domain/cost-model.md). Next year's figures are a new
migration adding a row, not a code change."""

from datetime import date
from decimal import Decimal

from django.db import migrations

PAYROLL_SOURCE = (
    "Social Security 6.2% and Medicare 1.45%, employer shares: IRS Topic 751. Social Security "
    "wage base {base} for {year}: SSA announcement{announced}. FUTA 6.0% on the first $7,000 "
    "paid to each worker, less the 5.4% credit for paying state unemployment tax on time: 0.6% "
    "net, $42 a worker, IRS Topic 759 (employers in credit-reduction states pay more). The 0.9% "
    "Additional Medicare Tax is the employee's alone, with no employer match."
)

WAGE_BASES = [
    (2024, Decimal("168600"), "$168,600", ""),
    (2025, Decimal("176100"), "$176,100", ""),
    (2026, Decimal("184500"), "$184,500", " of 2025-10-24"),
]

BENEFITS_SOURCE = (
    "BLS, Employer Costs for Employee Compensation, private industry, March 2026, Table 6. "
    "Employers with 1–49 workers pay $27.68 in wages and $9.68 in benefits per hour worked: "
    "benefits are 35% of wages (9.68 / 27.68). Those benefits include the legally required ones "
    "(Social Security, Medicare, unemployment insurance, workers' compensation), 7.9% of total "
    "compensation of $37.36. Without them: (9.68 − 0.079 × 37.36) / 27.68 = 24.3% of wages "
    "[derived]. Suggested sensitivity range 25%–45% (Handoff's domain/cost-model.md)."
)


def load(apps, schema_editor):
    PayrollTaxRates = apps.get_model("decisions", "PayrollTaxRates")
    BenefitsLoadDefault = apps.get_model("decisions", "BenefitsLoadDefault")
    for year, base, base_text, announced in WAGE_BASES:
        PayrollTaxRates.objects.update_or_create(
            effective_from=date(year, 1, 1),
            defaults={
                "effective_to": date(year, 12, 31),
                "social_security_percent": Decimal("6.2"),
                "social_security_wage_base": base,
                "medicare_percent": Decimal("1.45"),
                "federal_unemployment_percent": Decimal("0.6"),
                "federal_unemployment_wage_base": Decimal("7000"),
                "source": PAYROLL_SOURCE.format(base=base_text, year=year, announced=announced),
            },
        )
    BenefitsLoadDefault.objects.update_or_create(
        effective_from=date(2026, 3, 1),
        defaults={
            "effective_to": None,
            "combined_percent": Decimal("35.0"),
            "benefits_only_percent": Decimal("24.3"),
            "range_low_percent": Decimal("25"),
            "range_high_percent": Decimal("45"),
            "source": BENEFITS_SOURCE,
        },
    )


def unload(apps, schema_editor):
    apps.get_model("decisions", "PayrollTaxRates").objects.filter(
        effective_from__in=[date(year, 1, 1) for year, *_ in WAGE_BASES]
    ).delete()
    apps.get_model("decisions", "BenefitsLoadDefault").objects.filter(
        effective_from=date(2026, 3, 1)
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("decisions", "0002_decide")]

    operations = [migrations.RunPython(load, unload)]
