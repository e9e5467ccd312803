"""Who approves invoices: Ada, Acme's admin, goes from the home page to Pay · Invoices → Who
approves, limits what a manager approves and asks for a second approver above an amount, and
adds a rule for Bookkeeping. Mona, a manager, then finds Ledgerline's invoice over her limit:
the page refuses her approval and says why; Ada approves it. On a phone, the page is reached
by the same clicks. Everything after logging in is done by clicking."""

import re
from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from handoff.accounts.models import Membership, User
from handoff.core.roles import Role
from handoff.payables import services
from handoff.payables.models import ApprovalRule, ApprovalSettings, Invoice
from tests.browser.conftest import OWNER, PRIYA, field_label, log_in, new_page, open_section
from tests.factories import UserFactory, principal_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADA = ("ada@acme.example", OWNER[1])
MONA = ("mona@acme.example", OWNER[1])


def _member(org, name, email, password, role):
    user = UserFactory(name=name, email=email)
    user.set_password(password)
    user.save()
    Membership.objects.create(organization=org, user=user, role=role)
    return user


@pytest.fixture
def january_invoice(acme_books):
    """Ada (an admin), Mona (a manager), and Ledgerline's January fee of 1,250.00 that Priya
    submitted in the portal (through the service), waiting for approval."""
    org, engagement = acme_books
    _member(org, "Ada Admin", *ADA, Role.ADMIN)
    _member(org, "Mona Manager", *MONA, Role.MANAGER)
    priya = User.objects.get(email=PRIYA[0])
    fee = Decimal("1250.00")
    invoice = services.submit_invoice(
        principal_for(priya, org),
        engagement,
        {
            "number": "LL-2026-01",
            "issued_on": date(2026, 1, 31),
            "period_start": date(2026, 1, 1),
            "period_end": date(2026, 1, 31),
            "amount": fee,
        },
        [dict(kind="fee", description="January", quantity=1, unit_price=fee, amount=fee)],
    )
    assert invoice.flags == []
    return org, invoice


def _who_approves(page):
    open_section(page, "Invoices")
    page.get_by_role("link", name="Who approves", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Who approves invoices")).to_be_visible()


def test_an_admin_sets_limits_and_a_rule_and_a_manager_over_the_limit_is_refused(
    browser, live_server, page, january_invoice
):
    org, invoice = january_invoice
    log_in(page, *ADA)
    _who_approves(page)
    settings = page.locator("form", has=page.get_by_role("button", name="Save who approves"))
    settings.get_by_label(field_label("A manager approves up to")).fill("1000.00")
    settings.get_by_label(field_label("A second approver above")).fill("5000.00")
    settings.get_by_role("button", name="Save who approves").click()
    expect(page.get_by_text("Who approves invoices is saved.")).to_be_visible()
    expect(page.get_by_label(field_label("A manager approves up to"))).to_have_value("1000.00")
    expect(page.get_by_label(field_label("A second approver above"))).to_have_value("5000.00")

    rule = page.locator("form", has=page.get_by_role("heading", name="Add a rule"))
    rule.get_by_label(field_label("Or a business function")).select_option(label="Bookkeeping")
    rule.get_by_label(field_label("Least role that approves")).select_option(label="Manager")
    rule.get_by_role("button", name="Add the rule").click()
    expect(page.get_by_text("The rule is added.")).to_be_visible()
    listed = page.get_by_role("row", name=re.compile("Function “Bookkeeping”"))
    expect(listed).to_contain_text("Manager")
    saved = ApprovalSettings.objects.all_organizations().get(organization=org)
    assert (saved.manager_limit, saved.second_approver_above) == (
        Decimal("1000.00"),
        Decimal("5000.00"),
    )
    assert ApprovalRule.objects.all_organizations().get(organization=org).function.name == (
        "Bookkeeping"
    )

    mona = new_page(browser, live_server)
    log_in(mona, *MONA)
    open_section(mona, "Invoices")
    mona.get_by_role("row", name=re.compile("LL-2026-01")).get_by_role(
        "link", name="LL-2026-01"
    ).click()
    expect(mona.get_by_role("heading", name="Invoice LL-2026-01")).to_be_visible()
    approval = mona.locator("#approval")
    expect(approval).to_contain_text(
        "The rule for Bookkeeping: a manager or above approves it. Managers approve up to "
        "1,000.00, less than its total."
    )
    expect(approval).to_contain_text(
        "Invoice LL-2026-01 is for 1,250.00, above a manager's limit of 1,000.00: someone with "
        "a higher limit approves it."
    )
    expect(approval.get_by_role("button", name="Approve")).to_have_count(0)
    mona.context.close()

    open_section(page, "Invoices")
    page.get_by_role("row", name=re.compile("LL-2026-01")).get_by_role(
        "link", name="LL-2026-01"
    ).click()
    page.locator("#approval").get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Invoice LL-2026-01 is approved.")).to_be_visible()
    expect(page.locator(".actions .status", has_text=re.compile("^Approved$"))).to_be_visible()
    invoice.refresh_from_db()
    assert invoice.status == "approved"
    assert [a.approver.email for a in invoice.approvals.all()] == [ADA[0]]
    assert Invoice.objects.all_organizations().filter(organization=org).count() == 1


def test_on_a_phone_the_admin_reaches_who_approves_by_clicking(
    browser, live_server, january_invoice
):
    phone = new_page(browser, live_server, width=390, height=844)
    log_in(phone, *ADA)
    _who_approves(phone)
    save = phone.get_by_role("button", name="Save who approves")
    save.scroll_into_view_if_needed()
    expect(save).to_be_visible()
    box = save.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    # The page itself does not scroll sideways on a phone (only the section row does).
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.context.close()
