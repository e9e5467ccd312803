"""An office manager sets up an engagement: terms, plan, a refused and then a successful
activation, the agreement PDF and its signed copy."""

import pytest
from playwright.sync_api import expect

from handoff.accounts import services as accounts
from handoff.accounts.models import Membership
from handoff.core.roles import Role
from handoff.providers import services as providers
from tests.browser.conftest import log_in, open_section
from tests.factories import UserFactory, principal_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def manager_logged_in(page, live_server):
    owner = UserFactory(name="Olivia Owner", email="olivia@acme.example")
    org = accounts.create_organization(
        user=owner,
        name="Acme Dental",
        slug="acme",
        time_zone="America/Chicago",
        currency="USD",
        states=["IL"],
    )
    manager = UserFactory(name="Mona Manager", email="mona@acme.example")
    Membership.objects.create(organization=org, user=manager, role=Role.MANAGER)
    provider = providers.create_provider(
        principal_for(owner, org),
        data={"name": "Ledgerline", "kind": "individual", "status": "active"},
    )
    for name in ("Priya Raman", "Tom Okafor"):
        providers.create_contact(
            principal_for(owner, provider.organization),
            provider,
            data={"name": name, "email": f"{name.split()[0].lower()}@ledgerline.example"},
        )
    log_in(page, "mona@acme.example", "a-Strong-passw0rd")
    return org


def test_an_engagement_from_draft_to_signed(page, manager_logged_in, tmp_path):
    open_section(page, "Engagements")
    page.get_by_role("link", name="New engagement").click()
    page.get_by_label("Provider").select_option(label="Ledgerline")
    page.get_by_label("Title").fill("Monthly bookkeeping")
    page.get_by_label("Bookkeeping").check()
    page.get_by_label("Fee, rate or unit price (USD)").fill("1250")
    page.get_by_label("Start date").fill("2026-01-01")
    page.get_by_label("End date").fill("2026-12-31")
    page.get_by_role("button", name="Draft engagement").click()
    expect(page.get_by_role("heading", name="Monthly bookkeeping")).to_be_visible()

    page.get_by_role("button", name="Activate").click()
    expect(
        page.get_by_text(
            "It cannot become active until the communication plan names our "
            "point person for new work; their point person for new work; their "
            "contact for issues."
        )
    ).to_be_visible()

    page.get_by_role("link", name="Edit plan").click()
    page.get_by_label("Our point person for new work").select_option(
        label="Mona Manager (mona@acme.example)"
    )
    page.get_by_label("Their point person for new work").select_option(label="Priya Raman")
    page.get_by_label("Their contact for issues").select_option(label="Tom Okafor")
    page.get_by_role("button", name="Save plan").click()
    expect(page.get_by_text("The communication plan was saved.")).to_be_visible()
    page.get_by_role("link", name="Back to the engagement").click()

    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_text("The engagement is now Active.")).to_be_visible()
    expect(page.get_by_text("active without a signed agreement")).to_be_visible()

    page.get_by_role("button", name="Generate the agreement").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    pdf_path = tmp_path / "agreement.pdf"
    download_info.value.save_as(pdf_path)
    assert pdf_path.read_bytes().startswith(b"%PDF-")

    page.get_by_role("link", name="Upload the signed copy", exact=True).click()
    page.get_by_label("Signed copy").set_input_files(str(pdf_path))
    page.get_by_label("Signers").fill("Olivia Owner; Priya Raman")
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_text("The signed agreement is on file.")).to_be_visible()
    expect(page.get_by_text("active without a signed agreement")).to_have_count(0)
