"""W-9 by link: a manager sends it, the contractor consents, fills and signs without an
account, and the signed substitute W-9 is on file (encrypted) with the record of signing."""

import hashlib
import io
import re
import threading
from datetime import date, timedelta
from functools import partial

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from handoff.compliance import jobs, onboarding, services, tin_matching, tins
from handoff.compliance.choices import MismatchSource
from handoff.compliance.models import W9, BNotice, ContractorStatement, OnboardingLink
from handoff.core.audit import AuditEvent
from handoff.core.principal import Principal
from handoff.providers.models import Contact
from tests.compliance.conftest import FAKE_SSN, pay, record_w9
from tests.conftest import client_for
from tests.factories import ProviderFactory, UserFactory, portal_login, principal_for

FORM = {
    "legal_name": "Jordan Lee",
    "business_name": "Jordan Lee IT",
    "tax_classification": "individual",
    "llc_classification": "",
    "exempt_payee_code": "",
    "tin_type": "ssn",
    "tin": FAKE_SSN,
    "street": "12 Elm St",
    "city": "Springfield",
    "state": "IL",
    "postal_code": "62701",
    "certified": "on",
    "signer_name": "Jordan Lee",
}


@pytest.fixture
def contact(org, jordan):
    return Contact.objects.create(
        organization=org, provider=jordan, name="Jordan Lee", email="Jordan@Example.com"
    )


def send(org, actor, provider, **kwargs):
    return onboarding.send_link(principal_for(actor, org), provider, **kwargs)


def link_path(raw: str) -> str:
    return reverse("compliance:onboarding_start", args=[raw])


def consented(org, manager, provider) -> tuple[OnboardingLink, str, Client]:
    link, raw = send(org, manager, provider, email="jordan@example.com")
    browser = Client(HTTP_USER_AGENT="Test browser 1.0")
    browser.post(link_path(raw), {"agree": "on"})
    return link, raw, browser


def sign(browser, raw, **changes):
    return browser.post(link_path(raw), {**FORM, **changes})


W9_FIELDS_ONLY = {
    key: value for key, value in FORM.items() if key not in ("tin", "certified", "signer_name")
}


class TestSending:
    def test_a_manager_mails_a_link_to_the_payees_contact(self, org, manager, jordan, contact):
        link, raw = send(org, manager, jordan)
        assert link.sent_to == "jordan@example.com" and link.status == "sent"
        assert link.token_hash != raw and raw not in str(link.__dict__)
        assert link.expires_at - link.created_at == timedelta(days=onboarding.LINK_VALID_DAYS)
        assert AuditEvent.objects.filter(organization=org, action="w9_link.sent").exists()

    def test_the_mail_carries_the_link(
        self, org, manager, jordan, contact, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            _, raw = send(org, manager, jordan)
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == ["jordan@example.com"]
        assert "asks for your Form W-9" in message.subject
        assert link_path(raw) in message.body

    def test_without_an_address_it_says_where_to_send_it(self, org, manager, jordan):
        with pytest.raises(ValidationError) as error:
            send(org, manager, jordan)
        assert "has no contact with one" in error.value.message_dict["email"][0]
        assert not OnboardingLink.objects.filter(organization=org).exists()

    def test_a_bad_address_is_refused(self, org, manager, jordan):
        with pytest.raises(ValidationError) as error:
            send(org, manager, jordan, email="not an address")
        assert "sent_to" in error.value.message_dict
        assert not OnboardingLink.objects.filter(organization=org).exists()

    def test_a_member_below_manager_cannot_send(self, org, member, jordan, contact):
        with pytest.raises(PermissionDenied):
            send(org, member, jordan)

    def test_a_new_link_withdraws_the_one_before(self, org, manager, jordan, contact):
        first, first_raw = send(org, manager, jordan)
        second, _ = send(org, manager, jordan)
        first.refresh_from_db()
        assert first.status == "revoked" and second.status == "sent"
        assert Client().get(link_path(first_raw)).status_code == 404

    def test_withdrawn_once(self, org, manager, jordan, contact):
        link, raw = send(org, manager, jordan)
        onboarding.withdraw(principal_for(manager, org), link)
        with pytest.raises(ValidationError, match="already withdrawn"):
            onboarding.withdraw(principal_for(manager, org), link)
        page = Client().get(link_path(raw))
        assert page.status_code == 404 and "withdrawn" in page.content.decode()


class TestTheContractorsPages:
    def test_consent_first_then_the_form(self, org, manager, jordan):
        link, raw = send(org, manager, jordan, email="jordan@example.com")
        browser = Client(HTTP_USER_AGENT="Test browser 1.0")
        page = browser.get(link_path(raw)).content.decode()
        assert "Before you sign electronically" in page and "15 U.S.C. §7001(c)" in page
        for disclosure in (
            "Paper instead",
            "A paper copy",
            "Withdrawing your consent",
            "What you need",
        ):
            assert disclosure in page
        link.refresh_from_db()
        assert link.status == "opened"
        refused = browser.post(link_path(raw), {})
        assert "Tick the box to agree" in refused.content.decode()
        link.refresh_from_db()
        assert link.consented_at is None
        assert browser.post(link_path(raw), {"agree": "on"}).status_code == 302
        link.refresh_from_db()
        assert link.status == "consented" and link.consent_version == onboarding.CONSENT_VERSION
        assert link.consent_address == "127.0.0.1" and link.consent_user_agent == "Test browser 1.0"
        form = browser.get(link_path(raw)).content.decode()
        assert "Under penalties of perjury, I certify that:" in form
        # Coming back later (another browser, same link) resumes at the form.
        assert "Sign the W-9" in Client().get(link_path(raw)).content.decode()

    def test_signing_puts_the_w9_on_file_with_the_record(self, org, manager, admin, jordan):
        link, raw, browser = consented(org, manager, jordan)
        response = sign(browser, raw)
        assert response.status_code == 302
        link.refresh_from_db()
        w9 = W9.objects.get(organization=org, provider=jordan)
        assert link.w9 == w9 and link.status == "signed" and link.signer_name == "Jordan Lee"
        assert w9.received_by is None and w9.signed_on == org.today()
        assert w9.masked_tin.endswith("1234") and tins.decrypt(w9.tin_encrypted) == "900001234"
        stored = w9.document.open("rb").read()
        w9.document.close()
        assert not stored.startswith(b"%PDF")  # encrypted at rest, like the TIN
        pdf = tins.decrypt_file(stored)
        assert pdf.startswith(b"%PDF") and hashlib.sha256(pdf).hexdigest() == link.document_sha256
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
        text = re.sub(r"\s+", " ", text)
        assert "Under penalties of perjury, I certify that:" in text
        assert "/s/ Jordan Lee" in text and "900-00-1234" in text and org.name in text
        assert AuditEvent.objects.filter(organization=org, action="w9_link.signed").exists()
        # The contractor sees the end page and downloads their copy.
        done = browser.get(link_path(raw)).content.decode()
        assert "your W-9 is signed" in done and link.document_sha256 in done
        copy = browser.get(reverse("compliance:onboarding_pdf", args=[raw]))
        assert b"".join(copy.streaming_content) == pdf
        # The organization's W-9 page says how it came.
        page = client_for(admin).get(reverse("compliance:w9", args=[org.slug, jordan.pk]))
        assert "signed electronically by Jordan Lee" in page.content.decode()

    def test_bad_input_changes_nothing(self, org, manager, jordan):
        link, raw, browser = consented(org, manager, jordan)
        for changes, message in (
            ({"tin": "123-45-678"}, "nine digits"),
            ({"tin": "666-12-3456"}, "666"),
            ({"certified": ""}, "under penalties of perjury"),
            ({"signer_name": "  "}, "Type your full name"),
            ({"state": "ZZ"}, "two-letter code"),
            ({"tax_classification": "llc"}, "C, S or P"),
        ):
            page = sign(browser, raw, **changes)
            assert page.status_code == 200, changes
            assert message in page.content.decode(), changes
        link.refresh_from_db()
        assert link.status == "consented"
        assert not W9.objects.filter(organization=org).exists()

    def test_a_half_filled_form_is_kept_without_the_tin(self, org, manager, jordan):
        link, raw, browser = consented(org, manager, jordan)
        partial = {"legal_name": "Jordan Q. Lee", "street": "9 Oak Ave", "tin": FAKE_SSN}
        saved = browser.post(link_path(raw), {**partial, "save": "1"}, follow=True)
        assert "Open the same link again to finish" in saved.content.decode()
        link.refresh_from_db()
        assert link.draft["legal_name"] == "Jordan Q. Lee" and "tin" not in link.draft
        assert FAKE_SSN not in str(link.draft) and FAKE_SSN.replace("-", "") not in str(link.draft)
        again = Client().get(link_path(raw)).content.decode()
        assert 'value="Jordan Q. Lee"' in again and 'value="9 Oak Ave"' in again
        # A refused submission keeps what was entered too; signing clears the draft.
        sign(browser, raw, city="Dayton", certified="")
        link.refresh_from_db()
        assert link.draft["city"] == "Dayton" and not W9.objects.exists()
        sign(browser, raw)
        link.refresh_from_db()
        assert link.draft == {} and link.status == "signed"

    def test_the_link_signs_once(self, org, manager, jordan):
        link, raw, browser = consented(org, manager, jordan)
        sign(browser, raw)
        again = sign(browser, raw, legal_name="Someone Else")
        assert "your W-9 is signed" in again.content.decode()
        assert W9.objects.filter(organization=org).count() == 1
        with pytest.raises(ValidationError):
            onboarding.sign_w9(
                Principal.for_link(link), data={}, tin=FAKE_SSN, signer_name="x",
                certified=True, address="", user_agent="",
            )  # fmt: skip

    def test_guessed_and_expired_links_say_nothing(self, org, manager, jordan):
        assert Client().get(link_path("guessed-token-1234567890")).status_code == 404
        link, raw = send(org, manager, jordan, email="jordan@example.com")
        OnboardingLink.objects.filter(pk=link.pk).update(expires_at=timezone.now())
        page = Client().get(link_path(raw))
        assert page.status_code == 404 and "expired" in page.content.decode()
        assert Client().post(link_path(raw), {"agree": "on"}).status_code == 404
        link.refresh_from_db()
        assert link.consented_at is None

    def test_the_copy_is_gone_when_the_link_expires(self, org, manager, jordan):
        link, raw, browser = consented(org, manager, jordan)
        sign(browser, raw)
        OnboardingLink.objects.filter(pk=link.pk).update(expires_at=timezone.now())
        assert browser.get(reverse("compliance:onboarding_pdf", args=[raw])).status_code == 404

    def test_a_link_records_only_its_own_payees_w9(self, org, manager, jordan):
        link, _ = send(org, manager, jordan, email="jordan@example.com")
        other = ProviderFactory(organization=org)
        with pytest.raises(PermissionDenied):
            record_w9_as(Principal.for_link(link), other)


def record_w9_as(principal, provider):
    from tests.compliance.conftest import W9_DATA, pdf_upload

    return services.record_w9(principal, provider, data=W9_DATA, tin=FAKE_SSN, upload=pdf_upload())


class TestWhatTheW9Does:
    def test_item_2_crossed_out_withholds_from_later_payments(self, org, manager, jordan):
        _, raw, browser = consented(org, manager, jordan)
        sign(browser, raw, item_2_crossed_out="on")
        w9 = W9.objects.get(organization=org)
        assert w9.item_2_crossed_out
        payment = pay(org, manager, jordan, "1000.00", org.today())
        assert payment.backup_withheld == 240

    def test_a_signed_w9_ends_a_first_notice_case(self, org, admin, manager, jordan):
        earlier = record_w9(jordan, manager, signed_on=date(2025, 1, 10))
        tin_matching.record_notice(
            principal_for(admin, org), w9=earlier, source=MismatchSource.CP2100,
            received_on=date(2026, 3, 2), second=False,
        )  # fmt: skip
        _, raw, browser = consented(org, manager, jordan)
        sign(browser, raw)
        case = BNotice.objects.get(organization=org)
        assert case.resolved_on is not None and "certified the TIN" in case.resolution


class TestThePages:
    def test_a_manager_sends_from_the_w9_page_and_follows_it(self, org, manager, jordan, contact):
        client = client_for(manager)
        w9_page = reverse("compliance:w9", args=[org.slug, jordan.pk])
        page = client.get(w9_page).content.decode()
        assert "Onboarding by link" in page and 'value="Jordan@Example.com"' in page
        sent = client.post(
            reverse("compliance:onboarding_send", args=[org.slug, jordan.pk]),
            {"email": "books@jordan.example"},
            follow=True,
        )
        assert "The link is on its way to books@jordan.example" in sent.content.decode()
        listing = client.get(reverse("compliance:onboarding_links", args=[org.slug]))
        assert "books@jordan.example" in listing.content.decode()
        sent_only = client.get(
            reverse("compliance:onboarding_links", args=[org.slug]) + "?status=signed"
        )
        assert "books@jordan.example" not in sent_only.content.decode()
        link = OnboardingLink.objects.get(organization=org)
        client.post(reverse("compliance:onboarding_withdraw", args=[org.slug, link.pk]))
        link.refresh_from_db()
        assert link.status == "revoked"

    def test_a_viewer_reads_but_cannot_send(self, org, manager, viewer, jordan, contact):
        send(org, manager, jordan)
        client = client_for(viewer)
        page = client.get(reverse("compliance:w9", args=[org.slug, jordan.pk])).content.decode()
        assert "jordan@example.com" in page and "Send a" not in page
        response = client.post(
            reverse("compliance:onboarding_send", args=[org.slug, jordan.pk]),
            {"email": "x@example.com"},
        )
        assert response.status_code == 403
        assert OnboardingLink.objects.filter(organization=org).count() == 1

    def test_another_organizations_links_are_not_found(
        self, org, manager, jordan, contact, other_org, outsider
    ):
        link, _ = send(org, manager, jordan)
        client = client_for(outsider)
        listing = client.get(reverse("compliance:onboarding_links", args=[other_org.slug]))
        assert "jordan@example.com" not in listing.content.decode()
        assert (
            client.post(
                reverse("compliance:onboarding_withdraw", args=[other_org.slug, link.pk])
            ).status_code
            == 404
        )
        assert (
            client.post(
                reverse("compliance:onboarding_send", args=[other_org.slug, jordan.pk]),
                {"email": "x@example.com"},
            ).status_code
            == 404
        )
        link.refresh_from_db()
        assert link.status == "sent"
        assert not onboarding.links(Principal.system(other_org)).exists()


@pytest.mark.django_db(transaction=True)
def test_two_submissions_at_once_keep_one_w9(org, manager, jordan):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one writer in at a time")
    link, raw, _ = consented(org, manager, jordan)
    barrier, outcomes = threading.Barrier(2), []

    def run(name):
        try:
            barrier.wait()
            onboarding.sign_w9(
                Principal.for_link(OnboardingLink.objects.get(pk=link.pk)),
                data=W9_FIELDS_ONLY,
                tin=FAKE_SSN, signer_name=name, certified=True, address="", user_agent="",
            )  # fmt: skip
            outcomes.append("signed")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=partial(run, name)) for name in ("Jordan Lee", "J. Lee")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["refused", "signed"]
    assert W9.objects.filter(organization=org).count() == 1


def test_payees_without_a_w9_say_where_their_link_stands(org, manager, jordan, contact):
    pay(org, manager, jordan, "300.00", date(2026, 2, 2))
    missing = reverse("compliance:missing_w9", args=[org.slug])
    assert "not sent" in client_for(manager).get(missing).content.decode()
    _, raw = send(org, manager, jordan)
    Client().get(link_path(raw))
    page = client_for(manager).get(missing).content.decode()
    assert "opened" in page and "not sent" not in page


class TestReminders:
    def test_an_unsigned_link_is_mailed_again_once_with_progress_kept(
        self, org, manager, jordan, django_capture_on_commit_callbacks
    ):
        link, first_raw, browser = consented(org, manager, jordan)
        _other, _ = send(org, manager, ProviderFactory(organization=org), email="a@b.example")
        now = timezone.now()
        assert jobs.w9_link_reminders(now) == 0  # too early
        later = now + timedelta(days=onboarding.REMIND_AFTER_DAYS, minutes=1)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            assert jobs.w9_link_reminders(later) == 2
        assert jobs.w9_link_reminders(later) == 0  # once
        message = next(m for m in mail.outbox if m.to == ["jordan@example.com"])
        assert message.subject.startswith("Reminder: ")
        new_raw = next(line for line in message.body.splitlines() if "/w9/" in line)
        new_path = "/" + new_raw.strip().split("://", 1)[1].split("/", 1)[1]
        assert Client().get(link_path(first_raw)).status_code == 404
        # The consent given before the reminder is kept: the new link opens on the form.
        assert "Sign the W-9" in Client().get(new_path).content.decode()
        link.refresh_from_db()
        assert link.reminded_at is not None and link.consented_at is not None
        assert AuditEvent.objects.filter(organization=org, action="w9_link.reminded").count() == 2

    def test_signed_withdrawn_and_expired_links_are_not_reminded(self, org, manager, jordan):
        _, raw, browser = consented(org, manager, jordan)
        sign(browser, raw)
        withdrawn, _ = send(org, manager, ProviderFactory(organization=org), email="a@b.example")
        onboarding.withdraw(principal_for(manager, org), withdrawn)
        expired, _ = send(org, manager, ProviderFactory(organization=org), email="c@d.example")
        later = timezone.now() + timedelta(days=onboarding.LINK_VALID_DAYS + 1)
        assert jobs.w9_link_reminders(later) == 0


class TestThePortal:
    @pytest.fixture
    def jordan_in_the_portal(self, org, contact):
        user = UserFactory(name="Jordan Lee", email="jordan@example.com")
        portal_login(contact, user)
        return user

    def test_a_contact_answers_the_request_and_downloads_the_copy(
        self, org, manager, jordan, jordan_in_the_portal
    ):
        link, _ = send(org, manager, jordan)
        client = client_for(jordan_in_the_portal)
        page = client.get(reverse("compliance:portal_w9", args=[org.slug])).content.decode()
        assert "asked for your W-9" in page and "No W-9 on file yet" in page
        started = client.post(reverse("compliance:portal_w9_start", args=[org.slug]))
        assert started.status_code == 302
        assert OnboardingLink.objects.filter(organization=org).count() == 1  # the one asked
        client.post(started.url, {"agree": "on"})
        assert client.post(started.url, FORM).status_code == 302
        link.refresh_from_db()
        assert link.status == "signed"
        page = client.get(reverse("compliance:portal_w9", args=[org.slug])).content.decode()
        assert "in force" in page and "Sign a new tax form" in page
        w9 = W9.objects.get(organization=org)
        copy = client.get(reverse("compliance:portal_w9_document", args=[org.slug, w9.pk]))
        assert b"".join(copy.streaming_content).startswith(b"%PDF")

    def test_a_new_version_keeps_the_old(self, org, manager, jordan, jordan_in_the_portal):
        first = record_w9(jordan, manager)
        client = client_for(jordan_in_the_portal)
        started = client.post(reverse("compliance:portal_w9_start", args=[org.slug]))
        client.post(started.url, {"agree": "on"})
        client.post(started.url, {**FORM, "street": "99 New Rd"})
        rows = list(W9.objects.filter(organization=org, provider=jordan).order_by("id"))
        assert rows[0] == first and rows[1].street == "99 New Rd"
        link = OnboardingLink.objects.get(organization=org)
        assert link.created_by is None and link.sent_to == "jordan@example.com"

    def test_another_providers_w9_is_not_found(self, org, manager, jordan, jordan_in_the_portal):
        other = record_w9(ProviderFactory(organization=org), manager)
        client = client_for(jordan_in_the_portal)
        response = client.get(reverse("compliance:portal_w9_document", args=[org.slug, other.pk]))
        assert response.status_code == 404
        page = client.get(reverse("compliance:portal_w9", args=[org.slug])).content.decode()
        assert "No W-9 on file yet" in page

    def test_members_do_not_use_the_portal_page(self, org, manager):
        client = client_for(manager)
        assert client.get(reverse("compliance:portal_w9", args=[org.slug])).status_code == 404
        assert (
            client.post(reverse("compliance:portal_w9_start", args=[org.slug])).status_code == 404
        )


def facts_path(raw: str) -> str:
    return reverse("compliance:onboarding_facts", args=[raw])


THEIR_ANSWERS = {
    "sets_when_where": "yes",  # the assessment below says "no": a disagreement
    "directs_how": "no",
    "personal": "unsure",
    "unreimbursed_expenses": "yes",
    "own_investment": "yes",
    "serves_market": "yes",
    "paid_for_time": "no",
    "profit_or_loss": "yes",
    "exclusive_full_time": "no",
}


class TestTheContractorsSideOfTheFacts:
    def test_answers_signed_after_the_w9_sit_beside_the_assessment(self, org, manager, jordan):
        from tests.compliance.test_assessments import assess

        assessment = assess(jordan, manager)
        _, raw, browser = consented(org, manager, jordan)
        sign(browser, raw)
        done = browser.get(link_path(raw)).content.decode()
        assert "Describe how you work" in done
        form = browser.get(facts_path(raw)).content.decode()
        assert f"Does {org.name} decide when and where you work" in form
        given = browser.post(
            facts_path(raw),
            {**THEIR_ANSWERS, "note": "I also serve two clinics.", "certified": "on",
             "signer_name": "Jordan Lee"},
        )  # fmt: skip
        assert given.status_code == 302
        statement = ContractorStatement.objects.get(organization=org)
        assert statement.answers == THEIR_ANSWERS and statement.signer_name == "Jordan Lee"
        assert statement.signed_address == "127.0.0.1" and statement.provider == jordan
        assert (
            "Thank you for describing how you work" in browser.get(link_path(raw)).content.decode()
        )
        assert browser.get(facts_path(raw)).status_code == 302  # once
        page = client_for(manager).get(
            reverse("compliance:assessment", args=[org.slug, assessment.pk])
        )
        text = page.content.decode()
        assert "In the contractor's words" in text
        assert "differ from this assessment's on 1 question:" in text
        assert "I also serve two clinics." in text

    def test_every_question_needs_an_answer_and_a_signature(self, org, manager, jordan):
        _, raw, browser = consented(org, manager, jordan)
        sign(browser, raw)
        page = browser.post(facts_path(raw), {**THEIR_ANSWERS, "personal": ""})
        text = page.content.decode()
        assert page.status_code == 200 and "Answer yes, no or not sure." in text
        assert "Type your full name to sign." in text and "confirm the answers are true" in text
        assert not ContractorStatement.objects.filter(organization=org).exists()

    def test_not_before_the_w9_is_signed(self, org, manager, jordan):
        link, raw, browser = consented(org, manager, jordan)
        assert browser.get(facts_path(raw)).status_code == 404
        with pytest.raises(ValidationError):
            onboarding.give_statement(
                Principal.for_link(link), answers=THEIR_ANSWERS, note="", signer_name="J",
                certified=True, address="", user_agent="",
            )  # fmt: skip

    def test_side_by_side_flags_only_yes_against_no(self, org, manager, jordan):
        statement = ContractorStatement(organization=org, provider=jordan, answers=THEIR_ANSWERS)
        rows = {row["key"]: row for row in onboarding.side_by_side(statement, {
            "sets_when_where": "no", "personal": "yes", "directs_how": "no",
        })}  # fmt: skip
        assert rows["sets_when_where"]["disagrees"]
        assert not rows["personal"]["disagrees"]  # "not sure" disagrees with nothing
        assert not rows["directs_how"]["disagrees"]
        assert "benefits" not in rows  # only the questions a contractor is asked
        assert rows["profit_or_loss"]["ours"] == "" and rows["personal"]["theirs"] == "Not sure"

    def test_another_organization_does_not_see_the_statement(self, org, manager, jordan, other_org):
        _, raw, browser = consented(org, manager, jordan)
        sign(browser, raw)
        browser.post(facts_path(raw), {**THEIR_ANSWERS, "certified": "on", "signer_name": "J"})
        assert ContractorStatement.objects.filter(organization=org).count() == 1
        assert onboarding.latest_statement(Principal.system(other_org), jordan) is None
