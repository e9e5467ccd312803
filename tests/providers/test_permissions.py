"""Every provider and contact page: another organization's member gets 404, a role below the
page's least role gets 403, the least role itself gets through."""

import pytest
from django.test import Client
from django.urls import reverse

from handoff.core.roles import Role
from tests.conftest import client_for
from tests.factories import ContactFactory, ProviderFactory

# (url name, method, least role, arguments: p = provider, c = contact)
PAGES = [
    ("providers:list", "get", Role.VIEWER, ""),
    ("providers:export", "get", Role.VIEWER, ""),
    ("providers:fields", "get", Role.VIEWER, ""),
    ("providers:fields", "post", Role.MANAGER, ""),
    ("providers:detail", "get", Role.VIEWER, "p"),
    ("providers:create", "get", Role.MANAGER, ""),
    ("providers:create", "post", Role.MANAGER, ""),
    ("providers:edit", "get", Role.MANAGER, "p"),
    ("providers:edit", "post", Role.MANAGER, "p"),
    ("providers:archive", "post", Role.MANAGER, "p"),
    ("providers:contact_create", "get", Role.MANAGER, "p"),
    ("providers:contact_create", "post", Role.MANAGER, "p"),
    ("providers:contact_edit", "get", Role.MANAGER, "c"),
    ("providers:contact_edit", "post", Role.MANAGER, "c"),
    ("providers:contact_archive", "post", Role.MANAGER, "c"),
]
BELOW = {Role.MANAGER: Role.MEMBER}  # viewer pages have no role below them
IDS = [f"{method} {name}" for name, method, _, _ in PAGES]
RESTRICTED = [page for page in PAGES if page[2] in BELOW]


@pytest.fixture
def people(org, owner, admin, manager, member, viewer, outsider, other_org):
    return {
        Role.OWNER: owner,
        Role.ADMIN: admin,
        Role.MANAGER: manager,
        Role.MEMBER: member,
        Role.VIEWER: viewer,
        "outsider": outsider,
    }


@pytest.fixture
def objects(org):
    provider = ProviderFactory(organization=org)
    return {"p": provider, "c": ContactFactory(provider=provider)}


def request(user, org, name, method, args, objects):
    path = reverse(name, args=[org.slug, *[objects[a].pk for a in args]])
    client = client_for(user)
    return client.get(path) if method == "get" else client.post(path, {})


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method", "least", "args"), PAGES, ids=IDS)
def test_outsiders_get_404(people, org, objects, name, method, least, args):
    assert request(people["outsider"], org, name, method, args, objects).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "method", "least", "args"), RESTRICTED, ids=[f"{m} {n}" for n, m, _, _ in RESTRICTED]
)
def test_a_role_below_the_least_gets_403(people, org, objects, name, method, least, args):
    assert request(people[BELOW[least]], org, name, method, args, objects).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method", "least", "args"), PAGES, ids=IDS)
def test_the_least_role_gets_through(people, org, objects, name, method, least, args):
    assert request(people[least], org, name, method, args, objects).status_code in (200, 302)


@pytest.mark.django_db
def test_another_organizations_provider_is_404_even_in_my_organization(org, viewer, other_org):
    foreign = ProviderFactory(organization=other_org)
    response = client_for(viewer).get(reverse("providers:detail", args=[org.slug, foreign.pk]))
    assert response.status_code == 404


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_log_in(org):
    response = Client().get(reverse("providers:list", args=[org.slug]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
