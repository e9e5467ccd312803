"""Task lists: the tabs and filters pick the right tasks, and a page costs the same number of
queries for 3 tasks as for 30."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from handoff.work import selectors, services
from handoff.work.choices import TaskStatus
from handoff.work.models import Task
from tests.conftest import api_client_for, client_for
from tests.factories import principal_for


def seed(engagement, actor, count, **data):
    now = timezone.now()
    for index in range(count):
        services.create_task(
            principal_for(actor, engagement.organization),
            engagement,
            data={
                "title": f"Task {index}",
                "due_at": now + timedelta(days=index % 10 - 3),
                **data,
            },
        )


def count_queries(fetch) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = fetch()
    assert response.status_code == 200
    return len(queries)


@pytest.mark.django_db
@pytest.mark.parametrize("view", ["page", "api"])
@pytest.mark.parametrize("tab", ["mine", "open", "overdue"])
def test_the_task_list_does_not_grow_with_its_length(
    org, engagement, rival_engagement, manager, view, tab
):
    client, api = client_for(manager), api_client_for(manager, org)
    fetch = {
        "page": lambda: client.get(reverse("work:tasks", args=[org.slug]), {"tab": tab}),
        "api": lambda: api.get("/api/v1/tasks", tab=tab),
    }[view]
    seed(engagement, manager, 3)
    fetch()
    few = count_queries(fetch)
    seed(rival_engagement, manager, 27)
    assert count_queries(fetch) == few


@pytest.mark.django_db
def test_tabs_and_filters(org, engagement, rival_engagement, manager, member, admin):
    now = timezone.now()
    late = services.create_task(
        principal_for(member, engagement.organization),
        engagement,
        data={"title": "Late payroll", "due_at": now - timedelta(hours=2)},
    )
    soon = services.create_task(
        principal_for(member, rival_engagement.organization),
        rival_engagement,
        data={
            "title": "Billing run",
            "due_at": now + timedelta(days=2),
            "priority": "urgent",
            "our_assignee_id": admin.pk,
        },
    )
    later = services.create_task(
        principal_for(member, engagement.organization),
        engagement,
        data={"title": "Year end", "due_at": now + timedelta(days=30)},
    )
    done = services.create_task(
        principal_for(member, engagement.organization),
        engagement,
        data={"title": "Old", "due_at": now + timedelta(days=1)},
    )
    services.move_task(
        principal_for(manager, done.organization), done, to_status=TaskStatus.CANCELLED
    )

    def titles(**filters):
        return [
            t.title
            for t in selectors.task_list(principal_for(manager, org), user=manager, **filters)
        ]

    assert titles(tab="mine") == ["Late payroll", "Year end"]
    assert titles(tab="week") == ["Billing run"]
    assert titles(tab="overdue") == ["Late payroll"]
    assert titles(tab="open") == ["Late payroll", "Billing run", "Year end"]
    assert titles(tab="closed") == ["Old"]
    assert titles(tab="open", provider=rival_engagement.provider_id) == ["Billing run"]
    assert titles(tab="open", engagement=engagement.pk, q="year") == ["Year end"]
    assert titles(tab="open", sort="priority")[0] == "Billing run"
    assert titles(tab="open", assignee=admin.pk) == ["Billing run"]
    assert titles(tab="all", status_="cancelled") == ["Old"]
    assert {late.pk, soon.pk, later.pk} <= set(Task.objects.values_list("pk", flat=True))


@pytest.mark.django_db
def test_the_page_filters_by_query_string(org, engagement, manager):
    seed(engagement, manager, 2)
    client = client_for(manager)
    html = client.get(
        reverse("work:tasks", args=[org.slug]), {"tab": "open", "q": "Task 1"}
    ).content.decode()
    assert "Task 1" in html and "Task 0" not in html
    fragment = client.get(
        reverse("work:tasks", args=[org.slug]), {"tab": "open"}, HTTP_HX_REQUEST="true"
    )
    assert b"<html" not in fragment.content
