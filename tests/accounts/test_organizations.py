import pytest
from django.urls import reverse

from handoff.accounts.models import Membership, Organization
from handoff.core.roles import Role
from handoff.providers.models import ExpertiseField
from tests.conftest import client_for


@pytest.mark.django_db
class TestCreateOrganization:
    def test_it_makes_the_creator_owner_and_seeds_fields(self, owner):
        response = client_for(owner).post(
            reverse("accounts:organization_create"),
            {
                "name": "Maple & Co",
                "slug": "",
                "time_zone": "America/Denver",
                "currency": "USD",
                "states": ["CO", "CA"],
            },
        )
        org = Organization.objects.get(slug="maple-co")
        assert response["Location"] == reverse("insights:dashboard", args=["maple-co"])
        assert org.states == ["CA", "CO"]
        assert Membership.objects.get(organization=org).role == Role.OWNER
        assert ExpertiseField.objects.filter(organization=org).filter(name="Bookkeeping").exists()

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("time_zone", "Mars/Olympus", "Select a valid choice"),
            ("currency", "XXX", "Select a valid choice"),
            ("states", ["ZZ"], "Select a valid choice"),
            ("slug", "Has-Caps", "Use lowercase letters"),
            ("slug", "has spaces", "Enter a valid “slug”"),
            ("slug", "api", "reserved"),
        ],
    )
    def test_it_refuses_bad_input_with_the_reason(self, owner, field, value, message):
        data = {"name": "Bad Co", "slug": "bad-co", "time_zone": "UTC", "currency": "USD"}
        data[field] = value
        response = client_for(owner).post(reverse("accounts:organization_create"), data)
        assert response.status_code == 200
        assert message in response.content.decode()
        assert not Organization.objects.exists()

    def test_a_taken_slug_is_refused(self, owner, org):
        response = client_for(owner).post(
            reverse("accounts:organization_create"),
            {"name": "Again", "slug": org.slug, "time_zone": "UTC", "currency": "USD"},
        )
        assert "already exists" in response.content.decode()
        assert Organization.objects.count() == 1


@pytest.mark.django_db
class TestSettings:
    def url(self, org):
        return reverse("accounts:organization_settings", args=[org.slug])

    def test_an_admin_renames_the_organization(self, org, admin):
        response = client_for(admin).post(
            self.url(org),
            {
                "name": "Acme Family Dental",
                "slug": "acme",
                "time_zone": "America/Chicago",
                "currency": "USD",
                "states": ["IL", "WI"],
            },
        )
        assert response.status_code == 302
        org.refresh_from_db()
        assert org.name == "Acme Family Dental"
        assert org.states == ["IL", "WI"]

    def test_a_manager_may_not(self, org, manager):
        assert client_for(manager).get(self.url(org)).status_code == 403

    def test_an_outsider_gets_404(self, org, outsider):
        assert client_for(outsider).get(self.url(org)).status_code == 404


@pytest.mark.django_db
class TestSwitching:
    def test_a_person_in_two_organizations_sees_both_and_returns_to_the_last(
        self, owner, org, other_org, outsider
    ):
        Membership.objects.create(organization=other_org, user=owner, role=Role.VIEWER)
        client = client_for(owner)
        page = client.get(reverse("providers:list", args=[org.slug])).content.decode()
        assert "Elsewhere Plumbing" in page and "Acme Dental" in page
        client.get(reverse("providers:list", args=[other_org.slug]))
        assert client.get(reverse("home"))["Location"] == reverse(
            "insights:dashboard", args=[other_org.slug]
        )

    def test_without_an_organization_home_asks_to_create_one(self, outsider):
        assert client_for(outsider).get(reverse("home"))["Location"] == reverse(
            "accounts:organization_create"
        )
