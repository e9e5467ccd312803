"""Tasks, schedules and files through the API: the same services, the same refusals."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from handoff.work import services
from handoff.work.models import Schedule, Task, TaskAttachment
from tests.conftest import api_client_for
from tests.factories import principal_for


def send(api, method, path, data=None):
    if method == "get":
        return api.get(path)
    if method == "post":
        return api.post(path, data)
    if method == "delete":
        return api.client.delete(path, **api.auth)
    if method == "upload":
        return api.client.post(path, data or {}, **api.auth)
    return getattr(api.client, method)(
        path, data or {}, content_type="application/json", **api.auth
    )


def fields(response):
    assert response.status_code == 422, (response.status_code, response.content)
    return [error["field"] for error in response.json()["errors"]]


@pytest.fixture
def schedule(engagement, manager):
    return services.create_schedule(
        principal_for(manager, engagement.organization),
        engagement,
        data={
            "title": "Close",
            "rule": "monthly_day",
            "day_of_month": 5,
            "due_time": "17:00",
            "lead_days": 3,
            "starts_on": engagement.start_date,
        },
    )


def endpoints(engagement, task, schedule):
    pdf = {"files": SimpleUploadedFile("a.pdf", b"%PDF-1.4 x", "application/pdf")}
    return [
        ("get", "/api/v1/tasks", None, "viewer"),
        ("get", f"/api/v1/tasks/{task.pk}", None, "viewer"),
        ("get", f"/api/v1/tasks/{task.pk}/moves", None, "viewer"),
        ("get", f"/api/v1/tasks/{task.pk}/comments", None, "viewer"),
        ("get", f"/api/v1/tasks/{task.pk}/attachments", None, "viewer"),
        ("get", f"/api/v1/engagements/{engagement.pk}/schedules", None, "viewer"),
        ("get", f"/api/v1/schedules/{schedule.pk}", None, "viewer"),
        (
            "post",
            "/api/v1/tasks",
            {"engagement_id": engagement.pk, "title": "x", "kind": "Invoice batch"},
            "member",
        ),
        ("patch", f"/api/v1/tasks/{task.pk}", {"title": "y"}, "member"),
        ("post", f"/api/v1/tasks/{task.pk}/comments", {"body": "hi"}, "member"),
        ("upload", f"/api/v1/tasks/{task.pk}/attachments", pdf, "member"),
        ("post", f"/api/v1/tasks/{task.pk}/moves", {"to_status": "acknowledged"}, "member"),
        (
            "post",
            f"/api/v1/engagements/{engagement.pk}/schedules",
            {
                "title": "W",
                "rule": "weekly",
                "weekdays": [1],
                "due_time": "09:00",
                "starts_on": "2026-01-01",
            },
            "manager",
        ),
        ("patch", f"/api/v1/schedules/{schedule.pk}", {"title": "Z"}, "manager"),
        ("post", f"/api/v1/schedules/{schedule.pk}/pause", None, "manager"),
        ("delete", f"/api/v1/schedules/{schedule.pk}", None, "manager"),
    ]


RANK = ["viewer", "member", "manager"]


@pytest.mark.django_db
def test_every_endpoint_checks_the_role(org, engagement, task, schedule, viewer, member):
    for person, role in ((viewer, "viewer"), (member, "member")):
        api = api_client_for(person, org)
        for method, path, data, least in endpoints(engagement, task, schedule):
            response = send(api, method, path, data)
            allowed = RANK.index(role) >= RANK.index(least)
            assert (response.status_code != 403) == allowed, (path, role, response.content)
            assert response.status_code < 500


@pytest.mark.django_db
def test_another_orgs_rows_are_404(org, engagement, task, schedule, other_org, outsider):
    api = api_client_for(outsider, other_org)
    for method, path, data, _ in endpoints(engagement, task, schedule):
        if path == "/api/v1/tasks":
            continue
        response = send(api, method, path, data)
        assert response.status_code in (404, 422), (path, response.status_code)
        if response.status_code == 422:  # the body names an engagement it cannot see
            assert method == "post"
    assert (
        send(
            api,
            "post",
            "/api/v1/tasks",
            {"engagement_id": engagement.pk, "title": "x", "kind": "Invoice batch"},
        ).status_code
        == 404
    )
    assert api.get("/api/v1/tasks").json()["count"] == 0
    assert api.get("/api/v1/tasks", tab="all", provider=engagement.provider_id).json()["count"] == 0


@pytest.mark.django_db
def test_another_orgs_files_are_404(org, task, member, other_org, outsider):
    attachment = services.add_attachments(
        principal_for(member, task.organization),
        task,
        files=[SimpleUploadedFile("a.pdf", b"%PDF-1.4 x", "application/pdf")],
    )[0]
    api = api_client_for(outsider, other_org)
    path = f"/api/v1/tasks/{task.pk}/attachments/{attachment.pk}/file"
    assert api.get(path).status_code == 404
    assert api_client_for(member, org).get(path).status_code == 200


@pytest.mark.django_db
def test_create_and_read_a_task(org, engagement, member, manager, point_contact):
    api = api_client_for(member, org)
    response = api.post(
        "/api/v1/tasks",
        {
            "engagement_id": engagement.pk,
            "title": "Payroll",
            "due_at": "2026-12-04T17:00:00-06:00",
            "priority": "urgent",
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert body["due_at"].startswith("2026-12-04T17:00:00-06:00") or body["due_at"].startswith(
        "2026-12-04T23:00:00"
    )
    assert body["our_assignee_id"] == manager.pk and body["their_assignee_id"] == point_contact.pk
    assert body["status"] == "requested" and body["version"] == 1 and body["on_time"] is None


@pytest.mark.django_db
def test_bad_input_names_the_field(org, engagement, member, rival_contact):
    api = api_client_for(member, org)
    base = {"engagement_id": engagement.pk, "title": "x", "kind": "Invoice batch"}
    assert fields(api.post("/api/v1/tasks", {**base, "their_assignee_id": rival_contact.pk})) == [
        "their_assignee_id"
    ]
    assert fields(api.post("/api/v1/tasks", {**base, "kind": "Nope"})) == ["kind"]
    assert fields(api.post("/api/v1/tasks", {**base, "priority": "meh"})) == ["priority"]
    assert not Task.objects.exists()


@pytest.mark.django_db
def test_moves_refusals_and_conflicts(org, task, member, manager):
    api = api_client_for(member, org)
    path = f"/api/v1/tasks/{task.pk}/moves"
    assert fields(api.post(path, {"to_status": "accepted"})) == ["status"]
    # A member moving the provider's step gives the reason (422 with the field otherwise).
    assert fields(api.post(path, {"to_status": "acknowledged", "version": 1})) == [
        "on_behalf_reason"
    ]
    ok = api.post(
        path, {"to_status": "acknowledged", "version": 1, "on_behalf_reason": "Said so by phone"}
    )
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = api.post(path, {"to_status": "in_progress", "version": 1})
    assert stale.status_code == 409 and stale.json()["errors"][0]["field"] == "version"
    assert api.post(path, {"to_status": "cancelled"}).status_code == 403
    assert (
        api_client_for(manager, org).post(path, {"to_status": "cancelled"}).json()["status"]
        == "cancelled"
    )
    moves = api.get(path).json()
    assert [m["to_status"] for m in moves] == ["requested", "acknowledged", "cancelled"]
    assert moves[1]["on_behalf_reason"] == "Said so by phone"


@pytest.mark.django_db
def test_edit_conflicts(org, task, member):
    api = api_client_for(member, org)
    assert api.patch(f"/api/v1/tasks/{task.pk}", {"title": "B", "version": 1}).status_code == 200
    assert api.patch(f"/api/v1/tasks/{task.pk}", {"title": "C", "version": 1}).status_code == 409


@pytest.mark.django_db
def test_files_up_and_down(org, task, member):
    api = api_client_for(member, org)
    path = f"/api/v1/tasks/{task.pk}/attachments"
    bad = api.client.post(
        path,
        {
            "files": [
                SimpleUploadedFile("a.pdf", b"%PDF-1.4 x", "application/pdf"),
                SimpleUploadedFile("b.exe", b"MZ\x00\x00", "application/octet-stream"),
            ]
        },
        **api.auth,
    )
    assert fields(bad) == ["files"] and not TaskAttachment.objects.exists()
    good = api.client.post(
        path, {"files": [SimpleUploadedFile("a.pdf", b"%PDF-1.4 x", "application/pdf")]}, **api.auth
    )
    assert good.status_code == 201
    download = api.get(good.json()[0]["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 x"


@pytest.mark.django_db
def test_comments(org, task, member):
    api = api_client_for(member, org)
    path = f"/api/v1/tasks/{task.pk}/comments"
    assert api.post(path, {"body": "Secret", "internal": True}).status_code == 201
    assert fields(api.post(path, {"body": "  "})) == ["body"]
    assert api.get(path).json()[0]["internal"] is True


@pytest.mark.django_db
def test_a_comment_whose_author_is_gone_keeps_a_null_author(org, task, member):
    api = api_client_for(member, org)
    path = f"/api/v1/tasks/{task.pk}/comments"
    api.post(path, {"body": "Sent the batch"})
    assert api.get(path).json()[0]["author_name"] == member.name
    task.comments.update(author=None)  # the account deleted: the foreign key is set null

    response = api.get(path)

    assert response.status_code == 200
    comment = response.json()[0]
    assert (comment["author_id"], comment["author_name"]) == (None, None)


@pytest.mark.django_db
def test_schedules(org, engagement, manager, schedule):
    api = api_client_for(manager, org)
    listed = api.get(f"/api/v1/engagements/{engagement.pk}/schedules").json()
    assert listed[0]["description"] == "Monthly on day 5" and listed[0]["next_due_dates"]
    bad = api.post(
        f"/api/v1/engagements/{engagement.pk}/schedules",
        {"title": "W", "rule": "weekly", "due_time": "09:00", "starts_on": "2026-01-01"},
    )
    assert fields(bad) == ["weekdays"]
    paused = api.post(f"/api/v1/schedules/{schedule.pk}/pause")
    assert paused.json()["paused"] is True
    assert api.post(f"/api/v1/schedules/{schedule.pk}/resume").json()["paused"] is False
    stale = api.patch(f"/api/v1/schedules/{schedule.pk}", {"title": "X", "version": 1})
    assert stale.status_code == 409
    assert send(api, "delete", f"/api/v1/schedules/{schedule.pk}").status_code == 204
    assert not Schedule.objects.exists()
