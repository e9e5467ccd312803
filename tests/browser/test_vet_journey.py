"""A manager vets a provider: references, a check by phone, a check by e-mail answered by the
reference (logged out), the reputation moving with them, and a shortlist comparing two."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from handoff.accounts import services as accounts
from handoff.accounts.models import Membership
from handoff.core.roles import Role
from handoff.providers import services as providers
from tests.browser.conftest import log_in, new_page, open_section
from tests.factories import UserFactory, principal_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_references_checks_and_reputation(page, browser, live_server, settings):
    settings.SITE_URL = live_server.url
    owner = UserFactory(name="Olivia Owner", email="olivia@acme.example")
    org = accounts.create_organization(
        user=owner,
        name="Acme Dental",
        slug="acme",
        time_zone="America/Chicago",
        currency="USD",
        states=[],
    )
    manager = UserFactory(name="Mona Manager", email="mona@acme.example")
    Membership.objects.create(organization=org, user=manager, role=Role.MANAGER)
    providers.create_provider(
        principal_for(owner, org), data={"name": "Ledgerline", "status": "prospect"}
    )
    providers.create_provider(
        principal_for(owner, org), data={"name": "Evergreen", "status": "prospect"}
    )

    log_in(page, "mona@acme.example", "a-Strong-passw0rd")
    open_section(page, "Providers")
    page.get_by_role("link", name="Ledgerline").click()
    expect(page.get_by_text("Not enough information.")).to_be_visible()

    for name, email in [
        ("Dana Brooks", "dana@harbor.example"),
        ("Luis Romero", "luis@orchard.example"),
    ]:
        page.get_by_role("link", name="Add reference").click()
        page.get_by_label("Name").fill(name)
        page.get_by_label("E-mail address").fill(email)
        page.get_by_role("button", name="Save reference").click()
        # A saved reference opens on its own page; back to the provider for the next one.
        expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()
        page.locator(".breadcrumb").get_by_role("link", name="Ledgerline").click()

    page.get_by_role("link", name="Dana Brooks").click()
    page.get_by_role("link", name="Record a check").click()
    for question in (
        "understand their field",
        "meet deadlines",
        "communication",
        "quality of their work",
    ):
        page.get_by_role("group", name=re.compile(question)).get_by_label("5").check()
    page.get_by_role("group", name="Would you hire them again?").get_by_label("Yes").check()
    page.get_by_role("button", name="Record the check").click()
    expect(page.get_by_text("The check with Dana Brooks is recorded.")).to_be_visible()

    page.get_by_role("link", name="Ledgerline").click()
    expect(page.get_by_text("From 1 reference check")).to_be_visible()
    first_score = page.locator(".reputation-score").inner_text()

    page.get_by_role("link", name="Luis Romero").click()
    page.get_by_role("button", name="Send the questions").click()
    expect(
        page.get_by_text("The questions are on their way to luis@orchard.example")
    ).to_be_visible()
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/reference-check/" in line)

    # The reference, logged out, opens the link in the e-mail.
    answer = new_page(browser, live_server)
    answer.goto(link.strip())
    expect(answer.get_by_role("heading", name="A few questions about Ledgerline")).to_be_visible()
    answer.get_by_role("group", name=re.compile("meet deadlines")).get_by_label("4").check()
    answer.get_by_role("group", name=re.compile("quality of their work")).get_by_label("4").check()
    answer.get_by_role("button", name="Send my answers").click()
    expect(answer.get_by_role("heading", name="Thank you")).to_be_visible()
    answer.goto(link.strip())
    expect(answer.get_by_role("heading", name="This link cannot be used")).to_be_visible()
    answer.context.close()

    page.get_by_role("link", name="Ledgerline").click()
    expect(page.get_by_text("From 2 reference checks")).to_be_visible()
    assert page.locator(".reputation-score").inner_text() != first_score

    open_section(page, "Analyses")
    page.get_by_role("link", name="Shortlist for Bookkeeping").click()
    for name in ("Ledgerline", "Evergreen"):
        page.get_by_label("Add a candidate").select_option(label=name)
        page.get_by_role("button", name="Add to the shortlist").click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Ledgerline")
    expect(rows.nth(0)).to_contain_text("2 of 2 checked")
    expect(rows.nth(1)).to_contain_text("Evergreen")
    expect(rows.nth(1)).to_contain_text("not enough information")
