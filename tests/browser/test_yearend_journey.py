"""Year-end 1099-NEC from the dashboard: an owner whose 2025 payments to a contractor crossed
the threshold sees on the dashboard that the 2025 forms are past due (due Feb 2, 2026), clicks
through to the 1099 list, exports the CSV for e-filing, marks the year filed through IRIS with
its confirmation number, and the dashboard no longer reports it.

The clock is the machine's own: any day after 2026-02-02 (the deadline for 2025 payments) the
2025 forms are past due, so no clock is moved under the live server's threads. The payments
are recorded with their dates confirmed, so they stay valid once 2025 is more than two tax
years back."""

import csv
import io
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from handoff.accounts import services as accounts
from handoff.compliance import services as comply
from handoff.compliance.models import Filing1099
from handoff.payables import services as payables
from handoff.providers import services as providers
from tests.browser.conftest import field_label, log_in, open_section
from tests.compliance.conftest import pdf_upload
from tests.factories import UserFactory, principal_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIN = "900-00-4567"  # area 900: never issued
PAST_DUE = "1 form for 2025 was due Feb 2, 2026"


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
        principal_for(owner, sam.organization),
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
        tin=TIN,
        upload=pdf_upload(),
    )
    for paid_on, amount in [(date(2025, 4, 10), "450.00"), (date(2025, 9, 12), "800.00")]:
        payables.record_payment(
            principal_for(owner, org),
            provider_id=sam.pk,
            data={"paid_on": paid_on, "amount": Decimal(amount), "method": "check"},
            confirm_date=True,
        )
    log_in(page, "olivia@acme.example", "a-Strong-passw0rd")
    return org


def forms_card(page):
    return page.locator("#forms_1099")


def test_past_due_1099s_from_the_dashboard_to_filed(page, owner_with_2025_payments):
    org = owner_with_2025_payments
    open_section(page, "Dashboard")
    card = forms_card(page)
    expect(card).to_contain_text(PAST_DUE)
    expect(card).to_contain_text("past due, not marked filed")

    # Through to the 2025 list.
    card.get_by_role("link", name=PAST_DUE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("1099-NEC for payments made in 2025")
    expect(page.get_by_text("Past due.")).to_be_visible()
    row = page.get_by_role("row", name=re.compile("Sam Rivera Design"))
    expect(row).to_contain_text("Needed")

    # The export for the e-filing service.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export for e-filing (CSV)").click()
    content = Path(download_info.value.path()).read_text(encoding="utf-8")
    (line,) = list(csv.DictReader(io.StringIO(content)))
    assert line["tax_year"] == "2025" and line["recipient_tin"] == TIN
    assert line["box1_nonemployee_compensation"] == "1250.00"

    # Mark the year filed through IRIS, a bad try first: the confirmation is needed.
    form = page.get_by_role("region", name="Mark the 2025 forms filed")
    form.get_by_label(field_label("Date filed")).fill("2026-01-20")
    form.get_by_label("IRS IRIS portal").check()
    form.get_by_role("button", name="Mark 2025 filed").click()
    expect(page.get_by_text(re.compile("Enter the confirmation number"))).to_be_visible()
    assert not Filing1099.objects.filter(organization=org).exists()
    form = page.get_by_role("region", name="Mark the 2025 forms filed")
    form.get_by_label(field_label("Confirmation number")).fill("1099-R-20260120-7781")
    form.get_by_role("button", name="Mark 2025 filed").click()
    expect(page.get_by_text("The 2025 1099-NEC forms are marked filed.")).to_be_visible()
    expect(
        page.get_by_text(
            re.compile(
                r"^Filed\. The 2025 forms were filed on Jan 20, 2026 through IRIS, "
                r"confirmation 1099-R-20260120-7781"
            )
        )
    ).to_be_visible()
    filing = Filing1099.objects.filter(organization=org).get()
    assert filing.tax_year == 2025 and filing.method == "iris"

    # The dashboard no longer reports it.
    open_section(page, "Dashboard")
    card = forms_card(page)
    expect(card).not_to_contain_text(PAST_DUE)
    expect(card).to_contain_text("The 2025 forms were marked filed on Jan 20, 2026")
