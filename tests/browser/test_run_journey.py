"""Run, end to end in Chromium: the owner sends a task; the provider's contact logs in to the
portal, acknowledges, starts and delivers it; the owner accepts it with a rating and sees it on
time; an issue nobody answers climbs the escalation ladder."""

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from handoff.work import issues
from tests.browser.conftest import log_in, new_page, open_section

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ZONE = ZoneInfo("America/Chicago")


@pytest.fixture
def setting(acme_books):
    return acme_books


def test_a_task_goes_out_comes_back_on_time_and_an_unanswered_issue_climbs(
    browser, live_server, setting
):
    org, engagement = setting
    owner = new_page(browser, live_server)
    log_in(owner, "olivia@acme.example", "a-Strong-passw0rd")

    # The owner sends the task from the engagement's page, due tomorrow at 5 pm.
    open_section(owner, "Engagements")
    owner.get_by_role("link", name="Monthly books").click()
    owner.get_by_role("link", name="Send a task").click()
    owner.get_by_label("Title").fill("Close the October books")
    owner.get_by_label("Details").fill("Statements: https://files.example/oct\nThanks!")
    due = datetime.combine(datetime.now(ZONE).date() + timedelta(days=1), time(17), ZONE)
    owner.get_by_label("Due").fill(due.strftime("%Y-%m-%dT%H:%M"))
    owner.get_by_role("button", name=re.compile("Send")).click()
    expect(owner.get_by_role("heading", name=re.compile("Close the October books"))).to_be_visible()
    expect(owner.locator("h1 .status")).to_have_text("Requested")
    expect(owner.get_by_role("link", name="https://files.example/oct")).to_be_visible()

    # The provider's contact logs in and lands in the portal, where the task waits.
    provider = new_page(browser, live_server)
    log_in(provider, "priya@ledgerline.example", "priya-Portal-9")
    expect(provider).to_have_url(re.compile(r"/portal/acme/"))
    open_section(provider, "Tasks")
    provider.get_by_role("link", name="Close the October books").click()
    for verb in ("Acknowledge", "Start work"):
        provider.get_by_role("button", name=verb).click()
        expect(provider.get_by_role("button", name=verb)).to_have_count(0)
    provider.get_by_label("Note").fill("Books closed; package attached.")
    provider.get_by_role("button", name="Deliver").click()
    expect(provider.get_by_text("Delivered").first).to_be_visible()
    # The portal never opens the organization's own pages: no link leads there, and asking for
    # one with the contact's session is a 404 (a request, not a typed visit).
    expect(provider.get_by_role("link", name=re.compile("Dashboard|Providers"))).to_have_count(0)
    assert provider.request.get("/o/acme/providers/").status == 404

    # The owner finds it waiting for us under Tasks and accepts it with a rating; it was
    # delivered before the due time.
    open_section(owner, "Tasks")
    owner.get_by_role("link", name=re.compile("Waiting for us")).click()
    owner.get_by_role("link", name="Close the October books").click()
    expect(owner.locator("h1 .status")).to_have_text("Delivered")
    owner.get_by_label("Quality (1–5)").select_option("5")
    owner.get_by_role("button", name="Accept").click()
    expect(owner.locator("h1 .status")).to_have_text("Accepted")
    expect(owner.get_by_text("on time")).to_be_visible()

    # An issue about the task, high severity: one hour for a first response.
    owner.get_by_role("link", name="Raise an issue about this task").click()
    owner.get_by_label("Title").fill("Payroll accrual missing")
    owner.get_by_label("Severity").select_option("high")
    owner.get_by_label("Description").fill("The October payroll accrual is not booked.")
    owner.get_by_role("button", name="Raise the issue").click()
    expect(owner.get_by_text(re.compile("A response is due by"))).to_be_visible()

    # Nobody answers; the sweep runs after the target has passed.
    assert issues.escalate_overdue(datetime.now(ZONE) + timedelta(hours=1, minutes=5)) == 1
    # The owner finds the issue from the navigation.
    open_section(owner, "Issues")
    owner.get_by_role("link", name="Payroll accrual missing").click()
    expect(owner.get_by_text(re.compile("Escalated to level 1"))).to_be_visible()

    owner.context.close()
    provider.context.close()
