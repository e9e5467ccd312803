"""Filing 2025's 1099-NEC through IRIS, by clicking from the home page: the 1099 list's "File
through IRIS" shows the payer's details missing with a link to the settings; the owner fills
them in, comes back through Comply → 1099-NEC and downloads the IRIS CSV, which follows the
year's layout. The clock is the machine's own (any day after 2025 ends)."""

import csv
import io
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from handoff.accounts import services as accounts
from handoff.compliance import iris_layouts
from handoff.compliance import services as comply
from handoff.core.models import AuditEvent
from handoff.payables import services as payables
from handoff.providers import services as providers
from tests.browser.conftest import field_label, log_in, open_section
from tests.compliance.conftest import pdf_upload
from tests.factories import UserFactory, principal_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def owner_with_2025_payments(page, live_server):
    owner = UserFactory(name="Olivia Owner", email="olivia@acme.example")
    org = accounts.create_organization(
        user=owner,
        name="Acme Dental",
        slug="acme",
        time_zone="America/Chicago",
        currency="USD",
        states=["OH"],
    )
    sam = providers.create_provider(
        principal_for(owner, org),
        data={
            "name": "Sam Rivera Design",
            "kind": "individual",
            "entity_type": "sole_proprietor",
            "status": "active",
        },
    )
    comply.record_w9(
        principal_for(owner, org),
        sam,
        data={
            "legal_name": "Sam Rivera",
            "business_name": "Sam Rivera Design",
            "tax_classification": "individual",
            "llc_classification": "",
            "exempt_payee_code": "",
            "is_attorney": False,
            "tin_type": "ssn",
            "street": "4 Oak Ave",
            "city": "Columbus",
            "state": "OH",
            "postal_code": "43004",
            "signed_on": date(2025, 2, 1),
        },
        tin="900-00-4567",
        upload=pdf_upload(),
    )
    payables.record_payment(
        principal_for(owner, org),
        provider_id=sam.pk,
        data={"paid_on": date(2025, 9, 12), "amount": Decimal("1250.00"), "method": "check"},
        confirm_date=True,
    )
    log_in(page, "olivia@acme.example", "a-Strong-passw0rd")
    return org


def test_from_home_to_the_iris_file(page, owner_with_2025_payments):
    org = owner_with_2025_payments
    open_section(page, re.compile("Comply|Compliance"))
    page.get_by_role("navigation", name="Comply").get_by_role("link", name="1099-NEC").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "1099-NEC for payments made in 2025"
    )  # the oldest year still to file
    page.get_by_role("link", name="File through IRIS").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("File the 2025 1099-NEC through IRIS")
    expect(page.get_by_text("No file until the payer's details are complete.")).to_be_visible()
    expect(page.get_by_text(re.compile("OH.*check with the state"))).to_be_visible()

    # Fix the payer's details where the page points.
    page.get_by_role("link", name="Fix in the Comply settings").first.click()
    page.get_by_label(field_label("Payer's TIN type")).select_option("ein")
    page.get_by_label(field_label("Payer's TIN")).fill("00-1234567")
    page.get_by_label(field_label("Payer's address")).fill("1 Main St")
    page.get_by_label(field_label("Payer's city")).fill("Chicago")
    page.get_by_label(field_label("Payer's state")).fill("IL")
    page.get_by_label(field_label("Payer's ZIP code")).fill("60601")
    page.get_by_label(field_label("Payer's phone")).fill("312 555 0100")
    page.get_by_role("button", name="Save the settings").click()
    expect(page.get_by_text("The Comply settings were saved.")).to_be_visible()

    # Back to the year and download.
    page.get_by_role("navigation", name="Comply").get_by_role("link", name="1099-NEC").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "1099-NEC for payments made in 2025"
    )  # the oldest year still to file
    page.get_by_role("link", name="File through IRIS").click()
    expect(page.get_by_text("1 return ready")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the IRIS file (CSV)").click()
    assert download_info.value.suggested_filename == "iris-1099-nec-2025.csv"
    content = Path(download_info.value.path()).read_text(encoding="utf-8")
    reader = csv.reader(io.StringIO(content))
    header = next(reader)
    assert header == iris_layouts.layout_for("1099-NEC", 2025).headers
    (row,) = [dict(zip(header, line, strict=True)) for line in reader]
    assert row["Recipient TIN"] == "900004567" and row["Payer TIN"] == "001234567"
    assert row["Payer Name Line 1"] == "Acme Dental"
    assert row["Box 1 - Nonemployee Compensation"] == "1250.00"
    assert AuditEvent.objects.filter(organization=org, action="nec.iris_exported").count() == 1
