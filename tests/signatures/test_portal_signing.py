"""A provider's contact with a portal login finds the agreements waiting for their signature on
the portal's home page and opens one there to sign: only their own (their provider's side,
their e-mail address, their turn, their provider's agreement, their organization), with a
fresh link made for it (the e-mailed one stops working) and nothing mailed."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from handoff.core.models import AuditEvent
from handoff.decisions.models import BusinessFunction
from handoff.engagements import agreements, services
from handoff.signatures import services as signatures
from handoff.signatures.models import SignatureRequest, Signer
from tests.conftest import client_for
from tests.factories import (
    ContactFactory,
    ProviderFactory,
    UserFactory,
    portal_login,
    principal_for,
)
from tests.signatures.test_signing import sign_as, token_in

pytestmark = pytest.mark.django_db(transaction=True)

LEE = "lee@ledger.test"


def agreement_version(org, owner, provider, title="Monthly books"):
    engagement = services.create_engagement(
        principal_for(owner, org),
        provider_id=provider.pk,
        function_ids=[BusinessFunction.objects.filter(organization=org).get(name="Bookkeeping").pk],
        data={
            "title": title,
            "pricing_model": "flat",
            "amount": "1250.00",
            "start_date": date(2026, 1, 1),
            "end_date": date(2026, 12, 31),
        },
    )
    return agreements.generate(principal_for(owner, org), engagement)


def send(org, sender, version, *, email=LEE, provider_first=True):
    return agreements.send_for_signature(
        principal_for(sender, org),
        version,
        provider_name="Lee Ledger",
        provider_email=email,
        our_signer=sender,
        provider_first=provider_first,
    )


def with_portal_login(contact):
    user = UserFactory(name=contact.name, email=contact.email.lower())
    portal_login(contact, user)
    return user


@pytest.fixture
def provider(org):
    return ProviderFactory(organization=org, name="Ledgerline", kind="individual")


@pytest.fixture
def lee(provider):
    """Ledgerline's contact Lee, with a portal login."""
    contact = ContactFactory(provider=provider, name="Lee Ledger", email=LEE)
    return with_portal_login(contact)


@pytest.fixture
def version(org, owner, provider):
    return agreement_version(org, owner, provider)


def home(org):
    return reverse("portal:home", args=[org.slug])


def open_url(org, signer):
    return reverse("portal:review_and_sign", args=[org.slug, signer.pk])


def waiting(user, org):
    return list(signatures.waiting_for(principal_for(user, org)))


class TestWhatWaits:
    def test_the_contact_sees_their_own_signature_when_it_is_their_turn(
        self, org, manager, lee, version
    ):
        request = send(org, manager, version)
        assert waiting(lee, org) == [request.signers.get(side="provider")]

    def test_not_before_their_turn_nor_after_they_signed(self, org, manager, lee, version):
        mail.outbox.clear()
        request = send(org, manager, version, provider_first=False)
        assert waiting(lee, org) == []  # our side signs first
        sign_as(Client(), token_in(mail.outbox[-1]), "Mona Manager")
        assert waiting(lee, org) == [request.signers.get(side="provider")]
        sign_as(Client(), token_in(mail.outbox[-1]), "Lee Ledger")
        assert waiting(lee, org) == []

    def test_not_once_declined_cancelled_or_expired(self, org, manager, lee, version):
        mail.outbox.clear()
        request = send(org, manager, version)
        SignatureRequest.objects.filter(pk=request.pk).update(
            expires_at=timezone.now() - timedelta(minutes=1)
        )
        assert waiting(lee, org) == []
        SignatureRequest.objects.filter(pk=request.pk).update(
            expires_at=timezone.now() + timedelta(days=1)
        )
        assert len(waiting(lee, org)) == 1
        signatures.cancel(principal_for(manager, org), request)
        assert waiting(lee, org) == []
        mail.outbox.clear()
        send(org, manager, version)
        token = token_in(mail.outbox[0])
        Client().post(reverse("signatures:sign", args=[token]), {"agree": "on"})
        Client().post(reverse("signatures:decline", args=[token]), {"reason": "Fee is wrong"})
        assert waiting(lee, org) == []

    def test_the_e_mail_address_matches_whatever_its_case(self, org, manager, provider, version):
        contact = ContactFactory(provider=provider, name="Lee Ledger", email="Lee@Ledger.TEST")
        user = with_portal_login(contact)
        send(org, manager, version, email="LEE@ledger.test")
        assert [s.email for s in waiting(user, org)] == [LEE]

    def test_another_contact_of_the_same_provider_sees_nothing(
        self, org, manager, lee, provider, version
    ):
        send(org, manager, version)
        tom = with_portal_login(
            ContactFactory(provider=provider, name="Tom Tally", email="tom@ledger.test")
        )
        assert waiting(tom, org) == []
        signer = Signer.objects.get(side="provider")
        with pytest.raises(PermissionDenied):
            signatures.open_from_portal(principal_for(tom, org), signer)

    def test_the_same_address_at_another_provider_sees_nothing(
        self, org, owner, manager, lee, version
    ):
        """Lee also keeps the books of another firm the organization works with, as a contact
        of that provider: that firm's agreement is not shown in Ledgerline's portal login."""
        other = ProviderFactory(organization=org, name="Northwind", kind="firm")
        other_version = agreement_version(org, owner, other, title="Northwind payroll")
        send(org, manager, other_version)
        assert waiting(lee, org) == []
        signer = Signer.objects.get(side="provider")
        with pytest.raises(PermissionDenied):
            signatures.open_from_portal(principal_for(lee, org), signer)

    def test_members_have_nothing_waiting_in_the_portal(self, org, manager, lee, version):
        send(org, manager, version)
        assert waiting(manager, org) == []
        with pytest.raises(PermissionDenied):
            signatures.open_from_portal(
                principal_for(manager, org), Signer.objects.get(side="provider")
            )


class TestOpeningFromThePortal:
    def test_a_fresh_link_replaces_the_e_mailed_one_and_nothing_is_mailed(
        self, org, manager, lee, version
    ):
        mail.outbox.clear()
        request = send(org, manager, version)
        emailed = token_in(mail.outbox[0])
        Client().post(reverse("signatures:sign", args=[emailed]), {"agree": "on"})
        signer = request.signers.get(side="provider")
        consented_at = signer.consented_at
        assert consented_at is not None

        raw = signatures.open_from_portal(principal_for(lee, org), signer)

        assert len(mail.outbox) == 1
        assert Client().get(reverse("signatures:sign", args=[emailed])).status_code == 404
        page = Client().get(reverse("signatures:sign", args=[raw]))
        assert page.status_code == 200
        assert "Type your full name to sign" in page.content.decode()  # consent kept
        signer.refresh_from_db()
        assert signer.consented_at == consented_at and signer.reminded_at is None
        event = AuditEvent.objects.get(action="signature_request.opened_in_portal")
        assert event.actor == lee and event.object_id == str(request.pk)
        assert LEE in event.summary

    def test_no_longer_once_signed(self, org, manager, lee, version):
        mail.outbox.clear()
        request = send(org, manager, version)
        signer = request.signers.get(side="provider")
        sign_as(Client(), token_in(mail.outbox[0]), "Lee Ledger")
        with pytest.raises(ValidationError, match="not waiting for your signature"):
            signatures.open_from_portal(principal_for(lee, org), signer)

    def test_no_longer_once_cancelled(self, org, manager, lee, version):
        request = send(org, manager, version)
        signer = request.signers.get(side="provider")
        signatures.cancel(principal_for(manager, org), request)
        with pytest.raises(ValidationError, match="cancelled"):
            signatures.open_from_portal(principal_for(lee, org), signer)


class TestPortalPages:
    def test_the_home_page_lists_it_with_a_button_to_review_and_sign(
        self, org, manager, lee, version
    ):
        request = send(org, manager, version)
        signer = request.signers.get(side="provider")
        html = client_for(lee).get(home(org)).content.decode()
        assert "Waiting for your signature" in html
        assert "Agreement v1: Monthly books" in html
        assert f"Mona Manager, {org.name}" in html
        assert f'action="{open_url(org, signer)}"' in html
        assert "Review and sign" in html
        assert "<style" not in html

    def test_nothing_waiting_shows_no_section(self, org, lee):
        html = client_for(lee).get(home(org)).content.decode()
        assert "Waiting for your signature" not in html

    def test_the_button_opens_the_signing_page_with_a_fresh_link(self, org, manager, lee, version):
        mail.outbox.clear()
        request = send(org, manager, version)
        emailed = token_in(mail.outbox[0])
        signer = request.signers.get(side="provider")
        client = client_for(lee)
        assert client.get(open_url(org, signer)).status_code == 405
        response = client.post(open_url(org, signer))
        assert response.status_code == 302
        assert response.url.startswith("/sign/") and emailed not in response.url
        consent = client.get(response.url)
        assert consent.status_code == 200
        assert "Before you sign electronically" in consent.content.decode()
        assert len(mail.outbox) == 1
        # Signed there, it leaves the list.
        token = response.url.split("/")[2]
        sign_as(client, token, "Lee Ledger")
        assert "Waiting for your signature" not in client.get(home(org)).content.decode()

    def test_a_signer_not_theirs_is_missing(self, org, manager, provider, lee, version):
        request = send(org, manager, version)
        signer = request.signers.get(side="provider")
        ours = request.signers.get(side="us")
        tom = with_portal_login(
            ContactFactory(provider=provider, name="Tom Tally", email="tom@ledger.test")
        )
        assert client_for(tom).post(open_url(org, signer)).status_code == 404
        assert client_for(lee).post(open_url(org, ours)).status_code == 404
        assert client_for(manager).post(open_url(org, signer)).status_code == 404
        before = Signer.objects.get(pk=signer.pk).token_hash
        assert before and not AuditEvent.objects.filter(action__endswith="opened_in_portal")

    def test_a_signed_one_is_missing_and_a_cancelled_one_too(self, org, manager, lee, version):
        request = send(org, manager, version)
        signer = request.signers.get(side="provider")
        signatures.cancel(principal_for(manager, org), request)
        assert client_for(lee).post(open_url(org, signer)).status_code == 404

    def test_the_home_page_reads_as_few_queries_for_three_as_for_one(
        self, org, owner, manager, lee, provider
    ):
        client = client_for(lee)

        def queries():
            with CaptureQueriesContext(connection) as captured:
                assert client.get(home(org)).status_code == 200
            return len(captured)

        send(org, manager, agreement_version(org, owner, provider, title="Books"))
        one = queries()
        for title in ("Payroll", "Taxes"):
            send(org, manager, agreement_version(org, owner, provider, title=title))
        html = client.get(home(org)).content.decode()
        assert html.count("Review and sign") >= 3
        assert queries() == one


class TestAcrossOrganizations:
    def test_another_organizations_agreement_is_neither_listed_nor_opened(
        self, org, manager, lee, other_org, outsider
    ):
        """Lee is also a provider contact of Elsewhere Plumbing, which sends him its own
        agreement: Acme Dental's portal neither lists it nor opens it, and Elsewhere's portal
        lists only Elsewhere's."""
        elsewhere_provider = ProviderFactory(organization=other_org, name="Ledgerline")
        elsewhere_contact = ContactFactory(provider=elsewhere_provider, name="Lee", email=LEE)
        portal_login(elsewhere_contact, lee)
        elsewhere_version = agreement_version(other_org, outsider, elsewhere_provider)
        theirs = send(other_org, outsider, elsewhere_version)
        their_signer = theirs.signers.get(side="provider")

        assert waiting(lee, org) == []
        assert waiting(lee, other_org) == [their_signer]
        client = client_for(lee)
        assert "Waiting for your signature" not in client.get(home(org)).content.decode()
        assert client.post(open_url(org, their_signer)).status_code == 404
        with pytest.raises(PermissionDenied):
            signatures.open_from_portal(principal_for(lee, org), their_signer)
        # In Elsewhere's portal it is listed and opens.
        assert "Review and sign" in client.get(home(other_org)).content.decode()
        assert client.post(open_url(other_org, their_signer)).status_code == 302

    def test_an_outsider_cannot_open_the_organizations_signer(
        self, org, manager, lee, version, outsider
    ):
        request = send(org, manager, version)
        signer = request.signers.get(side="provider")
        assert client_for(outsider).post(open_url(org, signer)).status_code == 404
        stranger = UserFactory(email="stranger@example.org")
        assert client_for(stranger).post(open_url(org, signer)).status_code == 404
        assert Client().post(open_url(org, signer)).status_code == 302  # to log in
        assert not AuditEvent.objects.filter(action__endswith="opened_in_portal")
