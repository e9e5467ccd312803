import pytest
from django.test import Client
from django.urls import reverse

from handoff.accounts.models import ApiToken, Membership, hash_secret
from tests.conftest import ApiClient, api_client_for, client_for


@pytest.mark.django_db
class TestTokenPage:
    def test_a_new_token_is_shown_once_and_stored_hashed(self, org, viewer):
        client = client_for(viewer)
        page = client.post(reverse("accounts:api_tokens", args=[org.slug]), {"name": "sync"})
        raw = page.context["new_key"]
        assert raw.startswith("hnd_") and raw in page.content.decode()
        token = ApiToken.objects.get()
        assert token.key_hash == hash_secret(raw) and raw not in token.key_hash
        again = client.get(reverse("accounts:api_tokens", args=[org.slug]))
        assert raw not in again.content.decode()

    def test_a_blank_name_is_refused(self, org, viewer):
        page = client_for(viewer).post(
            reverse("accounts:api_tokens", args=[org.slug]), {"name": ""}
        )
        assert "This field is required." in page.content.decode()
        assert not ApiToken.objects.exists()

    def test_someone_elses_token_cannot_be_revoked(self, org, viewer, member):
        api_client_for(member, org)
        token = ApiToken.objects.get()
        url = reverse("accounts:revoke_api_token", args=[org.slug, token.pk])
        assert client_for(viewer).post(url).status_code == 404


@pytest.mark.django_db
class TestTokenAuth:
    def test_it_reads_the_organization_and_records_the_last_use(self, org, viewer):
        api = api_client_for(viewer, org)
        response = api.get("/api/v1/organization")
        assert response.status_code == 200
        assert response.json()["slug"] == org.slug
        assert ApiToken.objects.get().last_used_at is not None

    def test_members_are_listed(self, org, owner, viewer):
        response = api_client_for(viewer, org).get("/api/v1/organization/members")
        assert {row["email"]: row["role"] for row in response.json()} == {
            owner.email: "owner",
            viewer.email: "viewer",
        }

    def test_a_revoked_token_is_refused(self, org, viewer):
        api = api_client_for(viewer, org)
        token = ApiToken.objects.get()
        client_for(viewer).post(reverse("accounts:revoke_api_token", args=[org.slug, token.pk]))
        response = api.get("/api/v1/organization")
        assert response.status_code == 401
        assert "valid API token" in response.json()["detail"]

    def test_no_token_and_a_made_up_token_are_refused(self, db):
        assert ApiClient("hnd_made-up").get("/api/v1/providers").status_code == 401
        assert Client().get("/api/v1/providers").status_code == 401

    def test_a_token_stops_working_when_its_owner_leaves(self, org, viewer):
        api = api_client_for(viewer, org)
        Membership.objects.filter(user=viewer).delete()
        assert api.get("/api/v1/organization").status_code == 401

    def test_a_token_sees_only_its_organization(self, org, viewer, other_org, outsider):
        response = api_client_for(outsider, other_org).get("/api/v1/organization/members")
        assert [row["email"] for row in response.json()] == [outsider.email]


@pytest.mark.django_db
def test_the_openapi_description_and_docs_are_served(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/providers" in schema["paths"]
    docs = client.get("/api/v1/docs").content.decode()
    assert "swagger-ui" in docs and "https://" not in docs  # served locally, no CDN
