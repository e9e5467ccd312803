import pytest
from django.urls import reverse

from handoff.providers import vetting
from tests.conftest import api_client_for, client_for
from tests.factories import ProviderFactory, principal_for


@pytest.fixture
def provider(org):
    return ProviderFactory(organization=org, name="Ledgerline")


def _one_good_check(owner, provider):
    """Dana, a reference, rates quality and deadlines 5 of 5."""
    as_owner = principal_for(owner, provider.organization)
    reference = vetting.save_reference(as_owner, provider, data={"name": "Dana"})
    vetting.record_check(as_owner, reference, data={"quality": 5, "met_deadlines": 5})


@pytest.mark.django_db
def test_the_card_says_not_enough_information_until_a_check(org, viewer, owner, provider):
    url = reverse("insights:provider_reputation", args=[org.slug, provider.pk])
    assert "Not enough information" in client_for(viewer).get(url).content.decode()
    _one_good_check(owner, provider)
    page = client_for(viewer).get(url).content.decode()
    # (2 + 1) / (2 + 2 + 1) = 0.6 → 1 + 4 × 0.6 = 3.4
    assert "<strong>3.4</strong>" in page and "From 1 reference check" in page


@pytest.mark.django_db
def test_the_api_gives_the_same_figures(org, viewer, owner, provider):
    api = api_client_for(viewer, org)
    assert api.get(f"/api/v1/providers/{provider.pk}/reputation").json()["score"] is None
    _one_good_check(owner, provider)
    body = api.get(f"/api/v1/providers/{provider.pk}/reputation").json()
    assert (body["score"], body["reference_checks"], body["confidence"]) == (3.4, 1, "low")


@pytest.mark.django_db
def test_another_organizations_provider_is_404(org, provider, outsider, other_org):
    url = reverse("insights:provider_reputation", args=[org.slug, provider.pk])
    assert client_for(outsider).get(url).status_code == 404
    foreign_url = reverse("insights:provider_reputation", args=[other_org.slug, provider.pk])
    assert client_for(outsider).get(foreign_url).status_code == 404
    api = api_client_for(outsider, other_org)
    assert api.get(f"/api/v1/providers/{provider.pk}/reputation").status_code == 404
