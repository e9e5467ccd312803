"""A newcomer's first visit: sign up, create the business, add a provider with a contact, find
it again, invite a colleague, open the API docs."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.browser.conftest import field_label, open_section

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_newcomer_sets_up_handoff(page, live_server, settings):
    settings.SITE_URL = live_server.url
    page.goto("/")  # a newcomer opens the home page; from here on, only clicks
    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("Your name").fill("Rosa Alvarez")
    page.get_by_label("E-mail address").fill("rosa@sunnybakery.example")
    page.get_by_role("button", name="E-mail me the link").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    # Rosa opens the link in the e-mail and chooses her password.
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/accounts/signup/" in line)
    page.goto(link.strip())
    page.get_by_label("Password").fill("Flour-and-Sugar-2026")
    page.get_by_role("button", name="Create account").click()

    expect(page).to_have_title(re.compile("New organization"))
    page.get_by_label("Business name").fill("Sunny Bakery")
    page.get_by_label("Time zone").select_option("America/Los_Angeles")
    page.get_by_label("California").check()
    page.get_by_role("button", name="Create organization").click()
    expect(page.get_by_text("Sunny Bakery is ready")).to_be_visible()

    page.locator("#getting-started").get_by_role("link", name="Add a provider").click()
    page.get_by_label(field_label("Name")).fill("Golden Ledger Bookkeeping")
    page.get_by_label("Bookkeeping").check()
    page.get_by_label("Entity type").select_option("single_member_llc")
    page.get_by_role("button", name="Add provider").click()
    expect(page.get_by_role("heading", name="Golden Ledger Bookkeeping")).to_be_visible()

    page.get_by_role("link", name="Add contact").click()
    page.get_by_label("Name").fill("Lena Park")
    page.get_by_label("E-mail address").fill("lena@goldenledger.example")
    page.get_by_role("button", name="Add contact").click()
    expect(page.get_by_role("cell", name="lena@goldenledger.example")).to_be_visible()

    open_section(page, "Providers")
    page.get_by_label("Search").fill("lena")
    expect(page.get_by_text("1 provider")).to_be_visible()
    expect(page.get_by_role("link", name="Golden Ledger Bookkeeping")).to_be_visible()

    open_section(page, "Members")
    page.get_by_role("link", name="Invite a member").click()
    page.get_by_label("E-mail address").fill("marco@sunnybakery.example")
    page.get_by_label("Role").select_option("manager")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("cell", name="marco@sunnybakery.example")).to_be_visible()
    assert mail.outbox[-1].to == ["marco@sunnybakery.example"]

    # The API's documentation is one click away, in the footer of every page.
    page.get_by_role("contentinfo").get_by_role("link", name="API", exact=True).click()
    expect(page).to_have_title("Handoff API")
    # Swagger UI draws the page from a large script and the schema: give it the page timeout.
    expect(page.locator(".swagger-ui")).to_be_visible(timeout=15_000)
    expect(page.get_by_text("Handoff API")).to_be_visible(timeout=15_000)
