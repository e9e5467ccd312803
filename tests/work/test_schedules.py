"""Recurring schedules: generation is idempotent, rule changes and pauses neither duplicate nor
lose a task; and the due-soon and overdue sweeps send one message across two runs."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from handoff.core.principal import Principal
from handoff.engagements import services as engagement_services
from handoff.notifications.models import Notification
from handoff.notifications.services import update_preferences
from handoff.notifications.sweeps import get
from handoff.work import jobs, services
from handoff.work.choices import Recurrence, TaskStatus
from handoff.work.models import Schedule, Task
from tests.factories import principal_for

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # Monday 09:00 in Chicago


def schedule_data(**overrides):
    data = {
        "title": "Monthly close",
        "rule": Recurrence.MONTHLY_DAY,
        "day_of_month": 5,
        "due_time": time(17, 0),
        "lead_days": 7,
        "starts_on": date(2026, 1, 1),
    }
    data.update(overrides)
    return data


def occurrences(schedule):
    return sorted(Task.objects.filter(schedule=schedule).values_list("occurrence", flat=True))


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.mark.django_db
class TestGeneration:
    def test_a_new_schedule_sends_what_is_due_within_its_lead_time(
        self, frozen, engagement, manager
    ):
        schedule = services.create_schedule(
            principal_for(manager, engagement.organization), engagement, data=schedule_data()
        )
        # March 5 is within 7 days; the past months are not sent late.
        assert occurrences(schedule) == [date(2026, 3, 5)]
        task = Task.objects.get(schedule=schedule)
        assert task.due_at == datetime(2026, 3, 5, 23, 0, tzinfo=UTC)  # 17:00 CST
        assert task.requested_by == manager and task.status == TaskStatus.REQUESTED

    def test_running_twice_sends_once(self, frozen, engagement, manager):
        schedule = services.create_schedule(
            principal_for(manager, engagement.organization), engagement, data=schedule_data()
        )
        assert services.generate_due_tasks(schedule, date(2026, 3, 2)) == []
        # As if a worker died before recording its progress: the task is still not repeated.
        Schedule.objects.filter(pk=schedule.pk).update(generated_through=date(2026, 3, 1))
        schedule.refresh_from_db()
        assert services.generate_due_tasks(schedule, date(2026, 3, 2)) == []
        assert occurrences(schedule) == [date(2026, 3, 5)]

    def test_missed_runs_catch_up(self, frozen, engagement, manager):
        schedule = services.create_schedule(
            principal_for(manager, engagement.organization),
            engagement,
            data=schedule_data(
                rule=Recurrence.WEEKLY, weekdays=[0], day_of_month=None, lead_days=0
            ),
        )
        assert occurrences(schedule) == [date(2026, 3, 2)]
        services.generate_due_tasks(schedule, date(2026, 3, 23))
        assert occurrences(schedule) == [date(2026, 3, d) for d in (2, 9, 16, 23)]

    def test_a_rule_change_neither_duplicates_nor_loses(self, frozen, engagement, manager):
        schedule = services.create_schedule(
            principal_for(manager, engagement.organization), engagement, data=schedule_data()
        )
        schedule = services.update_schedule(
            principal_for(manager, schedule.organization),
            schedule,
            data={"day_of_month": 6, "lead_days": 10},
        )
        # Already considered through March 9; the 6th fell in that window and is not sent again.
        assert occurrences(schedule) == [date(2026, 3, 5)]
        services.generate_due_tasks(schedule, date(2026, 3, 27))
        assert occurrences(schedule) == [date(2026, 3, 5), date(2026, 4, 6)]

    def test_pause_and_resume_skip_the_paused_dates_once(self, engagement, manager):
        with time_machine.travel(NOW, tick=False):
            schedule = services.create_schedule(
                principal_for(manager, engagement.organization),
                engagement,
                data=schedule_data(
                    rule=Recurrence.EVERY_N_DAYS,
                    day_of_month=None,
                    interval_days=7,
                    lead_days=0,
                    starts_on=date(2026, 3, 2),
                ),
            )
            schedule = services.pause_schedule(
                principal_for(manager, schedule.organization), schedule
            )
            assert services.generate_due_tasks(schedule, date(2026, 3, 20)) == []
        with time_machine.travel(datetime(2026, 3, 23, 15, 0, tzinfo=UTC), tick=False):
            schedule = services.resume_schedule(
                principal_for(manager, schedule.organization), schedule
            )
            services.generate_due_tasks(schedule, date(2026, 3, 23))
        # March 9 and 16 fell while paused: skipped. March 23 (today) is sent.
        assert occurrences(schedule) == [date(2026, 3, 2), date(2026, 3, 23)]
        with pytest.raises(ValidationError, match="not paused"):
            services.resume_schedule(principal_for(manager, schedule.organization), schedule)

    def test_the_end_date_stops_it(self, frozen, engagement, manager):
        schedule = services.create_schedule(
            principal_for(manager, engagement.organization),
            engagement,
            data=schedule_data(ends_on=date(2026, 4, 1)),
        )
        services.generate_due_tasks(schedule, date(2026, 6, 30))
        assert occurrences(schedule) == [date(2026, 3, 5)]

    def test_recurring_work_is_a_managers(self, frozen, org, engagement, manager, member):
        schedule = services.create_schedule(
            principal_for(manager, org), engagement, data=schedule_data()
        )
        below = principal_for(member, org)
        with pytest.raises(PermissionDenied, match="manager role"):
            services.create_schedule(below, engagement, data=schedule_data())
        for operation in (services.pause_schedule, services.delete_schedule):
            with pytest.raises(PermissionDenied, match="manager role"):
                operation(below, schedule)
        schedule.refresh_from_db()
        assert schedule.paused_at is None and Schedule.objects.count() == 1

    def test_deleting_keeps_the_tasks(self, frozen, engagement, manager):
        schedule = services.create_schedule(
            principal_for(manager, engagement.organization), engagement, data=schedule_data()
        )
        services.delete_schedule(principal_for(manager, schedule.organization), schedule)
        task = Task.objects.get()
        assert task.schedule is None and task.occurrence == date(2026, 3, 5)

    def test_a_paused_engagement_sends_nothing_and_skips(self, frozen, engagement, manager, owner):
        schedule = services.create_schedule(
            principal_for(manager, engagement.organization), engagement, data=schedule_data()
        )
        engagement_services.move_status(
            principal_for(owner, engagement.organization),
            engagement,
            to_status="paused",
            reason="Audit",
        )
        assert services.generate_due_tasks(schedule, date(2026, 5, 1)) == []
        schedule.refresh_from_db()
        assert schedule.generated_through == date(2026, 4, 30)

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({"day_of_month": None}, "day_of_month"),
            ({"rule": Recurrence.WEEKLY, "weekdays": []}, "weekdays"),
            ({"rule": Recurrence.EVERY_N_DAYS, "interval_days": None}, "interval_days"),
            ({"ends_on": date(2025, 1, 1)}, "ends_on"),
            ({"kind": "Payroll run"}, "kind"),
        ],
    )
    def test_bad_schedules_are_refused(self, frozen, engagement, manager, data, field):
        with pytest.raises(ValidationError) as error:
            services.create_schedule(
                principal_for(manager, engagement.organization),
                engagement,
                data=schedule_data(**data),
            )
        assert field in error.value.message_dict
        assert not Schedule.objects.exists() and not Task.objects.exists()

    def test_the_sweep_generates_for_active_schedules(self, engagement, manager):
        with time_machine.travel(NOW, tick=False):
            schedule = services.create_schedule(
                principal_for(manager, engagement.organization), engagement, data=schedule_data()
            )
        sweep = get("work.schedules")
        assert sweep.func(datetime(2026, 3, 30, 15, 0, tzinfo=UTC)) == 1
        assert sweep.func(datetime(2026, 3, 30, 15, 0, tzinfo=UTC)) == 0
        assert occurrences(schedule) == [date(2026, 3, 5), date(2026, 4, 5)]

    def test_next_dates(self, frozen, engagement, manager):
        schedule = services.create_schedule(
            principal_for(manager, engagement.organization), engagement, data=schedule_data()
        )
        assert services.next_dates(
            Principal.system(schedule.organization), schedule, date(2026, 3, 2)
        ) == [
            date(2026, 4, 5),
            date(2026, 5, 5),
            date(2026, 6, 5),
        ]


@pytest.mark.django_db
class TestReminders:
    def make(self, engagement, member, due):
        return services.create_task(
            principal_for(member, engagement.organization),
            engagement,
            data={"title": "Payroll", "due_at": due},
        )

    def test_due_soon_warns_both_sides_once(
        self, engagement, member, manager, point_contact, django_capture_on_commit_callbacks
    ):
        task = self.make(engagement, member, NOW + timedelta(hours=20))
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            jobs.due_soon(NOW)
            jobs.due_soon(NOW + timedelta(minutes=5))
        recipients = sorted(address for m in mail.outbox for address in m.to)
        assert recipients == sorted([manager.email, point_contact.email])
        assert all("Due soon: Payroll" in m.subject for m in mail.outbox)
        # A new due date warns again.
        services.update_task(
            principal_for(member, task.organization),
            task,
            data={"due_at": NOW + timedelta(hours=22)},
        )
        with django_capture_on_commit_callbacks(execute=True):
            jobs.due_soon(NOW + timedelta(minutes=10))
        assert Notification.objects.filter(event="task_due_soon").count() == 4

    def test_due_soon_follows_each_persons_lead_time(self, org, engagement, member, manager):
        update_preferences(principal_for(manager, org), due_soon_hours=72)
        self.make(engagement, member, NOW + timedelta(hours=48))
        jobs.due_soon(NOW)
        assert list(
            Notification.objects.filter(event="task_due_soon").values_list("user", flat=True)
        ) == [manager.pk]

    def test_overdue_once_per_task(
        self, engagement, member, manager, point_contact, django_capture_on_commit_callbacks
    ):
        task = self.make(engagement, member, NOW - timedelta(hours=1))
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            assert jobs.overdue(NOW) == 2
            assert jobs.overdue(NOW + timedelta(minutes=5)) == 0
        assert sorted(a for m in mail.outbox for a in m.to) == sorted(
            [manager.email, point_contact.email]
        )
        assert all(
            m.subject.endswith("Overdue: Payroll") or "Overdue" in m.subject for m in mail.outbox
        )
        services.move_task(
            principal_for(manager, task.organization), task, to_status=TaskStatus.CANCELLED
        )
        assert jobs.overdue(NOW + timedelta(hours=1)) == 0

    def test_closed_work_is_not_reminded(self, engagement, member, manager):
        task = self.make(engagement, member, NOW + timedelta(hours=2))
        services.move_task(
            principal_for(manager, task.organization), task, to_status=TaskStatus.CANCELLED
        )
        assert jobs.due_soon(NOW) == 0 and jobs.overdue(NOW + timedelta(hours=3)) == 0
