"""A list costs the same number of queries for 5 providers as for 50."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from handoff.providers.models import ExpertiseField, ProviderExpertise
from tests.conftest import api_client_for, client_for
from tests.factories import ContactFactory, ProviderFactory


def seed(org, count):
    fields = list(ExpertiseField.objects.filter(organization=org))
    for index in range(count):
        provider = ProviderFactory(organization=org)
        ContactFactory(provider=provider)
        for field in fields[index % 3 : index % 3 + 2]:
            ProviderExpertise.objects.create(organization=org, provider=provider, field=field)


def count_queries(fetch) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = fetch()
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.django_db
@pytest.mark.parametrize("view", ["page", "api", "export"])
def test_the_provider_list_does_not_grow_with_its_length(org, manager, view):
    client = client_for(manager)
    api = api_client_for(manager, org)
    fetch = {
        "page": lambda: client.get(reverse("providers:list", args=[org.slug])),
        "api": lambda: api.get("/api/v1/providers"),
        "export": lambda: client.get(reverse("providers:export", args=[org.slug])),
    }[view]
    seed(org, 5)
    fetch()  # warm: the session and token's first use write once
    few = count_queries(fetch)
    seed(org, 45)
    assert count_queries(fetch) == few
