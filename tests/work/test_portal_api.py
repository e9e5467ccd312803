"""A provider contact's token on the same endpoints as a member's: their provider's work only,
written as the provider's side; /api/v1/portal/ keeps what is the provider's own."""

import pytest

from handoff.accounts import services as accounts
from handoff.accounts.models import Membership
from handoff.work import issues, portal, services
from handoff.work.choices import Side, TaskStatus
from handoff.work.models import Issue, IssueEvent
from tests.conftest import ApiClient, api_client_for
from tests.factories import ContactFactory, ProviderFactory
from tests.work.conftest import active_engagement
from tests.work.test_issues import grant_portal
from tests.work.test_portal import make_task


@pytest.fixture
def priya(org, point_contact, portal_user):
    grant_portal(org, point_contact, portal_user)
    return portal_user


@pytest.fixture
def priya_api(org, priya):
    _, raw = accounts.create_api_token(org, user=priya, name="sync")
    return ApiClient(raw)


@pytest.fixture
def rita_api(org, rival_engagement, rival_contact):
    """The rival provider's contact, with her own portal token."""
    rita = grant_portal(org, rival_contact)
    _, raw = accounts.create_api_token(org, user=rita, name="sync")
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
    assert priya_api.get("/api/v1/portal/engagements").status_code == 200
    for path in ("/api/v1/issues",):
        assert priya_api.get(path).status_code == 200, path
    for path in (
        "/api/v1/engagements",
        "/api/v1/providers",
        "/api/v1/portal-access",
        "/api/v1/tasks",
    ):
        refused = priya_api.get(path)
        assert refused.status_code == 403, path
        assert refused.json()["detail"] == "This is for the organization's members."


def test_a_member_token_does_not_reach_the_portal(org, engagement, owner):
    assert api_client_for(owner, org).get("/api/v1/portal/engagements").status_code == 401


def test_a_revoked_access_stops_the_token(org, engagement, owner, priya, priya_api):
    access = portal.contact_for(priya, org).portal_accesses.get(revoked_at=None)
    portal.revoke(org, actor_membership=Membership.objects.get(user=owner), access=access)
    assert priya_api.get("/api/v1/portal/engagements").status_code == 401
    assert priya_api.get("/api/v1/issues").status_code == 401


def test_prices_stay_out_of_the_json_until_shown(org, engagement, admin, priya_api):
    listing = priya_api.get("/api/v1/portal/engagements")
    assert b"1250" not in listing.content and listing.json()[0]["price"] is None
    portal.update_settings(org, actor=admin, show_prices=True)
    shown = priya_api.get(f"/api/v1/portal/engagements/{engagement.pk}").json()
    assert shown["price"]["amount"] == "1250.00"


# --- Issues -----------------------------------------------------------------------------------
def test_priya_sees_only_her_providers_issues(org, engagement, rival_engagement, member, priya_api):
    ours = issues.raise_issue(engagement, actor=member, side=Side.US, data={"title": "Late"})
    rival = issues.raise_issue(
        rival_engagement, actor=member, side=Side.US, data={"title": "Northwind problem"}
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
    assert not IssueEvent.objects.for_org(org).filter(issue=rival, kind="message").exists()
    assert Issue.objects.for_org(org).count() == 2


def test_the_rival_contact_sees_only_hers(org, engagement, rival_engagement, member, rita_api):
    ours = issues.raise_issue(engagement, actor=member, side=Side.US, data={"title": "Late"})
    rival = issues.raise_issue(
        rival_engagement, actor=member, side=Side.US, data={"title": "Northwind problem"}
    )
    listed = rita_api.get("/api/v1/issues", view="all").json()
    assert [i["id"] for i in listed["results"]] == [rival.pk]
    assert rita_api.get(f"/api/v1/issues/{ours.pk}").status_code == 404


def test_a_contacts_issue_filters_are_the_members(
    org, engagement, rival_engagement, member, priya_api
):
    issues.raise_issue(engagement, actor=member, side=Side.US, data={"title": "Late"})
    issues.raise_issue(
        engagement, actor=member, side=Side.US, data={"title": "Slow", "severity": "high"}
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
    ours = issues.raise_issue(engagement, actor=member, side=Side.US, data={"title": "Late"})
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
    assert not Issue.objects.for_org(org).exists()


def test_resolving_and_reopening_stay_the_organizations(org, engagement, member, priya_api):
    ours = issues.raise_issue(engagement, actor=member, side=Side.US, data={"title": "Late"})
    for action, body in (("resolve", {"note": "Done"}), ("reopen", {"reason": "Again"})):
        refused = priya_api.post(f"/api/v1/issues/{ours.pk}/{action}", body)
        assert refused.status_code == 403, action
    ours.refresh_from_db()
    assert ours.status == "open"


def test_another_organizations_issues_look_missing_to_a_contact(
    org, engagement, elsewhere_engagement, outsider, priya_api
):
    elsewhere = issues.raise_issue(
        elsewhere_engagement, actor=outsider, side=Side.US, data={"title": "Theirs"}
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


# --- Tasks (still under /portal/ until the next step) -----------------------------------------
def test_priya_sees_only_her_providers_tasks(org, engagement, rival_engagement, manager, priya_api):
    ours = make_task(engagement, manager)
    theirs = make_task(rival_engagement, manager, title="Northwind invoices")
    tasks = priya_api.get("/api/v1/portal/tasks").json()
    assert [t["id"] for t in tasks["results"]] == [ours.pk]
    assert priya_api.get(f"/api/v1/portal/tasks/{theirs.pk}").status_code == 404
    moved = priya_api.post(f"/api/v1/portal/tasks/{theirs.pk}/moves", {"to_status": "acknowledged"})
    assert moved.status_code == 404


def test_internal_notes_stay_out_of_the_json(org, engagement, manager, priya_api):
    task = make_task(engagement, manager)
    services.add_comment(task, actor=manager, side=Side.US, body="Shared note")
    services.add_comment(task, actor=manager, side=Side.US, body="Secret note", internal=True)
    detail = priya_api.get(f"/api/v1/portal/tasks/{task.pk}")
    assert b"Shared note" in detail.content and b"Secret note" not in detail.content


def test_priya_moves_and_comments_through_the_api(org, engagement, manager, priya_api):
    task = make_task(engagement, manager)
    path = f"/api/v1/portal/tasks/{task.pk}"
    assert priya_api.get(path).json()["allowed_moves"] == ["acknowledged"]
    moved = priya_api.post(path + "/moves", {"to_status": "acknowledged", "version": 1})
    assert moved.status_code == 200 and moved.json()["status"] == TaskStatus.ACKNOWLEDGED
    stale = priya_api.post(path + "/moves", {"to_status": "in_progress", "version": 1})
    assert stale.status_code == 409
    refused = priya_api.post(path + "/moves", {"to_status": "cancelled"})
    assert refused.status_code == 422
    comment = priya_api.post(path + "/comments", {"body": "On it"})
    assert comment.status_code == 201 and comment.json()["side"] == "provider"
