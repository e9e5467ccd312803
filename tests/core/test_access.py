"""The organization in the URL: the member's own, read with the switcher's list in one query;
another organization's is a 404."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from handoff.accounts.models import Membership
from handoff.core.roles import Role
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_one_query_reads_the_membership_and_the_switchers_list(org, owner, other_org):
    Membership.objects.create(organization=other_org, user=owner, role=Role.VIEWER)
    client = client_for(owner)
    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("work:tasks", args=[org.slug]))
    assert page.status_code == 200
    read = [q for q in captured.captured_queries if 'FROM "accounts_membership"' in q["sql"]]
    assert len(read) == 1
    # Both organizations in the switcher, by name: Acme Dental before Elsewhere Plumbing.
    html = page.content.decode()
    switcher = html[html.index('class="switcher"') : html.index("+ New organization")]
    assert switcher.index("Acme Dental") < switcher.index("Elsewhere Plumbing")


def test_an_organization_the_user_is_not_in_is_a_404(org, owner, other_org):
    assert client_for(owner).get(reverse("work:tasks", args=[other_org.slug])).status_code == 404
