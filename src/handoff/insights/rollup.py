"""The tasks' delivery facts by engagement and month, kept current for the scorecards.

A scorecard's task figures (on time, lateness, turnaround, rework, quality) add up facts of
single tasks that do not change with the clock: delivered, on time, late and by how much,
delivered once, returned, rated, within the service level's turnaround. ``TaskMonth`` keeps
those facts summed per engagement and month (the month of the due time in the organization's
zone), so a quarter of 500 providers is some 1,800 rows rather than every task due in it.

How the rows stay true:

* A task saved or deleted marks the month it is due in (and the month it was due in, when
  the due time or engagement changed) stale: an upsert that writes a fresh random token into
  ``stale``. The work services call :func:`task_changed` for it through
  ``handoff.work.hooks`` (registered in ``InsightsConfig.ready``), not a model signal.
* :func:`refresh`, called before each read, counts the stale months again from their tasks,
  one grouped query per month, and clears a row only if its token is still the one it read:
  a change made while it counted leaves the row stale for the next read. Counting a month
  again gives the same row however often it runs (idempotent); months without tasks have no
  row.
* Every month is counted afresh (:func:`rebuild`) when the rows were never counted, were
  counted in another time zone, or after :func:`forget`.

The rows are the organization's own record of all its tasks, whoever's read sets a count off,
so the counting reads as the organization (``Principal.system``), never as the reader.

Open work past its due time depends on the clock, so only the number of open tasks is kept
(``open``): every one of them is past due once its month is over, so scorecards take it as the
open work past due of past months, and count the month under way (and any days of a custom
range outside whole months) from the tasks at read time.

Writes that do not go through the work services (``QuerySet.update()``, ``bulk_create()``,
raw SQL, a ``save()`` in a script or a test) mark nothing by themselves: code doing so calls
:func:`mark_all` (or :func:`rebuild`, or ``handoff.work.hooks.task_changed``) afterwards.
"""

from __future__ import annotations

import secrets
import zoneinfo
from collections import defaultdict
from datetime import date, datetime, time

from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, transaction
from django.db.models import Count, F, FloatField, Func, Max, Min, Q, Sum

from handoff.core.principal import Principal
from handoff.work.choices import TaskStatus
from handoff.work.models import Task
from handoff.work.status import WITH_PROVIDER

DELIVERED = (TaskStatus.DELIVERED, TaskStatus.ACCEPTED)
# Past this many stale months a read counts everything again: one query a month of history
# beats one update a row.
REBUILD_ABOVE = 200


class SecondsBetween(Func):
    """Seconds from the second datetime to the first, computed by the database itself:
    ``EXTRACT(EPOCH …)`` on PostgreSQL, ``julianday()`` on SQLite (where Django's duration
    arithmetic would call a Python function for every row)."""

    output_field = FloatField()

    def as_sql(self, compiler, connection, **extra_context):
        (later, later_params), (earlier, earlier_params) = (
            compiler.compile(expression) for expression in self.get_source_expressions()
        )
        if connection.vendor == "sqlite":
            sql = f"((julianday({later}) - julianday({earlier})) * 86400.0)"
        else:
            sql = f"EXTRACT(EPOCH FROM ({later} - {earlier}))"
        return sql, (*later_params, *earlier_params)


LATENESS = SecondsBetween(F("delivered_at"), F("due_at"))


def fact_aggregates() -> dict:
    """The facts of ``TaskMonth`` as aggregates over tasks (not cancelled): the one definition
    the rows and the scorecards' partial months are both counted with.

    * delivered: delivered or accepted, with a delivery time; on time / late: by the due time
      or after it, with the seconds late summed and the worst;
    * delivered once / returned: delivered at least once, and of those returned at least once;
    * rated: accepted with a quality rating, and the ratings summed;
    * turnaround: tasks the service level promised a turnaround for, delivered (the first
      delivery, or the latest where none was kept), and of those within the promise;
    * open: still with the provider (requested, acknowledged, in progress, returned)."""
    delivered = Q(status__in=DELIVERED, delivered_at__isnull=False)
    late = delivered & Q(delivered_at__gt=F("due_at"))
    rated = Q(status=TaskStatus.ACCEPTED, quality_rating__isnull=False)
    promised = Q(turnaround_due_at__isnull=False)
    first_delivery = Q(first_delivered_at__isnull=False) | Q(delivered_at__isnull=False)
    within = Q(first_delivered_at__lte=F("turnaround_due_at")) | Q(
        first_delivered_at__isnull=True, delivered_at__lte=F("turnaround_due_at")
    )
    return {
        "delivered": Count("pk", filter=delivered),
        "on_time": Count("pk", filter=delivered & Q(delivered_at__lte=F("due_at"))),
        "late": Count("pk", filter=late),
        "late_seconds": Sum(LATENESS, filter=late, output_field=FloatField()),
        "late_max_seconds": Max(LATENESS, filter=late, output_field=FloatField()),
        "delivered_once": Count("pk", filter=Q(first_delivered_at__isnull=False)),
        "returned": Count("pk", filter=Q(first_delivered_at__isnull=False, returns__gte=1)),
        "rated": Count("pk", filter=rated),
        "rating_sum": Sum("quality_rating", filter=rated),
        "turnaround_counted": Count("pk", filter=promised & first_delivery),
        "turnaround_within": Count("pk", filter=promised & within),
        "open": Count("pk", filter=Q(status__in=WITH_PROVIDER)),
    }


FACTS = tuple(fact_aggregates())


def clean_facts(row: dict) -> dict:
    """A grouped row's facts with empty sums as zero (``late_max_seconds`` stays None)."""
    facts = {name: row[name] for name in FACTS}
    facts["late_seconds"] = float(facts["late_seconds"] or 0)
    facts["rating_sum"] = int(facts["rating_sum"] or 0)
    return facts


# --- Months -----------------------------------------------------------------------------------
def month_of(moment: datetime, zone: zoneinfo.ZoneInfo) -> date:
    return moment.astimezone(zone).date().replace(day=1)


def month_bounds(month: date, zone: zoneinfo.ZoneInfo) -> tuple[datetime, datetime]:
    """The month's first instant and the first instant of the next, in the zone."""
    return (
        datetime.combine(month, time.min, tzinfo=zone),
        datetime.combine(month + relativedelta(months=1), time.min, tzinfo=zone),
    )


def _tasks(org):
    return Task.objects.visible_to(Principal.system(org)).exclude(status=TaskStatus.CANCELLED)


def count_month(org, month: date, engagement_ids=None) -> dict[int, dict]:
    """The facts of one month's tasks, by engagement (all, or those of ``engagement_ids``)."""
    start, end = month_bounds(month, zoneinfo.ZoneInfo(org.time_zone))
    tasks = _tasks(org).filter(due_at__gte=start, due_at__lt=end)
    if engagement_ids is not None:
        tasks = tasks.filter(engagement_id__in=engagement_ids)
    rows = tasks.values("engagement_id").order_by().annotate(**fact_aggregates())
    return {row["engagement_id"]: clean_facts(row) for row in rows}


# --- Keeping the rows current -----------------------------------------------------------------
def _settings(org):
    from handoff.insights.models import InsightsSettings

    return InsightsSettings.objects.visible_to(Principal.system(org))


UNREAD = object()


def refresh(org, *, counted_in=UNREAD, any_stale: bool = True) -> None:
    """Make the organization's rows true before a read: everything counted afresh if they
    never were (or were in another time zone), else the months marked stale since.
    ``counted_in``: the settings row's ``rollup_zone`` (None without a row), and
    ``any_stale``: whether a month is marked, for a caller that has read both already."""
    from handoff.insights.models import TaskMonth

    if counted_in is UNREAD:
        counted_in = _settings(org).values_list("rollup_zone", flat=True).first()
    if counted_in != org.time_zone:
        rebuild(org)
        return
    if not any_stale:
        return
    stale = list(
        TaskMonth.objects.visible_to(Principal.system(org))
        .filter(stale__isnull=False)
        .values_list("engagement_id", "month", "stale")
    )
    if len(stale) > REBUILD_ABOVE:
        rebuild(org)
    elif stale:
        recount(org, stale)


def recount(org, stale: list[tuple[int, date, str]]) -> None:
    """Count the stale (engagement, month, token) rows again, one query a month; a row whose
    token changed meanwhile is left stale for the next read."""
    from handoff.insights.models import TaskMonth

    by_month = defaultdict(list)
    for engagement_id, month, _token in stale:
        by_month[month].append(engagement_id)
    counted = {
        (engagement_id, month): facts
        for month, engagement_ids in by_month.items()
        for engagement_id, facts in count_month(org, month, engagement_ids).items()
    }
    for engagement_id, month, token in stale:
        row = TaskMonth.objects.visible_to(Principal.system(org)).filter(
            engagement_id=engagement_id, month=month, stale=token
        )
        facts = counted.get((engagement_id, month))
        if facts is None:
            row.delete()  # no task is due that month any more
        else:
            row.update(stale=None, **facts)


def rebuild(org) -> None:
    """Count every month of the organization's tasks afresh (one query a month with tasks)."""
    from handoff.insights.models import InsightsSettings, TaskMonth

    zone = zoneinfo.ZoneInfo(org.time_zone)
    try:
        with transaction.atomic():
            TaskMonth.objects.visible_to(Principal.system(org)).delete()
            span = _tasks(org).aggregate(first=Min("due_at"), last=Max("due_at"))
            rows = []
            if span["first"] is not None:
                month, last = month_of(span["first"], zone), month_of(span["last"], zone)
                while month <= last:
                    rows += [
                        TaskMonth(
                            organization=org, engagement_id=engagement_id, month=month, **facts
                        )
                        for engagement_id, facts in count_month(org, month).items()
                    ]
                    month += relativedelta(months=1)
            TaskMonth.objects.bulk_create(rows, batch_size=500)
            InsightsSettings.objects.update_or_create(
                organization=org, defaults={"rollup_zone": org.time_zone}
            )
    except IntegrityError:
        # Another request counted at the same time (or a task changed while this one did):
        # the rows it committed stand, marks included.
        pass


def forget(organization_id: int) -> None:
    """Have the next read count everything again."""
    from handoff.insights.models import InsightsSettings

    InsightsSettings.objects.filter(organization_id=organization_id).update(rollup_zone="")


def mark(organization_id: int, engagement_id: int, month: date) -> None:
    """Mark one engagement's month stale: one upsert, whether or not it has a row yet."""
    from handoff.insights.models import TaskMonth

    TaskMonth.objects.bulk_create(
        [
            TaskMonth(
                organization_id=organization_id,
                engagement_id=engagement_id,
                month=month,
                stale=secrets.token_hex(8),
            )
        ],
        update_conflicts=True,
        unique_fields=["organization", "engagement", "month"],
        update_fields=["stale"],
    )


def mark_all(tasks) -> None:
    """Mark the months of a queryset of tasks stale, after writing them without ``save()``."""
    keys = set()
    zones = {}
    for organization_id, engagement_id, due_at, zone_name in tasks.values_list(
        "organization_id", "engagement_id", "due_at", "organization__time_zone"
    ):
        zones[zone_name] = zones.get(zone_name) or zoneinfo.ZoneInfo(zone_name)
        keys.add((organization_id, engagement_id, month_of(due_at, zones[zone_name])))
    for key in keys:
        mark(*key)


# --- A task saved or deleted marks its months ------------------------------------------------
def _zone(task: Task) -> zoneinfo.ZoneInfo:
    if Task.organization.is_cached(task):
        return zoneinfo.ZoneInfo(task.organization.time_zone)
    from handoff.accounts.models import Organization

    name = Organization.objects.filter(pk=task.organization_id).values_list("time_zone", flat=True)
    return zoneinfo.ZoneInfo(name.first() or "UTC")


def task_changed(task: Task, was: tuple | None = None) -> None:
    """Mark the month ``task`` is due in stale, and with ``was`` (its engagement and due time
    before the change) the month it left. Registered with ``handoff.work.hooks``, which the
    work services call after every save."""
    zone = _zone(task)
    keys = {(task.engagement_id, month_of(task.due_at, zone))}
    if was is not None:
        engagement_id, due_at = was
        keys.add((engagement_id, month_of(due_at, zone)))
    for engagement_id, month in keys:
        mark(task.organization_id, engagement_id, month)
