"""Two approvers clicking at once: the invoice's row lock makes them take turns, so the same
person never approves twice, a single-approval invoice is approved once, and a two-approval
invoice needs two different people. Row locks are PostgreSQL's; SQLite lets one writer in at
a time, so the test runs on PostgreSQL."""

import threading
from decimal import Decimal as D
from functools import partial

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from handoff.accounts import services as accounts
from handoff.accounts.models import Membership
from handoff.core.roles import Role
from handoff.payables import services
from handoff.payables.models import Invoice, InvoiceApproval
from tests.factories import ProviderFactory, UserFactory, principal_for


def _at_once(*acts):
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


def _setup(index, *, second_above=None):
    owner, one, two = UserFactory(), UserFactory(), UserFactory()
    org = accounts.create_organization(
        user=owner,
        name=f"Race {index}",
        slug=f"race-{index}",
        time_zone="UTC",
        currency="USD",
        states=[],
    )
    for user in (one, two):
        Membership.objects.create(organization=org, user=user, role=Role.MANAGER)
    services.update_approval_settings(
        principal_for(owner, org), {"second_approver_above": second_above}
    )
    provider = ProviderFactory(organization=org)
    invoice = services.record_invoice(
        principal_for(owner, org),
        provider_id=provider.pk,
        data={"number": f"R-{index}", "issued_on": "2026-02-02", "amount": D("900")},
    )
    return org, owner, one, two, invoice


@pytest.mark.django_db(transaction=True)
def test_two_approvers_at_once_never_approve_past_the_rule():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite lets one writer in at a time")
    for index in range(5):
        # One approval needed: two managers click together; one approves, one is refused.
        org, _, one, two, invoice = _setup(index)
        outcomes = _at_once(
            partial(services.approve_invoice, principal_for(one, org), invoice.pk),
            partial(services.approve_invoice, principal_for(two, org), invoice.pk),
        )
        assert outcomes == ["done", "refused"], outcomes
        assert InvoiceApproval.objects.filter(invoice=invoice).count() == 1
        assert Invoice.objects.get(pk=invoice.pk).status == "approved"

        # Two approvals needed: the same person clicking twice at once gives one approval.
        org, _, one, two, invoice = _setup(100 + index, second_above="500")
        outcomes = _at_once(
            partial(services.approve_invoice, principal_for(one, org), invoice.pk),
            partial(services.approve_invoice, principal_for(one, org), invoice.pk),
        )
        assert outcomes == ["done", "refused"], outcomes
        assert InvoiceApproval.objects.filter(invoice=invoice).count() == 1
        assert Invoice.objects.get(pk=invoice.pk).status == "submitted"
        # …and two different people at once approve it, with two approvals.
        three = UserFactory()
        Membership.objects.create(organization=org, user=three, role=Role.ADMIN)
        outcomes = _at_once(
            partial(services.approve_invoice, principal_for(two, org), invoice.pk),
            partial(services.approve_invoice, principal_for(three, org), invoice.pk),
        )
        assert outcomes == ["done", "refused"], outcomes  # the second finds it approved
        assert InvoiceApproval.objects.filter(invoice=invoice).count() == 2
        assert Invoice.objects.get(pk=invoice.pk).status == "approved"
