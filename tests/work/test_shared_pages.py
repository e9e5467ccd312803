"""The task and issue pages are one code path for both sides: the members' addresses
(``/o/<org>/…``) and the portal's (``/portal/<org>/…``) route to the same views, which show a
provider's contact what the visibility rule allows and a member everything, each in the layout
of their side."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import resolve

from handoff.core.principal import Principal
from handoff.work import issues, services
from handoff.work.choices import Side, TaskStatus
from handoff.work.models import Issue
from tests.conftest import client_for
from tests.factories import principal_for
from tests.work.test_issues import grant_portal
from tests.work.test_portal import make_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def priya_client(org, point_contact, portal_user):
    grant_portal(org, point_contact, portal_user)
    return client_for(portal_user)


@pytest.fixture
def rival_work(rival_engagement, manager, member):
    task = make_task(rival_engagement, manager, title="Northwind invoices")
    issue = issues.raise_issue(
        principal_for(member, rival_engagement.organization),
        rival_engagement,
        data={"title": "Northwind problem"},
    )
    return task, issue


def files(name, body):
    return [SimpleUploadedFile(name, body, content_type="text/plain")]


@pytest.fixture
def task_with_notes(engagement, manager):
    task = make_task(engagement, manager)
    services.add_comment(
        principal_for(manager, task.organization),
        task,
        body="Shared: please hurry",
        files=files("a.txt", b"a"),
    )
    services.add_comment(
        principal_for(manager, task.organization),
        task,
        body="Internal: they are slow",
        internal=True,
        files=files("secret.txt", b"only us"),
    )
    return task


# --- One view per page ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("members", "portal"),
    [
        ("/o/acme/tasks/1/", "/portal/acme/tasks/1/"),
        ("/o/acme/tasks/1/move/", "/portal/acme/tasks/1/move/"),
        ("/o/acme/tasks/1/comments/", "/portal/acme/tasks/1/comment/"),
        ("/o/acme/tasks/1/files/2/", "/portal/acme/tasks/1/files/2/"),
    ],
)
def test_one_view_serves_the_members_and_the_portals_address(members, portal):
    assert resolve(members).func is resolve(portal).func


# --- Tasks ------------------------------------------------------------------------------------
def test_one_task_list_serves_both_addresses():
    assert resolve("/o/acme/tasks/").func is resolve("/portal/acme/tasks/").func


def test_a_contacts_task_list_holds_their_providers_tasks_only(
    org, engagement, rival_work, rival_provider, rival_engagement, manager, priya_client
):
    ours = make_task(engagement, manager, title="March close")
    for query in (
        "",
        "?tab=all",
        f"?tab=all&provider={rival_provider.pk}",
        f"?tab=all&engagement={rival_engagement.pk}",
    ):
        for base in ("/portal/acme/", "/o/acme/"):
            page = priya_client.get(f"{base}tasks/{query}").content.decode()
            assert "March close" in page, (base, query)
            assert "Northwind invoices" not in page and "Northwind Billing" not in page
            assert f'href="/portal/acme/tasks/{ours.pk}/"' in page
    page = priya_client.get("/portal/acme/tasks/").content.decode()
    assert "Assigned to me" in page and "Awaiting review" in page  # their side's names
    assert "Our assignee" not in page and "Any provider" not in page  # no filter on us


def test_assigned_to_me_is_what_the_provider_assigned_to_the_contact(
    org, engagement, manager, point_contact, issue_contact, priya_client
):
    make_task(engagement, manager, title="Hers", their_assignee_id=point_contact.pk)
    make_task(engagement, manager, title="Toms", their_assignee_id=issue_contact.pk)
    page = priya_client.get("/portal/acme/tasks/").content.decode()  # her own, first
    assert "Hers" in page and "Toms" not in page
    page = priya_client.get("/portal/acme/tasks/?tab=open").content.decode()
    assert "Hers" in page and "Toms" in page


def test_a_members_task_list_is_as_before(org, engagement, rival_work, manager):
    make_task(engagement, manager, title="March close")
    page = client_for(manager).get("/o/acme/tasks/?tab=all").content.decode()
    assert "March close" in page and "Northwind invoices" in page
    assert "Our assignee" in page and "Any provider" in page and "Waiting for us" in page


def test_a_contact_sees_no_internal_note_or_its_file_at_either_address(
    org, task_with_notes, priya_client
):
    for base in ("/portal/acme/", "/o/acme/"):
        page = priya_client.get(f"{base}tasks/{task_with_notes.pk}/").content.decode()
        assert "Shared: please hurry" in page and "a.txt" in page
        assert "Internal: they are slow" not in page and "secret.txt" not in page
        assert "Internal note" not in page  # nor the box to write one
        assert "/o/acme/providers/" not in page  # the portal's frame, not the organization's
        assert f"/portal/acme/tasks/{task_with_notes.pk}/comment/" in page
    secret = task_with_notes.attachments.get(name="secret.txt")
    for base in ("/portal/acme/", "/o/acme/"):
        path = f"{base}tasks/{task_with_notes.pk}/files/{secret.pk}/"
        assert priya_client.get(path).status_code == 404


def test_a_member_sees_everything_as_before(org, task_with_notes, manager):
    page = client_for(manager).get(f"/o/acme/tasks/{task_with_notes.pk}/").content.decode()
    assert "Shared: please hurry" in page and "Internal: they are slow" in page
    assert "secret.txt" in page and "Internal note" in page
    assert f"/o/acme/tasks/{task_with_notes.pk}/edit/" in page
    assert "Record on the provider's behalf" in page
    secret = task_with_notes.attachments.get(name="secret.txt")
    download = client_for(manager).get(f"/o/acme/tasks/{task_with_notes.pk}/files/{secret.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"only us"


def test_a_contact_cannot_reach_another_providers_task(org, rival_work, priya_client):
    rival_task, _ = rival_work
    for base in ("/portal/acme/", "/o/acme/"):
        assert priya_client.get(f"{base}tasks/{rival_task.pk}/").status_code == 404
        move = {"to_status": "acknowledged"}
        assert priya_client.post(f"{base}tasks/{rival_task.pk}/move/", move).status_code == 404
    assert not rival_task.moves.filter(to_status=TaskStatus.ACKNOWLEDGED).exists()


def test_a_contacts_move_and_comment_are_the_providers_and_return_to_the_portal(
    org, engagement, manager, priya_client
):
    task = make_task(engagement, manager)
    moved = priya_client.post(
        f"/o/acme/tasks/{task.pk}/move/", {"to_status": "acknowledged", "version": task.version}
    )
    assert moved.status_code == 302 and moved.url == f"/portal/acme/tasks/{task.pk}/"
    task.refresh_from_db()
    assert task.status == TaskStatus.ACKNOWLEDGED
    assert task.moves.latest("at").side == Side.PROVIDER
    commented = priya_client.post(
        f"/portal/acme/tasks/{task.pk}/comment/", {"body": "On it", "internal": "on"}
    )
    assert commented.status_code == 302
    assert commented.url.startswith(f"/portal/acme/tasks/{task.pk}/")
    comment = task.comments.get()
    assert comment.side == Side.PROVIDER and not comment.internal  # a contact writes no notes


def test_the_members_only_task_actions_stay_members_only(org, engagement, manager, priya_client):
    task = make_task(engagement, manager)
    for path in (f"/o/acme/tasks/{task.pk}/edit/",):
        assert priya_client.get(path).status_code == 404
    for path in (f"/o/acme/tasks/{task.pk}/nudge/", f"/o/acme/tasks/{task.pk}/files/"):
        assert priya_client.post(path).status_code == 404


def test_a_members_post_returns_to_the_members_page(org, engagement, manager, viewer):
    task = make_task(engagement, manager)
    response = client_for(manager).post(f"/portal/acme/tasks/{task.pk}/comment/", {"body": "Hi"})
    assert response.status_code == 302 and response.url == f"/o/acme/tasks/{task.pk}/#thread"
    refused = client_for(viewer).post(f"/o/acme/tasks/{task.pk}/comments/", {"body": "Hi"})
    assert refused.status_code == 403


# --- Issues -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("members", "portal"),
    [
        ("/o/acme/issues/", "/portal/acme/issues/"),
        ("/o/acme/engagements/1/issues/new/", "/portal/acme/issues/new/"),
        ("/o/acme/issues/1/", "/portal/acme/issues/1/"),
        ("/o/acme/issues/1/respond/", "/portal/acme/issues/1/respond/"),
    ],
)
def test_one_issue_view_serves_the_members_and_the_portals_address(members, portal):
    assert resolve(members).func is resolve(portal).func


def test_a_contact_sees_their_providers_issues_in_the_portals_frame(
    org, engagement, member, rival_work, priya_client
):
    issues.raise_issue(
        principal_for(member, engagement.organization), engagement, data={"title": "Late files"}
    )
    for base in ("/portal/acme/", "/o/acme/"):
        page = priya_client.get(f"{base}issues/").content.decode()
        assert "Late files" in page and "Northwind problem" not in page
        assert "/o/acme/providers/" not in page and "Filters" not in page
        assert priya_client.get(f"{base}issues/?view=all").status_code == 200


def test_a_contact_cannot_reach_another_providers_issue(org, rival_work, priya_client):
    _, rival_issue = rival_work
    for base in ("/portal/acme/", "/o/acme/"):
        assert priya_client.get(f"{base}issues/{rival_issue.pk}/").status_code == 404
        answer = priya_client.post(f"{base}issues/{rival_issue.pk}/respond/", {"body": "hi"})
        assert answer.status_code == 404
    rival_engagement = rival_issue.engagement
    path = f"/o/acme/engagements/{rival_engagement.pk}/issues/new/"
    assert priya_client.get(path).status_code == 404
    assert rival_issue.events.filter(kind="message").count() == 0


def test_a_contacts_answer_is_the_providers_and_returns_to_the_portal(
    org, engagement, member, priya_client
):
    issue = issues.raise_issue(
        principal_for(member, engagement.organization), engagement, data={"title": "Ping"}
    )
    response = priya_client.post(f"/o/acme/issues/{issue.pk}/respond/", {"body": "Pong"})
    assert response.status_code == 302 and response.url == f"/portal/acme/issues/{issue.pk}/"
    assert issue.events.get(kind="message").side == Side.PROVIDER
    page = priya_client.get(response.url).content.decode()
    assert "Pong" in page and "Resolve the issue" not in page and "Who answers" not in page


def test_resolving_and_reopening_stay_the_members(org, engagement, member, priya_client):
    issue = issues.raise_issue(
        principal_for(member, engagement.organization), engagement, data={"title": "Ping"}
    )
    for action, data in (("resolve", {"note": "done"}), ("reopen", {"reason": "again"})):
        assert priya_client.post(f"/o/acme/issues/{issue.pk}/{action}/", data).status_code == 404


def test_a_member_sees_the_issue_as_before(org, engagement, member, manager):
    issue = issues.raise_issue(
        principal_for(member, engagement.organization), engagement, data={"title": "Ping"}
    )
    page = client_for(manager).get(f"/o/acme/issues/{issue.pk}/").content.decode()
    assert "Resolve the issue" in page and "Who answers" in page
    response = client_for(manager).post(f"/portal/acme/issues/{issue.pk}/respond/", {"body": "Yo"})
    assert response.status_code == 302 and response.url == f"/o/acme/issues/{issue.pk}/"
    listed = client_for(manager).get("/o/acme/issues/?view=all").content.decode()
    assert "Ping" in listed and "Filters" in listed


def test_raising_from_either_address_takes_the_principals_side(
    org, engagement, manager, priya_client
):
    data = {"engagement_id": engagement.pk, "title": "Help", "severity": "normal"}
    response = priya_client.post("/portal/acme/issues/new/", {**data, "description": "Stuck"})
    issue = Issue.objects.visible_to(Principal.system(org)).get(title="Help")
    assert response.status_code == 302 and response.url == f"/portal/acme/issues/{issue.pk}/"
    assert issue.raised_side == Side.PROVIDER
    path = f"/o/acme/engagements/{engagement.pk}/issues/new/"
    response = client_for(manager).post(path, {**data, "title": "Ours", "description": "Hm"})
    ours = Issue.objects.visible_to(Principal.system(org)).get(title="Ours")
    assert response.status_code == 302 and response.url == f"/o/acme/issues/{ours.pk}/"
    assert ours.raised_side == Side.US
