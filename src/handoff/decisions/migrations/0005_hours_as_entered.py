"""Hours as people enter them: the manager's supervising hours and our oversight of a quote
become an amount and a period (a week, a month, a year) instead of hours a month. Existing
rows keep their meaning exactly — their figure, per month — since the amount column is the old
one renamed and the period of every existing row is set to "month"; new rows default to a week.

Roles can say which of their hours outsourcing frees (nothing stated: all of them, as before).

"One value for every freed staff hour" becomes optional: empty, each role's freed hours are
valued at the role's own loaded cost of an hour. An old 0 meant "no value given" (the report
left the value out), so it becomes empty; any other figure is kept and still applies to every
staff hour. The manager's hours are now valued at the manager's cost in every case.
"""

from decimal import Decimal

import django.core.validators
from django.db import migrations, models

NOT_NEGATIVE = django.core.validators.MinValueValidator(Decimal("0"), "This cannot be negative.")
PERIODS = [("week", "a week"), ("month", "a month"), ("year", "a year")]


def hours(verbose_name, help_text):
    return models.DecimalField(
        decimal_places=2,
        default=Decimal("0"),
        help_text=help_text,
        max_digits=7,
        validators=[NOT_NEGATIVE],
        verbose_name=verbose_name,
    )


def period(default):
    return models.CharField(choices=PERIODS, default=default, max_length=5, verbose_name="per")


def zero_is_not_given(apps, schema_editor):
    InHouseOption = apps.get_model("decisions", "InHouseOption")
    InHouseOption.objects.filter(value_per_freed_hour=Decimal(0)).update(value_per_freed_hour=None)


def not_given_is_zero(apps, schema_editor):
    InHouseOption = apps.get_model("decisions", "InHouseOption")
    InHouseOption.objects.filter(value_per_freed_hour__isnull=True).update(
        value_per_freed_hour=Decimal(0)
    )


class Migration(migrations.Migration):
    dependencies = [("decisions", "0004_shortlist")]

    operations = [
        # The manager's supervising hours: the old column, now "per month" on every old row.
        migrations.RenameField("inhouseoption", "manager_hours_per_month", "manager_hours"),
        migrations.AlterField(
            model_name="inhouseoption",
            name="manager_hours",
            field=hours(
                "manager's supervising hours",
                "The manager's time supervising the people who do this work. Outsourcing frees "
                "it, valued at the manager's hourly cost.",
            ),
        ),
        migrations.AddField("inhouseoption", "manager_period", period("month")),
        migrations.AlterField("inhouseoption", "manager_period", period("week")),
        # Our oversight of a quote, the same way.
        migrations.RenameField("quote", "oversight_hours_per_month", "oversight_hours"),
        migrations.AlterField(
            model_name="quote",
            name="oversight_hours",
            field=hours(
                "our oversight hours",
                "Our own time managing the provider: handing over work, checking, meetings.",
            ),
        ),
        migrations.AddField("quote", "oversight_period", period("month")),
        migrations.AlterField("quote", "oversight_period", period("week")),
        # Which of a role's hours are freed.
        migrations.AddField(
            model_name="inhouserole",
            name="freed",
            field=models.CharField(
                choices=[
                    ("derived", "Work it out: all the role's paid hours"),
                    ("whole", "The whole role"),
                    ("hours", "Some hours of it"),
                ],
                default="derived",
                help_text="Whether outsourcing frees the whole role or only some of its hours. "
                "Each freed hour is valued at this role's loaded cost of an hour, unless the "
                "in-house option gives one value for every freed staff hour.",
                max_length=10,
                verbose_name="hours outsourcing frees",
            ),
        ),
        migrations.AddField(
            model_name="inhouserole",
            name="freed_hours",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                help_text="With 'some hours of it': the hours freed, for all the role's people "
                "together.",
                max_digits=7,
                null=True,
                validators=[NOT_NEGATIVE],
                verbose_name="hours freed",
            ),
        ),
        migrations.AddField("inhouserole", "freed_period", period("week")),
        # The value of a freed staff hour becomes optional.
        migrations.AlterField(
            model_name="inhouseoption",
            name="value_per_freed_hour",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                help_text="Leave empty to value each role's freed hours at that role's own "
                "loaded cost of an hour (and, with the current actual cost, at that cost over "
                "its hours). Give a figure to value every freed staff hour at it instead — what "
                "an hour earns at more profitable work. The manager's hours are always at the "
                "manager's cost. Shown beside the savings, never added to them.",
                max_digits=12,
                null=True,
                validators=[NOT_NEGATIVE],
                verbose_name="one value for every freed staff hour",
            ),
        ),
        migrations.RunPython(zero_is_not_given, not_given_is_zero),
    ]
