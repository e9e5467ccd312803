"""Waiting for us, end to end in Chromium, by clicking only: the owner sends a task from the
home page; the provider's contact logs in to the portal and delivers it; the owner finds it on
the dashboard's "Waiting for us" card, opens it and accepts it with a rating; the Tasks page's
"Waiting for us" tab counts 0 again."""

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from handoff.accounts import services as accounts
from handoff.accounts.models import Membership
from handoff.decisions.models import BusinessFunction
from handoff.engagements import services as engagements
from handoff.providers import services as providers
from handoff.work import portal
from tests.browser.conftest import log_in, new_page
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ZONE = ZoneInfo("America/Chicago")
OWNER = ("olivia@acme.example", "a-Strong-passw0rd")
PRIYA = ("priya@ledgerline.example", "priya-Portal-9")


@pytest.fixture
def setting(live_server):
    """Acme Dental, its provider Ledgerline under an active engagement with the owner and Priya
    as point people, and Priya's portal login (all through the services)."""
    owner = UserFactory(name="Olivia Owner", email=OWNER[0])
    org = accounts.create_organization(
        user=owner,
        name="Acme Dental",
        slug="acme",
        time_zone="America/Chicago",
        currency="USD",
        states=["IL"],
    )
    provider = providers.create_provider(
        org, actor=owner, data={"name": "Ledgerline", "kind": "firm", "status": "active"}
    )
    priya = providers.create_contact(
        provider, actor=owner, data={"name": "Priya Raman", "email": PRIYA[0]}
    )
    engagement = engagements.create_engagement(
        org,
        actor=owner,
        provider_id=provider.pk,
        function_ids=[BusinessFunction.objects.for_org(org).get(name="Bookkeeping").pk],
        data={
            "title": "Monthly books",
            "pricing_model": "flat",
            "amount": "1250.00",
            "start_date": date(2026, 1, 1),
        },
    )
    engagements.update_plan(
        engagement,
        actor=owner,
        our_point_person_id=owner.pk,
        their_point_person_id=priya.pk,
        issue_contact_id=priya.pk,
        preferred_channel="portal",
        meeting_cadence="monthly",
    )
    engagements.move_status(engagement, actor=owner, to_status="active")
    membership = Membership.objects.get(organization=org, user=owner)
    access, _token = portal.invite(org, actor_membership=membership, contact=priya)
    portal.accept_with_new_account(access, name="Priya Raman", password=PRIYA[1])
    return org, engagement


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
