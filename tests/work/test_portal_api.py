"""The portal API: portal tokens reach /api/v1/portal/ only, and only their provider's work."""

import pytest

from handoff.accounts import services as accounts
from handoff.accounts.models import Membership
from handoff.work import issues, portal, services
from handoff.work.choices import Side, TaskStatus
from tests.conftest import ApiClient, api_client_for
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


def test_a_portal_token_reaches_the_portal_only(org, engagement, priya_api):
    assert priya_api.get("/api/v1/portal/engagements").status_code == 200
    for path in ("/api/v1/issues", "/api/v1/engagements", "/api/v1/providers", "/api/v1/tasks"):
        refused = priya_api.get(path)
        assert refused.status_code == 403, path
        assert refused.json()["detail"] == "This is for the organization's members."


def test_a_member_token_does_not_reach_the_portal(org, engagement, owner):
    assert api_client_for(owner, org).get("/api/v1/portal/engagements").status_code == 401


def test_a_revoked_access_stops_the_token(org, engagement, owner, priya, priya_api):
    access = portal.contact_for(priya, org).portal_accesses.get(revoked_at=None)
    portal.revoke(org, actor_membership=Membership.objects.get(user=owner), access=access)
    assert priya_api.get("/api/v1/portal/engagements").status_code == 401


def test_priya_sees_only_her_providers_work(
    org, engagement, rival_engagement, manager, member, priya_api
):
    ours = make_task(engagement, manager)
    theirs = make_task(rival_engagement, manager, title="Northwind invoices")
    rival_issue = issues.raise_issue(
        rival_engagement, actor=member, side=Side.US, data={"title": "Northwind problem"}
    )
    engagements = priya_api.get("/api/v1/portal/engagements").json()
    assert [e["id"] for e in engagements] == [engagement.pk]
    tasks = priya_api.get("/api/v1/portal/tasks").json()
    assert [t["id"] for t in tasks["results"]] == [ours.pk]
    for path in (
        f"/api/v1/portal/engagements/{rival_engagement.pk}",
        f"/api/v1/portal/tasks/{theirs.pk}",
        f"/api/v1/portal/issues/{rival_issue.pk}",
    ):
        assert priya_api.get(path).status_code == 404, path
    assert (
        priya_api.post(
            f"/api/v1/portal/tasks/{theirs.pk}/moves", {"to_status": "acknowledged"}
        ).status_code
        == 404
    )
    assert (
        priya_api.post(
            "/api/v1/portal/issues", {"engagement_id": rival_engagement.pk, "title": "x"}
        ).status_code
        == 404
    )
    assert priya_api.get("/api/v1/portal/issues", view="all").json()["count"] == 0


def test_prices_and_internal_notes_stay_out_of_the_json(org, engagement, manager, admin, priya_api):
    task = make_task(engagement, manager)
    services.add_comment(task, actor=manager, side=Side.US, body="Shared note")
    services.add_comment(task, actor=manager, side=Side.US, body="Secret note", internal=True)
    detail = priya_api.get(f"/api/v1/portal/tasks/{task.pk}")
    assert b"Shared note" in detail.content and b"Secret note" not in detail.content
    listing = priya_api.get("/api/v1/portal/engagements")
    assert b"1250" not in listing.content and listing.json()[0]["price"] is None
    portal.update_settings(org, actor=admin, show_prices=True)
    shown = priya_api.get(f"/api/v1/portal/engagements/{engagement.pk}").json()
    assert shown["price"]["amount"] == "1250.00"


def test_priya_moves_comments_and_answers_through_the_api(
    org, engagement, manager, member, priya, priya_api
):
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

    raised = priya_api.post(
        "/api/v1/portal/issues",
        {"engagement_id": engagement.pk, "task_id": task.pk, "title": "Need receipts"},
    )
    assert raised.status_code == 201 and raised.json()["raised_side"] == "provider"
    ours = issues.raise_issue(engagement, actor=member, side=Side.US, data={"title": "Late"})
    answered = priya_api.post(f"/api/v1/portal/issues/{ours.pk}/respond", {"body": "Sorry"})
    assert answered.status_code == 200 and answered.json()["first_response_at"]
    assert (
        priya_api.post(f"/api/v1/portal/issues/{ours.pk}/respond", {"body": ""}).status_code == 422
    )
