"""Recipient copies from the 1099 page to the portal: Acme's owner opens the 2025 1099-NEC list
from the dashboard, goes to the recipient copies, and asks Ledgerline to consent to electronic
statements. Priya follows the link in her e-mail, logs in to the portal, reads the disclosure,
opens the sample PDF and types its code back to consent. The owner posts the copy to the
portal; Priya follows the "IMPORTANT TAX RETURN DOCUMENT AVAILABLE" e-mail and downloads Copy B.

The clock is the machine's own: 2025 is a past tax year whatever day this runs after 2026."""

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from playwright.sync_api import expect
from pypdf import PdfReader

from handoff.accounts.models import User
from handoff.compliance import services as comply
from handoff.compliance.models import RecipientStatement, StatementConsent
from handoff.payables import services as payables
from tests.browser.conftest import OWNER, PRIYA, log_in, new_page, open_section
from tests.compliance.conftest import pdf_upload
from tests.factories import principal_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def pdf_text(path) -> str:
    with open(path, "rb") as handle:
        return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(handle.read())).pages)


def link_in(messages, to: str, part: str, subject: str = "") -> str:
    return next(
        line.strip()
        for message in reversed(messages)
        if message.to == [to] and subject in message.subject
        for line in message.body.splitlines()
        if part in line
    )


@pytest.fixture
def ledgerline_paid_in_2025(acme_books, settings, live_server):
    settings.SITE_URL = live_server.url  # the e-mailed links point at this test's server
    org, engagement = acme_books
    owner = User.objects.get(email=OWNER[0])
    provider = engagement.provider
    comply.record_w9(
        principal_for(owner, org),
        provider,
        data={
            "legal_name": "Ledgerline Books",
            "business_name": "Ledgerline",
            "tax_classification": "individual",
            "llc_classification": "",
            "exempt_payee_code": "",
            "is_attorney": False,
            "tin_type": "ssn",
            "street": "9 Ledger Way",
            "city": "Springfield",
            "state": "IL",
            "postal_code": "62701",
            "signed_on": date(2025, 1, 5),
        },
        tin="900-00-2468",
        upload=pdf_upload(),
    )
    payables.record_payment(
        principal_for(owner, org),
        provider_id=provider.pk,
        data={"paid_on": date(2025, 5, 1), "amount": Decimal("3000.00"), "method": "check"},
        confirm_date=True,
    )
    mail.outbox.clear()
    return org


def test_copies_are_posted_and_the_contractor_consents_and_downloads(
    browser, live_server, ledgerline_paid_in_2025
):
    org = ledgerline_paid_in_2025
    olivia = new_page(browser, live_server)
    log_in(olivia, *OWNER)
    open_section(olivia, "Dashboard")
    olivia.locator("#forms_1099").get_by_role("link", name=re.compile("for 2025 was due")).click()
    expect(olivia.get_by_role("heading", level=1)).to_have_text(
        "1099-NEC for payments made in 2025"
    )
    olivia.get_by_role("link", name="Recipient copies (Copy B)").click()
    expect(olivia.get_by_role("heading", level=1)).to_have_text(
        "Recipient copies (Copy B) for 2025"
    )
    row = olivia.get_by_role("row", name=re.compile("Ledgerline"))
    expect(row).to_contain_text("not furnished")
    expect(row).to_contain_text("no consent: paper")
    row.get_by_role("button", name="Ask for consent from Ledgerline").click()
    expect(olivia.get_by_text(re.compile("Asked for consent by e-mail"))).to_be_visible()

    # Priya consents in the portal, from her e-mail.
    priya = new_page(browser, live_server)
    consent_link = link_in(mail.outbox, PRIYA[0], "/tax-statements/")
    priya.goto(consent_link)
    priya.get_by_label("E-mail address").fill(PRIYA[0])
    priya.get_by_label("Password").fill(PRIYA[1])
    priya.get_by_role("button", name="Log in").click()
    expect(
        priya.get_by_role("heading", name="Your tax statements from Acme Dental")
    ).to_be_visible()
    expect(
        priya.get_by_text(re.compile("If you do not consent, you get a paper copy"))
    ).to_be_visible()
    with priya.expect_download() as download:
        priya.get_by_role("link", name="open the sample statement (PDF)").click()
    code = re.search(r"CODE ([A-Z0-9]{6})", pdf_text(download.value.path())).group(1)
    priya.get_by_label("Code from the sample PDF").fill(code)
    priya.get_by_label(re.compile("I have read the above and consent")).check()
    priya.get_by_role("button", name="Consent to electronic statements").click()
    expect(priya.get_by_text("You get your statements here, electronically.")).to_be_visible()
    assert StatementConsent.objects.filter(organization=org, withdrawn_at__isnull=True).count() == 1

    # Olivia sees the consent and posts the copy.
    olivia.reload()
    row = olivia.get_by_role("row", name=re.compile("Ledgerline"))
    expect(row).to_contain_text("consented")
    row.get_by_role("button", name="Post to the portal for Ledgerline").click()
    expect(olivia.get_by_text(re.compile("copy is posted in the portal"))).to_be_visible()
    row = olivia.get_by_role("row", name=re.compile("Ledgerline"))
    expect(row).to_contain_text("posted in portal on")

    # Priya follows the notice and downloads Copy B.
    notice = link_in(
        mail.outbox, PRIYA[0], "/tax-statements/", "IMPORTANT TAX RETURN DOCUMENT AVAILABLE"
    )
    priya.goto(notice)
    with priya.expect_download() as download:
        priya.get_by_role("link", name="Download Copy B 2025 (PDF)").click()
    text = pdf_text(download.value.path())
    assert "Copy B For Recipient" in text and "***-**-2468" in text and "3,000.00" in text
    copy = RecipientStatement.objects.get(organization=org)
    assert copy.how == "portal" and copy.furnished_on is not None
    olivia.context.close()
    priya.context.close()
