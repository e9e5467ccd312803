"""A provider contact's token on the same endpoints as a member's: their provider's work only,
written as the provider's side, and an engagement in the shape the contact's page shows it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from handoff.accounts import portal
from handoff.accounts import services as accounts
from handoff.work import issues, services
from handoff.work.choices import Side, TaskStatus
from handoff.work.models import Issue, IssueEvent, Task, TaskComment, TaskMove
from tests.conftest import ApiClient, api_client_for
from tests.factories import ContactFactory, ProviderFactory, principal_for
from tests.work.conftest import active_engagement
from tests.work.test_issues import grant_portal
from tests.work.test_portal import make_task
from tests.work.test_task_api import send


@pytest.fixture
def priya(org, point_contact, portal_user):
    grant_portal(org, point_contact, portal_user)
    return portal_user


@pytest.fixture
def priya_api(org, priya):
    _, raw = accounts.create_api_token(principal_for(priya, org), name="sync")
    return ApiClient(raw)


@pytest.fixture
def rita_api(org, rival_engagement, rival_contact):
    """The rival provider's contact, with her own portal token."""
    rita = grant_portal(org, rival_contact)
    _, raw = accounts.create_api_token(principal_for(rita, org), name="sync")
    return ApiClient(raw)


@pytest.fixture
def elsewhere_engagement(other_org, outsider):
    """Another organization's active engagement, with its own provider and contact."""
    provider = ProviderFactory(organization=other_org, name="Elsewhere Books")
    contact = ContactFactory(provider=provider, name="Ed Else", email="ed@elsewhere.example")
    return active_engagement(
        other_org,
        outsider,
        provider,
        point_person=outsider,
        their_point=contact,
        issue_contact=contact,
        ladder=[],
    )


def test_a_portal_token_is_refused_the_members_own_endpoints(org, engagement, priya_api):
    for path in ("/api/v1/engagements", "/api/v1/issues", "/api/v1/tasks"):
        assert priya_api.get(path).status_code == 200, path
    for path in ("/api/v1/providers", "/api/v1/portal-access", "/api/v1/renewals"):
        refused = priya_api.get(path)
        assert refused.status_code == 403, path
        assert refused.json()["detail"] == "This is for the organization's members."


def test_an_engagement_is_one_endpoint_with_each_side_its_shape(
    org, engagement, rival_engagement, owner, priya_api
):
    """A member reads the full terms; the contact the page's part for them, of their own
    provider only — the rival's engagement is a 404, and no write is open to them."""
    mine = api_client_for(owner, org).get(f"/api/v1/engagements/{engagement.pk}").json()
    assert mine["amount"] == "1250.00" and mine["provider_id"] == engagement.provider_id
    theirs = priya_api.get(f"/api/v1/engagements/{engagement.pk}").json()
    assert theirs["title"] == engagement.title and theirs["price"] is None
    assert "amount" not in theirs and "provider_id" not in theirs and "version" not in theirs
    listed = priya_api.get("/api/v1/engagements").json()
    assert [row["id"] for row in listed["results"]] == [engagement.pk] and listed["count"] == 1
    assert priya_api.get(f"/api/v1/engagements/{rival_engagement.pk}").status_code == 404
    changed = priya_api.patch(f"/api/v1/engagements/{engagement.pk}", {"title": "Ours now"})
    assert changed.status_code == 403
    engagement.refresh_from_db()
    assert engagement.title != "Ours now"


def test_a_revoked_access_stops_the_token(org, engagement, owner, priya, priya_api):
    access = portal.contact_for(priya, org).portal_accesses.get(revoked_at=None)
    portal.revoke(principal_for(owner, org), access)
    assert priya_api.get("/api/v1/engagements").status_code == 401
    assert priya_api.get("/api/v1/issues").status_code == 401
    assert priya_api.get("/api/v1/tasks").status_code == 401


def test_prices_stay_out_of_the_json_until_shown(org, engagement, admin, priya_api):
    listing = priya_api.get("/api/v1/engagements")
    assert b"1250" not in listing.content and listing.json()["results"][0]["price"] is None
    portal.update_settings(principal_for(admin, org), show_prices=True)
    shown = priya_api.get(f"/api/v1/engagements/{engagement.pk}").json()
    assert shown["price"]["amount"] == "1250.00"


# --- Issues -----------------------------------------------------------------------------------
def test_priya_sees_only_her_providers_issues(org, engagement, rival_engagement, member, priya_api):
    ours = issues.raise_issue(
        principal_for(member, engagement.organization), engagement, data={"title": "Late"}
    )
    rival = issues.raise_issue(
        principal_for(member, rival_engagement.organization),
        rival_engagement,
        data={"title": "Northwind problem"},
    )
    listed = priya_api.get("/api/v1/issues", view="all").json()
    assert [i["id"] for i in listed["results"]] == [ours.pk]
    assert priya_api.get(f"/api/v1/issues/{ours.pk}").status_code == 200
    assert priya_api.get(f"/api/v1/issues/{rival.pk}").status_code == 404
    answered = priya_api.post(f"/api/v1/issues/{rival.pk}/respond", {"body": "Mine?"})
    assert answered.status_code == 404
    refused = priya_api.post("/api/v1/issues", {"engagement_id": rival_engagement.pk, "title": "x"})
    assert refused.status_code == 404
    rival_engagement.refresh_from_db()
    assert (
        not IssueEvent.objects.filter(organization=org).filter(issue=rival, kind="message").exists()
    )
    assert Issue.objects.filter(organization=org).count() == 2


def test_the_rival_contact_sees_only_hers(org, engagement, rival_engagement, member, rita_api):
    ours = issues.raise_issue(
        principal_for(member, engagement.organization), engagement, data={"title": "Late"}
    )
    rival = issues.raise_issue(
        principal_for(member, rival_engagement.organization),
        rival_engagement,
        data={"title": "Northwind problem"},
    )
    listed = rita_api.get("/api/v1/issues", view="all").json()
    assert [i["id"] for i in listed["results"]] == [rival.pk]
    assert rita_api.get(f"/api/v1/issues/{ours.pk}").status_code == 404


def test_a_contacts_issue_filters_are_the_members(
    org, engagement, rival_engagement, member, priya_api
):
    issues.raise_issue(
        principal_for(member, engagement.organization), engagement, data={"title": "Late"}
    )
    issues.raise_issue(
        principal_for(member, engagement.organization),
        engagement,
        data={"title": "Slow", "severity": "high"},
    )
    assert priya_api.get("/api/v1/issues", severity="high").json()["count"] == 1
    assert priya_api.get("/api/v1/issues", engagement=engagement.pk).json()["count"] == 2
    assert priya_api.get("/api/v1/issues", provider=engagement.provider_id).json()["count"] == 2
    assert priya_api.get("/api/v1/issues", provider=rival_engagement.provider_id).json() == {
        "count": 0,
        "page": 1,
        "per_page": 50,
        "results": [],
    }
    assert priya_api.get("/api/v1/issues", view="resolved").json()["count"] == 0
    assert priya_api.get("/api/v1/issues", raised_from="2000-01-01").json()["count"] == 2
    assert priya_api.get("/api/v1/issues", raised_to="2000-01-01").json()["count"] == 0
    assert priya_api.get("/api/v1/issues", view="sideways").status_code == 422


def test_priya_raises_and_answers_as_the_provider(org, engagement, member, manager, priya_api):
    task = make_task(engagement, manager)
    raised = priya_api.post(
        "/api/v1/issues",
        {"engagement_id": engagement.pk, "task_id": task.pk, "title": "Need receipts"},
    )
    assert raised.status_code == 201 and raised.json()["raised_side"] == "provider"
    ours = issues.raise_issue(
        principal_for(member, engagement.organization), engagement, data={"title": "Late"}
    )
    answered = priya_api.post(f"/api/v1/issues/{ours.pk}/respond", {"body": "Sorry"})
    assert answered.status_code == 200 and answered.json()["first_response_at"]
    assert answered.json()["events"][-1]["side"] == "provider"
    assert priya_api.post(f"/api/v1/issues/{ours.pk}/respond", {"body": ""}).status_code == 422


def test_priya_raises_only_on_her_tasks(org, engagement, rival_engagement, manager, priya_api):
    rival_task = make_task(rival_engagement, manager, title="Northwind invoices")
    refused = priya_api.post(
        "/api/v1/issues",
        {"engagement_id": engagement.pk, "task_id": rival_task.pk, "title": "x"},
    )
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["task_id"]
    assert not Issue.objects.filter(organization=org).exists()


def test_resolving_and_reopening_stay_the_organizations(org, engagement, member, priya_api):
    ours = issues.raise_issue(
        principal_for(member, engagement.organization), engagement, data={"title": "Late"}
    )
    for action, body in (("resolve", {"note": "Done"}), ("reopen", {"reason": "Again"})):
        refused = priya_api.post(f"/api/v1/issues/{ours.pk}/{action}", body)
        assert refused.status_code == 403, action
    ours.refresh_from_db()
    assert ours.status == "open"


def test_another_organizations_issues_look_missing_to_a_contact(
    org, engagement, elsewhere_engagement, outsider, priya_api
):
    elsewhere = issues.raise_issue(
        principal_for(outsider, elsewhere_engagement.organization),
        elsewhere_engagement,
        data={"title": "Theirs"},
    )
    assert priya_api.get(f"/api/v1/issues/{elsewhere.pk}").status_code == 404
    assert (
        priya_api.post(f"/api/v1/issues/{elsewhere.pk}/respond", {"body": "x"}).status_code == 404
    )
    refused = priya_api.post(
        "/api/v1/issues", {"engagement_id": elsewhere_engagement.pk, "title": "x"}
    )
    assert refused.status_code == 404
    assert priya_api.get("/api/v1/issues", view="all").json()["count"] == 0
    assert Issue.objects.all_organizations().count() == 1


# --- Tasks ------------------------------------------------------------------------------------
def task_operations(task, attachment_id):
    """Every task operation a contact's token may call, on ``task``."""
    path = f"/api/v1/tasks/{task.pk}"
    return [
        ("get", path, None),
        ("get", path + "/moves", None),
        ("get", path + "/comments", None),
        ("get", path + "/attachments", None),
        ("get", f"{path}/attachments/{attachment_id}/file", None),
        ("post", path + "/moves", {"to_status": "acknowledged"}),
        ("post", path + "/comments", {"body": "Mine?"}),
    ]


def with_file(task, actor):
    comment = services.add_comment(
        principal_for(actor, task.organization),
        task,
        body="Here",
        files=[SimpleUploadedFile("shared.txt", b"for you", content_type="text/plain")],
    )
    return comment.attachments.get()


def test_priya_sees_only_her_providers_tasks(org, engagement, rival_engagement, manager, priya_api):
    ours = make_task(engagement, manager)
    theirs = make_task(rival_engagement, manager, title="Northwind invoices")
    tasks = priya_api.get("/api/v1/tasks").json()
    assert [t["id"] for t in tasks["results"]] == [ours.pk]
    assert (
        priya_api.get("/api/v1/tasks", provider=rival_engagement.provider_id).json()["count"] == 0
    )
    assert priya_api.get("/api/v1/tasks", tab="all").json()["count"] == 1
    assert priya_api.get("/api/v1/tasks", tab="closed").json()["count"] == 0
    file = with_file(theirs, manager)
    for method, path, data in task_operations(theirs, file.pk):
        assert send(priya_api, method, path, data).status_code == 404, (method, path)
    theirs.refresh_from_db()
    assert theirs.status == TaskStatus.REQUESTED
    assert (
        not TaskComment.objects.filter(organization=org)
        .filter(task=theirs, side=Side.PROVIDER)
        .exists()
    )


def test_the_rival_contact_sees_only_her_tasks(
    org, engagement, rival_engagement, manager, rita_api
):
    ours = make_task(engagement, manager)
    theirs = make_task(rival_engagement, manager, title="Northwind invoices")
    assert [t["id"] for t in rita_api.get("/api/v1/tasks").json()["results"]] == [theirs.pk]
    file = with_file(ours, manager)
    for method, path, data in task_operations(ours, file.pk):
        assert send(rita_api, method, path, data).status_code == 404, (method, path)
    ours.refresh_from_db()
    assert ours.status == TaskStatus.REQUESTED


def test_another_organizations_tasks_look_missing_to_a_contact(
    org, engagement, elsewhere_engagement, outsider, priya_api
):
    elsewhere = make_task(elsewhere_engagement, outsider, title="Their close")
    file = with_file(elsewhere, outsider)
    for method, path, data in task_operations(elsewhere, file.pk):
        assert send(priya_api, method, path, data).status_code == 404, (method, path)
    assert priya_api.get("/api/v1/tasks", tab="all").json()["count"] == 0
    elsewhere.refresh_from_db()
    assert elsewhere.status == TaskStatus.REQUESTED
    assert TaskComment.objects.all_organizations().filter(task=elsewhere).count() == 1


def test_internal_notes_and_their_files_stay_out_of_the_json(org, engagement, manager, priya_api):
    task = make_task(engagement, manager)
    shared = with_file(task, manager)
    secret = services.add_comment(
        principal_for(manager, task.organization),
        task,
        body="Secret note",
        internal=True,
        files=[SimpleUploadedFile("secret.txt", b"only us", content_type="text/plain")],
    ).attachments.get()
    path = f"/api/v1/tasks/{task.pk}"
    comments = priya_api.get(path + "/comments")
    assert b"Here" in comments.content and b"Secret note" not in comments.content
    assert [c["internal"] for c in comments.json()] == [False]
    files = priya_api.get(path + "/attachments").json()
    assert [f["id"] for f in files] == [shared.pk]
    assert priya_api.get(files[0]["download_url"]).status_code == 200
    assert priya_api.get(f"{path}/attachments/{secret.pk}/file").status_code == 404


def test_the_organizations_own_fields_are_null_for_a_contact(
    org, engagement, manager, member, priya_api
):
    task = make_task(engagement, manager, our_assignee_id=member.pk)
    services.move_task(
        principal_for(manager, task.organization),
        task,
        to_status=TaskStatus.ACKNOWLEDGED,
        on_behalf_reason="They phoned",
    )
    services.add_comment(principal_for(manager, task.organization), task, body="Shared note")
    path = f"/api/v1/tasks/{task.pk}"
    seen = api_client_for(manager, org).get(path).json()
    assert seen["our_assignee_id"] == member.pk
    theirs = priya_api.get(path).json()
    assert theirs["our_assignee_id"] is None and theirs["quality_rating"] is None
    assert theirs["schedule_id"] is None
    assert theirs["engagement_title"] == engagement.title and theirs["overdue"] is False
    listed = priya_api.get("/api/v1/tasks").json()["results"][0]
    assert listed["our_assignee_id"] is None
    move = priya_api.get(path + "/moves").json()[-1]
    assert move["actor_id"] is None and move["on_behalf_reason"] is None
    assert move["side"] == "us" and move["to_status"] == "acknowledged"
    ours = api_client_for(manager, org).get(path + "/moves").json()[-1]
    assert ours["actor_id"] == manager.pk and ours["on_behalf_reason"] == "They phoned"
    comment = priya_api.get(path + "/comments").json()[0]
    assert comment["author_id"] is None and comment["author_name"] == manager.name


def test_priya_moves_and_comments_as_the_provider(org, engagement, manager, priya, priya_api):
    task = make_task(engagement, manager)
    path = f"/api/v1/tasks/{task.pk}"
    assert priya_api.get(path).json()["allowed_moves"] == ["acknowledged"]
    moved = priya_api.post(path + "/moves", {"to_status": "acknowledged", "version": 1})
    assert moved.status_code == 200 and moved.json()["status"] == TaskStatus.ACKNOWLEDGED
    recorded = TaskMove.objects.filter(organization=org).filter(task=task).latest("at")
    assert recorded.side == Side.PROVIDER and recorded.actor == priya
    assert priya_api.get(path + "/moves").json()[-1]["side"] == "provider"
    stale = priya_api.post(path + "/moves", {"to_status": "in_progress", "version": 1})
    assert stale.status_code == 409
    refused = priya_api.post(path + "/moves", {"to_status": "cancelled"})
    assert refused.status_code == 422
    comment = priya_api.post(path + "/comments", {"body": "On it"})
    assert comment.status_code == 201 and comment.json()["side"] == "provider"
    assert comment.json()["internal"] is False


def test_what_only_members_send_is_refused_naming_the_field(org, engagement, manager, priya_api):
    task = make_task(engagement, manager)
    path = f"/api/v1/tasks/{task.pk}"
    for body, field in (
        ({"to_status": "acknowledged", "rating": 5}, "rating"),
        ({"to_status": "acknowledged", "on_behalf_reason": "x"}, "on_behalf_reason"),
    ):
        response = priya_api.post(path + "/moves", body)
        assert response.status_code == 422, body
        assert [e["field"] for e in response.json()["errors"]] == [field]
    internal = priya_api.post(path + "/comments", {"body": "Psst", "internal": True})
    assert internal.status_code == 422
    assert [e["field"] for e in internal.json()["errors"]] == ["internal"]
    by_assignee = priya_api.get("/api/v1/tasks", assignee=manager.pk)
    assert by_assignee.status_code == 422
    assert [e["field"] for e in by_assignee.json()["errors"]] == ["assignee"]
    task.refresh_from_db()
    assert task.status == TaskStatus.REQUESTED and task.version == 1
    assert not TaskComment.objects.filter(organization=org).filter(task=task).exists()


def test_sending_editing_and_schedules_stay_the_members(org, engagement, manager, priya_api):
    task = make_task(engagement, manager)
    pdf = {"files": SimpleUploadedFile("a.pdf", b"%PDF-1.4 x", "application/pdf")}
    for method, path, data in (
        ("post", "/api/v1/tasks", {"engagement_id": engagement.pk, "title": "x"}),
        ("patch", f"/api/v1/tasks/{task.pk}", {"title": "y"}),
        ("post", f"/api/v1/tasks/{task.pk}/nudge", None),
        ("upload", f"/api/v1/tasks/{task.pk}/attachments", pdf),
        ("get", f"/api/v1/engagements/{engagement.pk}/schedules", None),
    ):
        refused = send(priya_api, method, path, data)
        assert refused.status_code == 403, (method, path)
    assert Task.objects.filter(organization=org).count() == 1


def test_a_contacts_own_tasks_are_those_assigned_to_them(
    org, engagement, manager, point_contact, issue_contact, priya_api
):
    hers = make_task(engagement, manager, their_assignee_id=point_contact.pk)
    make_task(engagement, manager, title="For Tom", their_assignee_id=issue_contact.pk)
    mine = priya_api.get("/api/v1/tasks", tab="mine").json()
    assert [t["id"] for t in mine["results"]] == [hers.pk]
    assert priya_api.get("/api/v1/tasks").json()["count"] == 2
