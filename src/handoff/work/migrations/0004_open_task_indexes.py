from django.db import migrations, models

OPEN = models.Q(("status__in", ("requested", "acknowledged", "in_progress", "returned")))


class Migration(migrations.Migration):
    dependencies = [
        ("work", "0003_backfill_turnaround_due_at"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="task",
            index=models.Index(
                condition=OPEN, fields=["organization", "due_at", "id"], name="task_open_due"
            ),
        ),
        migrations.AddIndex(
            model_name="task",
            index=models.Index(
                condition=OPEN,
                fields=["organization", "our_assignee", "due_at"],
                name="task_open_ours",
            ),
        ),
    ]
