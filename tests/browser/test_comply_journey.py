"""An owner checks an individual contractor's status and reports their payments: the
assessment factor by factor, the result and its reasons, the W-9, payments across the 2025
threshold, the 1099-NEC list and its export."""

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfWriter

from handoff.accounts import services as accounts
from handoff.compliance.models import W9
from handoff.providers import services as providers
from tests.browser.conftest import field_label, log_in, open_section
from tests.factories import UserFactory, principal_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIN = "900-00-6789"  # area 900: never issued
COMPLY = re.compile("Contractors|Compliance")  # the section's link in the navigation


@pytest.fixture
def owner_logged_in(page, live_server):
    owner = UserFactory(name="Olivia Owner", email="olivia@acme.example")
    org = accounts.create_organization(
        user=owner,
        name="Acme Dental",
        slug="acme",
        time_zone="America/Chicago",
        currency="USD",
        states=["OH"],
    )
    providers.create_provider(
        principal_for(owner, org),
        data={
            "name": "Sam Rivera Design",
            "kind": "individual",
            "entity_type": "sole_proprietor",
            "status": "active",
        },
    )
    log_in(page, "olivia@acme.example", "a-Strong-passw0rd")
    return org


def answer(page, question: str, choice: str, evidence: str):
    group = page.get_by_role("group", name=re.compile("^" + re.escape(question)))
    group.get_by_label(choice, exact=True).check()
    group.get_by_label("Evidence").fill(evidence)


def test_assess_enter_a_w9_pay_across_the_threshold_and_export(page, owner_logged_in, tmp_path):
    open_section(page, "Providers")
    page.get_by_role("link", name="Sam Rivera Design").click()
    card = page.locator("#comply")
    expect(card.get_by_text("not assessed")).to_be_visible()
    card.get_by_role("link", name="Assess their status").click()

    expect(page.get_by_text("Guidance, not legal advice.", exact=True)).to_be_visible()
    answer(page, "Do you decide when and where", "No", "Works from her own studio, own hours.")
    answer(page, "Do you tell the worker how to do the work", "No", "We approve designs only.")
    answer(page, "Does the worker use equipment", "Yes", "Her own Mac and design software.")
    answer(page, "Does the worker offer the same services", "Yes", "Portfolio site, 12 clients.")
    answer(page, "Do you pay a regular wage", "No", "Fixed price per brochure.")
    answer(page, "Can the worker make a profit", "Yes", "Fixed quotes; revisions at her cost.")
    answer(page, "Does the worker receive employee-type benefits", "No", "None from us.")
    answer(page, "Is the relationship expected to go on", "Yes", "Open-ended, as needed.")
    page.get_by_label("A year of payments").fill("8000")
    page.get_by_role("button", name="See the result").click()

    expect(
        page.get_by_role("heading", name="Sam Rivera Design: Likely independent contractor")
    ).to_be_visible()
    expect(page.get_by_text("Guidance, not legal advice.", exact=True)).to_be_visible()
    toward_employee = page.locator("h3", has_text="Pointing toward employee").locator("..")
    expect(toward_employee.get_by_text("Open-ended, as needed.")).to_be_visible()
    toward_contractor = page.locator("h3", has_text="Pointing toward independent").locator("..")
    expect(toward_contractor.get_by_text("Portfolio site, 12 clients.")).to_be_visible()
    expect(page.get_by_text(re.compile("Put the status in the written agreement"))).to_be_visible()
    # 8,000 below the wage base: 10.68% = 854.40, plus FUTA 0.6% of 7,000 = 42.
    expect(page.get_by_text(re.compile(r"If the 1099s were filed: \$896\.40"))).to_be_visible()
    page.screenshot(path=str(tmp_path / "assessment.png"), full_page=True)

    # The W-9.
    page.get_by_role("link", name="Sam Rivera Design").first.click()
    page.locator("#comply").get_by_role("link", name="Enter the W-9").click()
    page.get_by_role("link", name="Enter the W-9").click()
    page.get_by_label("Legal name").fill("Samantha Rivera")
    page.get_by_label("Business name").fill("Sam Rivera Design")
    page.get_by_label("Federal tax classification").select_option(
        label="Individual/sole proprietor"
    )
    page.get_by_label("Social security number (SSN)").check()
    page.get_by_label(field_label("TIN")).fill(TIN)
    page.get_by_label("Address").fill("9 Canal St")
    page.get_by_label("City").fill("Dayton")
    page.get_by_label("State").fill("OH")
    page.get_by_label("ZIP code").fill("45402")
    page.get_by_label("Date signed").fill("2025-01-06")
    pdf = tmp_path / "w9.pdf"
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    with pdf.open("wb") as handle:
        writer.write(handle)
    page.get_by_label("Signed W-9").set_input_files(str(pdf))
    page.get_by_role("button", name="Save the W-9").click()
    expect(page.get_by_text("The W-9 of Sam Rivera Design is on file.")).to_be_visible()
    expect(page.get_by_text("•••-••-6789")).to_be_visible()
    assert TIN not in page.content() and TIN not in page.url
    assert W9.objects.get().tin_last4 == "6789"

    # Payments: $450 stays under 2025's $600 threshold; another $200 crosses it.
    def record(amount, day):
        open_section(page, "Payments")
        page.get_by_role("link", name="Record a payment").click()
        page.get_by_label("Provider").select_option(label="Sam Rivera Design")
        page.get_by_label("Date paid").fill(day)
        page.get_by_label("Amount").fill(amount)
        page.get_by_label("Method").select_option(label="Check")
        page.get_by_role("button", name="Record the payment").click()
        expect(page.get_by_text(re.compile(f"Recorded {amount}"))).to_be_visible()

    def open_tax_year(year):
        # Comply's 1099-NEC tab opens on the oldest past year still to file, else this year;
        # the other years with payments are links beside it.
        open_section(page, COMPLY)
        page.get_by_role("link", name="1099-NEC").click()
        heading = page.get_by_role("heading", name=re.compile("^1099-NEC for payments made in"))
        expect(heading).to_be_visible()
        other_year = page.get_by_role("navigation", name="Tax years").get_by_role(
            "link", name=str(year), exact=True
        )
        if other_year.count():
            other_year.click()
        expect(heading).to_have_text(f"1099-NEC for payments made in {year}")

    record("450.00", "2025-03-14")
    open_tax_year(2025)
    row = page.get_by_role("row", name=re.compile("Sam Rivera Design"))
    expect(row.get_by_text("Below the year's threshold")).to_be_visible()

    record("200.00", "2025-11-20")
    open_tax_year(2025)
    expect(page.get_by_text("1 payee needs a 1099-NEC")).to_be_visible()
    row = page.get_by_role("row", name=re.compile("Sam Rivera Design"))
    expect(row.get_by_text("Needed")).to_be_visible()
    expect(row.get_by_text("$650.00").first).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export for e-filing (CSV)").click()
    content = Path(download_info.value.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(content)))
    assert [
        (r["recipient_name"], r["recipient_tin"], r["box1_nonemployee_compensation"]) for r in rows
    ] == [("Samantha Rivera", TIN, "650.00")]
