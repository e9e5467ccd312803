"""The scorecards' monthly task facts (``rollup.TaskMonth``): kept true through every kind of
change to a task, the same however often they are counted, in the organization's time zone,
and each organization's own. A task's change reaches them through ``handoff.work.hooks``,
which the work services call; the tests that write tasks themselves call it as they would."""

from datetime import date

import pytest
from django.db import connection
from django.db.models import signals
from django.test.utils import CaptureQueriesContext

from handoff.core.principal import Principal
from handoff.insights import rollup, scorecards
from handoff.insights.models import TaskMonth
from handoff.work import hooks
from handoff.work import services as work
from handoff.work.models import Task
from tests.factories import ProviderFactory, UserFactory, principal_for
from tests.insights.test_scorecards import (
    MARCH,
    NOW,
    build_world,
    engagement_for,
    local,
    task,
)

pytestmark = pytest.mark.django_db
FIELDS = ("engagement_id", "month", *rollup.FACTS)


def rows(org) -> list[tuple]:
    """The organization's rows as a reader sees them after refreshing."""
    rollup.refresh(org)
    assert not TaskMonth.objects.filter(organization=org).filter(stale__isnull=False).exists()
    return sorted(TaskMonth.objects.filter(organization=org).values_list(*FIELDS))


def counted_afresh(org) -> list[tuple]:
    rollup.rebuild(org)
    return sorted(TaskMonth.objects.filter(organization=org).values_list(*FIELDS))


def march_row(org, engagement) -> TaskMonth:
    rollup.refresh(org)
    return TaskMonth.objects.filter(organization=org).get(
        engagement=engagement, month=date(2026, 3, 1)
    )


def saved(changed: Task, *, was=None) -> None:
    """Save ``changed`` and tell the hook, as the work services do."""
    changed.save()
    hooks.task_changed(changed, was=was)


@pytest.fixture
def engagement(org):
    return engagement_for(org, ProviderFactory(organization=org, name="Ledgerline"))


def test_the_facts_of_a_month_by_hand(org, engagement):
    task(engagement, "on time", local(3, 10), delivered=local(3, 9), quality_rating=4)
    task(engagement, "late", local(3, 12), delivered=local(3, 13), quality_rating=2)
    task(engagement, "returned", local(3, 16), delivered=local(3, 16), returns=1)
    task(engagement, "cancelled", local(3, 18), status="cancelled")
    task(engagement, "open", local(3, 20), status="in_progress")
    row = march_row(org, engagement)
    assert (row.delivered, row.on_time, row.late) == (3, 2, 1)
    assert row.late_seconds == pytest.approx(24 * 3600) == row.late_max_seconds
    assert (row.delivered_once, row.returned, row.rated, row.rating_sum) == (3, 1, 2, 6)
    assert row.open == 1
    assert row.stale is None


def test_every_change_to_a_task_keeps_the_rows_true(org, engagement):
    first = task(engagement, "A", local(3, 10), delivered=local(3, 9), quality_rating=5)
    second = task(engagement, "B", local(3, 12), delivered=local(3, 13))
    third = task(engagement, "C", local(3, 25), status="requested")
    assert rows(org) == counted_afresh(org)

    # Due in April now: both months counted again.
    was = (second.engagement_id, second.due_at)
    second.due_at = local(4, 2)
    saved(second, was=was)
    assert rows(org) == counted_afresh(org)
    assert march_row(org, engagement).delivered == 1

    # Delivered late, then returned and delivered again on time.
    third.status, third.delivered_at, third.first_delivered_at = (
        "delivered",
        local(3, 26),
        local(3, 26),
    )
    saved(third)
    assert march_row(org, engagement).late == 1
    third.returns, third.delivered_at, third.status = 1, local(3, 24), "accepted"
    saved(third)
    assert (march_row(org, engagement).returned, march_row(org, engagement).late) == (1, 0)
    assert rows(org) == counted_afresh(org)

    # Cancelled work leaves the figures; a deleted task too, one by one or by queryset.
    first.status = "cancelled"
    saved(first)
    assert march_row(org, engagement).rated == 0
    third.delete()
    hooks.task_changed(third)
    assert rows(org) == counted_afresh(org)
    # Only the cancelled task is left in March: no row.
    assert not TaskMonth.objects.filter(organization=org).filter(month=date(2026, 3, 1)).exists()
    Task.objects.filter(organization=org).filter(pk=second.pk).delete()
    hooks.task_changed(second)
    assert rows(org) == counted_afresh(org) == []


def test_a_task_moved_by_the_service_marks_the_month_it_left(org, owner, engagement):
    moved = task(engagement, "A", local(3, 10), status="in_progress", requested_by=owner)
    rows(org)
    work.update_task(principal_for(owner, moved.organization), moved, data={"due_at": local(5, 10)})
    assert rows(org) == counted_afresh(org)
    assert [row[1] for row in rows(org)] == [date(2026, 5, 1)]


def test_no_signal_on_tasks_feeds_the_facts():
    """The flow is the explicit hook; nothing listens to a task's model signals."""
    for signal in (signals.post_init, signals.pre_save, signals.post_save, signals.post_delete):
        assert not signal.has_listeners(Task)


def test_writes_without_save_mark_their_months_by_hand(org, engagement):
    task(engagement, "A", local(3, 10), delivered=local(3, 9))
    rows(org)
    Task.objects.filter(organization=org).update(
        delivered_at=local(3, 12)
    )  # no hook: nothing marked
    assert march_row(org, engagement).late == 0
    rollup.mark_all(Task.objects.filter(organization=org))
    assert march_row(org, engagement).late == 1
    assert rows(org) == counted_afresh(org)


def test_forgetting_counts_everything_again_at_the_next_read(org, engagement):
    task(engagement, "A", local(3, 10), delivered=local(3, 9))
    counted = rows(org)
    TaskMonth.objects.filter(organization=org).update(delivered=99)  # as if the rows had gone wrong
    rollup.forget(org.pk)
    assert rows(org) == counted


def test_counting_twice_changes_nothing(org, engagement):
    for day in (3, 10, 17):
        task(engagement, f"T{day}", local(3, day), delivered=local(3, day + 1))
        task(engagement, f"U{day}", local(4, day), delivered=local(4, day))
    once = rows(org)
    assert rows(org) == once
    assert counted_afresh(org) == counted_afresh(org) == once


def test_a_change_made_while_counting_leaves_the_month_stale(org, engagement):
    first = task(engagement, "A", local(3, 10), delivered=local(3, 9))
    rows(org)
    first.delivered_at = local(3, 11)
    saved(first)
    seen = list(
        TaskMonth.objects.filter(organization=org)
        .filter(stale__isnull=False)
        .values_list("engagement_id", "month", "stale")
    )
    # The task changes again after the reader took the token and before it wrote.
    first.delivered_at = local(3, 10, 18)
    saved(first)
    rollup.recount(org, seen)
    assert TaskMonth.objects.filter(organization=org).get().stale is not None
    assert march_row(org, engagement).late == 1  # the next read counts the latest
    assert march_row(org, engagement).late_max_seconds == pytest.approx(3600)


def test_months_follow_the_organizations_time_zone(org, engagement):
    org.time_zone = "America/Chicago"
    org.save()
    # 23:30 on March 31 in Chicago is April 1 in UTC.
    task(engagement, "A", local(3, 31, 23, 30), delivered=local(3, 31, 22))
    assert [row[1] for row in rows(org)] == [date(2026, 3, 1)]
    org.time_zone = "UTC"
    org.save()
    assert [row[1] for row in rows(org)] == [date(2026, 4, 1)]


def test_a_read_with_nothing_changed_costs_one_or_two_queries(org, engagement):
    task(engagement, "A", local(3, 10), delivered=local(3, 9))
    rows(org)
    with CaptureQueriesContext(connection) as captured:
        rollup.refresh(org)
    assert len(captured.captured_queries) == 2
    # A scorecard reads the settings row and whether a month is stale in one query.
    with CaptureQueriesContext(connection) as captured:
        scorecards._prepare(Principal.system(org), None)
    assert len(captured.captured_queries) == 1
    task(engagement, "B", local(3, 11), delivered=local(3, 10))  # marks March
    with CaptureQueriesContext(connection) as captured:
        scorecards._prepare(Principal.system(org), None)
    assert len(captured.captured_queries) > 2  # the stale month read and counted again
    assert not TaskMonth.objects.filter(organization=org).filter(stale__isnull=False).exists()


def test_rows_are_the_organizations_own(org, owner, manager, other_org, outsider):
    world = build_world(org, owner, manager)
    build_world(other_org, outsider, UserFactory(), name="Elsewhere Books")
    rows(org)
    rows(other_org)
    theirs = sorted(TaskMonth.objects.filter(organization=other_org).values_list(*FIELDS))
    # A change in one organization marks and counts only its own months.
    changed = Task.objects.filter(organization=org).filter(engagement=world.engagement).first()
    saved(changed)
    assert not TaskMonth.objects.filter(organization=other_org).filter(stale__isnull=False).exists()
    rollup.refresh(org)
    assert sorted(TaskMonth.objects.filter(organization=other_org).values_list(*FIELDS)) == theirs
    assert {row[0] for row in rows(org)} <= {world.engagement.pk}
    assert {row[0] for row in rows(other_org)}.isdisjoint({world.engagement.pk})


def test_a_custom_period_adds_the_days_outside_whole_months(org, engagement):
    task(engagement, "Feb 10", local(2, 10), delivered=local(2, 10))  # before the range
    task(engagement, "Feb 20", local(2, 20), delivered=local(2, 21))  # late, in the range
    task(engagement, "Mar 5", local(3, 5), delivered=local(3, 5))
    task(engagement, "Mar 25", local(3, 25), delivered=local(3, 26))  # late
    task(engagement, "Apr 3", local(4, 3), delivered=local(4, 3))
    task(engagement, "Apr 8", local(4, 8), delivered=local(4, 8))  # after the range
    provider = engagement.provider_id

    def on_time(period):
        card = scorecards.compute(Principal.system(org), period, [provider], now=NOW)[provider]
        return card["on_time"].value, card["on_time"].count, card["lateness_worst"].value

    assert on_time(scorecards.custom(date(2026, 2, 15), date(2026, 4, 5))) == (0.5, 4, 24.0)
    # No whole month in it: only the tasks themselves.
    assert on_time(scorecards.custom(date(2026, 3, 1), date(2026, 3, 20))) == (1.0, 1, None)
    assert on_time(scorecards.custom(date(2026, 3, 20), date(2026, 4, 30))) == (2 / 3, 3, 24.0)
    assert on_time(MARCH) == (0.5, 2, 24.0)


def test_open_work_past_due_counts_by_the_clock_not_the_rows(org, engagement):
    task(engagement, "Done", local(3, 10), delivered=local(3, 9))
    task(engagement, "Open", local(3, 20), status="in_progress")
    provider = engagement.provider_id

    def on_time(now):
        card = scorecards.compute(Principal.system(org), MARCH, [provider], now=now)[provider]
        return card["on_time"].value, card["on_time"].count

    assert on_time(local(3, 19)) == (1.0, 1)
    assert on_time(local(3, 21)) == (0.5, 2)
    assert TaskMonth.objects.filter(organization=org).get().delivered == 1
    # Once March is over its open tasks are all past due: the row's count, no task read.
    with CaptureQueriesContext(connection) as captured:
        assert on_time(local(4, 2)) == (0.5, 2)
    assert not [q for q in captured.captured_queries if '"work_task"' in q["sql"]]
    saved(
        Task.objects.filter(organization=org).filter(title="Open").get()
    )  # still open, month marked
    assert on_time(local(4, 2)) == (0.5, 2)
    delivered = Task.objects.filter(organization=org).get(title="Open")
    delivered.status, delivered.delivered_at = "delivered", local(3, 25)
    saved(delivered)
    assert on_time(local(4, 2)) == (0.5, 2)  # delivered late: counted, not open any more
    assert TaskMonth.objects.filter(organization=org).get().open == 0


def test_many_stale_months_are_counted_afresh_at_once(org, engagement, monkeypatch):
    for month in (3, 4, 5):
        task(engagement, f"M{month}", local(month, 10), delivered=local(month, 9))
    rows(org)
    for changed in Task.objects.filter(organization=org):
        saved(changed)  # three months stale
    monkeypatch.setattr(rollup, "REBUILD_ABOVE", 2)
    rebuilt, rebuild = [], rollup.rebuild
    monkeypatch.setattr(rollup, "rebuild", lambda o: rebuilt.append(o.pk) or rebuild(o))
    counted = rows(org)
    assert rebuilt == [org.pk] and len(counted) == 3
