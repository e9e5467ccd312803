"""The invoice loop: Priya, Ledgerline's contact, submits January's invoice in the portal;
Mona, Acme's manager, approves it in Pay · Invoices, records the payment from the invoice's
page (prefilled with the balance), and the invoice shows paid; Priya sees it approved.
Everything after logging in is done by clicking."""

import re

import pytest
from playwright.sync_api import expect

from handoff.accounts.models import Membership
from handoff.core.roles import Role
from handoff.engagements.models import Engagement
from handoff.payables.models import Invoice, Payment
from tests.browser.conftest import OWNER, PRIYA, field_label, log_in, new_page, open_section
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MONA = ("mona@acme.example", OWNER[1])


@pytest.fixture
def hourly_books(acme_books):
    """The engagement billed by the hour at $90, and Mona, a manager (set directly)."""
    org, engagement = acme_books
    Engagement.objects.all_organizations().filter(pk=engagement.pk).update(
        pricing_model="hourly", amount="90.00"
    )
    mona = UserFactory(name="Mona Manager", email=MONA[0])
    mona.set_password(MONA[1])
    mona.save()
    Membership.objects.create(organization=org, user=mona, role=Role.MANAGER)
    return org, engagement


def test_submit_approve_pay_and_the_invoice_shows_paid(browser, live_server, hourly_books):
    org, _ = hourly_books
    priya = new_page(browser, live_server, width=390, height=844)
    log_in(priya, *PRIYA)
    open_section(priya, "Invoices")
    priya.get_by_role("link", name="Submit an invoice").click()
    priya.get_by_label(field_label("Engagement")).select_option(label="Monthly books")
    priya.get_by_label(field_label("Invoice number")).fill("LL-2026-01")
    priya.get_by_label(field_label("Period from")).fill("2026-01-01")
    priya.get_by_label(field_label("Period to")).fill("2026-01-31")
    priya.get_by_label("Line 1 kind").select_option(label="Hours")
    priya.get_by_label("Line 1 description").fill("January bookkeeping")
    priya.get_by_label("Line 1 hours or quantity").fill("10")
    priya.get_by_label("Line 1 rate or price").fill("90.00")
    priya.get_by_label("Line 1 amount").fill("900.00")
    priya.get_by_label(field_label("Invoice total")).fill("900.00")
    priya.get_by_role("button", name="Submit the invoice").click()
    expect(priya.get_by_role("heading", name="Invoice LL-2026-01")).to_be_visible()

    mona = new_page(browser, live_server)
    log_in(mona, *MONA)
    open_section(mona, "Invoices")
    mona.get_by_role("row", name=re.compile("LL-2026-01")).get_by_role(
        "link", name="LL-2026-01"
    ).click()
    expect(mona.get_by_text("a manager or above approves it")).to_be_visible()
    mona.get_by_role("button", name="Approve").click()
    expect(mona.get_by_text("Invoice LL-2026-01 is approved.")).to_be_visible()
    mona.get_by_role("link", name="Record a payment").click()
    expect(mona.get_by_label(field_label("Amount"))).to_have_value("900.00")
    mona.get_by_label(field_label("Method")).select_option(label="Bank transfer (ACH)")
    mona.get_by_role("button", name="Record the payment").click()
    expect(mona.get_by_role("heading", name="Invoice LL-2026-01")).to_be_visible()
    expect(mona.locator(".actions .status", has_text=re.compile("^Paid$"))).to_be_visible()
    invoice = Invoice.objects.filter(organization=org).get()
    assert invoice.status == "approved"
    assert Payment.objects.get(invoice=invoice).amount == invoice.amount
    mona.context.close()

    priya.reload()
    expect(priya.locator(".actions .status", has_text="Approved")).to_be_visible()
    priya.context.close()
