from django.db import migrations, models


def count_again(apps, schema_editor):
    """The rows were counted without ``open``: have each organization's next read count its
    months afresh (as ``rollup.forget`` does)."""
    InsightsSettings = apps.get_model("insights", "InsightsSettings")
    InsightsSettings.objects.update(rollup_zone="")


class Migration(migrations.Migration):
    dependencies = [
        ("insights", "0002_task_month"),
    ]

    operations = [
        migrations.AddField(
            model_name="taskmonth",
            name="open",
            field=models.PositiveIntegerField(default=0, help_text="Still with the provider."),
        ),
        migrations.RunPython(count_again, migrations.RunPython.noop),
    ]
