"""An organization always keeps an owner, also when its owners act at the same moment: two
owners demoting each other, or both leaving, in two threads released together. Row locks are
PostgreSQL's; SQLite lets one writer in at a time, so the test runs on PostgreSQL."""

import threading
from functools import partial

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from handoff.accounts import services
from handoff.accounts.models import Membership
from handoff.core.roles import Role
from tests.factories import UserFactory, principal_for

ORGANIZATIONS = 10


def _two_owner_organizations():
    made = []
    for index in range(ORGANIZATIONS):
        first, second = UserFactory(), UserFactory()
        org = services.create_organization(
            user=first,
            name=f"Race {index}",
            slug=f"race-{index}",
            time_zone="America/Chicago",
            currency="USD",
            states=[],
        )
        Membership.objects.create(organization=org, user=second, role=Role.OWNER)
        made.append((org, first, second))
    return made


def _at_once(*acts):
    """Run each act in its own thread (and database connection), released together."""
    barrier = threading.Barrier(len(acts))
    outcomes = []

    def run(act):
        try:
            barrier.wait()
            act()
            outcomes.append("done")
        except (ValidationError, PermissionDenied):
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(act,)) for act in acts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(outcomes)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("how", ["demote each other", "both leave"])
def test_owners_acting_at_once_leave_one_owner(how):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite lets one writer in at a time")
    for org, first, second in _two_owner_organizations():
        # Each request resolved its principal and read the membership before the other acted.
        one, two = principal_for(first, org), principal_for(second, org)
        if how == "demote each other":
            outcomes = _at_once(
                partial(services.change_role, one, two.membership, role=Role.ADMIN),
                partial(services.change_role, two, one.membership, role=Role.ADMIN),
            )
        else:
            outcomes = _at_once(
                partial(services.remove_member, one, one.membership),
                partial(services.remove_member, two, two.membership),
            )
        assert outcomes == ["done", "refused"], (org, outcomes)
        assert Membership.objects.filter(organization=org).filter(role=Role.OWNER).count() == 1, org
