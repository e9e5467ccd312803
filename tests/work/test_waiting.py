"""Work waiting for us and whose turn it is: the sets of statuses, the "Waiting for us" tab and
its count, the dashboard card, the engagement page, who hears of a delivery, the task page's
buttons by turn, the nudge, and the due-date rule on the forms and the API."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from handoff.accounts.principal import for_session
from handoff.core.principal import Principal
from handoff.insights import dashboard
from handoff.notifications.models import Notification
from handoff.work import selectors, services, status
from handoff.work.choices import Recurrence, Side, TaskStatus
from handoff.work.models import Schedule, Task
from tests.conftest import api_client_for, client_for
from tests.factories import principal_for
from tests.work.test_tasks import give_portal_access

S = TaskStatus
ZONE = ZoneInfo("America/Chicago")


def send(engagement, actor, title="March invoices", **data):
    return services.create_task(
        principal_for(actor, engagement.organization),
        engagement,
        data={"title": title, "kind": "Invoice batch", **data},
    )


def deliver(task, user):
    """Walk ``task`` to delivered as the provider's contact ``user``, who gets portal access as
    the engagement's point person on first use."""
    org = task.organization
    if for_session(user, org.slug) is None:
        give_portal_access(org, task.engagement.communication_plan.their_point_person, user)
    for target in (S.ACKNOWLEDGED, S.IN_PROGRESS, S.DELIVERED):
        task = services.move_task(principal_for(user, org), task, to_status=target)
    return task


def tasks_url(org, **query):
    path = reverse("work:tasks", args=[org.slug])
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


# --- The sets -----------------------------------------------------------------------------------
def test_every_status_is_in_exactly_one_set_and_open_is_both_sides():
    sets = [status.WITH_PROVIDER, status.WAITING_FOR_US, status.CLOSED]
    for value in S.values:
        assert sum(value in group for group in sets) == 1, value
    assert status.OPEN == status.WITH_PROVIDER + status.WAITING_FOR_US
    assert S.DELIVERED in status.OPEN and S.DELIVERED not in status.WITH_PROVIDER
    assert {status.TURN[v] for v in status.WITH_PROVIDER} == {Side.PROVIDER}
    assert status.TURN[S.DELIVERED] == Side.US and status.TURN[S.ACCEPTED] is None


def test_the_partial_indexes_keep_the_sql_of_their_queries():
    """``task_open_due`` serves the provider-side lists (overdue, due this week), whose
    condition is ``WITH_PROVIDER``; ``task_open_ours`` serves "My tasks" (``OPEN``)."""
    indexes = {index.name: index for index in Task._meta.indexes}
    assert indexes["task_open_due"].condition.children == [("status__in", status.WITH_PROVIDER)]
    assert indexes["task_open_ours"].condition.children == [("status__in", status.OPEN)]
    assert isinstance(status.WITH_PROVIDER, tuple) and isinstance(status.OPEN, tuple)


# --- Lists --------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_delivered_task_is_open_waiting_and_never_overdue(engagement, member, portal_user):
    task = deliver(
        send(engagement, member, due_at=datetime.now(UTC) + timedelta(hours=1)), portal_user
    )
    org = engagement.organization
    later = datetime.now(UTC) + timedelta(days=3)  # past its due time

    def ids(tab):
        tasks = selectors.task_list(principal_for(member, org), user=member, tab=tab, now=later)
        return list(tasks.values_list("pk", flat=True))

    assert ids(selectors.Tab.WAITING) == [task.pk]
    assert ids(selectors.Tab.OPEN) == [task.pk]
    assert ids(selectors.Tab.OVERDUE) == [] and ids(selectors.Tab.WEEK) == []
    assert ids(selectors.Tab.CLOSED) == []
    assert not task.is_overdue(later) and task.turn == Side.US


@pytest.mark.django_db
def test_the_waiting_tab_shows_its_count_and_the_longest_waiting_first(
    org, engagement, member, manager, portal_user
):
    first = send(engagement, member, "First delivered")
    second = send(engagement, member, "Second delivered")
    send(engagement, member, "Still with them")
    with time_machine.travel(datetime.now(UTC) - timedelta(days=2)):
        deliver(first, portal_user)
    deliver(second, portal_user)
    client = client_for(manager)
    html = client.get(tasks_url(org)).content.decode()
    assert "Waiting for us" in html and 'data-count="2"' in html
    waiting = client.get(tasks_url(org, tab="waiting")).content.decode()
    assert waiting.index("First delivered") < waiting.index("Second delivered")
    assert "Still with them" not in waiting


@pytest.mark.django_db
def test_the_dashboard_card_lists_the_oldest_first_with_how_long_each_waited(
    org, engagement, member, portal_user
):
    old = send(engagement, member, "Old delivery")
    with time_machine.travel(datetime.now(UTC) - timedelta(days=9)):
        deliver(old, portal_user)
    deliver(send(engagement, member, "New delivery"), portal_user)
    section = dashboard.build(Principal.system(org)).extra["waiting"]
    assert section.count == 2
    assert [item.label for item in section.items] == ["Old delivery", "New delivery"]
    assert section.items[0].detail == "waiting 1\xa0week" and section.items[0].warning
    assert section.url.endswith("?tab=waiting")
    html = client_for(member).get(reverse("insights:dashboard", args=[org.slug])).content.decode()
    assert 'id="waiting"' in html and "Old delivery" in html


@pytest.mark.django_db
def test_the_engagement_page_lists_waiting_and_with_the_provider_apart(
    org, engagement, member, viewer, portal_user
):
    deliver(send(engagement, member, "Delivered one"), portal_user)
    send(engagement, member, "Sent one")
    path = reverse("work:engagement_work", args=[org.slug, engagement.pk])
    html = client_for(viewer).get(path).content.decode()
    waiting, provider = html.index("Waiting for us"), html.index("With the provider")
    assert waiting < html.index("Delivered one") < provider < html.index("Sent one")
    page = client_for(viewer).get(engagement.get_absolute_url()).content.decode()
    assert "?tab=waiting&amp;engagement=" in page  # without JavaScript too


@pytest.mark.django_db
def test_my_tasks_include_what_waits_for_my_review(org, engagement, member, manager, portal_user):
    task = deliver(send(engagement, member), portal_user)  # manager: our point person
    mine = selectors.task_list(principal_for(manager, org), user=manager, tab=selectors.Tab.MINE)
    assert list(mine) == [task]


# --- Who hears of a delivery -------------------------------------------------------------------
@pytest.mark.django_db
def test_a_delivery_tells_our_assignee_and_the_sender(
    org, engagement, member, manager, portal_user
):
    task = deliver(send(engagement, member), portal_user)
    told = set(
        Notification.objects.filter(
            event="task_delivered", key__contains=f"task:{task.pk}:"
        ).values_list("user__email", flat=True)
    )
    assert told == {member.email, manager.email}


@pytest.mark.django_db
def test_the_sender_who_is_also_the_assignee_hears_once(org, engagement, manager, portal_user):
    task = deliver(send(engagement, manager), portal_user)
    delivered = Notification.objects.filter(
        event="task_delivered", key__startswith=f"task:{task.pk}:"
    )
    assert delivered.count() == 1 and delivered.get().user == manager


# --- Whose turn ---------------------------------------------------------------------------------
@pytest.mark.django_db
def test_with_the_provider_our_page_shows_our_actions_and_their_steps_only_on_their_behalf(
    org, engagement, member, manager
):
    task = send(engagement, member)
    html = client_for(manager).get(task.get_absolute_url()).content.decode()
    assert "With the provider</strong> since" in html
    assert "Nudge Priya Shah" in html and ">Cancel</button>" in html
    behalf = html[html.index('<details class="on-behalf"') :]
    behalf = behalf[: behalf.index("</details>")]
    assert "Record on the provider's behalf" in behalf
    assert "Acknowledge on their behalf" in behalf and 'name="on_behalf_reason"' in behalf
    assert "Acknowledge" not in html.replace(behalf, "")


@pytest.mark.django_db
def test_waiting_for_us_the_page_offers_accept_and_return(
    org, engagement, member, manager, portal_user
):
    task = deliver(send(engagement, member), portal_user)
    html = client_for(member).get(task.get_absolute_url()).content.decode()
    assert "Waiting for us</strong> since" in html
    assert ">Accept</button>" in html and ">Return for rework</button>" in html
    assert "on-behalf" not in html
    assert "Nudge" not in html


@pytest.mark.django_db
def test_the_time_with_the_provider_counts_from_the_return(org, engagement, member, portal_user):
    task = deliver(send(engagement, member), portal_user)
    task = services.move_task(
        principal_for(member, task.organization), task, to_status=S.RETURNED, note="Totals are off"
    )
    returned_at = task.moves.last().at
    assert (
        selectors.turn_since(task, selectors.moves_of(Principal.system(task.organization), task))
        == returned_at
    )


# --- Nudge --------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_nudge_reminds_their_assignee_once_within_the_window(
    org, engagement, member, point_contact
):
    task = send(engagement, member)
    client = client_for(member)
    path = reverse("work:task_nudge", args=[org.slug, task.pk])
    client.post(path)
    client.post(path)  # a double click
    reminders = Notification.objects.filter(event="task_reminder")
    assert [n.email for n in reminders] == [point_contact.email]
    with time_machine.travel(datetime.now(UTC) + services.NUDGE_WINDOW + timedelta(minutes=1)):
        assert services.nudge_task(principal_for(member, task.organization), task) is True
    assert Notification.objects.filter(event="task_reminder").count() == 2


@pytest.mark.django_db
def test_nudging_delivered_work_is_refused(org, engagement, member, portal_user):
    task = deliver(send(engagement, member), portal_user)
    api = api_client_for(member, org)
    response = api.post(f"/api/v1/tasks/{task.pk}/nudge")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "status"
    assert not Notification.objects.filter(event="task_reminder").exists()


@pytest.mark.django_db
def test_the_nudge_endpoint(org, engagement, member, viewer, outsider, other_org):
    task = send(engagement, member)
    path = f"/api/v1/tasks/{task.pk}/nudge"
    assert api_client_for(member, org).post(path).json() == {"sent": True}
    assert api_client_for(member, org).post(path).json() == {"sent": False}
    assert api_client_for(viewer, org).post(path).status_code == 403
    assert api_client_for(outsider, other_org).post(path).status_code == 404


# --- Due dates ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("due", "reason"),
    [
        (date(2025, 12, 3), "more than a year in the past"),
        (date(2031, 12, 5), "more than five years ahead"),
        (date(2025, 12, 31), "before the engagement starts on Jan 1, 2026"),
    ],
)
def test_the_due_date_rule_names_the_date_and_the_reason(due, reason):
    problem = services.due_date_problem(
        due, today=date(2026, 12, 4), engagement_start=date(2026, 1, 1)
    )
    assert f"{due:%b %-d, %Y}" in problem and reason in problem


@pytest.mark.parametrize(
    ("due", "start"),
    [(date(2025, 12, 4), None), (date(2031, 12, 4), None), (date(2026, 1, 1), date(2026, 1, 1))],
)
def test_due_dates_at_the_limits_are_taken(due, start):
    assert not services.due_date_problem(due, today=date(2026, 12, 4), engagement_start=start)


@pytest.mark.django_db
def test_the_task_form_refuses_a_due_date_before_the_engagement(org, engagement, member):
    response = client_for(member).post(
        reverse("work:task_create", args=[org.slug, engagement.pk]),
        {"title": "Old books", "priority": "normal", "due_at": "2025-12-15T17:00"},
    )
    assert response.status_code == 200
    assert (
        "Dec 15, 2025 is before the engagement starts on Jan 1, 2026" in response.content.decode()
    )
    assert not Task.objects.exists()


@pytest.mark.django_db
def test_the_api_refuses_a_far_due_date_with_the_field(org, engagement, member):
    api = api_client_for(member, org)
    response = api.post(
        "/api/v1/tasks",
        {"engagement_id": engagement.pk, "title": "Far", "due_at": "2032-01-05T17:00:00-06:00"},
    )
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert (
        error["field"] == "due_at"
        and "Jan 5, 2032 is more than five years ahead" in error["message"]
    )
    task = send(engagement, member)
    patch = api.patch(f"/api/v1/tasks/{task.pk}", {"due_at": "2024-06-01T17:00:00-05:00"})
    assert patch.status_code == 422 and patch.json()["errors"][0]["field"] == "due_at"


@pytest.mark.django_db
def test_an_unchanged_old_due_date_does_not_stop_an_edit(org, engagement, member):
    task = send(engagement, member)
    Task.objects.filter(pk=task.pk).update(due_at=datetime(2024, 1, 5, 17, tzinfo=ZONE))
    task.refresh_from_db()
    services.update_task(
        principal_for(member, task.organization),
        task,
        data={"title": "Renamed", "due_at": task.due_at},
    )
    task.refresh_from_db()
    assert task.title == "Renamed"


@pytest.mark.django_db
def test_the_schedule_form_refuses_a_start_before_the_engagement(org, engagement, manager):
    response = client_for(manager).post(
        reverse("work:schedule_create", args=[org.slug, engagement.pk]),
        {
            "title": "Monthly close",
            "priority": "normal",
            "rule": Recurrence.MONTHLY_DAY,
            "day_of_month": 5,
            "due_time": "17:00",
            "lead_days": 3,
            "starts_on": "2025-12-15",
        },
    )
    assert response.status_code == 200
    assert (
        "Dec 15, 2025 is before the engagement starts on Jan 1, 2026" in response.content.decode()
    )
    assert not Schedule.objects.exists()
    api = api_client_for(manager, org)
    far = api.post(
        f"/api/v1/engagements/{engagement.pk}/schedules",
        {"title": "x", "rule": "monthly_day", "day_of_month": 5, "due_time": "17:00",
         "starts_on": "2033-01-01"},
    )  # fmt: skip
    assert far.status_code == 422 and far.json()["errors"][0]["field"] == "starts_on"


@pytest.mark.django_db
def test_the_dashboard_api_has_the_waiting_section(org, engagement, member, portal_user):
    deliver(send(engagement, member, "Delivered one"), portal_user)
    body = api_client_for(member, org).get("/api/v1/dashboard").json()
    assert body["waiting"]["count"] == 1
    assert body["waiting"]["items"][0]["label"] == "Delivered one"
    assert body["waiting"]["url"].endswith("?tab=waiting")


@pytest.mark.django_db
def test_the_portal_says_delivered_work_waits_for_the_client(
    org, engagement, member, point_contact
):
    from tests.work.test_issues import grant_portal

    priya = grant_portal(org, point_contact)
    task = deliver(send(engagement, member), priya)
    page = client_for(priya).get(reverse("portal:task", args=[org.slug, task.pk]))
    assert "waiting for Acme Dental's review" in page.content.decode()
    listed = client_for(priya).get(reverse("portal:tasks", args=[org.slug])).content.decode()
    assert "March invoices" in listed and "status-warning" not in listed  # open, never overdue
