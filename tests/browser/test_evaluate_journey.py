"""Evaluate, end to end in Chromium: the owner lands on the dashboard after logging in, follows
an overdue item to its task, opens the provider's scorecard from the standings and sees its
chart and table, then exports the quarterly review as a PDF."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from handoff.accounts import services as accounts
from handoff.decisions.models import BusinessFunction
from handoff.engagements.models import Engagement, EngagementFunction
from handoff.providers.models import Provider
from handoff.work.models import Task
from tests.browser.conftest import log_in, open_section
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def setting(live_server):
    owner = UserFactory(name="Olivia Owner", email="olivia@acme.example")
    org = accounts.create_organization(
        user=owner,
        name="Acme Dental",
        slug="acme",
        time_zone="America/Chicago",
        currency="USD",
        states=["IL"],
    )
    provider = Provider.objects.create(
        organization=org, name="Ledgerline", kind="firm", status="active"
    )
    engagement = Engagement.objects.create(
        organization=org,
        provider=provider,
        title="Monthly books",
        amount=Decimal("1250"),
        start_date=date(2026, 1, 1),
        status="active",
    )
    EngagementFunction.objects.create(
        organization=org,
        engagement=engagement,
        function=BusinessFunction.objects.filter(organization=org).get(name="Bookkeeping"),
    )
    now = timezone.now()
    Task.objects.create(
        organization=org,
        engagement=engagement,
        title="Reconcile the bank accounts",
        due_at=now - timedelta(days=1),
        status="in_progress",
    )
    for hours, late in ((3, False), (2, True)):
        due = now - timedelta(hours=hours)
        Task.objects.create(
            organization=org,
            engagement=engagement,
            title=f"Weekly payroll {hours}",
            due_at=due,
            status="accepted",
            delivered_at=due + timedelta(minutes=30 if late else -30),
            first_delivered_at=due + timedelta(minutes=30 if late else -30),
            quality_rating=4,
        )
    return org, provider


def test_from_the_dashboard_to_the_task_the_scorecard_and_the_review_pdf(page, setting):
    org, provider = setting
    log_in(page, "olivia@acme.example", "a-Strong-passw0rd")
    expect(page).to_have_url(re.compile(r"/o/acme/dashboard/$"))
    expect(page.get_by_role("heading", name="Dashboard", exact=True)).to_be_visible()
    expect(page.locator(".lifecycle a[aria-current]")).to_contain_text("Dashboard")

    # The overdue card lists the late task; following it opens the task.
    overdue = page.locator("#overdue")
    expect(overdue.locator(".dash-count")).to_have_text("1")
    overdue.get_by_role("link", name="Reconcile the bank accounts").click()
    expect(
        page.get_by_role("heading", name=re.compile("Reconcile the bank accounts"))
    ).to_be_visible()

    # Back on the dashboard, the standings link to the provider's scorecard.
    open_section(page, "Dashboard")
    standings = page.locator("#standings")
    expect(standings.locator("svg")).to_be_visible()
    standings.get_by_role("link", name="Ledgerline", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/o/acme/providers/{provider.pk}/scorecard/"))
    expect(page.locator("svg[role=img]").first).to_be_visible()
    expect(page.locator("table").first).to_contain_text("On time")

    # The quarterly review from the provider's page opens on the last complete quarter; one
    # click forward is this quarter, exported as a PDF.
    page.locator(".breadcrumb").get_by_role("link", name="Ledgerline", exact=True).click()
    page.get_by_role("link", name="Quarterly review").click()
    expect(page.get_by_role("heading", name="Business review: Ledgerline")).to_be_visible()
    page.get_by_role("navigation", name="Periods").get_by_role("link", name=re.compile("→")).click()
    expect(page).to_have_url(re.compile(r"period=quarter"))
    expect(page.get_by_role("heading", name="Business review: Ledgerline")).to_be_visible()
    expect(page.locator("svg[role=img]").first).to_be_visible()
    expect(page.get_by_text("Weekly payroll 2")).to_be_visible()  # the late one is a miss
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"
    pdf_link = page.get_by_role("link", name="Download PDF").get_attribute("href")
    assert f"/o/acme/providers/{provider.pk}/review.pdf?period=quarter" in pdf_link
    response = page.request.get(pdf_link)
    assert response.headers["content-type"] == "application/pdf"
