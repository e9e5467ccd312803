import pytest

from handoff.core.models import AuditEvent
from handoff.providers.models import Contact, ExpertiseField, Provider
from tests.conftest import api_client_for
from tests.factories import ContactFactory, ProviderFactory


@pytest.fixture
def api(org, manager):
    return api_client_for(manager, org)


@pytest.mark.django_db
class TestProviders:
    def test_create_read_update_archive(self, org, api):
        response = api.post(
            "/api/v1/providers",
            {
                "name": "ClearClaim",
                "kind": "firm",
                "entity_type": "s_corporation",
                "fields": ["Billing", "Denials"],
                "website": "https://clearclaim.example",
            },
        )
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["fields"] == ["Billing", "Denials"] and body["version"] == 1
        pid = body["id"]
        assert ExpertiseField.objects.filter(organization=org).filter(name="Denials").exists()

        response = api.patch(f"/api/v1/providers/{pid}", {"status": "active", "version": 1})
        assert response.status_code == 200
        assert (response.json()["status"], response.json()["version"]) == ("active", 2)
        assert response.json()["fields"] == ["Billing", "Denials"]  # untouched when not sent

        response = api.post(f"/api/v1/providers/{pid}/archive")
        assert response.json()["archived"] is True
        assert api.get("/api/v1/providers").json()["count"] == 0
        assert api.get("/api/v1/providers", archived="true").json()["count"] == 1
        assert api.get(f"/api/v1/providers/{pid}").status_code == 200
        assert (
            AuditEvent.objects.filter(organization=org)
            .filter(object_type="provider", object_id=str(pid))
            .count()
            == 3
        )

    def test_list_filters_like_the_page(self, org, api):
        ProviderFactory(organization=org, name="Alpha", status="active")
        beta = ProviderFactory(organization=org, name="Beta", status="prospect")
        ContactFactory(provider=beta, name="Quinn")
        assert [p["name"] for p in api.get("/api/v1/providers", q="quinn").json()["results"]] == [
            "Beta"
        ]
        rows = api.get("/api/v1/providers", status="active").json()["results"]
        assert [p["name"] for p in rows] == ["Alpha"]
        page = api.get("/api/v1/providers", per_page=1, page=2, sort="-name").json()
        assert (page["count"], [p["name"] for p in page["results"]]) == (2, ["Alpha"])

    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            ({}, "name"),
            ({"name": "X", "kind": "robot"}, "kind"),
            ({"name": "X", "website": "nope"}, "website"),
            ({"name": "x" * 151}, "name"),
        ],
    )
    def test_invalid_input_is_422_with_the_field_and_saves_nothing(self, api, payload, field):
        response = api.post("/api/v1/providers", {**payload, "fields": ["Fresh field"]})
        assert response.status_code == 422
        errors = response.json()["errors"]
        assert field in [error["field"] for error in errors], errors
        assert all(error["message"] for error in errors)
        assert not Provider.objects.exists()
        assert not ExpertiseField.objects.filter(name="Fresh field").exists()

    def test_bad_paging_is_422(self, api):
        response = api.get("/api/v1/providers", per_page=1000)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "per_page"

    def test_an_edit_over_a_newer_version_is_409(self, org, api):
        provider = ProviderFactory(organization=org, version=4)
        response = api.patch(f"/api/v1/providers/{provider.pk}", {"name": "Late", "version": 3})
        assert response.status_code == 409
        assert response.json()["errors"][0]["field"] == "version"
        provider.refresh_from_db()
        assert provider.name != "Late"

    def test_a_member_reads_but_cannot_write(self, org, member):
        api = api_client_for(member, org)
        provider = ProviderFactory(organization=org)
        assert api.get(f"/api/v1/providers/{provider.pk}").status_code == 200
        assert api.post("/api/v1/providers", {"name": "No"}).status_code == 403
        assert api.patch(f"/api/v1/providers/{provider.pk}", {"name": "No"}).status_code == 403
        assert api.post(f"/api/v1/providers/{provider.pk}/archive").status_code == 403
        assert (
            api.post(f"/api/v1/providers/{provider.pk}/contacts", {"name": "N"}).status_code == 403
        )


@pytest.mark.django_db
class TestContacts:
    def test_create_list_update_archive(self, org, api):
        provider = ProviderFactory(organization=org)
        response = api.post(
            f"/api/v1/providers/{provider.pk}/contacts",
            {
                "name": "Dana",
                "email": "dana@x.example",
                "preferred_channel": "email",
            },
        )
        assert response.status_code == 201
        cid = response.json()["id"]
        assert [c["name"] for c in api.get(f"/api/v1/providers/{provider.pk}/contacts").json()] == [
            "Dana"
        ]
        assert api.get("/api/v1/contacts", q="dana@").json()["count"] == 1
        response = api.patch(f"/api/v1/contacts/{cid}", {"title": "Lead", "version": 1})
        assert (response.json()["title"], response.json()["version"]) == ("Lead", 2)
        assert api.post(f"/api/v1/contacts/{cid}/archive").json()["archived"] is True
        assert api.get("/api/v1/contacts").json()["count"] == 0

    def test_a_channel_without_its_address_is_422(self, org, api):
        provider = ProviderFactory(organization=org)
        response = api.post(
            f"/api/v1/providers/{provider.pk}/contacts",
            {"name": "Dana", "preferred_channel": "phone"},
        )
        assert response.status_code == 422
        assert response.json()["errors"] == [
            {"field": "phone", "message": "Give a phone number, or prefer another channel."}
        ]
        assert not Contact.objects.exists()


@pytest.mark.django_db
class TestOtherOrganizations:
    """Another organization's rows answer 404 on every endpoint, never 403."""

    @pytest.fixture
    def foreign(self, other_org):
        provider = ProviderFactory(organization=other_org)
        return provider, ContactFactory(provider=provider)

    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("get", "/api/v1/providers/{p}"),
            ("patch", "/api/v1/providers/{p}"),
            ("post", "/api/v1/providers/{p}/archive"),
            ("post", "/api/v1/providers/{p}/restore"),
            ("get", "/api/v1/providers/{p}/contacts"),
            ("post", "/api/v1/providers/{p}/contacts"),
            ("get", "/api/v1/contacts/{c}"),
            ("patch", "/api/v1/contacts/{c}"),
            ("post", "/api/v1/contacts/{c}/archive"),
            ("post", "/api/v1/contacts/{c}/restore"),
        ],
    )
    def test_it_is_404(self, api, foreign, method, path):
        provider, contact = foreign
        path = path.format(p=provider.pk, c=contact.pk)
        if method == "get":
            response = api.get(path)
        elif method == "patch":
            response = api.patch(path, {"name": "Hijack"})
        else:
            response = api.post(path, {"name": "Hijack", "email": "h@x.example"})
        assert response.status_code == 404
        assert response.json()["detail"] == "Not found."
        provider.refresh_from_db()
        assert provider.name != "Hijack" and provider.archived_at is None

    def test_lists_never_show_them(self, api, foreign):
        assert api.get("/api/v1/providers").json()["count"] == 0
        assert api.get("/api/v1/contacts").json()["count"] == 0
        assert api.get("/api/v1/contacts", provider=foreign[0].pk).json()["count"] == 0
