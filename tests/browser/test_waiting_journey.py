"""Waiting for us, end to end in Chromium, by clicking only: the owner sends a task from the
home page; the provider's contact logs in to the portal and delivers it; the owner finds it on
the dashboard's "Waiting for us" card, opens it and accepts it with a rating; the Tasks page's
"Waiting for us" tab counts 0 again."""

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import OWNER, PRIYA, log_in, new_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ZONE = ZoneInfo("America/Chicago")


@pytest.fixture
def setting(acme_books):
    return acme_books


def nav(page, name):
    """A link of the section navigation."""
    return page.get_by_role("navigation").get_by_role("link", name=re.compile(name)).first


def test_delivered_work_waits_on_the_dashboard_until_accepted(browser, live_server, page, setting):
    # The owner sends a task: from the home page to the engagement, then "Send a task".
    log_in(page, *OWNER)
    nav(page, "Engagements").click()
    page.get_by_role("link", name="Monthly books").click()
    page.get_by_role("link", name="Send a task").click()
    page.get_by_label("Title").fill("Close the November books")
    due = datetime.combine(datetime.now(ZONE).date() + timedelta(days=2), time(17), ZONE)
    page.get_by_label("Due").fill(due.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name=re.compile("Send")).click()
    expect(page.get_by_role("heading", name=re.compile("Close the November books"))).to_be_visible()
    # With the provider: our actions only; their steps are behind the disclosure.
    expect(page.get_by_text(re.compile("With the provider since"))).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Nudge"))).to_be_visible()
    expect(page.get_by_role("button", name="Acknowledge on their behalf")).to_be_hidden()

    # Priya logs in (a second browser) and delivers it in the portal, by clicking.
    provider = new_page(browser, live_server)
    log_in(provider, *PRIYA)
    provider.get_by_role("link", name=re.compile("open task")).click()
    provider.get_by_role("link", name="Close the November books").click()
    for verb in ("Acknowledge", "Start work"):
        provider.get_by_role("button", name=verb).click()
        expect(provider.get_by_role("button", name=verb)).to_have_count(0)
    provider.get_by_label("Note").fill("Books closed; the package is attached.")
    provider.get_by_role("button", name="Deliver").click()
    expect(provider.get_by_text("Delivered").first).to_be_visible()
    provider.context.close()

    # The owner finds it on the dashboard's "Waiting for us" card and accepts it with a rating.
    nav(page, "Dashboard").click()
    card = page.locator("#waiting")
    expect(card.get_by_role("heading", name=re.compile("Waiting for us"))).to_be_visible()
    card.get_by_role("link", name="Close the November books").click()
    expect(page.get_by_text(re.compile("Waiting for us since"))).to_be_visible()
    expect(page.locator("h1 .status")).to_have_text("Delivered")
    page.get_by_label("Quality (1–5)").select_option("5")
    page.get_by_role("button", name="Accept").click()
    expect(page.locator("h1 .status")).to_have_text("Accepted")

    # Nothing waits any more.
    nav(page, "Tasks").click()
    tab = page.get_by_role("link", name=re.compile(r"Waiting for us"))
    expect(tab).to_contain_text("(0)")
    tab.click()
    expect(page.get_by_text("0 tasks")).to_be_visible()
