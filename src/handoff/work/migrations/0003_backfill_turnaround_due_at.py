"""Backfill ``Task.turnaround_due_at`` for the tasks sent before it was kept.

Each task of a kind with a service level gets the deadline that level promises for work sent at
its ``created_at`` (business days end 17:00 local, skipping weekends and the organization's
holidays; "by day N" as ``suggest_due``), with the service levels and holidays as they stand
now: what the scorecards worked out on every read until now, so no figure changes.

The deadline depends only on the level, the organization and the local day the task was sent,
so it is worked out once per (level, day) and the rows are written in batches by id: a
multi-row ``UPDATE … FROM (VALUES …)`` on PostgreSQL, ``executemany`` on SQLite.
"""

import zoneinfo
from datetime import datetime

from django.db import migrations

from handoff.engagements import calendar

BATCH = 10_000


def promised(rule, business_days, day_of_month, sent_at, tz, holidays):
    local_day = sent_at.astimezone(tz).date()
    if rule == "day_of_month":
        day = calendar.next_day_of_month(local_day, day_of_month, holidays)
    else:
        day = calendar.add_business_days(local_day, business_days or 0, holidays)
    return datetime.combine(day, calendar.END_OF_BUSINESS_DAY, tzinfo=tz)


def backfill(apps, schema_editor):
    Task = apps.get_model("work", "Task")
    ServiceLevel = apps.get_model("engagements", "ServiceLevel")
    Holiday = apps.get_model("engagements", "Holiday")
    Organization = apps.get_model("accounts", "Organization")
    db = schema_editor.connection.alias
    connection = schema_editor.connection

    levels = {
        (level.engagement_id, level.task_kind): (
            level.rule,
            level.business_days,
            level.day_of_month,
        )
        for level in ServiceLevel.objects.using(db).all()
    }
    if not levels:
        return
    zones = {
        pk: zoneinfo.ZoneInfo(name)
        for pk, name in Organization.objects.using(db).values_list("pk", "time_zone")
    }
    holidays: dict = {}
    for org_id, day in Holiday.objects.using(db).values_list("organization_id", "date"):
        holidays.setdefault(org_id, set()).add(day)
    deadlines: dict = {}

    def deadline_of(org_id, level, sent_at):
        tz = zones[org_id]
        key = (org_id, level, sent_at.astimezone(tz).date())
        if key not in deadlines:
            deadlines[key] = promised(*level, sent_at, tz, holidays.get(org_id, ()))
        return deadlines[key]

    table = Task._meta.db_table
    adapt = connection.ops.adapt_datetimefield_value
    last = 0
    while True:
        rows = list(
            Task.objects.using(db)
            .filter(pk__gt=last)
            .exclude(kind="")
            .order_by("pk")
            .values_list("pk", "organization_id", "engagement_id", "kind", "created_at")[:BATCH]
        )
        if not rows:
            break
        last = rows[-1][0]
        values = []
        for pk, org_id, engagement_id, kind, created_at in rows:
            level = levels.get((engagement_id, kind))
            if level is not None:
                values.append((pk, adapt(deadline_of(org_id, level, created_at))))
        if not values:
            continue
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                placeholders = ", ".join(["(%s, %s::timestamptz)"] * len(values))
                cursor.execute(
                    f"UPDATE {table} AS task SET turnaround_due_at = v.due "  # noqa: S608
                    f"FROM (VALUES {placeholders}) AS v (id, due) WHERE task.id = v.id",
                    [param for row in values for param in row],
                )
            else:
                cursor.executemany(
                    f"UPDATE {table} SET turnaround_due_at = %s WHERE id = %s",  # noqa: S608
                    [(due, pk) for pk, due in values],
                )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("engagements", "0004_pricing_vocabulary_shared_with_quotes"),
        ("work", "0002_task_turnaround_due_and_org_due_index"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True)]
