"""A newcomer's first run: sign up from the home page, create the organization, find the
getting-started list on the dashboard, do the first steps by following its links, and see them
ticked. Only clicks after the home page; no inner URL is typed."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.browser.conftest import field_label, open_section

pytestmark = pytest.mark.django_db(transaction=True)


def step(page, label):
    """The getting-started list's item for ``label``."""
    return page.locator("#getting-started li").filter(
        has=page.get_by_role("link", name=label, exact=True)
    )


def test_a_newcomer_signs_up_and_works_through_the_getting_started_list(
    page, live_server, settings
):
    settings.SITE_URL = live_server.url
    page.goto("/")
    page.get_by_role("link", name="Create an account").click()
    page.get_by_label(field_label("Your name")).fill("Nadia Newcomer")
    page.get_by_label(field_label("E-mail address")).fill("nadia@corner-bakery.example")
    page.get_by_role("button", name="E-mail me the link").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()

    # She opens the link in the e-mail and chooses her password.
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/accounts/signup/" in line)
    page.goto(link.strip())
    page.get_by_label(field_label("Password")).fill("a-Strong-passw0rd")
    page.get_by_role("button", name="Create account").click()

    page.get_by_label(field_label("Business name")).fill("Corner Bakery")
    page.get_by_role("button", name="Create organization").click()
    expect(page.get_by_text("Corner Bakery is ready.")).to_be_visible()

    # A new organization lands on its dashboard, which opens on the getting-started list.
    started = page.locator("#getting-started")
    expect(started.get_by_role("heading", name=re.compile("Getting started"))).to_be_visible()
    expect(started).to_contain_text("0 of 8 done")
    # Nothing to check yet reads as such, not as "all is well".
    expect(page.get_by_text("No provider yet, so no W-9 to collect.")).to_be_visible()
    expect(page.get_by_text("Every paid or engaged provider has a W-9 on file.")).to_have_count(0)

    # Step 1, by the list's own link.
    started.get_by_role("link", name="Add a provider", exact=True).click()
    expect(page.get_by_role("heading", name="Add a provider")).to_be_visible()
    page.get_by_label(field_label("Name")).fill("Flour & Co Bookkeeping")
    page.get_by_role("button", name="Add provider").click()
    expect(page.get_by_role("heading", name="Flour & Co Bookkeeping")).to_be_visible()

    open_section(page, "Dashboard")
    expect(step(page, "Add a provider")).to_contain_text("✓")
    expect(step(page, "Add a provider")).to_contain_text("done")
    expect(step(page, "Record a payment")).to_contain_text("to do")
    expect(started).to_contain_text("1 of 8 done")

    # Another step: record a payment to the new provider.
    started.get_by_role("link", name="Record a payment", exact=True).click()
    page.get_by_label(field_label("Provider")).select_option(label="Flour & Co Bookkeeping")
    page.get_by_label(field_label("Amount")).fill("450.00")
    page.get_by_role("button", name="Record the payment").click()
    expect(page.get_by_text(re.compile("450"))).not_to_have_count(0)

    open_section(page, "Dashboard")
    expect(step(page, "Add a provider")).to_contain_text("✓")
    expect(step(page, "Record a payment")).to_contain_text("✓")
    expect(started).to_contain_text("2 of 8 done")
    expect(step(page, "Send a first task")).to_contain_text("to do")

    # The task step explains why a task needs an active engagement first.
    started.get_by_role("link", name="Send a first task", exact=True).click()
    expect(page.get_by_role("heading", name="New task")).to_be_visible()
    expect(page.get_by_text("There is no active engagement yet")).to_be_visible()
    page.get_by_role("link", name="Go to Engagements").click()
    expect(page.get_by_role("heading", name="Engagements", exact=True)).to_be_visible()
