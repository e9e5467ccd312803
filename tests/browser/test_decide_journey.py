"""An owner weighs outsourcing claims billing: a new business function, the in-house roles,
two quotes, the comparison with its chart, and the decision on record."""

import re

import pytest
from playwright.sync_api import expect

from handoff.accounts import services as accounts
from handoff.accounts.models import Membership
from handoff.core.roles import Role
from handoff.providers import services as providers
from tests.browser.conftest import field_label, log_in, open_section
from tests.factories import UserFactory, principal_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def manager_logged_in(page, live_server):
    owner = UserFactory(name="Olivia Owner", email="olivia@acme.example")
    org = accounts.create_organization(
        user=owner,
        name="Acme Dental",
        slug="acme",
        time_zone="America/New_York",
        currency="USD",
        states=["OH"],
    )
    manager = UserFactory(name="Mona Manager", email="mona@acme.example")
    Membership.objects.create(organization=org, user=manager, role=Role.MANAGER)
    providers.create_provider(
        principal_for(owner, org),
        data={"name": "ClearClaim Billing", "kind": "firm", "status": "prospect"},
    )
    log_in(page, "mona@acme.example", "a-Strong-passw0rd")
    return org


def test_a_manager_weighs_outsourcing_and_decides(page, manager_logged_in, tmp_path):
    screenshot_dir = tmp_path
    open_section(page, "Analyses")
    page.get_by_role("link", name="Business functions").click()
    page.get_by_label("New business function").fill("Insurance claims")
    page.get_by_role("button", name="Add function").click()
    expect(page.get_by_text("Insurance claims was added.")).to_be_visible()
    page.get_by_role("link", name="Make-or-buy analyses of Insurance claims").click()

    page.get_by_role("link", name="Start an analysis").click()
    page.get_by_label("Unit of work").fill("claim")
    page.get_by_label("Volume a month").fill("640")
    page.get_by_role("button", name="Start the analysis").click()
    expect(page.get_by_role("heading", name="Insurance claims: make or buy")).to_be_visible()

    # In-house: a salaried billing specialist and a part-time helper paid by the hour.
    page.get_by_role("link", name="Add a role").click()
    expect(page.get_by_label("Benefits load, % of wages")).to_have_value("24.3")
    page.get_by_label("Title").fill("Billing specialist")
    page.get_by_label(field_label("Annual salary")).fill("46000")
    page.get_by_role("button", name="Save the role").click()
    expect(page.get_by_text("The role Billing specialist was saved.")).to_be_visible()
    page.get_by_role("link", name="Add a role").click()
    page.get_by_label("Title").fill("Front-desk helper")
    page.get_by_label("Paid by the hour").check()
    page.get_by_label(field_label("Hourly wage")).fill("17")
    page.get_by_label("Paid hours a year, per person").fill("520")
    page.get_by_role("button", name="Save the role").click()

    page.get_by_role("link", name="Edit the in-house option").click()
    page.get_by_label("State unemployment rate, %").fill("2.7")
    page.get_by_label("State unemployment wage base").fill("9000")
    page.get_by_label(field_label("Manager's supervising hours")).fill("6")
    page.get_by_label(field_label("Manager's hours per")).select_option(label="a month")
    page.get_by_label("Manager's hourly cost").fill("55")
    page.get_by_label("One value for every freed staff hour").fill("40")
    page.get_by_role("button", name="Save the in-house option").click()
    # Specialist: 46,000 + 24.3% benefits 11,178 + taxes (2,852 + 667 + 42 + 243) = 60,982.
    # Helper: 17 × 520 = 8,840 + 2,148.12 + taxes (548.08 + 128.18 + 42 + 238.68) = 11,945.06.
    # Manager: 6 × 55 × 12 = 3,960. Together 76,887.06.
    expect(
        page.get_by_text("Doing it in-house costs $76,887.06 a year for 2 people")
    ).to_be_visible()

    # Two quotes: per claim with a volume tier, and a flat monthly fee.
    page.get_by_role("link", name="Add a quote").click()
    page.get_by_label(field_label("Provider")).select_option(label="ClearClaim Billing")
    page.get_by_label("Per unit × volume").check()
    page.get_by_label("Fee, rate or unit price (USD)").fill("4.25")
    page.get_by_label("Unit name").fill("claim")
    expect(page.get_by_label("Hours or units a month")).to_have_value("640.00")
    page.get_by_label("Volume tiers").fill("1000, , 3.75")
    page.get_by_label("One-time transition cost").fill("2000")
    page.get_by_label(field_label("Our oversight hours")).fill("4")
    page.get_by_label(field_label("Oversight hours per")).select_option(label="a month")
    page.get_by_label("Cost of an oversight hour").fill("55")
    page.get_by_label("Turnaround promised").fill("Claims out the next business day")
    page.get_by_role("button", name="Save the quote").click()
    page.get_by_role("link", name="Add a quote").click()
    page.get_by_label("Who quoted").fill("Harbor Billing Co.")
    page.get_by_label("Fee, rate or unit price (USD)").fill("3200")
    page.get_by_role("button", name="Save the quote").click()
    expect(page.get_by_text("The quote of Harbor Billing Co. was saved.")).to_be_visible()

    # The comparison: 640 × 4.25 × 12 = 32,640 + oversight 4 × 55 × 12 = 2,640 → 35,280.
    # Savings 76,887.06 − 35,280 = 41,607.06 (54.1%). Break-even: (76,887.06 − 2,640) / 12 =
    # 6,187.26 a month; 1,000 claims cost 4,250, the rest buys 1,937.26 / 3.75 = 516.6 more.
    # Payback 2,000 / 3,467.26 a month = 0.6. Hours: 2,080 + 520 + 72 − 48 = 2,624; each at
    # its person's rate: the staff's 2,600 at the $40 set for them (104,000), the manager's 72
    # at $55 (3,960), less our 48 hours of oversight at $55 (2,640) = 105,320.
    expect(
        page.get_by_text(
            "ClearClaim Billing costs $35,280.00 a year, $41,607.06 (54.1%) less than doing it "
            "in-house; it stays cheaper up to 1,516.6 claims a month. Its $2,000.00 transition "
            "cost pays back in 0.6 months. It frees 2,624 hours a year, worth $105,320.00 with "
            "each hour at the rate of the person whose hour it is."
        )
    ).to_be_visible()
    expect(page.get_by_text("Harbor Billing Co. costs $38,400.00 a year")).to_be_visible()
    # The hours freed say whose they are: the manager's at the manager's cost, not the staff's.
    manager = page.locator("table.freed").get_by_role("row", name=re.compile("^Manager's"))
    expect(manager).to_contain_text("6 h/month")
    expect(manager).to_contain_text("$55.00 an hour")
    expect(manager).to_contain_text("$3,960.00")
    chart = page.locator("figure.chart svg")
    expect(chart).to_be_visible()
    expect(chart).to_have_attribute("aria-label", "Annual cost by volume of claims")
    # +50%, 960 claims, still below the tier: 960 × 4.25 × 12 = 48,960 + 2,640 = 51,600.
    row = page.get_by_role("table", name="Annual cost by volume").get_by_role(
        "row", name=re.compile(r"^960")
    )
    expect(row).to_contain_text("$76,887.06")
    expect(row).to_contain_text("$51,600.00")
    expect(row).to_contain_text("$38,400.00")
    page.screenshot(path=str(screenshot_dir / "decide-analysis.png"), full_page=True)

    page.get_by_role("link", name="Record the decision").click()
    page.get_by_label("ClearClaim Billing — $35,280.00").check()
    page.get_by_label("Why").fill("Saves $41,600 a year and frees the front desk for patients.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Decided: ClearClaim Billing.")).to_be_visible()
    expect(page.get_by_text("Planned savings")).to_be_visible()
    expect(page.get_by_role("link", name="Add a quote")).to_have_count(0)
