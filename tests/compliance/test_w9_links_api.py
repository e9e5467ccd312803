"""W-9 links through the API: a manager sends one (the link shown once), everyone reads where
payees stand by status, a manager withdraws one; another organization's links and payees are
missing, and bad input is a 422 with the field that changes nothing."""

import pytest
from django.test import Client
from django.utils import timezone

from handoff.compliance.models import OnboardingLink
from handoff.providers.models import Contact
from tests.conftest import api_client_for
from tests.factories import ProviderFactory

BASE = "/api/v1/compliance/w9-links"


@pytest.fixture
def api(org, manager):
    return api_client_for(manager, org)


@pytest.fixture
def contact(org, jordan):
    return Contact.objects.create(
        organization=org, provider=jordan, name="Jordan", email="jordan@example.com"
    )


def fields(response) -> list[str]:
    assert response.status_code == 422, response.content
    return [error["field"] for error in response.json()["errors"]]


@pytest.mark.django_db
class TestW9Links:
    def test_send_follow_and_withdraw(self, org, api, jordan, contact):
        sent = api.post(BASE, {"provider_id": jordan.pk})
        assert sent.status_code == 201, sent.content
        body = sent.json()
        assert body["sent_to"] == "jordan@example.com" and body["status"] == "sent"
        assert body["provider_name"] == jordan.name and body["w9_id"] is None
        # The link shown works for the contractor.
        path = body["url"].split("://", 1)[1].split("/", 1)[1]
        assert Client().get("/" + path).status_code == 200
        listed = api.get(BASE, status="opened").json()
        assert [row["id"] for row in listed["results"]] == [body["id"]]
        assert "url" not in listed["results"][0]
        assert api.get(BASE, status="sent").json()["count"] == 0
        one = api.get(f"{BASE}/{body['id']}").json()
        assert one["opened_at"] is not None
        withdrawn = api.post(f"{BASE}/{body['id']}/withdraw")
        assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "revoked"
        again = api.post(f"{BASE}/{body['id']}/withdraw")
        assert again.status_code == 422 and "already withdrawn" in again.content.decode()

    def test_every_status_can_be_listed(self, org, api, jordan, contact):
        first = api.post(BASE, {"provider_id": jordan.pk}).json()
        second = api.post(BASE, {"provider_id": jordan.pk}).json()
        OnboardingLink.objects.filter(pk=second["id"]).update(expires_at=timezone.now())
        assert [r["id"] for r in api.get(BASE, status="revoked").json()["results"]] == [first["id"]]
        assert [r["id"] for r in api.get(BASE, status="expired").json()["results"]] == [
            second["id"]
        ]
        for status in ("sent", "opened", "consented", "signed"):
            assert api.get(BASE, status=status).json()["count"] == 0
        assert fields(api.get(BASE, status="lost")) == ["status"]

    def test_bad_input_changes_nothing(self, org, api, jordan):
        assert fields(api.post(BASE, {"provider_id": jordan.pk})) == ["email"]
        assert fields(api.post(BASE, {"provider_id": jordan.pk, "email": "nope"})) == ["sent_to"]
        assert fields(api.post(BASE, {"provider_id": 0, "email": "a@example.com"})) == [
            "provider_id"
        ]
        assert not OnboardingLink.objects.filter(organization=org).exists()

    def test_a_viewer_reads_but_cannot_send(self, org, viewer, jordan, contact, api):
        api.post(BASE, {"provider_id": jordan.pk})
        reader = api_client_for(viewer, org)
        assert reader.get(BASE).json()["count"] == 1
        assert reader.post(BASE, {"provider_id": jordan.pk}).status_code == 403
        assert OnboardingLink.objects.filter(organization=org).count() == 1

    def test_another_organizations_links_and_payees_are_missing(
        self, org, api, jordan, contact, other_org, outsider
    ):
        link = api.post(BASE, {"provider_id": jordan.pk}).json()
        theirs = api_client_for(outsider, other_org)
        assert theirs.get(BASE).json()["count"] == 0
        assert theirs.get(f"{BASE}/{link['id']}").status_code == 404
        assert theirs.post(f"{BASE}/{link['id']}/withdraw").status_code == 404
        assert fields(theirs.post(BASE, {"provider_id": jordan.pk, "email": "x@example.com"})) == [
            "provider_id"
        ]
        elsewhere = ProviderFactory(organization=other_org)
        assert fields(api.post(BASE, {"provider_id": elsewhere.pk, "email": "x@example.com"})) == [
            "provider_id"
        ]
        assert OnboardingLink.objects.get(pk=link["id"]).status == "sent"


@pytest.mark.django_db
def test_the_contractors_statement_beside_the_latest_assessment(
    org, api, manager, jordan, other_org, outsider
):
    from tests.compliance.test_assessments import assess
    from tests.compliance.test_onboarding import THEIR_ANSWERS, consented, facts_path, sign

    path = f"/api/v1/compliance/providers/{jordan.pk}/contractor-statement"
    assert api.get(path).status_code == 404
    assessment = assess(jordan, manager)
    _, raw, browser = consented(org, manager, jordan)
    sign(browser, raw)
    browser.post(facts_path(raw), {**THEIR_ANSWERS, "certified": "on", "signer_name": "Jordan"})
    body = api.get(path).json()
    assert body["assessment_id"] == assessment.pk and body["signer_name"] == "Jordan"
    rows = {row["key"]: row for row in body["rows"]}
    assert rows["sets_when_where"] == {
        "key": "sets_when_where",
        "question": f"Does {org.name} decide when and where you work (set hours, their premises)?",
        "theirs": "Yes",
        "ours": "No",
        "disagrees": True,
    }
    links = api.get(BASE).json()["results"]
    assert links[0]["described_how_they_work"] is True
    theirs = api_client_for(outsider, other_org)
    assert theirs.get(path).status_code == 404
