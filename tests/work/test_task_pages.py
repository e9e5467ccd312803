"""Task and schedule pages: what each role may do, what outsiders never see, and the forms."""

from datetime import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from handoff.work import services
from handoff.work.choices import Recurrence, TaskStatus
from handoff.work.models import Schedule, Task, TaskAttachment, TaskComment
from tests.conftest import client_for
from tests.factories import principal_for

S = TaskStatus


def url(name, org, *args):
    return reverse(f"work:{name}", args=[org.slug, *args])


@pytest.fixture
def task(engagement, member):
    return services.create_task(
        principal_for(member, engagement.organization),
        engagement,
        data={
            "title": "March invoices",
            "kind": "Invoice batch",
            "details": "<b>bold</b> see https://docs.example/x\nline 2",
        },
        files=[SimpleUploadedFile("brief.pdf", b"%PDF-1.4 brief", "application/pdf")],
    )


@pytest.fixture
def schedule(engagement, manager):
    return services.create_schedule(
        principal_for(manager, engagement.organization),
        engagement,
        data={
            "title": "Monthly close",
            "rule": Recurrence.MONTHLY_DAY,
            "day_of_month": 5,
            "due_time": time(17, 0),
            "lead_days": 3,
            "starts_on": engagement.start_date,
        },
    )


def pages(org, engagement, task, schedule):
    """(method, url, least role) for every page of the app."""
    attachment = TaskAttachment.objects.get(task=task)
    return [
        ("get", url("tasks", org), "viewer"),
        ("get", url("task", org, task.pk), "viewer"),
        ("get", url("attachment", org, task.pk, attachment.pk), "viewer"),
        ("get", url("engagement_work", org, engagement.pk), "viewer"),
        ("get", url("schedules", org, engagement.pk), "viewer"),
        ("get", url("calendar_feeds", org), "viewer"),
        ("get", url("task_create", org, engagement.pk), "member"),
        ("get", url("suggest_due", org, engagement.pk), "member"),
        ("get", url("task_edit", org, task.pk), "member"),
        ("post", url("task_comment", org, task.pk), "member"),
        ("post", url("task_attach", org, task.pk), "member"),
        ("post", url("task_move", org, task.pk), "member"),
        ("post", url("task_nudge", org, task.pk), "member"),
        ("get", url("schedule_create", org, engagement.pk), "manager"),
        ("get", url("schedule_edit", org, schedule.pk), "manager"),
        ("post", url("schedule_action", org, schedule.pk, "pause"), "manager"),
    ]


RANK = ["viewer", "member", "manager"]


@pytest.mark.django_db
def test_every_page_checks_the_role_and_hides_from_outsiders(
    org, engagement, task, schedule, viewer, member, manager, outsider, other_org
):
    people = {"viewer": viewer, "member": member, "manager": manager}
    for method, path, least in pages(org, engagement, task, schedule):
        for role, person in people.items():
            response = getattr(client_for(person), method)(path, {"body": "hi", "to_status": "x"})
            allowed = RANK.index(role) >= RANK.index(least)
            assert (response.status_code != 403) == allowed, (path, role, response.status_code)
        assert getattr(client_for(outsider), method)(path).status_code == 404, path


@pytest.mark.django_db
def test_another_orgs_task_is_a_404_from_my_own_org(org, task, outsider, other_org):
    path = reverse("work:task", args=[other_org.slug, task.pk])
    assert client_for(outsider).get(path).status_code == 404


@pytest.mark.django_db
def test_details_are_escaped_with_links_and_line_breaks(org, viewer, task):
    html = client_for(viewer).get(url("task", org, task.pk)).content.decode()
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    assert '<a href="https://docs.example/x" rel="noopener nofollow">' in html
    assert "https://docs.example/x</a><br>line 2" in html


@pytest.mark.django_db
def test_a_member_sends_a_task_with_the_suggested_due_date(org, engagement, member):
    response = client_for(member).post(
        url("task_create", org, engagement.pk),
        {
            "title": "April invoices",
            "kind": "Invoice batch",
            "priority": "high",
            "details": "",
        },
    )
    task = Task.objects.get(title="April invoices")
    assert response.status_code == 302 and response["Location"] == task.get_absolute_url()
    assert task.priority == "high" and task.due_at > task.created_at


@pytest.mark.django_db
def test_a_task_without_due_or_kind_is_refused_on_the_form(org, engagement, member):
    response = client_for(member).post(
        url("task_create", org, engagement.pk), {"title": "Call", "priority": "normal"}
    )
    assert response.status_code == 200
    assert b"Give a due date, or choose a task kind" in response.content
    assert not Task.objects.exists()


@pytest.mark.django_db
def test_the_suggested_due_fragment(org, engagement, member):
    response = client_for(member).get(
        url("suggest_due", org, engagement.pk), {"kind": "Invoice batch"}
    )
    assert b"The service level suggests" in response.content


@pytest.mark.django_db
def test_moves_from_the_detail_page(org, task, member, manager):
    client = client_for(member)
    # The provider's step needs the reason it is recorded on their behalf.
    refused = client.post(url("task_move", org, task.pk), {"to_status": S.ACKNOWLEDGED})
    assert refused.status_code == 422 and b"say why you record it" in refused.content
    task.refresh_from_db()
    assert task.status == S.REQUESTED
    client.post(
        url("task_move", org, task.pk),
        {"to_status": S.ACKNOWLEDGED, "version": 1, "on_behalf_reason": "Priya called"},
    )
    task.refresh_from_db()
    assert task.status == S.ACKNOWLEDGED
    assert task.moves.last().on_behalf_reason == "Priya called"
    assert b"Priya called" in client.get(url("task", org, task.pk)).content  # in the history
    stale = client.post(url("task_move", org, task.pk), {"to_status": S.IN_PROGRESS, "version": 1})
    assert stale.status_code == 409 and b"Someone changed this" in stale.content
    illegal = client.post(url("task_move", org, task.pk), {"to_status": S.ACCEPTED})
    assert illegal.status_code == 422 and b"cannot become accepted" in illegal.content
    # Cancelling takes a manager.
    assert (
        client.post(url("task_move", org, task.pk), {"to_status": S.CANCELLED}).status_code == 403
    )
    client_for(manager).post(url("task_move", org, task.pk), {"to_status": S.CANCELLED})
    task.refresh_from_db()
    assert task.status == S.CANCELLED


@pytest.mark.django_db
def test_only_a_manager_is_offered_the_cancel_button(org, task, member, manager):
    """The page offers what the service allows: cancelling takes a manager."""
    cancel = b'name="to_status" value="cancelled"'
    assert cancel not in client_for(member).get(url("task", org, task.pk)).content
    assert cancel in client_for(manager).get(url("task", org, task.pk)).content


@pytest.mark.django_db
def test_the_detail_shows_on_time_once_delivered(org, task, member, viewer):
    for target in (S.ACKNOWLEDGED, S.IN_PROGRESS, S.DELIVERED):
        task = services.move_task(
            principal_for(member, task.organization),
            task,
            to_status=target,
            on_behalf_reason="Told us by phone",
        )
    html = client_for(viewer).get(url("task", org, task.pk)).content.decode()
    assert "on time" in html and "Accept" not in html  # viewers see no buttons


@pytest.mark.django_db
def test_comments_and_internal_notes(org, task, member, viewer):
    client_for(member).post(url("task_comment", org, task.pk), {"body": "Note", "internal": "on"})
    assert TaskComment.objects.get().internal is True
    assert b"Internal note" in client_for(viewer).get(url("task", org, task.pk)).content
    empty = client_for(member).post(url("task_comment", org, task.pk), {"body": ""})
    assert empty.status_code == 422


@pytest.mark.django_db
def test_a_bad_attachment_is_refused_on_the_page(org, task, member):
    response = client_for(member).post(
        url("task_attach", org, task.pk),
        {
            "files": [
                SimpleUploadedFile("x.bin", b"\x00\x01\x02binary", "application/octet-stream")
            ],
        },
    )
    assert response.status_code == 422 and b"x.bin is not a PDF" in response.content
    assert TaskAttachment.objects.count() == 1


@pytest.mark.django_db
def test_downloads_go_through_the_view(org, task, viewer):
    attachment = TaskAttachment.objects.get()
    response = client_for(viewer).get(url("attachment", org, task.pk, attachment.pk))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]


@pytest.mark.django_db
def test_editing_a_task(org, task, member):
    response = client_for(member).post(
        url("task_edit", org, task.pk),
        {
            "title": "Renamed",
            "kind": "Invoice batch",
            "priority": "low",
            "details": "",
            "due_at": "2026-12-01T09:30",
            "version": 1,
        },
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.title == "Renamed" and task.version == 2
    assert task.due_at.isoformat() == "2026-12-01T15:30:00+00:00"  # 09:30 in Chicago


@pytest.mark.django_db
def test_schedules_pages(org, engagement, manager, viewer, schedule):
    listing = client_for(viewer).get(url("schedules", org, engagement.pk)).content.decode()
    assert "Monthly on day 5" in listing and "skipped" in listing
    client = client_for(manager)
    response = client.post(
        url("schedule_create", org, engagement.pk),
        {
            "title": "Payroll",
            "priority": "normal",
            "rule": Recurrence.WEEKLY,
            "weekdays": ["3"],
            "due_time": "12:00",
            "lead_days": "2",
            "starts_on": "2026-01-01",
        },
    )
    assert response.status_code == 302
    assert Schedule.objects.get(title="Payroll").weekdays == [3]
    bad = client.post(
        url("schedule_create", org, engagement.pk),
        {
            "title": "Broken",
            "priority": "normal",
            "rule": Recurrence.WEEKLY,
            "due_time": "12:00",
            "lead_days": "2",
            "starts_on": "2026-01-01",
        },
    )
    assert bad.status_code == 200 and b"Choose at least one weekday." in bad.content
    client.post(url("schedule_action", org, schedule.pk, "pause"))
    schedule.refresh_from_db()
    assert schedule.paused
    client.post(url("schedule_action", org, schedule.pk, "delete"))
    assert not Schedule.objects.filter(pk=schedule.pk).exists()


@pytest.mark.django_db
def test_the_nav_and_the_engagement_page_link_to_tasks(org, engagement, viewer):
    html = client_for(viewer).get(engagement.get_absolute_url()).content.decode()
    assert url("tasks", org) in html and url("engagement_work", org, engagement.pk) in html
