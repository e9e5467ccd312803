"""A member's open work now includes what waits for their review (delivered): the partial index
``task_open_ours`` takes the condition of ``status.OPEN`` (with the provider, or delivered), the
same SQL as the queries that use it; ``task_open_due`` keeps the provider-side condition of
``status.WITH_PROVIDER`` (unchanged). A move recorded on the provider's behalf keeps why."""

from django.db import migrations, models

OPEN = models.Q(
    ("status__in", ("requested", "acknowledged", "in_progress", "returned", "delivered"))
)


class Migration(migrations.Migration):
    dependencies = [
        ("work", "0004_open_task_indexes"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="task", name="task_open_ours"),
        migrations.AddIndex(
            model_name="task",
            index=models.Index(
                condition=OPEN,
                fields=["organization", "our_assignee", "due_at"],
                name="task_open_ours",
            ),
        ),
        migrations.AddField(
            model_name="taskmove",
            name="on_behalf_reason",
            field=models.TextField(
                blank=True,
                help_text="Set when our side recorded one of the provider's own steps for them: "
                "why.",
            ),
        ),
    ]
