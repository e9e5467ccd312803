"""A manager imports a bank statement through the page by clicking: the file is checked
(every row's match or reason), then imported, leaving out a deposit."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from handoff.accounts import services as accounts
from handoff.payables.models import Payment
from handoff.providers import services as providers
from tests.browser.conftest import log_in, open_section
from tests.factories import UserFactory, principal_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_import_a_bank_statement_dry_run_then_import(page, live_server, tmp_path):
    owner = UserFactory(name="Olivia Owner", email="olivia@acme.example")
    org = accounts.create_organization(
        user=owner,
        name="Acme Dental",
        slug="acme",
        time_zone="America/Chicago",
        currency="USD",
        states=["IL"],
    )
    providers.create_provider(
        principal_for(owner, org),
        data={"name": "Sam Rivera Design", "kind": "firm", "status": "active"},
    )
    day = org.today() - timedelta(days=10)
    statement = tmp_path / "bank.csv"
    statement.write_text(
        "Date,Description,Amount,Reference\n"
        f"{day.isoformat()},SAM RIVERA DESIGN,-850.00,CHK 101\n"
        f"{day.isoformat()},Client deposit,1200.00,\n"
    )
    log_in(page, "olivia@acme.example", "a-Strong-passw0rd")

    open_section(page, "Payments")
    page.get_by_role("link", name="Import from accounting").first.click()
    page.get_by_label("The file is").select_option("bank_statement")
    page.get_by_label("CSV file").set_input_files(str(statement))
    page.get_by_role("button", name="Check the file").click()

    expect(page.get_by_text("Sam Rivera Design (by name)")).to_be_visible()
    expect(page.get_by_text("Money in (a deposit or a refund), not a payment.")).to_be_visible()
    assert not Payment.objects.exists()

    page.get_by_role("button", name="Import, leaving out the skipped rows").click()
    expect(page.get_by_text("1 payments recorded")).to_be_visible()
    expect(page.get_by_role("cell", name="CHK 101")).to_be_visible()
    assert Payment.objects.get().reference == "CHK 101"
