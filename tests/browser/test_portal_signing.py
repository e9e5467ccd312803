"""Acme Dental sends Ledgerline's agreement for signature to Priya, who uses the provider
portal. She logs in, finds it on the portal's home page waiting for her signature, opens it
from there, agrees to sign electronically and signs; the link in her e-mail no longer works.
Once Acme's owner has signed too, Priya finds the signed copy on the engagement's page in the
portal."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from handoff.accounts.models import User
from handoff.engagements import agreements
from handoff.engagements.models import SignedAgreement
from handoff.signatures.models import Signer
from tests.browser.conftest import OWNER, PRIYA, field_label, log_in, new_page
from tests.factories import principal_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Agreement v1: Monthly books"


@pytest.fixture
def agreement_out(acme_books, live_server, settings):
    """The engagement's agreement, out for signature: Priya first, then Olivia."""
    settings.SITE_URL = live_server.url  # the e-mailed links point at this test's server
    org, engagement = acme_books
    owner = User.objects.get(email=OWNER[0])
    principal = principal_for(owner, org)
    version = agreements.generate(principal, engagement)
    mail.outbox.clear()
    agreements.send_for_signature(
        principal,
        version,
        provider_name="Priya Raman",
        provider_email=PRIYA[0],
        our_signer=owner,
        provider_first=True,
    )
    assert [message.to for message in mail.outbox] == [[PRIYA[0]]]
    return org, engagement


def test_a_portal_contact_signs_the_agreement_waiting_for_her(browser, live_server, agreement_out):
    org, _ = agreement_out
    emailed = next(
        line.strip()
        for message in mail.outbox
        if message.to == [PRIYA[0]]
        for line in message.body.splitlines()
        if "/sign/" in line
    )

    priya = new_page(browser, live_server)
    log_in(priya, *PRIYA)
    expect(priya.get_by_role("heading", name="Welcome, Priya Raman")).to_be_visible()
    waiting = priya.get_by_role("region", name="Waiting for your signature")
    expect(waiting).to_be_visible()
    row = waiting.get_by_role("row", name=re.compile(TITLE))
    expect(row).to_be_visible()
    expect(row.get_by_text("Olivia Owner, Acme Dental")).to_be_visible()
    row.get_by_role("button", name=re.compile("^Review and sign")).click()

    expect(priya.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(priya.get_by_role("heading", name="Before you sign electronically")).to_be_visible()
    priya.get_by_label("I have read the notice and agree to sign electronically.").check()
    priya.get_by_role("button", name="Agree and continue").click()
    expect(priya.get_by_role("link", name="Open the document (PDF)")).to_be_visible()
    expect(priya.get_by_label(field_label("Type your full name to sign"))).to_have_value(
        "Priya Raman"
    )
    priya.get_by_label("I have read the document above and sign it.").check()
    priya.get_by_role("button", name="Sign", exact=True).click()
    expect(priya.get_by_role("heading", name="Thank you — you have signed")).to_be_visible()
    expect(priya.get_by_text(re.compile(f"Priya Raman signed “{TITLE}”"))).to_be_visible()
    assert Signer.objects.get(email=PRIYA[0]).signed_at is not None
    # Nothing was mailed to her for it; the owner's turn has come.
    assert [message.to for message in mail.outbox] == [[PRIYA[0]], [OWNER[0]]]

    # The link in her e-mail was replaced by the one the portal made.
    old = new_page(browser, live_server)
    old.goto(emailed)
    expect(old.get_by_role("heading", name="This link cannot be used")).to_be_visible()
    expect(old.get_by_text(re.compile("a newer one replaced it"))).to_be_visible()
    old.context.close()

    # Back in the portal nothing waits for her any more.
    priya.get_by_role("link", name="Handoff").click()
    expect(priya.get_by_role("heading", name="Welcome, Priya Raman")).to_be_visible()
    expect(priya.get_by_role("region", name="Waiting for your signature")).to_have_count(0)

    # Olivia signs for Acme through her own e-mailed link.
    olivia_link = next(
        line.strip()
        for message in mail.outbox
        if message.to == [OWNER[0]]
        for line in message.body.splitlines()
        if "/sign/" in line
    )
    olivia = new_page(browser, live_server)
    olivia.goto(olivia_link)
    olivia.get_by_label("I have read the notice and agree to sign electronically.").check()
    olivia.get_by_role("button", name="Agree and continue").click()
    olivia.get_by_label(field_label("Type your full name to sign")).fill("Olivia Owner")
    olivia.get_by_label("I have read the document above and sign it.").check()
    olivia.get_by_role("button", name="Sign", exact=True).click()
    expect(olivia.get_by_role("heading", name="Signed by everyone")).to_be_visible()
    olivia.context.close()

    # Priya finds the signed copy on the engagement's page in the portal.
    priya.reload()
    priya.get_by_role("link", name="Monthly books").click()
    signed = priya.get_by_role("region", name="Signed agreement")
    expect(signed.get_by_text(re.compile("by Priya Raman \\(provider\\)"))).to_be_visible()
    with priya.expect_download() as download:
        signed.get_by_role("link", name="Download the signed copy").click()
    assert download.value.path().read_bytes().startswith(b"%PDF-")
    assert SignedAgreement.objects.filter(organization=org).count() == 1
