"""An owner, on a phone, asks the IRS about a payee's name and TIN: the request file from TIN
checks, the IRS's answer uploaded, the mismatch's case, the IRS's notice with the B notice's
dates, and the case on the payee's W-9 page and the Comply overview. And a contractor Ohio
wants reported to its new-hire registry, marked reported from State reports."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from handoff.accounts import services as accounts
from handoff.accounts.models import User
from handoff.compliance.models import BNotice, TinCheck
from handoff.providers.models import Provider
from tests.browser.conftest import field_label, log_in, open_section
from tests.compliance.conftest import pay, record_w9
from tests.factories import ProviderFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COMPLY = re.compile("Contractors|Compliance")


@pytest.fixture
def owner_on_a_phone(page, live_server):
    owner = UserFactory(name="Olivia Owner", email="olivia@acme.example")
    org = accounts.create_organization(
        user=owner,
        name="Acme Dental",
        slug="acme",
        time_zone="America/Chicago",
        currency="USD",
        states=["OH"],
    )
    sam = ProviderFactory(organization=org, name="Sam Rivera Design", kind="individual")
    record_w9(sam, owner, legal_name="Sam Rivera")
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "olivia@acme.example", "a-Strong-passw0rd")
    return org


def test_a_mismatch_found_by_tin_matching_becomes_a_b_notice_case(page, owner_on_a_phone, tmp_path):
    org = owner_on_a_phone
    open_section(page, COMPLY)
    page.get_by_role("link", name="TIN checks").click()
    asking = page.get_by_role("region", name="To check with the IRS")
    expect(asking.get_by_text("1 payee with a W-9 the IRS has not answered yet")).to_be_visible()

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download the request file").click()
    request = download_info.value.path().read_text(encoding="ascii")
    (line,) = request.splitlines()
    assert re.fullmatch(r"2;900001234;Sam Rivera;W9N\d+", line)

    # The IRS answers "3": the name and TIN do not match.
    answered = tmp_path / "results.txt"
    answered.write_text(f"{line};3\r\n", encoding="ascii")
    page.get_by_label("The IRS's result file").set_input_files(str(answered))
    page.get_by_label("Date of the result").fill("2026-03-02")
    page.get_by_role("button", name="Record the results").click()
    expect(page.get_by_text("0 matched, 1 did not match")).to_be_visible()
    assert TinCheck.objects.get(organization=org).result == 3

    # TIN Matching alone asks Sam for a corrected W-9; it does not start backup withholding.
    cases = page.get_by_role("region", name="Name/TIN mismatches")
    expect(cases.get_by_text("Ask for a corrected, signed W-9 by Mar 23, 2026")).to_be_visible()
    answers = page.get_by_role("region", name="Recent answers")
    expect(answers.get_by_text("No match")).to_be_visible()
    cases.get_by_label("W-9 requested on").fill("2026-03-09")
    cases.get_by_role("button", name="Record the request sent").click()
    expect(page.get_by_text("Recorded the request for a corrected W-9 to Sam")).to_be_visible()
    expect(cases.get_by_text("Corrected W-9 requested Mar 9, 2026")).to_be_visible()

    # The IRS's CP2100 names Sam too: the B notice and, after 30 business days, withholding.
    notice = page.get_by_role("region", name="Record an IRS notice")
    notice.get_by_label(field_label("Payee")).select_option(label="Sam Rivera Design (Sam Rivera)")
    cp2100 = "IRS notice CP2100 or CP2100A"
    notice.get_by_label(field_label("IRS notice")).select_option(label=cp2100)
    notice.get_by_label(field_label("Date received")).fill("2026-04-01")
    notice.get_by_role("button", name="Record the notice").click()
    expect(page.get_by_text("send the B notice by April 22, 2026")).to_be_visible()
    expect(cases.get_by_text("Send the first B notice by Apr 22, 2026")).to_be_visible()
    expect(cases.get_by_text("payments since May 13, 2026")).to_be_visible()
    cases.get_by_label("B notice sent on").fill("2026-04-06")
    cases.get_by_role("button", name="Record the B notice sent").click()
    expect(cases.get_by_text("First B notice sent Apr 6, 2026")).to_be_visible()

    cases.get_by_role("link", name="Sam Rivera Design").click()
    expect(page.get_by_text("name and TIN do not match")).to_be_visible()
    expect(page.get_by_text("No match")).to_be_visible()

    open_section(page, COMPLY)
    overview = page.get_by_role("region", name="Name/TIN mismatches")
    expect(overview.get_by_text("B notice sent Apr 6, 2026")).to_be_visible()
    case = BNotice.objects.get(organization=org)
    assert case.is_open and case.from_irs_notice


def test_a_contractor_the_state_wants_reported_is_marked_reported(page, owner_on_a_phone):
    org = owner_on_a_phone  # an Ohio practice: Ohio wants individual contractors reported
    sam = Provider.objects.get(organization=org, name="Sam Rivera Design")
    owner = User.objects.get(email="olivia@acme.example")
    pay(org, owner, sam, "700.00", date(2026, 3, 2))
    open_section(page, COMPLY)
    page.get_by_role("link", name="State reports").click()
    page.get_by_label("Payments made in").select_option("2026")
    page.get_by_role("button", name="Show").click()
    row = page.get_by_role("article", name="Sam Rivera Design, OH")
    expect(row.get_by_text("due Mar 22, 2026")).to_be_visible()
    row.get_by_text("What the report asks").click()
    expect(row.get_by_text("•••-••-1234")).to_be_visible()
    row.get_by_label("Reported on").fill("2026-03-10")
    row.get_by_label("Confirmation").fill("OH-55512")
    row.get_by_role("button", name="Mark reported").click()
    expect(
        page.get_by_text("Recorded Sam Rivera Design as reported to OH for 2026.")
    ).to_be_visible()
    row = page.get_by_role("article", name="Sam Rivera Design, OH")
    expect(row.get_by_text("reported Mar 10, 2026")).to_be_visible()
    expect(row.get_by_text("Confirmation OH-55512.")).to_be_visible()
