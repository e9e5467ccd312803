"""The demo's Run data: months of history a scorecard can read, told consistently."""

import pytest
from django.utils import timezone

from handoff import demo
from handoff.accounts import portal
from handoff.accounts.models import Organization
from handoff.work import issues, status
from handoff.work.choices import IssueStatus, TaskStatus
from handoff.work.demo import PORTAL_EMAIL
from handoff.work.models import Issue, IssueEvent, Schedule, Task


@pytest.mark.django_db
def test_the_demo_has_months_of_task_history_with_late_work_returns_and_escalations():
    demo.load()
    org = Organization.objects.get(slug=demo.ORG_SLUG)
    tasks = list(Task.objects.filter(organization=org).prefetch_related("moves"))

    accepted = [t for t in tasks if t.status == TaskStatus.ACCEPTED]
    assert len(accepted) >= 20
    assert min(t.due_at for t in accepted) < timezone.now() - timezone.timedelta(days=150)
    late = [t for t in accepted if t.on_time is False]
    assert 3 <= len(late) < len(accepted) / 2
    assert any(t.returns for t in accepted)
    assert all(t.quality_rating for t in accepted)
    assert any(t.is_overdue() for t in tasks)
    assert any(t.status == TaskStatus.CANCELLED for t in tasks)
    # Something in every status, for every list and tab to show.
    assert {t.status for t in tasks} == set(TaskStatus.values)
    issue_states = set(Issue.objects.filter(organization=org).values_list("status", flat=True))
    assert issue_states == set(IssueStatus.values)

    # Every task's history explains its status.
    for task in tasks:
        moves = [(m.from_status, m.to_status) for m in task.moves.all()]
        assert moves[0] == ("", TaskStatus.REQUESTED)
        assert status.replay(moves[1:]) == task.status

    schedules = Schedule.objects.filter(organization=org)
    assert schedules.count() == 2
    assert Task.objects.filter(organization=org).filter(schedule__in=schedules).count() >= 6

    escalated = IssueEvent.objects.filter(organization=org).filter(kind=IssueEvent.Kind.ESCALATED)
    assert escalated.exists()
    assert Issue.objects.filter(organization=org).filter(resolved_at__isnull=False).count() >= 2
    open_issue = Issue.objects.filter(organization=org).get(status=IssueStatus.OPEN)
    assert open_issue.level == 1 and issues.is_overdue(open_issue)

    priya = portal.contact_for(
        portal.portal_user_for(
            next(t.their_assignee for t in tasks if t.their_assignee.email == PORTAL_EMAIL)
        ),
        org,
    )
    assert priya.email == PORTAL_EMAIL
