"""A manager sends an engagement's agreement for signature from its page; the provider's signer,
on a phone and without an account, opens the e-mailed link, agrees to sign electronically and
signs (drawing his signature too); then the manager signs for the organization through their
own link and downloads the sealed copy. The engagement's agreement is signed, the request is
listed as signed by all, and the verify page finds the downloaded PDF intact and names both
signers."""

import re
from datetime import date

import pytest
from django.core import mail
from playwright.sync_api import expect

from handoff.accounts import services as accounts
from handoff.accounts.models import Membership
from handoff.core.roles import Role
from handoff.decisions.models import BusinessFunction
from handoff.engagements import services as engagements
from handoff.engagements.models import SignedAgreement
from handoff.signatures.models import SignatureRequest
from tests.browser.conftest import field_label, log_in, new_page, open_section
from tests.browser.test_crawl import OVERFLOW
from tests.factories import ContactFactory, ProviderFactory, UserFactory, principal_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LEE = "lee@ledger.example"
MONA = "mona@acme.example"


@pytest.fixture
def manager_logged_in(page, live_server, settings):
    """Acme Dental, its manager Mona logged in, and a drafted engagement with Ledgerline, whose
    contact Lee has an e-mail address."""
    settings.SITE_URL = live_server.url  # the e-mailed links point at this test's server
    owner = UserFactory(name="Olivia Owner", email="olivia@acme.example")
    org = accounts.create_organization(
        user=owner,
        name="Acme Dental",
        slug="acme",
        time_zone="America/Chicago",
        currency="USD",
        states=["IL"],
    )
    mona = UserFactory(name="Mona Manager", email=MONA)
    Membership.objects.create(organization=org, user=mona, role=Role.MANAGER)
    provider = ProviderFactory(organization=org, name="Ledgerline", kind="individual")
    ContactFactory(organization=org, provider=provider, name="Lee Ledger", email=LEE)
    engagements.create_engagement(
        principal_for(owner, org),
        provider_id=provider.pk,
        function_ids=[BusinessFunction.objects.filter(organization=org).get(name="Bookkeeping").pk],
        data={
            "title": "Monthly books",
            "pricing_model": "flat",
            "amount": "1250.00",
            "start_date": date(2026, 1, 1),
            "end_date": date(2026, 12, 31),
        },
    )
    log_in(page, MONA, "a-Strong-passw0rd")
    return org


def fits_the_screen(page):
    """The page does not scroll sideways (the crawl's check, with what sticks out if it does)."""
    overflow = page.evaluate(OVERFLOW)
    assert overflow is None, f"{page.url} scrolls sideways: {overflow}"


def test_an_agreement_is_signed_by_both_sides_in_the_app(
    page, manager_logged_in, browser, live_server, tmp_path
):
    org = manager_logged_in

    # Mona generates the agreement and sends it for signature, Ledgerline's contact first.
    open_section(page, "Engagements")
    page.get_by_role("link", name="Monthly books").click()
    agreement = page.locator("#agreement")
    expect(agreement.get_by_text("Not generated yet.")).to_be_visible()
    agreement.get_by_role("button", name="Generate the agreement").click()
    expect(page.get_by_text("Agreement version 1 is ready to download.")).to_be_visible()
    page.locator("#agreement").get_by_role("link", name="Send for signature").click()

    expect(page.get_by_role("heading", name="Send agreement v1 for signature")).to_be_visible()
    expect(page.get_by_label(field_label("Their signer's name"))).to_have_value("Lee Ledger")
    expect(page.get_by_label(field_label("Their signer's e-mail"))).to_have_value(LEE)
    who_signs = page.get_by_label(field_label("Who signs for us"))
    expect(who_signs.locator("option:checked")).to_have_text(f"Mona Manager ({MONA})")
    expect(who_signs.locator("option")).to_have_count(2)  # the owner could sign instead
    expect(page.get_by_label("The provider, then us")).to_be_checked()
    expect(page.get_by_label(field_label("Links work for (days)"))).to_have_value("14")
    page.get_by_role("button", name="Send for signature").click()

    expect(
        page.get_by_text("Version 1 is out for signature; the first signer has the link.")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Written agreement Sent for signature")).to_be_visible()
    expect(
        page.locator("#agreement").get_by_role("link", name="signature request: out for signature")
    ).to_be_visible()
    # Only the first signer has a link so far.
    assert [message.to for message in mail.outbox] == [[LEE]]

    # Lee opens the link in the e-mail on his phone, not logged in to anything.
    lee_link = next(
        line.strip()
        for message in mail.outbox
        if message.to == [LEE]
        for line in message.body.splitlines()
        if "/sign/" in line
    )
    lee = new_page(browser, live_server, width=390, height=844)
    lee.goto(lee_link)
    expect(lee.get_by_role("heading", name="Agreement v1: Monthly books")).to_be_visible()
    expect(lee.get_by_role("heading", name="Before you sign electronically")).to_be_visible()
    fits_the_screen(lee)
    lee.get_by_role("button", name="Agree and continue").click()
    expect(lee.get_by_text(re.compile("^Tick the box to agree"))).to_be_visible()
    lee.get_by_label("I have read the notice and agree to sign electronically.").check()
    lee.get_by_role("button", name="Agree and continue").click()

    document = lee.get_by_role("link", name="Open the document (PDF)")
    expect(document).to_be_visible()
    expect(document).to_have_attribute("href", re.compile(r"/sign/[\w-]+/document\.pdf$"))
    sha256 = SignatureRequest.objects.get(organization=org).document_sha256
    expect(lee.get_by_text(sha256, exact=True)).to_be_visible()
    expect(lee.get_by_text("Signers, in order: Lee Ledger, Mona Manager.")).to_be_visible()
    fits_the_screen(lee)
    name = lee.get_by_label(field_label("Type your full name to sign"))
    expect(name).to_have_value("Lee Ledger")  # filled in with the name it was sent to
    name.fill("")
    lee.get_by_role("button", name="Sign", exact=True).click()
    expect(lee.get_by_text("Type your full name to sign.", exact=True)).to_be_visible()
    expect(lee.get_by_text("Tick the box to confirm you sign this document.")).to_be_visible()
    lee.get_by_label(field_label("Type your full name to sign")).fill("Lee A. Ledger")
    # He also draws his signature on the pad, one stroke across it.
    expect(lee.get_by_text("Draw your signature (optional)")).to_be_visible()
    pad = lee.get_by_role("img", name=re.compile("^Signature pad"))
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    assert box["width"] <= 390
    lee.mouse.move(box["x"] + box["width"] * 0.1, box["y"] + box["height"] * 0.7)
    lee.mouse.down()
    for step in range(1, 9):
        x = box["x"] + box["width"] * (0.1 + 0.1 * step)
        lee.mouse.move(x, box["y"] + box["height"] * (0.3 if step % 2 else 0.7), steps=4)
    lee.mouse.up()
    expect(lee.locator("input[name=drawn_signature]")).to_have_value(
        re.compile("^data:image/png;base64,")
    )
    lee.get_by_label("I have read the document above and sign it.").check()
    lee.get_by_role("button", name="Sign", exact=True).click()

    expect(lee.get_by_role("heading", name="Thank you — you have signed")).to_be_visible()
    expect(
        lee.get_by_text(re.compile("Lee A. Ledger signed “Agreement v1: Monthly books”"))
    ).to_be_visible()
    expect(lee.get_by_text("The others still have to sign")).to_be_visible()
    expect(lee.get_by_role("link", name="Download the signed copy (PDF)")).to_have_count(0)
    fits_the_screen(lee)

    # Now it is Mona's turn: her link comes by e-mail, and she opens it in her own browser.
    assert [message.to for message in mail.outbox] == [[LEE], [MONA]]
    mona_link = next(
        line.strip()
        for message in mail.outbox
        if message.to == [MONA]
        for line in message.body.splitlines()
        if "/sign/" in line
    )
    mona = page.context.new_page()
    mona.goto(mona_link)
    expect(mona.get_by_role("heading", name="Before you sign electronically")).to_be_visible()
    mona.get_by_label("I have read the notice and agree to sign electronically.").check()
    mona.get_by_role("button", name="Agree and continue").click()
    expect(mona.get_by_role("link", name="Open the document (PDF)")).to_be_visible()
    expect(mona.get_by_text(sha256, exact=True)).to_be_visible()
    expect(
        mona.get_by_text("Signers, in order: Lee Ledger (signed), Mona Manager.")
    ).to_be_visible()
    mona.get_by_label(field_label("Type your full name to sign")).fill("Mona Manager")
    mona.get_by_label("I have read the document above and sign it.").check()
    mona.get_by_role("button", name="Sign", exact=True).click()

    expect(mona.get_by_role("heading", name="Signed by everyone")).to_be_visible()
    with mona.expect_download() as download_info:
        mona.get_by_role("link", name="Download the signed copy (PDF)").click()
    signed_pdf = tmp_path / "signed.pdf"
    download_info.value.save_as(signed_pdf)
    signed_bytes = signed_pdf.read_bytes()
    assert signed_bytes.startswith(b"%PDF-")
    # Both signers are mailed the signed copy.
    completed = [message for message in mail.outbox if message.subject.startswith("Signed by")]
    assert sorted(message.to[0] for message in completed) == [LEE, MONA]
    assert all(message.attachments[0][1] == signed_bytes for message in completed)
    mona.close()

    # Lee's link, opened again, now offers him the signed copy too.
    lee.reload()
    expect(lee.get_by_role("heading", name="Signed by everyone")).to_be_visible()
    with lee.expect_download() as lee_download:
        lee.get_by_role("link", name="Download the signed copy (PDF)").click()
    assert lee_download.value.path().read_bytes() == signed_bytes
    fits_the_screen(lee)
    lee.context.close()

    # Back on the engagement, the agreement is signed, with no upload.
    open_section(page, "Engagements")
    row = page.get_by_role("row", name=re.compile("Monthly books"))
    expect(row.get_by_text("Signed", exact=True)).to_be_visible()
    row.get_by_role("link", name="Monthly books").click()
    agreement = page.locator("#agreement")
    expect(agreement.get_by_role("heading", name="Written agreement Signed")).to_be_visible()
    expect(
        agreement.get_by_text(
            re.compile(r"by Lee A\. Ledger \(provider\); Mona Manager \(our organization\)")
        )
    ).to_be_visible()
    expect(agreement.get_by_role("link", name="Send for signature")).to_have_count(0)
    with page.expect_download() as on_file:
        agreement.get_by_role("link", name="Download signed copy").click()
    assert on_file.value.path().read_bytes() == signed_bytes
    assert SignedAgreement.objects.filter(organization=org).count() == 1

    # Among the signature requests it is signed by all, and its page has each one's record.
    open_section(page, "Engagements")
    page.get_by_role("link", name="Signature requests").click()
    expect(page.get_by_role("heading", name="Signature requests")).to_be_visible()
    request_row = page.get_by_role("row", name=re.compile("Agreement v1: Monthly books"))
    expect(request_row.get_by_text("signed by all", exact=True)).to_be_visible()
    expect(request_row.get_by_text("Lee Ledger (signed), Mona Manager (signed)")).to_be_visible()
    request_row.get_by_role("link", name="Agreement v1: Monthly books").click()
    expect(
        page.get_by_role("heading", name=re.compile("Agreement v1: Monthly books signed by all"))
    ).to_be_visible()
    expect(page.get_by_text(re.compile("Signed as “Lee A. Ledger”"))).to_be_visible()
    expect(page.get_by_role("img", name="Drawn signature of Lee A. Ledger")).to_be_visible()
    expect(page.get_by_text(re.compile("Signed as “Mona Manager”"))).to_be_visible()
    expect(page.get_by_role("button", name="Cancel the request")).to_have_count(0)

    # The verify page finds the downloaded copy intact and names who signed it.
    page.get_by_role("link", name="← Signature requests").click()
    page.get_by_role("link", name="Verify a signed PDF").click()
    expect(page.get_by_role("heading", name="Verify a signed document")).to_be_visible()
    page.get_by_label(field_label("The signed PDF")).set_input_files(str(signed_pdf))
    page.get_by_role("button", name="Verify").click()
    expect(
        page.get_by_role("heading", name="Intact: sealed here and unchanged since")
    ).to_be_visible()
    signers = page.get_by_role("listitem").filter(has_text=re.compile(r"— .* UTC"))
    expect(signers).to_have_count(2)
    expect(signers.nth(0)).to_contain_text(f"Lee A. Ledger (provider, {LEE})")
    expect(signers.nth(1)).to_contain_text(f"Mona Manager (our organization, {MONA})")

    # A copy changed by a single byte is not.
    changed = bytearray(signed_bytes)
    changed[len(changed) // 3] ^= 0x01
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(bytes(changed))
    page.get_by_label(field_label("The signed PDF")).set_input_files(str(tampered))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name="Not verified")).to_be_visible()
    expect(page.get_by_text("Lee A. Ledger", exact=False)).to_have_count(0)
