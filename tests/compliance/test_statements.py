"""Recipient copies (Copy B) of Form 1099-NEC: a payee's contact consents in the portal after
the disclosure, proving with the sample PDF's code that they can open a PDF; withdraws; asks
for paper. Members post copies to consenting payees, print the others and mark them mailed;
the copy's PDF carries what a substitute statement must; everything stays in its organization."""

import io
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from handoff.compliance import jobs, statements, tins
from handoff.compliance.models import (
    ComplianceSettings,
    PaperCopyRequest,
    RecipientStatement,
    StatementConsent,
)
from handoff.core.models import AuditEvent
from handoff.notifications.events import Event
from handoff.notifications.models import Notification
from handoff.notifications.sweeps import get
from handoff.providers.models import Contact
from tests.compliance.conftest import FAKE_SSN_2, pay, record_w9
from tests.conftest import api_client_for, client_for
from tests.factories import ProviderFactory, UserFactory, portal_login, principal_for

pytestmark = pytest.mark.django_db

YEAR = 2025


def text_of(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def body(response) -> bytes:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content)
    return response.content


@pytest.fixture
def payer(org):
    settings = ComplianceSettings.objects.filter(organization=org).first()
    settings = settings or ComplianceSettings(organization=org)
    settings.payer_name = "Acme Dental LLC"
    settings.payer_address = "1 Main St"
    settings.payer_city = "Chicago"
    settings.payer_state = "IL"
    settings.payer_postal_code = "60601"
    settings.payer_phone = "312-555-0100"
    settings.payer_tin_type = "ein"
    settings.payer_tin_encrypted = tins.encrypt("001234567")
    settings.payer_tin_last4 = "4567"
    settings.save()
    return settings


@pytest.fixture
def payee(org, manager, jordan):
    record_w9(jordan, manager)
    pay(org, manager, jordan, D("2500.00"), date(YEAR, 6, 1))
    return jordan


@pytest.fixture
def jordan_user(org, jordan):
    contact = Contact.objects.create(
        organization=org, provider=jordan, name="Jordan Lee", email="jordan@lee.example"
    )
    user = UserFactory(name="Jordan Lee", email="jordan@lee.example")
    portal_login(contact, user)
    return user


def consent(org, user, **browser):
    principal = principal_for(user, org)
    return statements.give_consent(
        principal,
        agreed=True,
        code=statements.consent_code(principal),
        address=browser.get("address", "203.0.113.9"),
        user_agent="pytest",
    )


def portal(org, name):
    return reverse(f"compliance:{name}", args=[org.slug])


def copies_url(org, name="statements", *args):
    return reverse(f"compliance:{name}", args=[org.slug, YEAR, *args])


# --- Consent ---------------------------------------------------------------------------------
class TestConsent:
    def test_the_portal_shows_the_disclosure_before_consent(self, org, payee, jordan_user):
        page = client_for(jordan_user).get(portal(org, "portal_statements")).content.decode()
        for words in [
            "If you do not consent, you get a paper copy",
            "What it covers",
            "Paper copy on request",
            "Withdrawing",
            "When electronic statements stop",
            "Updating your information",
            "What you need",
            "a PDF reader",
            "through October 15",
            "§31.6051-1(j)",
        ]:
            assert words in page
        assert "Consent to electronic statements" in page

    def test_the_sample_pdf_shows_the_code_to_type_back(self, org, payee, jordan_user):
        client = client_for(jordan_user)
        response = client.get(portal(org, "portal_statement_sample"))
        assert response["Content-Type"] == "application/pdf"
        code = re.search(r"CODE ([A-Z0-9]{6})", text_of(body(response))).group(1)
        assert code == statements.consent_code(principal_for(jordan_user, org))

        wrong = client.post(portal(org, "portal_statement_consent"), {"code": "XXXXXX"})
        assert wrong.status_code == 422
        assert "not the code in the sample PDF" in wrong.content.decode()
        assert "Tick the box" in wrong.content.decode()
        assert not StatementConsent.objects.exists()

        done = client.post(
            portal(org, "portal_statement_consent"),
            {"code": code.lower(), "agree": "on"},
            HTTP_USER_AGENT="Firefox",
            REMOTE_ADDR="203.0.113.7",
        )
        assert done.status_code == 302
        given = StatementConsent.objects.get()
        assert given.provider == payee and given.user == jordan_user
        assert given.disclosure_version == statements.DISCLOSURE_VERSION
        assert given.user_agent == "Firefox" and given.address
        assert AuditEvent.objects.filter(action="statement_consent.given").exists()
        page = client.get(portal(org, "portal_statements")).content.decode()
        assert "You get your statements here, electronically" in page
        assert "Withdraw my consent" in page

    def test_a_withdrawal_is_recorded_confirmed_and_shown_to_members(
        self, org, admin, payee, jordan_user
    ):
        consent(org, jordan_user)
        mail.outbox.clear()
        client = client_for(jordan_user)
        with_commit = client.post(portal(org, "portal_statement_withdraw"))
        assert with_commit.status_code == 302
        row = StatementConsent.objects.get()
        assert row.withdrawn_at is not None and row.withdrawn_by == jordan_user
        assert AuditEvent.objects.filter(action="statement_consent.withdrawn").exists()
        page = client_for(admin).get(copies_url(org)).content.decode()
        assert "withdrawn" in page and "Ask for consent" in page

    def test_the_withdrawal_is_confirmed_by_mail(
        self, org, payee, jordan_user, django_capture_on_commit_callbacks
    ):
        consent(org, jordan_user)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            statements.withdraw_consent(principal_for(jordan_user, org), address=None)
        assert [m.to for m in mail.outbox] == [["jordan@lee.example"]]
        assert "withdrew your consent" in mail.outbox[0].body

    def test_a_paper_copy_request_is_recorded_and_members_see_it(
        self, org, admin, payee, jordan_user
    ):
        client = client_for(jordan_user)
        client.post(portal(org, "portal_statement_paper"), {"tax_year": str(YEAR)})
        asked = PaperCopyRequest.objects.get()
        assert asked.tax_year == YEAR and asked.provider == payee
        assert AuditEvent.objects.filter(action="statement.paper_requested").exists()
        page = client_for(admin).get(copies_url(org)).content.decode()
        assert "Paper copy asked for" in page
        bad = client.post(portal(org, "portal_statement_paper"), {"tax_year": "1990"})
        assert bad.status_code == 302 and PaperCopyRequest.objects.count() == 1


# --- Posting and the PDF ---------------------------------------------------------------------
class TestFurnishing:
    def test_posting_needs_consent(self, org, admin, payee, jordan_user):
        response = client_for(admin).post(copies_url(org, "statement_post", payee.pk))
        assert response.status_code == 302
        assert not RecipientStatement.objects.exists()
        assert client_for(admin).get(copies_url(org)).status_code == 200

    def test_a_posted_copy_is_mailed_about_and_reads_as_copy_b(
        self, org, admin, payer, payee, jordan_user, django_capture_on_commit_callbacks
    ):
        consent(org, jordan_user)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            client_for(admin).post(copies_url(org, "statement_post", payee.pk))
        copy = RecipientStatement.objects.get()
        assert copy.how == "portal" and copy.furnished_on == org.today()
        assert copy.nonemployee_compensation == D("2500.00") and not copy.corrected
        [message] = mail.outbox
        assert message.to == ["jordan@lee.example"]
        assert message.subject.startswith("IMPORTANT TAX RETURN DOCUMENT AVAILABLE")
        assert "1234" not in message.body and "2,500" not in message.body
        assert "/tax-statements/" in message.body

        client = client_for(jordan_user)
        page = client.get(portal(org, "portal_statements")).content.decode()
        assert f"Download Copy B {YEAR}" in page
        text = text_of(
            body(client.get(reverse("compliance:portal_statement_pdf", args=[org.slug, copy.pk])))
        )
        assert f"Form 1099-NEC {YEAR}" in text and "Copy B For Recipient" in text
        assert "Nonemployee compensation" in text and "2,500.00" in text
        assert "***-**-1234" in text and "900-00-1234" not in text
        assert "00-1234567" in text  # the payer's own TIN is never truncated
        assert "Acme Dental LLC" in text and "1 Main St" in text
        assert "This is important tax information and is being furnished to the IRS" in text
        assert "CORRECTED" not in text

        # Viewers see the status; the list shows the date posted.
        listing = client_for(admin).get(copies_url(org)).content.decode()
        assert "posted in portal on" in listing

    def test_a_changed_amount_gives_a_corrected_copy(
        self, org, admin, manager, payer, payee, jordan_user
    ):
        consent(org, jordan_user)
        principal = principal_for(admin, org)
        statements.post_to_portal(principal, YEAR, payee.pk)
        assert not statements.copy_row(principal, YEAR, payee.pk).needs_correction
        pay(org, manager, payee, D("100.00"), date(YEAR, 7, 1))
        row = statements.copy_row(principal, YEAR, payee.pk)
        assert row.needs_correction
        assert "Post corrected copy" in client_for(admin).get(copies_url(org)).content.decode()
        corrected = statements.post_to_portal(principal, YEAR, payee.pk)
        assert corrected.corrected and corrected.version == 2
        assert corrected.nonemployee_compensation == D("2600.00")
        text = text_of(statements.copy_b_pdf(corrected))
        assert "CORRECTED" in text and "2,600.00" in text

    def test_missing_payer_details_are_said_on_the_copy(self, org, admin, payee):
        response = client_for(admin).post(copies_url(org, "statement_print", payee.pk))
        text = text_of(response.content)
        assert "details (address or taxpayer identification number) are missing" in text
        assert org.name in text
        page = client_for(admin).get(copies_url(org)).content.decode()
        assert "Enter them in Comply settings" in page

    def test_print_then_mark_mailed_with_the_date(self, org, admin, payer, payee):
        client = client_for(admin)
        response = client.post(copies_url(org, "statement_print", payee.pk))
        assert response["Content-Type"] == "application/pdf"
        copy = RecipientStatement.objects.get()
        assert copy.how == "paper" and copy.printed_on == org.today()
        assert copy.furnished_on is None
        assert "printed for mailing on" in client.get(copies_url(org)).content.decode()

        early = copy.printed_on - timedelta(days=1)
        client.post(copies_url(org, "statement_mailed", payee.pk), {"mailed_on": str(early)})
        copy.refresh_from_db()
        assert copy.furnished_on is None
        client.post(
            copies_url(org, "statement_mailed", payee.pk), {"mailed_on": str(copy.printed_on)}
        )
        copy.refresh_from_db()
        assert copy.furnished_on == copy.printed_on and copy.furnished_by == admin
        assert "mailed on" in client.get(copies_url(org)).content.decode()
        assert AuditEvent.objects.filter(action="statement.mailed").exists()

    def test_furnish_all_posts_to_the_consenting_and_lists_the_rest(
        self, org, admin, manager, payer, payee, jordan_user
    ):
        other = ProviderFactory(organization=org, name="Quinn Books", kind="individual")
        record_w9(other, manager, tin=FAKE_SSN_2)
        pay(org, manager, other, D("900.00"), date(YEAR, 3, 1))
        consent(org, jordan_user)
        response = client_for(admin).post(copies_url(org, "statements_furnish_all"), follow=True)
        page = response.content.decode()
        assert "1 copy posted in the portal" in page
        assert "To print for mailing (no consent): Quinn Books" in page
        assert list(RecipientStatement.objects.values_list("provider__name", flat=True)) == [
            payee.name
        ]

    def test_a_payee_without_a_w9_cannot_get_a_copy(self, org, admin, manager):
        nobody = ProviderFactory(organization=org, name="No Form", kind="individual")
        pay(org, manager, nobody, D("900.00"), date(YEAR, 3, 1))
        client_for(admin).post(copies_url(org, "statement_print", nobody.pk))
        assert not RecipientStatement.objects.exists()
        assert "No W-9 on file" in client_for(admin).get(copies_url(org)).content.decode()


# --- Who sees what ---------------------------------------------------------------------------
class TestAccess:
    def test_the_portal_shows_only_the_contacts_own_posted_copies(
        self, org, admin, manager, payer, payee, jordan_user
    ):
        other = ProviderFactory(organization=org, name="Quinn Books", kind="individual")
        record_w9(other, manager, tin=FAKE_SSN_2)
        pay(org, manager, other, D("900.00"), date(YEAR, 3, 1))
        quinn = Contact.objects.create(organization=org, provider=other, name="Quinn")
        quinn_user = UserFactory(name="Quinn", email="quinn@books.example")
        portal_login(quinn, quinn_user)
        consent(org, quinn_user)
        principal = principal_for(admin, org)
        theirs = statements.post_to_portal(principal, YEAR, other.pk)
        paper, _ = statements.print_for_mailing(principal, YEAR, payee.pk)
        client = client_for(jordan_user)
        for copy in (theirs, paper):
            url = reverse("compliance:portal_statement_pdf", args=[org.slug, copy.pk])
            assert client.get(url).status_code == 404
        assert (
            "Download Copy B" not in client.get(portal(org, "portal_statements")).content.decode()
        )
        # Members' pages are not the portal's.
        assert client.get(copies_url(org)).status_code == 404

    def test_viewers_read_and_only_admins_furnish(self, org, viewer, manager, payee):
        assert client_for(viewer).get(copies_url(org)).status_code == 200
        for user in (viewer, manager):
            client = client_for(user)
            for name in ("statement_post", "statement_print", "statement_ask", "statement_mailed"):
                assert client.post(copies_url(org, name, payee.pk)).status_code == 403
            assert client.post(copies_url(org, "statements_furnish_all")).status_code == 403
        assert not RecipientStatement.objects.exists()

    def test_another_organization_gets_404_everywhere(
        self, org, admin, outsider, other_org, payer, payee, jordan_user
    ):
        consent(org, jordan_user)
        copy = statements.post_to_portal(principal_for(admin, org), YEAR, payee.pk)
        client = client_for(outsider)
        urls = [
            copies_url(org),
            copies_url(org, "statements_furnish_all"),
            copies_url(org, "statement_post", payee.pk),
            copies_url(org, "statement_print", payee.pk),
            copies_url(org, "statement_mailed", payee.pk),
            copies_url(org, "statement_ask", payee.pk),
            copies_url(org, "statement_pdf", copy.pk),
            portal(org, "portal_statements"),
            portal(org, "portal_statement_sample"),
            reverse("compliance:portal_statement_pdf", args=[org.slug, copy.pk]),
        ]
        for url in urls:
            assert client.get(url).status_code == 404, url
        # Their own organization's pages do not reach our rows either.
        theirs = reverse("compliance:statement_pdf", args=[other_org.slug, YEAR, copy.pk])
        assert client.get(theirs).status_code == 404
        post = reverse("compliance:statement_post", args=[other_org.slug, YEAR, payee.pk])
        client.post(post)
        assert RecipientStatement.objects.count() == 1
        api = api_client_for(outsider, other_org)
        for path in [
            f"/api/v1/compliance/1099/{YEAR}/copies/providers/{payee.pk}/post",
            f"/api/v1/compliance/1099/{YEAR}/copies/providers/{payee.pk}/print",
        ]:
            assert api.post(path).status_code == 404
        response = api.post(
            f"/api/v1/compliance/1099/{YEAR}/copies/providers/{payee.pk}/mailed",
            {"mailed_on": str(org.today())},
        )
        assert response.status_code == 404
        listed = api.get(f"/api/v1/compliance/1099/{YEAR}/copies").json()
        assert listed["results"] == []
        assert api.get("/api/v1/compliance/statement-consents").json()["count"] == 0


# --- API -------------------------------------------------------------------------------------
class TestApi:
    def test_list_post_print_and_mark_mailed(
        self, org, admin, viewer, manager, payer, payee, jordan_user
    ):
        other = ProviderFactory(organization=org, name="Quinn Books", kind="individual")
        record_w9(other, manager, tin=FAKE_SSN_2)
        pay(org, manager, other, D("900.00"), date(YEAR, 3, 1))
        api = api_client_for(admin, org)
        base = f"/api/v1/compliance/1099/{YEAR}/copies"

        refused = api.post(f"{base}/providers/{payee.pk}/post")
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["field"] == "provider_id"

        consent(org, jordan_user)
        posted = api.post(f"{base}/providers/{payee.pk}/post")
        assert posted.status_code == 201
        assert posted.json()["recipient_tin_masked"] == "***-**-1234"
        assert posted.json()["how"] == "portal"

        early = api.post(f"{base}/providers/{other.pk}/mailed", {"mailed_on": "2026-01-05"})
        assert early.status_code == 422 and early.json()["errors"][0]["field"] == "mailed_on"
        printed = api.post(f"{base}/providers/{other.pk}/print")
        assert printed.status_code == 200 and printed.content.startswith(b"%PDF")
        mailed = api.post(f"{base}/providers/{other.pk}/mailed", {"mailed_on": str(org.today())})
        assert mailed.status_code == 200 and mailed.json()["furnished_on"]

        listed = api_client_for(viewer, org).get(base).json()
        assert listed["not_furnished"] == 0
        by_name = {row["provider_name"]: row for row in listed["results"]}
        assert by_name[payee.name]["status"] == "posted"
        assert by_name[payee.name]["consent"]["in_force"] is True
        assert by_name["Quinn Books"]["status"] == "mailed"
        assert by_name["Quinn Books"]["consent"] is None

        consents = api_client_for(viewer, org).get("/api/v1/compliance/statement-consents")
        assert consents.json()["count"] == 1
        assert api_client_for(viewer, org).post(f"{base}/furnish-all").status_code == 403
        nobody = ProviderFactory(organization=org)
        bad = api.post(f"{base}/providers/{nobody.pk}/post")
        assert bad.status_code == 422
        assert api.get("/api/v1/compliance/1099/1800/copies").status_code == 422


# --- The reminder ----------------------------------------------------------------------------
def noon(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T12:00").replace(tzinfo=UTC)


def copy_reminders():
    return list(
        Notification.objects.filter(
            event=Event.RECIPIENT_COPIES_DUE, subject__startswith="Recipient copies"
        ).order_by("id")
    )


def test_the_copy_reminder_sweep_is_registered():
    assert get("compliance.recipient_copy_reminders") is not None


def test_admins_are_told_in_january_how_many_copies_are_left_once_per_stage(
    org, owner, admin, manager, payee
):
    # 2025 copies are due Monday 2026-02-02 (January 31 is a Saturday).
    for day in [
        "2025-12-20",
        "2026-01-02",
        "2026-01-03",
        "2026-01-04",
        "2026-01-19",
        "2026-01-20",
        "2026-01-30",
        "2026-02-03",
    ]:
        with time_machine.travel(noon(day), tick=False):
            jobs.recipient_copy_reminders(noon(day))
            jobs.recipient_copy_reminders(noon(day))
    notes = copy_reminders()
    assert {n.user for n in notes} == {owner, admin}
    assert [n.subject for n in notes if n.user == owner] == [
        "Recipient copies of the 2025 1099-NEC are due in 30 days",
        "Recipient copies of the 2025 1099-NEC are due in 14 days",
        "Recipient copies of the 2025 1099-NEC are due in 3 days",
    ]
    assert "1 recipient copy (Copy B) of the 2025 1099-NEC is not furnished yet" in notes[0].body
    assert all(f"/comply/1099/{YEAR}/copies/" in n.url for n in notes)


def test_no_reminder_once_every_copy_is_furnished(org, owner, admin, payer, payee):
    principal = principal_for(admin, org)
    statements.print_for_mailing(principal, YEAR, payee.pk)
    statements.mark_mailed(principal, YEAR, payee.pk, mailed_on=org.today())
    with time_machine.travel(noon("2026-01-20"), tick=False):
        assert jobs.recipient_copy_reminders(noon("2026-01-20")) == 0
    assert copy_reminders() == []


def test_the_copies_page_reads_in_the_same_number_of_queries_for_more_payees(
    org, admin, manager, payer, payee, jordan_user
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    consent(org, jordan_user)
    statements.post_to_portal(principal_for(admin, org), YEAR, payee.pk)
    client = client_for(admin)
    client.get(copies_url(org))

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(copies_url(org)).status_code == 200
        return len(queries)

    few = count()
    for n in range(4):
        other = ProviderFactory(organization=org, name=f"Payee {n}", kind="individual")
        record_w9(other, manager, tin=f"900-00-{2000 + n}")
        pay(org, manager, other, D("900.00"), date(YEAR, 3, 1))
        statements.print_for_mailing(principal_for(admin, org), YEAR, other.pk)
    assert count() == few
