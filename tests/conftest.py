"""Named people for every test: an owner, an admin, a manager, a member and a viewer of one
organization, and an outsider who owns another."""

import pytest
from django.test import Client
from hypothesis import settings as hypothesis_settings

from handoff.accounts import services as accounts
from handoff.accounts.models import Membership
from handoff.core.roles import Role
from tests.factories import UserFactory, principal_for

# Property tests check what is computed, never how fast: a busy CI machine must not fail them.
hypothesis_settings.register_profile("handoff", deadline=None)
hypothesis_settings.load_profile("handoff")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _dated_tables(request):
    """The tax rules and payroll figures that data migrations load, in place for every
    transactional test (browser journeys, the API contract, races): an earlier one's flush
    empties those tables too, and migrations do not run again. Which tests run before which
    must never decide whether one passes."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    from tests.compliance.conftest import reload_rules

    request.getfixturevalue("transactional_db")
    reload_rules()


@pytest.fixture
def owner(db):
    return UserFactory(name="Olivia Owner", email="olivia@example.com")


@pytest.fixture
def org(owner):
    return accounts.create_organization(
        user=owner,
        name="Acme Dental",
        slug="acme",
        time_zone="America/Chicago",
        currency="USD",
        states=["IL"],
    )


def _member(org, role, name):
    user = UserFactory(name=name)
    Membership.objects.create(organization=org, user=user, role=role)
    return user


@pytest.fixture
def admin(org):
    return _member(org, Role.ADMIN, "Adam Admin")


@pytest.fixture
def manager(org):
    return _member(org, Role.MANAGER, "Mona Manager")


@pytest.fixture
def member(org):
    return _member(org, Role.MEMBER, "Mel Member")


@pytest.fixture
def viewer(org):
    return _member(org, Role.VIEWER, "Vic Viewer")


@pytest.fixture
def outsider(db):
    return UserFactory(name="Otto Outsider", email="otto@elsewhere.example")


@pytest.fixture
def other_org(outsider):
    return accounts.create_organization(
        user=outsider,
        name="Elsewhere Plumbing",
        slug="elsewhere",
        time_zone="UTC",
        currency="USD",
        states=[],
    )


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


class ApiClient:
    """A test client that sends a bearer token and JSON."""

    def __init__(self, raw_token: str):
        self.client = Client()
        self.auth = {"HTTP_AUTHORIZATION": f"Bearer {raw_token}"}

    def get(self, path, **params):
        return self.client.get(path, params, **self.auth)

    def post(self, path, data=None):
        return self.client.post(path, data or {}, content_type="application/json", **self.auth)

    def patch(self, path, data):
        return self.client.patch(path, data, content_type="application/json", **self.auth)


def api_client_for(user, org) -> ApiClient:
    _, raw = accounts.create_api_token(principal_for(user, org), name="tests")
    return ApiClient(raw)
