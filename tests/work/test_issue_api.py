"""Issues, portal access and portal settings through the API with organization tokens."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from handoff.accounts.models import PortalAccess, PortalSettings
from handoff.work.models import Issue
from tests.conftest import api_client_for
from tests.work.test_issues import MONDAY_9AM, raise_at


@pytest.fixture
def issue(engagement, member):
    return raise_at(MONDAY_9AM, engagement, member, severity="high")


def test_a_member_raises_responds_and_a_manager_resolves_and_reopens(
    org, engagement, member, manager
):
    api = api_client_for(member, org)
    response = api.post(
        "/api/v1/issues",
        {"engagement_id": engagement.pk, "title": "Late close", "severity": "high"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["raised_side"] == "us" and body["level"] == 0 and body["respond_by"]
    assert [e["kind"] for e in body["events"]] == ["raised"]
    issue_id = body["id"]
    assert api.post(f"/api/v1/issues/{issue_id}/respond", {"body": "Any news?"}).status_code == 200
    assert api.post(f"/api/v1/issues/{issue_id}/resolve", {"note": "x"}).status_code == 403
    boss = api_client_for(manager, org)
    resolved = boss.post(f"/api/v1/issues/{issue_id}/resolve", {"note": "Done"}).json()
    assert resolved["status"] == "resolved" and resolved["resolution"] == "Done"
    reopened = boss.post(f"/api/v1/issues/{issue_id}/reopen", {"reason": "Again"}).json()
    assert reopened["status"] == "open"


def test_viewers_read_but_do_not_write(org, engagement, issue, viewer):
    api = api_client_for(viewer, org)
    assert api.get("/api/v1/issues").json()["count"] == 1
    assert api.get(f"/api/v1/issues/{issue.pk}").status_code == 200
    denied = api.post("/api/v1/issues", {"engagement_id": engagement.pk, "title": "x"})
    assert denied.status_code == 403
    assert api.post(f"/api/v1/issues/{issue.pk}/respond", {"body": "x"}).status_code == 403


def test_another_organizations_issue_is_404(org, issue, outsider, other_org, engagement):
    api = api_client_for(outsider, other_org)
    assert api.get(f"/api/v1/issues/{issue.pk}").status_code == 404
    assert api.post(f"/api/v1/issues/{issue.pk}/resolve", {"note": "x"}).status_code == 404
    assert api.post(f"/api/v1/issues/{issue.pk}/respond", {"body": "x"}).status_code == 404
    assert api.post(f"/api/v1/issues/{issue.pk}/reopen", {"reason": "x"}).status_code == 404
    assert (
        api.post("/api/v1/issues", {"engagement_id": engagement.pk, "title": "x"}).status_code
        == 404
    )
    assert api.get("/api/v1/issues").json()["count"] == 0
    assert (
        api.get("/api/v1/issues", view="all", provider=engagement.provider_id).json()["count"] == 0
    )
    assert [e.kind for e in issue.events.all()] == ["raised"]


def test_invalid_input_is_422_and_changes_nothing(org, engagement, member):
    api = api_client_for(member, org)
    response = api.post(
        "/api/v1/issues", {"engagement_id": engagement.pk, "title": "", "severity": "high"}
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["title"]
    response = api.post(
        "/api/v1/issues", {"engagement_id": engagement.pk, "title": "x", "severity": "galactic"}
    )
    assert response.status_code == 422
    assert api.get("/api/v1/issues", view="sideways").status_code == 422
    assert not Issue.objects.filter(organization=org).exists()


def test_the_list_filters_and_its_query_count_stays_flat(org, engagement, rival_engagement, member):
    api = api_client_for(member, org)
    raise_at(MONDAY_9AM, engagement, member, severity="high")
    api.get("/api/v1/issues")

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert api.get("/api/v1/issues", view="all").status_code == 200
        return len(queries)

    few = count()
    for n in range(5):
        raise_at(MONDAY_9AM, rival_engagement, member, title=f"Rival {n}")
    assert count() == few
    assert api.get("/api/v1/issues", provider=engagement.provider_id).json()["count"] == 1
    assert api.get("/api/v1/issues", severity="high").json()["count"] == 1
    assert api.get("/api/v1/issues", view="resolved").json()["count"] == 0


def test_portal_access_is_managed_by_managers(org, engagement, manager, member, issue_contact):
    api = api_client_for(manager, org)
    response = api.post("/api/v1/portal-access", {"contact_id": issue_contact.pk})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "invited" and "/portal/invite/" in body["invitation_url"]
    listed = api_client_for(member, org).get("/api/v1/portal-access").json()
    assert [a["contact_name"] for a in listed] == ["Tom Ortiz"]
    assert "invitation_url" not in listed[0]
    refused = api_client_for(member, org).post(f"/api/v1/portal-access/{body['id']}/revoke")
    assert refused.status_code == 403
    revoked = api.post(f"/api/v1/portal-access/{body['id']}/revoke")
    assert revoked.json()["state"] == "revoked"
    again = api.post(f"/api/v1/portal-access/{body['id']}/revoke")
    assert again.status_code == 422
    assert PortalAccess.objects.filter(organization=org).count() == 1


def test_portal_settings_need_an_admin(org, admin, manager):
    assert api_client_for(manager, org).get("/api/v1/portal-settings").status_code == 403
    api = api_client_for(admin, org)
    assert api.get("/api/v1/portal-settings").json() == {"show_prices": False}
    response = api.client.put(
        "/api/v1/portal-settings",
        {"show_prices": True},
        content_type="application/json",
        **api.auth,
    )
    assert response.json() == {"show_prices": True}
    assert PortalSettings.objects.filter(organization=org).get().show_prices
