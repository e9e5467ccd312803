"""One onboarding link for the tax form and the agreement: the manager includes an
engagement's agreement, the contractor gives the tax form and then signs the agreement through
the same link (no second e-mail), and the member who sent it countersigns."""

import re
from datetime import date

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from handoff.compliance import onboarding
from handoff.compliance.models import OnboardingLink
from handoff.decisions.models import BusinessFunction
from handoff.engagements import agreements, services
from handoff.signatures.models import SignatureRequest
from tests.compliance.test_onboarding import FORM
from tests.conftest import api_client_for, client_for
from tests.factories import ContactFactory, ProviderFactory, principal_for

SIGN_LINK = re.compile(r"https?://\S+/sign/([\w-]+)/")
W9_LINK = re.compile(r"https?://\S+(/w9/[\w-]+/)")


@pytest.fixture
def provider(org):
    provider = ProviderFactory(organization=org, name="Ledgerline", kind="individual")
    ContactFactory(organization=org, provider=provider, name="Lee Ledger", email="lee@ledger.test")
    return provider


def engagement_with_agreement(org, owner, provider, title="Monthly books"):
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
    agreements.generate(principal_for(owner, org), engagement)
    return engagement


@pytest.fixture
def engagement(org, owner, provider):
    return engagement_with_agreement(org, owner, provider)


def sign_agreement(client: Client, path: str, name: str):
    client.post(path, {"agree": "on"})
    shown = re.search(r'name="shown_sha256" value="(\w+)"', client.get(path).content.decode())
    return client.post(path, {"shown_sha256": shown.group(1), "typed_name": name, "agree": "on"})


@pytest.mark.django_db(transaction=True)
class TestOneLink:
    def test_tax_form_then_agreement_then_we_countersign(
        self, org, manager, provider, engagement, django_capture_on_commit_callbacks
    ):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            link, raw = onboarding.send_link(
                principal_for(manager, org), provider, engagement=engagement
            )
        # One e-mail only, to the contractor, naming both.
        assert [m.to for m in mail.outbox] == [["lee@ledger.test"]]
        assert "your tax form and your signature" in mail.outbox[0].subject
        assert "Monthly books" in mail.outbox[0].body
        assert link.agreement.status == "out"
        assert agreements.state(engagement) == "sent"

        contractor = Client(HTTP_USER_AGENT="Lee's browser")
        path = reverse("compliance:onboarding_start", args=[raw])
        contractor.post(path, {"agree": "on"})
        # Before the tax form, the agreement cannot be opened.
        early = contractor.post(reverse("compliance:onboarding_agreement", args=[raw]))
        assert early.status_code == 404
        contractor.post(path, {**FORM, "legal_name": "Lee Ledger", "signer_name": "Lee Ledger"})
        done = contractor.get(path).content.decode()
        assert "Review and sign the agreement" in done
        opened = contractor.post(reverse("compliance:onboarding_agreement", args=[raw]))
        assert opened.status_code == 302 and "/sign/" in opened.url
        with django_capture_on_commit_callbacks(execute=True):
            assert sign_agreement(contractor, opened.url, "Lee Ledger").status_code == 302
        # Our side: the member who sent the link is mailed to countersign.
        assert mail.outbox[-1].to == [manager.email]
        assert "You signed" in contractor.get(path).content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            sign_agreement(
                Client(),
                reverse("signatures:sign", args=[SIGN_LINK.search(mail.outbox[-1].body).group(1)]),
                "Mona Manager",
            )
        assert SignatureRequest.objects.get(pk=link.agreement_id).status == "signed"
        assert agreements.state(engagement) == "signed"
        assert "has countersigned it" in contractor.get(path).content.decode()

    def test_a_second_click_makes_the_first_signing_page_stop(
        self, org, manager, provider, engagement
    ):
        link, raw = onboarding.send_link(
            principal_for(manager, org), provider, engagement=engagement
        )
        contractor = Client()
        path = reverse("compliance:onboarding_start", args=[raw])
        contractor.post(path, {"agree": "on"})
        contractor.post(path, FORM)
        first = contractor.post(reverse("compliance:onboarding_agreement", args=[raw])).url
        second = contractor.post(reverse("compliance:onboarding_agreement", args=[raw])).url
        assert first != second
        assert contractor.get(first).status_code == 404
        assert contractor.get(second).status_code == 200


@pytest.mark.django_db
class TestChoosingTheAgreement:
    def test_the_page_offers_only_agreements_ready_to_sign(
        self, org, owner, manager, provider, engagement
    ):
        bare = services.create_engagement(
            principal_for(owner, org),
            provider_id=provider.pk,
            function_ids=[
                BusinessFunction.objects.filter(organization=org).get(name="Bookkeeping").pk
            ],
            data={
                "title": "No agreement yet",
                "pricing_model": "flat",
                "amount": "10.00",
                "start_date": date(2026, 1, 1),
            },
        )
        page = client_for(manager).get(reverse("compliance:w9", args=[org.slug, provider.pk]))
        text = page.content.decode()
        assert "Then sign the agreement of" in text and "Monthly books" in text
        assert bare.title not in text
        sent = client_for(manager).post(
            reverse("compliance:onboarding_send", args=[org.slug, provider.pk]),
            {"email": "lee@ledger.test", "engagement": engagement.pk},
        )
        assert sent.status_code == 302
        link = OnboardingLink.objects.get(organization=org)
        assert link.agreement.title.endswith("Monthly books")
        # Out for signature now: not offered again, and refused if asked.
        again = client_for(manager).get(sent.url).content.decode()
        assert "Then sign the agreement of" not in again
        # Sent again with a new link, it replaces the one the old link carried.
        again, _ = onboarding.send_link(
            principal_for(manager, org), provider, engagement=engagement
        )
        assert link.agreement_id != again.agreement_id
        assert SignatureRequest.objects.get(pk=link.agreement_id).status == "cancelled"
        assert again.agreement.status == "out"

    def test_an_agreement_out_on_its_own_is_not_sent_with_a_link(
        self, org, manager, provider, engagement
    ):
        version = engagement.agreement_versions.get()
        agreements.send_for_signature(
            principal_for(manager, org),
            version,
            provider_name="Lee Ledger",
            provider_email="lee@ledger.test",
            our_signer=manager,
        )
        assert onboarding.agreements_to_send(principal_for(manager, org), provider) == []
        with pytest.raises(Exception, match="no agreement ready to sign"):
            onboarding.send_link(principal_for(manager, org), provider, engagement=engagement)
        assert not OnboardingLink.objects.exists()

    def test_another_payees_engagement_is_refused_and_nothing_is_sent(
        self, org, owner, manager, provider
    ):
        other = ProviderFactory(organization=org, name="Someone else")
        theirs = engagement_with_agreement(org, owner, other, title="Their work")
        mail.outbox.clear()
        with pytest.raises(Exception, match="this payee's engagements"):
            onboarding.send_link(principal_for(manager, org), provider, engagement=theirs)
        assert not OnboardingLink.objects.exists() and not SignatureRequest.objects.exists()
        assert mail.outbox == []

    def test_the_api_sends_it_and_names_a_bad_engagement(
        self, org, manager, provider, engagement, outsider, other_org
    ):
        api = api_client_for(manager, org)
        missing = api.post(
            "/api/v1/compliance/w9-links", {"provider_id": provider.pk, "engagement_id": 99999}
        )
        assert missing.status_code == 422
        assert [e["field"] for e in missing.json()["errors"]] == ["engagement_id"]
        created = api.post(
            "/api/v1/compliance/w9-links",
            {"provider_id": provider.pk, "engagement_id": engagement.pk},
        )
        assert created.status_code == 201, created.content
        request_id = created.json()["agreement_request_id"]
        assert SignatureRequest.objects.get(pk=request_id).status == "out"
        # Another organization cannot send it, nor see the link.
        foreign = api_client_for(outsider, other_org)
        refused = foreign.post(
            "/api/v1/compliance/w9-links",
            {"provider_id": provider.pk, "engagement_id": engagement.pk},
        )
        assert refused.status_code == 422
        link_id = created.json()["id"]
        assert foreign.get(f"/api/v1/compliance/w9-links/{link_id}").status_code == 404


@pytest.mark.django_db
class TestSendingAgainAndWithdrawing:
    def test_a_new_link_to_the_same_address_carries_the_agreement_on(
        self, org, manager, provider, engagement
    ):
        first, _ = onboarding.send_link(
            principal_for(manager, org), provider, engagement=engagement
        )
        second, _ = onboarding.send_link(principal_for(manager, org), provider)
        first.refresh_from_db()
        assert first.status == "revoked"
        assert second.agreement_id == first.agreement_id
        assert SignatureRequest.objects.get().status == "out"

    def test_a_link_to_another_address_cancels_the_old_agreement(
        self, org, manager, provider, engagement
    ):
        first, _ = onboarding.send_link(
            principal_for(manager, org), provider, engagement=engagement
        )
        second, _ = onboarding.send_link(
            principal_for(manager, org), provider, email="books@ledger.test"
        )
        assert second.agreement is None
        assert SignatureRequest.objects.get(pk=first.agreement_id).status == "cancelled"
        # ... so it can be sent again, with the new link.
        third, _ = onboarding.send_link(
            principal_for(manager, org),
            provider,
            email="books@ledger.test",
            engagement=engagement,
        )
        assert third.agreement.status == "out"

    def test_withdrawing_the_link_cancels_its_agreement(self, org, manager, provider, engagement):
        link, raw = onboarding.send_link(
            principal_for(manager, org), provider, engagement=engagement
        )
        onboarding.withdraw(principal_for(manager, org), link)
        assert SignatureRequest.objects.get(pk=link.agreement_id).status == "cancelled"
