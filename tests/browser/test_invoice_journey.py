"""Priya, Ledgerline's contact, submits January's invoice through the portal at a rate other
than the engagement's; Olivia, Acme's owner, finds it in Pay · Invoices flagged with the
difference. Everything after logging in is done by clicking."""

import re

import pytest
from playwright.sync_api import expect

from handoff.engagements.models import Engagement
from handoff.payables.models import Invoice
from tests.browser.conftest import OWNER, PRIYA, field_label, log_in, new_page, open_section

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def hourly_books(acme_books):
    """The engagement billed by the hour at $90 (set directly: the terms are not the journey)."""
    org, engagement = acme_books
    Engagement.objects.all_organizations().filter(pk=engagement.pk).update(
        pricing_model="hourly", amount="90.00"
    )
    return org, engagement


def test_a_contact_submits_an_invoice_and_the_owner_sees_it_flagged(
    browser, live_server, hourly_books
):
    org, _ = hourly_books
    priya = new_page(browser, live_server, width=390, height=844)  # on her phone
    log_in(priya, *PRIYA)
    open_section(priya, "Invoices")
    expect(priya.get_by_role("heading", name="Invoices")).to_be_visible()
    priya.get_by_role("link", name="Submit an invoice").click()
    priya.get_by_label(field_label("Engagement")).select_option(label="Monthly books")
    priya.get_by_label(field_label("Invoice number")).fill("LL-2026-01")
    priya.get_by_label(field_label("Period from")).fill("2026-01-01")
    priya.get_by_label(field_label("Period to")).fill("2026-01-31")
    priya.get_by_label("Line 1 kind").select_option(label="Hours")
    priya.get_by_label("Line 1 description").fill("January bookkeeping")
    priya.get_by_label("Line 1 hours or quantity").fill("10")
    priya.get_by_label("Line 1 rate or price").fill("95.00")
    priya.get_by_label("Line 1 amount").fill("950.00")
    priya.get_by_label(field_label("Invoice total")).fill("950.00")
    priya.get_by_role("button", name="Submit the invoice").click()

    expect(priya.get_by_role("heading", name="Invoice LL-2026-01")).to_be_visible()
    expect(priya.get_by_text(re.compile(r"the engagement's rate is \$90\.00"))).to_be_visible()
    invoice = Invoice.objects.filter(organization=org).get()
    assert invoice.status == "submitted" and invoice.flags[0]["difference"] == "50.00"
    priya.context.close()

    olivia = new_page(browser, live_server)
    log_in(olivia, *OWNER)
    open_section(olivia, "Invoices")
    row = olivia.get_by_role("row", name=re.compile("LL-2026-01"))
    expect(row.get_by_text("1 flagged")).to_be_visible()
    expect(row.get_by_text("Submitted")).to_be_visible()
    row.get_by_role("link", name="LL-2026-01").click()
    expect(olivia.get_by_text("Difference: $50.00")).to_be_visible()
    expect(olivia.get_by_text(re.compile("bills 10 hours at \\$95\\.00 an hour"))).to_be_visible()
    olivia.context.close()
