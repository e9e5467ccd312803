"""An owner, on a phone, asks a contractor for their W-9 by link; the contractor, on their own
phone and without an account, agrees to sign electronically, fills in and signs the W-9 and
downloads their copy; the owner finds it signed under W-9 links and on the payee's W-9 page.
And a provider's contact signs their firm's W-9 from the portal's Tax form page."""

import re
from datetime import date

import pytest
from django.core import mail
from playwright.sync_api import expect

from handoff.accounts import services as accounts
from handoff.compliance import onboarding
from handoff.compliance.models import W9, OnboardingLink
from handoff.providers.models import Contact
from tests.browser.conftest import PRIYA, field_label, log_in, new_page, open_section
from tests.compliance.conftest import pay
from tests.factories import ProviderFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COMPLY = re.compile("Contractors|Compliance")


@pytest.fixture
def owner_on_a_phone(page, live_server, settings):
    settings.SITE_URL = live_server.url  # the e-mailed link points at this test's server
    owner = UserFactory(name="Olivia Owner", email="olivia@acme.example")
    org = accounts.create_organization(
        user=owner,
        name="Acme Dental",
        slug="acme",
        time_zone="America/Chicago",
        currency="USD",
        states=["IL"],
    )
    sam = ProviderFactory(organization=org, name="Sam Rivera Design", kind="individual")
    Contact.objects.create(organization=org, provider=sam, name="Sam", email="sam@rivera.example")
    pay(org, owner, sam, "450.00", date(2026, 2, 2))
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "olivia@acme.example", "a-Strong-passw0rd")
    return org


def test_a_contractor_signs_their_w9_through_the_link(page, owner_on_a_phone, browser, live_server):
    org = owner_on_a_phone
    open_section(page, COMPLY)
    page.get_by_role("link", name="Payees without a W-9").click()
    row = page.get_by_role("row", name=re.compile("Sam Rivera Design"))
    row.get_by_role("link", name="W-9", exact=True).click()
    expect(page.get_by_role("heading", name="Onboarding by link")).to_be_visible()
    expect(page.get_by_label("Send to")).to_have_value("sam@rivera.example")
    page.get_by_role("button", name="Send an onboarding link").click()
    expect(page.get_by_text("The link is on its way to sam@rivera.example")).to_be_visible()
    expect(page.get_by_text("not opened yet")).to_be_visible()

    # Sam opens the link in the e-mail on a phone of his own.
    url = next(line for line in mail.outbox[-1].body.splitlines() if "/w9/" in line)
    sam = new_page(browser, live_server, width=390, height=844)
    sam.goto(url.strip())
    expect(sam.get_by_role("heading", name="Before you sign electronically")).to_be_visible()
    sam.get_by_role("button", name="Agree and continue").click()
    expect(sam.get_by_text("Tick the box to agree")).to_be_visible()
    sam.get_by_label(re.compile("I have read the notice above")).check()
    sam.get_by_role("button", name="Agree and continue").click()

    expect(sam.get_by_role("heading", name="Your Form W-9 for Acme Dental")).to_be_visible()
    sam.get_by_label(field_label("Legal name")).fill("Sam Rivera")
    sam.get_by_label(field_label("Federal tax classification")).select_option(
        label="Individual/sole proprietor"
    )
    sam.get_by_label("Social security number (SSN)").check()
    sam.get_by_label(field_label("TIN")).fill("900-00-4321")
    sam.get_by_label(field_label("Address")).fill("8 Harbor Rd")
    sam.get_by_label(field_label("City")).fill("Dayton")
    sam.get_by_label(field_label("State")).fill("OH")
    sam.get_by_label(field_label("ZIP code")).fill("45402")
    sam.get_by_label(re.compile("Your signature")).fill("Sam Rivera")
    sam.get_by_role("button", name="Sign the W-9").click()
    expect(sam.get_by_text("Tick the box to certify")).to_be_visible()
    assert not W9.objects.filter(organization=org).exists()
    sam.get_by_label(re.compile("Under penalties of perjury, I certify")).check()
    sam.get_by_label(field_label("TIN")).fill("900-00-4321")  # never sent back to the page
    sam.get_by_role("button", name="Sign the W-9").click()

    expect(sam.get_by_role("heading", name=re.compile("your W-9 is signed"))).to_be_visible()
    with sam.expect_download() as download_info:
        sam.get_by_role("link", name="Download your signed W-9 (PDF)").click()
    assert download_info.value.path().read_bytes().startswith(b"%PDF")

    # He also describes how he works, in his own words, and signs that.
    sam.get_by_role("link", name="Describe how you work").click()
    for key, question in onboarding.questions_for(org):
        answer = "Yes" if key in ("own_investment", "serves_market", "profit_or_loss") else "No"
        sam.get_by_role("group", name=question).get_by_label(answer, exact=True).check()
    sam.get_by_label("Anything to add (optional)").fill("I design for four other practices.")
    sam.get_by_label(re.compile("These answers are true")).check()
    sam.get_by_label(re.compile("Your signature")).fill("Sam Rivera")
    sam.get_by_role("button", name="Sign and send my answers").click()
    expect(sam.get_by_text(re.compile("Thank you for describing how you work"))).to_be_visible()
    sam.context.close()

    # Olivia finds it signed among the W-9 links, and on file.
    open_section(page, COMPLY)
    page.get_by_role("link", name="W-9 links").click()
    signed = page.get_by_role("row", name=re.compile("Sam Rivera Design"))
    expect(signed.get_by_text("tax form signed")).to_be_visible()
    expect(signed.get_by_text(re.compile("described how they work"))).to_be_visible()
    signed.get_by_role("link", name="Sam Rivera Design").click()
    expect(page.get_by_role("heading", name=re.compile("In force"))).to_be_visible()
    expect(page.get_by_text("signed electronically by Sam Rivera")).to_be_visible()
    assert OnboardingLink.objects.get(organization=org).status == "signed"


def test_a_portal_contact_signs_a_w9_from_the_portal_on_a_phone(browser, live_server, acme_books):
    org, _ = acme_books
    priya = new_page(browser, live_server, width=390, height=844)
    log_in(priya, *PRIYA)
    priya.get_by_role("navigation", name="Portal").get_by_role("link", name="Tax form").click()
    expect(priya.get_by_text("No W-9 on file yet.")).to_be_visible()
    priya.get_by_role("button", name="Fill in and sign your tax form").click()
    priya.get_by_label(re.compile("I have read the notice above")).check()
    priya.get_by_role("button", name="Agree and continue").click()
    priya.get_by_label(field_label("Legal name")).fill("Ledgerline LLC")
    priya.get_by_label(field_label("Federal tax classification")).select_option(label="LLC")
    priya.get_by_label("LLC's tax classification").select_option(label="S corporation")
    priya.get_by_label("Employer identification number (EIN)").check()
    priya.get_by_label(field_label("TIN")).fill("00-7654321")
    priya.get_by_label(field_label("Address")).fill("400 Main St")
    priya.get_by_label(field_label("City")).fill("Chicago")
    priya.get_by_label(field_label("State")).fill("IL")
    priya.get_by_label(field_label("ZIP code")).fill("60601")
    priya.get_by_label(re.compile("Under penalties of perjury, I certify")).check()
    priya.get_by_label(re.compile("Your signature")).fill("Priya Raman")
    priya.get_by_role("button", name="Sign the W-9").click()
    expect(priya.get_by_role("heading", name=re.compile("your W-9 is signed"))).to_be_visible()

    # Back in the portal, the signed W-9 is listed, its copy a click away.
    priya.get_by_role("link", name="Back to Handoff").click()
    priya.get_by_role("navigation", name="Portal").get_by_role("link", name="Tax form").click()
    row = priya.get_by_role("row", name=re.compile("Ledgerline LLC"))
    expect(row.get_by_text("in force")).to_be_visible()
    with priya.expect_download() as download_info:
        row.get_by_role("link", name="Download").click()
    assert download_info.value.path().read_bytes().startswith(b"%PDF")
    w9 = W9.objects.get(organization=org)
    assert w9.tin_type == "ein" and w9.llc_classification == "S"
