"""Pay's demo data: invoices in every status the services can reach, under the active
engagements, priced by their terms, dated around the organization's today."""

from datetime import timedelta

import pytest

from handoff import demo
from handoff.accounts.models import Organization
from handoff.core.principal import Principal
from handoff.payables import selectors
from handoff.payables.checks import PRICED_KIND
from handoff.payables.models import Invoice, Payment


@pytest.fixture
def org(db):
    assert demo.load() is True
    return Organization.objects.get(slug=demo.ORG_SLUG)


def test_the_demo_has_an_invoice_in_every_status(org):
    system = Principal.system(org)
    invoices = list(selectors.invoice_detail(system).order_by("issued_on", "pk"))
    by_status = {}
    for invoice in invoices:
        by_status.setdefault(invoice.status, []).append(invoice)
    # Void has no service yet, so no demo invoice is void.
    assert set(by_status) == {"submitted", "approved", "rejected", "superseded"}

    waiting = by_status["submitted"]
    assert any(invoice.flags for invoice in waiting), "a waiting invoice flagged for the approver"
    assert any(not invoice.flags for invoice in waiting), "and one with nothing to check"
    flagged = next(invoice for invoice in waiting if invoice.flags)
    assert [flag["code"] for flag in flagged.flags] == ["tiers_differ"]
    assert "+$47.00" in flagged.flags[0]["message"]

    states = {invoice.payment_state for invoice in by_status["approved"]}
    assert states == {"paid", "partly_paid", "unpaid"}
    for invoice in by_status["approved"]:
        assert invoice.approvals.all() and invoice.decided_by is not None
        assert invoice.decided_by_id not in (invoice.submitted_by_id, invoice.created_by_id)

    [rejected] = by_status["rejected"]
    assert "wrong provider number" in rejected.rejection_reason

    [superseded] = by_status["superseded"]
    [correction] = Invoice.objects.visible_to(system).filter(replaces=superseded)
    assert correction.status == "submitted" and correction.number == f"{superseded.number}-2"
    assert superseded.rejection_reason and not correction.flags
    assert not correction.entered_by_member  # Priya submitted both through the portal
    assert [v.pk for v in selectors.versions_of(system, correction)] == [
        superseded.pk,
        correction.pk,
    ]


def test_the_demo_invoices_bill_their_engagements_terms_around_today(org):
    system = Principal.system(org)
    today = org.today()
    for invoice in selectors.invoice_detail(system):
        engagement = invoice.engagement
        assert engagement is not None and engagement.status == "active"
        lines = list(invoice.lines.all())
        assert lines and sum(line.amount for line in lines) == invoice.amount
        for line in lines:
            assert line.kind == PRICED_KIND[engagement.pricing_model]
            assert line.amount == line.quantity * line.unit_price
        if not invoice.flags:
            assert all(line.unit_price == engagement.amount for line in lines), invoice.number
        assert today - timedelta(days=75) <= invoice.period_start <= invoice.period_end < today
        assert invoice.period_end <= invoice.issued_on <= today
        assert invoice.attachments.exists()
        assert invoice.created_at.date() <= today + timedelta(days=1)


def test_payments_against_demo_invoices_stay_within_each_balance(org):
    system = Principal.system(org)
    against = Payment.objects.visible_to(system).filter(invoice__isnull=False)
    assert against.count() == 2
    for payment in against.select_related("invoice"):
        invoice = payment.invoice
        assert invoice.status == "approved" and payment.amount <= invoice.amount
        assert invoice.issued_on <= payment.paid_on <= org.today()
        assert payment.provider_id == invoice.provider_id
    assert demo.load() is False  # a second run adds nothing
    assert Invoice.objects.visible_to(system).count() == 7
