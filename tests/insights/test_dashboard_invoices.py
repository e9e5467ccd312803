"""The dashboard's invoice cards: waiting for approval and approved, not paid — count, total,
oldest age, the filtered list's link — in a number of queries that does not grow."""

import datetime
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from handoff.insights import dashboard
from handoff.payables import services
from handoff.payables.models import Invoice
from tests.conftest import client_for
from tests.factories import ProviderFactory, principal_for

pytestmark = pytest.mark.django_db


def _invoices(org, owner, manager, count, start=0):
    provider = ProviderFactory(organization=org)
    made = []
    for n in range(start, start + count):
        invoice = services.record_invoice(
            principal_for(owner, org),
            provider_id=provider.pk,
            data={"number": f"I-{n}", "issued_on": date(2026, 2, 2), "amount": D("100.00")},
        )
        made.append(invoice)
    return made


def test_the_cards_count_total_and_age(org, owner, manager, admin):
    waiting, approved = _invoices(org, owner, manager, 3)[:2], None
    approved = _invoices(org, owner, manager, 1, start=10)[0]
    services.approve_invoice(principal_for(manager, org), approved.pk)
    services.record_payment(
        principal_for(admin, org),
        provider_id=approved.provider_id,
        invoice_id=approved.pk,
        data={"paid_on": date.today(), "amount": D("40"), "method": "ach"},
        confirm_date=True,
    )
    Invoice.objects.filter(pk=waiting[0].pk).update(created_at=timezone.now() - timedelta(days=6))
    board = dashboard.build(principal_for(owner, org))
    card = board.extra["approval_waiting"]
    assert card.count == 3 and "300.00 USD in all; the oldest 6 days" in card.summary
    assert card.url == "/o/acme/pay/invoices/?status=submitted"
    unpaid = board.extra["approved_unpaid"]
    assert unpaid.count == 1 and unpaid.summary.startswith("60.00 USD")
    assert unpaid.url == "/o/acme/pay/invoices/?payment_state=open"
    page = client_for(owner).get("/o/acme/dashboard/").content.decode()
    assert "Invoices waiting for approval" in page and "Approved, not paid" in page


def test_the_cards_queries_do_not_grow(org, owner, manager):
    _invoices(org, owner, manager, 2)
    with CaptureQueriesContext(connection) as few:
        dashboard.invoice_cards(principal_for(owner, org), date.today(), datetime.UTC)
    _invoices(org, owner, manager, 12, start=50)
    with CaptureQueriesContext(connection) as many:
        dashboard.invoice_cards(principal_for(owner, org), date.today(), datetime.UTC)
    assert len(many) == len(few) <= 6
