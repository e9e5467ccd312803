"""A manager enters our oversight of a provider the way people count it — 2 hours a week —
and sees it kept as entered, counted as 104 hours a year, and valued at the oversight rate in
the hours freed."""

from decimal import Decimal as D

import pytest
from playwright.sync_api import expect

from handoff.accounts import services as accounts
from handoff.accounts.models import Membership
from handoff.core.roles import Role
from handoff.decisions import services as decisions
from handoff.decisions.models import BusinessFunction, Quote
from tests.browser.conftest import field_label, log_in, open_section
from tests.decisions.conftest import BOOKKEEPER
from tests.factories import UserFactory, principal_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def analysis(page, live_server):
    """Acme's bookkeeping analysis with its bookkeeper in-house; the manager logs in."""
    owner = UserFactory(name="Olivia Owner", email="olivia@acme.example")
    org = accounts.create_organization(
        user=owner, name="Acme Dental", slug="acme", time_zone="America/New_York",
        currency="USD", states=["OH"],
    )  # fmt: skip
    manager = UserFactory(name="Mona Manager", email="mona@acme.example")
    Membership.objects.create(organization=org, user=manager, role=Role.MANAGER)
    analysis = decisions.start_analysis(
        principal_for(owner, org),
        BusinessFunction.objects.filter(organization=org).get(name="Bookkeeping"),
        data={"year": 2026, "volume_unit": "invoice", "monthly_volume": D(400)},
    )
    decisions.add_role(principal_for(owner, analysis.organization), analysis, data=BOOKKEEPER)
    log_in(page, "mona@acme.example", "a-Strong-passw0rd")
    return analysis


def test_oversight_entered_per_week_is_shown_as_entered_and_counted_a_year(page, analysis):
    open_section(page, "Analyses")
    page.get_by_role("link", name="2026, 400 invoices a month").click()
    expect(page.get_by_role("heading", name="Bookkeeping: make or buy")).to_be_visible()

    page.get_by_role("link", name="Add a quote").click()
    page.get_by_label("Who quoted").fill("Ledgerline")
    page.get_by_label(field_label("Fee, rate or unit price (USD)")).fill("1250")
    page.get_by_label(field_label("Our oversight hours")).fill("2")
    page.get_by_label(field_label("Oversight hours per")).select_option(label="a week")
    page.get_by_label(field_label("Cost of an oversight hour")).fill("60")
    page.get_by_role("button", name="Save the quote").click()
    expect(page.get_by_text("The quote of Ledgerline was saved.")).to_be_visible()

    # Shown back as entered, with the year it makes: 2 × 52 = 104 hours, never 8.67 a month.
    quotes = page.locator("#quotes")
    expect(quotes).to_contain_text("our oversight 2 h/week (104 h a year) at $60.00 an hour")
    freed = page.locator("section[aria-labelledby=freed-h]")
    expect(freed).to_contain_text("Less our oversight of Ledgerline")
    expect(freed).to_contain_text("as entered: 2 h/week, 104 h a year")
    expect(freed).to_contain_text("the cost of an oversight hour")
    quote = Quote.objects.get(name="Ledgerline")
    assert (quote.oversight_hours, quote.oversight_period) == (D("2.00"), "week")

    # Editing it offers the figure as entered, not a converted one.
    page.get_by_role("link", name="Edit the quote of Ledgerline").click()
    expect(page.get_by_label(field_label("Our oversight hours"))).to_have_value("2.00")
    expect(page.get_by_label(field_label("Oversight hours per"))).to_have_value("week")
