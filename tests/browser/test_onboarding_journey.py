"""The whole onboarding through one link: a manager, from Comply → Onboarding, sends a foreign
contractor one link for their tax form and the engagement's agreement; the contractor, on a
phone and without an account, agrees to sign electronically, picks the W-8BEN, is refused
until the form is complete, signs it, then reads and signs the agreement; the manager
countersigns through the link mailed to them, and the contractor's row reads "done"."""

import re
from datetime import date

import pytest
from django.core import mail
from playwright.sync_api import expect

from handoff.accounts import services as accounts
from handoff.accounts.models import Membership
from handoff.compliance.models import W8
from handoff.core.roles import Role
from handoff.decisions.models import BusinessFunction
from handoff.engagements import agreements
from handoff.engagements import services as engagements
from tests.browser.conftest import field_label, log_in, new_page, open_section
from tests.factories import ContactFactory, ProviderFactory, UserFactory, principal_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANA = "ana@souza.example"
MONA = "mona@acme.example"
COMPLY = re.compile("Contractors|Compliance")


@pytest.fixture
def manager_logged_in(page, live_server, settings):
    settings.SITE_URL = live_server.url  # the e-mailed links point at this test's server
    owner = UserFactory(name="Olivia Owner", email="olivia@acme.example")
    org = accounts.create_organization(
        user=owner,
        name="Acme Dental",
        slug="acme",
        time_zone="America/Chicago",
        currency="USD",
        states=["IL"],
    )
    mona = UserFactory(name="Mona Manager", email=MONA)
    Membership.objects.create(organization=org, user=mona, role=Role.MANAGER)
    provider = ProviderFactory(organization=org, name="Souza Design", kind="individual")
    ContactFactory(organization=org, provider=provider, name="Ana Souza", email=ANA)
    engagement = engagements.create_engagement(
        principal_for(owner, org),
        provider_id=provider.pk,
        function_ids=[BusinessFunction.objects.filter(organization=org).get(name="Bookkeeping").pk],
        data={
            "title": "Brand refresh",
            "pricing_model": "flat",
            "amount": "4000.00",
            "start_date": date(2026, 1, 1),
            "end_date": date(2026, 12, 31),
        },
    )
    agreements.generate(principal_for(owner, org), engagement)
    log_in(page, MONA, "a-Strong-passw0rd")
    return org


def test_one_link_for_the_w8ben_and_the_agreement(page, manager_logged_in, browser, live_server):
    org = manager_logged_in
    page.set_viewport_size({"width": 390, "height": 844})

    # Mona finds Souza Design not invited under Comply → Onboarding ...
    open_section(page, COMPLY)
    page.get_by_role("link", name="Onboarding", exact=True).click()
    row = page.get_by_role("row", name=re.compile("Souza Design"))
    expect(row.get_by_text("not invited")).to_be_visible()
    expect(row.get_by_role("link", name=re.compile("Form W-9 \\(or W-8BEN"))).to_be_visible()
    # ... and sends the one link from the provider's page.
    row.get_by_role("link", name="Souza Design").click()
    page.locator("#comply").get_by_role("link", name="Send an onboarding link").click()
    expect(page.get_by_role("heading", name="Onboarding by link")).to_be_visible()
    expect(page.get_by_label("Send to")).to_have_value(ANA)
    expect(page.get_by_label("Then sign the agreement of")).to_have_value(re.compile(r"\d+"))
    page.get_by_role("button", name="Send an onboarding link").click()
    sent = page.get_by_text(re.compile("then to sign the agreement of “Brand refresh”"))
    expect(sent).to_be_visible()
    assert [m.to for m in mail.outbox] == [[ANA]]  # one e-mail, not two

    # Ana opens it on her phone.
    url = next(line for line in mail.outbox[-1].body.splitlines() if "/w9/" in line)
    ana = new_page(browser, live_server, width=390, height=844)
    ana.goto(url.strip())
    ana.get_by_label(re.compile("I have read the notice above")).check()
    ana.get_by_role("button", name="Agree and continue").click()
    ana.get_by_role("link", name="A foreign individual: Form W-8BEN").click()
    expect(ana.get_by_role("heading", name="Your Form W-8BEN for Acme Dental")).to_be_visible()
    ana.get_by_label(re.compile("^1 Your name")).fill("Ana Souza")
    ana.get_by_label(re.compile("^2 Country of citizenship")).fill("Brazil")
    ana.get_by_label(re.compile("^3 Permanent residence address")).fill("P.O. Box 12")
    ana.get_by_label(re.compile("^City or town")).fill("Porto Alegre, RS 90010-000")
    ana.get_by_label(field_label("Country")).fill("Brazil")
    ana.get_by_label(re.compile("^6a Foreign tax identifying number")).fill("123.456.789-09")
    ana.get_by_label(re.compile("^8 Date of birth")).fill("1990-05-17")
    ana.get_by_label(re.compile("Under penalties of perjury")).check()
    ana.get_by_label(re.compile("^Your signature")).fill("Ana Souza")
    ana.get_by_role("button", name="Sign the W-8BEN").click()
    expect(ana.get_by_text("Give where you live, not a P.O. box")).to_be_visible()
    assert not W8.objects.exists()
    ana.get_by_label(re.compile("^3 Permanent residence address")).fill("Rua das Flores 12")
    ana.get_by_label(re.compile("^6a Foreign tax identifying number")).fill("123.456.789-09")
    ana.get_by_label(re.compile("Under penalties of perjury")).check()
    ana.get_by_role("button", name="Sign the W-8BEN").click()
    expect(ana.get_by_role("heading", name=re.compile("your W-8BEN is signed"))).to_be_visible()
    expect(ana.get_by_text(re.compile("you get no Form 1099-NEC"))).to_be_visible()

    # Then the agreement, through the same link.
    ana.get_by_role("button", name="Review and sign the agreement").click()
    expect(ana.get_by_role("heading", name="Agreement v1: Brand refresh")).to_be_visible()
    ana.get_by_label("I have read the notice and agree to sign electronically.").check()
    ana.get_by_role("button", name="Agree and continue").click()
    ana.get_by_label(field_label("Type your full name to sign")).fill("Ana Souza")
    ana.get_by_label("I have read the document above and sign it.").check()
    ana.get_by_role("button", name="Sign", exact=True).click()
    expect(ana.get_by_role("heading", name="Thank you — you have signed")).to_be_visible()

    # Mona countersigns through the link mailed to her.
    assert mail.outbox[-1].to == [MONA]
    mona_link = re.search(r"https?://\S+/sign/[\w-]+/", mail.outbox[-1].body).group(0)
    mona = new_page(browser, live_server)
    mona.goto(mona_link)
    mona.get_by_label("I have read the notice and agree to sign electronically.").check()
    mona.get_by_role("button", name="Agree and continue").click()
    mona.get_by_label(field_label("Type your full name to sign")).fill("Mona Manager")
    mona.get_by_label("I have read the document above and sign it.").check()
    mona.get_by_role("button", name="Sign", exact=True).click()
    expect(mona.get_by_role("heading", name="Signed by everyone")).to_be_visible()

    # Ana's link now says both signed; Mona's onboarding list says done.
    ana.goto(url.strip())
    expect(ana.get_by_text(re.compile("has countersigned it"))).to_be_visible()
    ana.context.close()
    mona.context.close()
    page.reload()
    open_section(page, COMPLY)
    page.get_by_role("link", name="Onboarding", exact=True).click()
    row = page.get_by_role("row", name=re.compile("Souza Design"))
    expect(row.get_by_text("done", exact=True)).to_be_visible()
    expect(row.get_by_text(re.compile("W-8BEN on file"))).to_be_visible()
    assert W8.objects.get(organization=org).form == "w8ben"
