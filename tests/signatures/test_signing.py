"""Agreements signed in the app: sent to both signers in order, each consenting and signing
behind their link, the finished PDF sealed (PAdES) and checked with pyHanko's own validator."""

import io
import re
import subprocess
import sys
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from handoff.core.principal import Principal
from handoff.decisions.models import BusinessFunction
from handoff.engagements import agreements, services
from handoff.engagements.models import SignedAgreement
from handoff.signatures import jobs, sealing
from handoff.signatures import services as signatures
from handoff.signatures.models import SignatureRequest, Signer, SigningCertificate
from tests.conftest import client_for
from tests.factories import ContactFactory, ProviderFactory, principal_for

LINK = re.compile(r"https?://\S+/sign/([\w-]+)/")


@pytest.fixture
def provider(org):
    provider = ProviderFactory(organization=org, name="Ledgerline", kind="individual")
    ContactFactory(organization=org, provider=provider, name="Lee Ledger", email="lee@ledger.test")
    return provider


@pytest.fixture
def version(org, owner, provider):
    engagement = services.create_engagement(
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
    return agreements.generate(principal_for(owner, org), engagement)


def send(org, manager, version, **kwargs):
    kwargs = {
        "provider_name": "Lee Ledger",
        "provider_email": "lee@ledger.test",
        "our_signer": manager,
        "provider_first": True,
    } | kwargs
    return agreements.send_for_signature(principal_for(manager, org), version, **kwargs)


def token_in(message) -> str:
    return LINK.search(message.body).group(1)


def sign_as(client: Client, token: str, name: str):
    page = reverse("signatures:sign", args=[token])
    client.post(page, {"agree": "on"})
    shown = re.search(r'name="shown_sha256" value="(\w+)"', client.get(page).content.decode())
    return client.post(page, {"shown_sha256": shown.group(1), "typed_name": name, "agree": "on"})


def validate(data: bytes):
    """The PDF's last signature as pyHanko's validator reports it, trusting our certificates."""
    from asn1crypto import x509
    from cryptography import x509 as cx509
    from cryptography.hazmat.primitives import serialization
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation.pdf_embedded import async_validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    roots = [
        x509.Certificate.load(
            cx509.load_pem_x509_certificate(row.certificate_pem.encode()).public_bytes(
                serialization.Encoding.DER
            )
        )
        for row in SigningCertificate.objects.all()
    ]
    signature = PdfFileReader(io.BytesIO(data)).embedded_signatures[-1]
    context = ValidationContext(trust_roots=roots)
    # In a thread of its own: a browser test earlier in the run leaves an event loop running.
    return sealing.run_in_own_thread(lambda: async_validate_pdf_signature(signature, context))


@pytest.mark.django_db(transaction=True)
class TestBothSidesSign:
    def test_in_order_then_sealed_and_the_engagement_signed(self, org, manager, version):
        mail.outbox.clear()
        request = send(org, manager, version)
        assert [m.to for m in mail.outbox] == [["lee@ledger.test"]]  # the provider first
        assert agreements.state(version.engagement) == "sent"

        provider_side = Client(HTTP_USER_AGENT="Lee's browser", REMOTE_ADDR="203.0.113.9")
        response = sign_as(provider_side, token_in(mail.outbox[0]), "Lee Ledger")
        assert response.status_code == 302
        assert mail.outbox[-1].to == [manager.email]  # then us
        sign_as(Client(), token_in(mail.outbox[-1]), "Maya Manager")

        request.refresh_from_db()
        assert request.status == "signed"
        lee = request.signers.get(side="provider")
        assert (lee.typed_name, lee.signed_address, lee.signed_user_agent) == (
            "Lee Ledger",
            "203.0.113.9",
            "Lee's browser",
        )
        assert (
            lee.document_sha256
            == request.document_sha256
            == sealing.sha256(version.file.open("rb").read())
        )
        sealed = signatures.sealed_bytes(request)
        status = validate(sealed)
        assert status.intact and status.valid and status.trusted
        assert status.coverage.name == "ENTIRE_FILE"
        pages = PdfReader(io.BytesIO(sealed)).pages
        last = " ".join(pages[-1].extract_text().split())
        assert "Signature page" in last and "Lee Ledger" in last and "203.0.113.9" in last
        assert request.document_sha256 in last.replace(" ", "")
        signed = SignedAgreement.objects.get(engagement=version.engagement)
        assert "Lee Ledger (provider)" in signed.signers
        assert agreements.state(version.engagement) == "signed"
        copies = [m for m in mail.outbox if m.subject.startswith("Signed by everyone")]
        assert sorted(m.to[0] for m in copies) == sorted(["lee@ledger.test", manager.email])
        assert copies[0].attachments[0][1] == sealed

    def test_we_may_sign_first(self, org, manager, version):
        mail.outbox.clear()
        request = send(org, manager, version, provider_first=False)
        assert mail.outbox[0].to == [manager.email]
        assert request.signers.get(position=2).side == "provider"
        assert request.signers.get(position=2).status == "waiting"


@pytest.mark.django_db(transaction=True)
class TestVerify:
    @pytest.fixture
    def sealed(self, org, manager, version):
        mail.outbox.clear()
        request = send(org, manager, version)
        sign_as(Client(), token_in(mail.outbox[0]), "Lee Ledger")
        sign_as(Client(), token_in(mail.outbox[-1]), "Maya Manager")
        request.refresh_from_db()
        return signatures.sealed_bytes(request)

    def test_the_intact_file_is_ours_with_its_signers(self, sealed):
        result, record = signatures.verify(sealed)
        assert result.ok and record is not None
        assert [s.typed_name for s in record.signers.all()] == ["Lee Ledger", "Maya Manager"]
        page = Client().post(
            reverse("signatures:verify"), {"file": io.BytesIO(sealed)}, format="multipart"
        )
        assert "Intact: sealed here and unchanged since" in page.content.decode()

    def test_pyhankos_own_command_line_reports_it_intact(self, sealed, tmp_path):
        """``pyhanko sign validate`` (the pyhanko-cli package), trusting the certificate
        ``handoff manage signing_certificate --pem`` prints, as docs/onboarding.md says."""
        command = Path(sys.executable).parent / "pyhanko"
        certificate = tmp_path / "handoff-seal.pem"
        certificate.write_text(SigningCertificate.objects.get().certificate_pem)
        signed = tmp_path / "signed.pdf"
        signed.write_bytes(sealed)
        validate_args = [
            str(command),
            "sign",
            "validate",
            "--no-revocation-check",
            "--trust-replace",
            "--trust",
            str(certificate),
            "--pretty-print",
        ]
        result = subprocess.run(
            [*validate_args, str(signed)], capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert "The signature covers the entire file." in result.stdout
        assert "The signature is judged VALID." in result.stdout
        tampered = tmp_path / "tampered.pdf"
        data = bytearray(sealed)
        data[sealed.index(b"stream", 200) + 20] ^= 0x01
        tampered.write_bytes(bytes(data))
        bad = subprocess.run(
            [*validate_args, str(tampered)], capture_output=True, text=True, timeout=120
        )
        assert bad.returncode != 0 and "judged VALID" not in bad.stdout

    def test_a_changed_byte_is_reported_as_modified(self, sealed):
        tampered = bytearray(sealed)
        start = sealed.index(b"stream", 200) + 20  # inside the first signed content stream
        tampered[start] ^= 0x01
        result, record = signatures.verify(bytes(tampered))
        assert not result.ok and record is None
        assert "modified" in result.problem or "altered" in result.problem
        assert not validate(bytes(tampered)).intact

    def test_a_page_added_after_signing_is_reported(self, sealed):
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

        writer = IncrementalPdfFileWriter(io.BytesIO(sealed))
        writer.root["/Lang"] = writer.root.get("/Lang") or __import__(
            "pyhanko.pdf_utils.generic", fromlist=["x"]
        ).TextStringObject("fr")
        writer.update_root()
        out = io.BytesIO()
        writer.write(out)
        result, _ = signatures.verify(out.getvalue())
        assert not result.ok and "added" in result.problem

    def test_sealing_and_checking_work_where_an_event_loop_runs(self, sealed, monkeypatch):
        """A test driving a browser (Playwright's sync API) leaves an event loop running in
        the thread, as an async server may; pyHanko's own synchronous wrappers
        (asyncio.run) refuse there, so sealing runs them in a thread of its own."""
        import asyncio

        monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # as the browser tests do

        from pypdf import PdfWriter

        blank = io.BytesIO()
        writer = PdfWriter()
        writer.add_blank_page(width=200, height=200)
        writer.write(blank)

        def both():
            return signatures.verify(sealed)[0].ok, sealing.seal(blank.getvalue(), reason="x")[0]

        async def inside_a_loop():
            return both()

        try:
            asyncio.get_running_loop()  # a browser test earlier in the run left one running
        except RuntimeError:
            ok, resealed = asyncio.run(inside_a_loop())
        else:
            ok, resealed = both()
        assert ok and resealed.startswith(b"%PDF-")

    def test_a_file_not_ours(self):
        result, _ = signatures.verify(b"%PDF-1.4 nonsense")
        assert not result.ok
        assert signatures.verify(b"hello")[0].problem == "This is not a PDF file."

    def test_a_rotated_certificate_still_verifies_what_it_sealed(self, sealed):
        old = SigningCertificate.objects.get()
        sealing.rotate()
        old.refresh_from_db()
        assert old.retired_at is not None
        assert signatures.verify(sealed)[0].ok
        assert sealing.current_certificate().pk != old.pk


@pytest.mark.django_db(transaction=True)
class TestRefusals:
    def test_sign_without_a_name_or_tick_keeps_nothing(self, org, manager, version):
        mail.outbox.clear()
        send(org, manager, version)
        token = token_in(mail.outbox[0])
        client = Client()
        page = reverse("signatures:sign", args=[token])
        client.post(page, {"agree": "on"})
        response = client.post(page, {"shown_sha256": "0" * 64, "typed_name": " ", "agree": ""})
        body = response.content.decode()
        assert "Type your full name to sign." in body
        assert "Tick the box to confirm you sign this document." in body
        assert "The document is not the one shown to you" in body
        assert Signer.objects.filter(signed_at__isnull=False).count() == 0

    def test_decline_ends_the_request_and_tells_the_sender(self, org, manager, version):
        mail.outbox.clear()
        request = send(org, manager, version)
        token = token_in(mail.outbox[0])
        Client().post(reverse("signatures:sign", args=[token]), {"agree": "on"})
        empty = Client().post(reverse("signatures:decline", args=[token]), {"reason": ""})
        assert empty.status_code == 422 and "Say why you decline" in empty.content.decode()
        Client().post(reverse("signatures:decline", args=[token]), {"reason": "Fee is wrong"})
        request.refresh_from_db()
        assert request.status == "declined"
        assert mail.outbox[-1].to == [manager.email] and "Fee is wrong" in mail.outbox[-1].body
        again = Client().get(reverse("signatures:sign", args=[token]))
        assert again.status_code == 404 and "declined" in again.content.decode()
        # A new request may go out for the same version after a decline.
        send(org, manager, version)

    def test_cancelled_and_expired_links_say_so(self, org, manager, version):
        mail.outbox.clear()
        request = send(org, manager, version, valid_days=1)
        token = token_in(mail.outbox[0])
        SignatureRequest.objects.filter(pk=request.pk).update(
            expires_at=timezone.now() - timedelta(minutes=1)
        )
        page = Client().get(reverse("signatures:sign", args=[token]))
        assert page.status_code == 404 and "expired" in page.content.decode()
        assert signatures.with_status(signatures.requests(principal_for(manager, org)), "expired")
        SignatureRequest.objects.filter(pk=request.pk).update(
            expires_at=timezone.now() + timedelta(1)
        )
        signatures.cancel(principal_for(manager, org), request)
        page = Client().get(reverse("signatures:sign", args=[token]))
        assert page.status_code == 404 and "cancelled" in page.content.decode()
        with pytest.raises(ValidationError):
            signatures.cancel(principal_for(manager, org), request)

    def test_an_unknown_token(self, db):
        assert Client().get(reverse("signatures:sign", args=["nope"])).status_code == 404

    def test_bad_signers_are_refused_with_the_field(self, org, manager, version):
        with pytest.raises(ValidationError) as error:
            send(org, manager, version, provider_email="not-an-address")
        assert "provider_email" in error.value.message_dict
        with pytest.raises(ValidationError) as error:
            send(org, manager, version, provider_email=manager.email)
        assert "of their own" in str(error.value)
        with pytest.raises(ValidationError):
            send(org, manager, version, valid_days=0)
        assert not SignatureRequest.objects.exists()

    def test_only_one_live_request_per_version(self, org, manager, version):
        send(org, manager, version)
        with pytest.raises(ValidationError, match="already out for signature"):
            send(org, manager, version)

    def test_a_member_below_manager_cannot_send(self, org, member, manager, version):
        from django.core.exceptions import PermissionDenied

        with pytest.raises(PermissionDenied):
            agreements.send_for_signature(
                principal_for(member, org),
                version,
                provider_name="Lee",
                provider_email="lee@ledger.test",
                our_signer=manager,
            )


@pytest.mark.django_db(transaction=True)
class TestReminders:
    def test_once_with_a_fresh_link(self, org, manager, version):
        mail.outbox.clear()
        request = send(org, manager, version)
        first = token_in(mail.outbox[0])
        later = timezone.now() + timedelta(days=signatures.REMIND_AFTER_DAYS, minutes=1)
        assert jobs.signature_reminders(later) == 1
        assert jobs.signature_reminders(later) == 0
        reminder = mail.outbox[-1]
        assert reminder.subject.startswith("Reminder:")
        assert Client().get(reverse("signatures:sign", args=[first])).status_code == 404
        fresh = Client().get(reverse("signatures:sign", args=[token_in(reminder)]))
        assert fresh.status_code == 200
        assert request.signers.get(position=1).reminded_at is not None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_clicks_on_sign_at_once_sign_once(org, manager, version):
    mail.outbox.clear()
    request = send(org, manager, version)
    signer = request.signers.get(position=1)
    signatures.consent(Principal.for_link(signer), agreed=True, address="", user_agent="")
    results, barrier = [], threading.Barrier(2)

    def click():
        from django.db import connection as thread_connection

        barrier.wait()
        try:
            signatures.sign(
                Principal.for_link(Signer.objects.get(pk=signer.pk)),
                typed_name="Lee Ledger",
                shown_sha256=request.document_sha256,
                agreed=True,
                address="",
                user_agent="",
            )
            results.append("signed")
        except ValidationError:
            results.append("refused")
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["refused", "signed"]
    assert len([m for m in mail.outbox if m.to == [manager.email]]) == 1


@pytest.mark.django_db
class TestOrganizationPages:
    def test_list_and_detail_show_each_status(self, org, manager, viewer, version):
        request = send(org, manager, version)
        client = client_for(viewer)
        listing = client.get(reverse("signatures:list", args=[org.slug])).content.decode()
        assert "Agreement v1: Monthly books" in listing and "out for signature" in listing
        for status in SignatureRequest.STATUSES:
            assert (
                client.get(
                    reverse("signatures:list", args=[org.slug]), {"status": status}
                ).status_code
                == 200
            )
        detail = client.get(reverse("signatures:detail", args=[org.slug, request.pk]))
        assert "Lee Ledger" in detail.content.decode()
        assert "Cancel the request" not in detail.content.decode()  # a viewer

    def test_another_organizations_request_is_missing(
        self, org, manager, version, other_org, outsider
    ):
        request = send(org, manager, version)
        client = client_for(outsider)
        for name in ("detail", "document", "signed"):
            url = reverse(f"signatures:{name}", args=[other_org.slug, request.pk])
            assert client.get(url).status_code == 404
        url = reverse("signatures:cancel", args=[other_org.slug, request.pk])
        assert client.post(url).status_code == 404
        assert SignatureRequest.objects.get().cancelled_at is None

    def test_the_engagement_page_sends_it(self, org, manager, version):
        client = client_for(manager)
        page = client.get(version.engagement.get_absolute_url()).content.decode()
        send_url = reverse(
            "engagements:agreement_send_for_signature",
            args=[org.slug, version.engagement.pk, version.pk],
        )
        assert send_url in page
        form = client.get(send_url).content.decode()
        assert 'value="lee@ledger.test"' in form
        bad = client.post(
            send_url,
            {
                "provider_name": "",
                "provider_email": "x",
                "order": "provider",
                "our_signer": str(manager.pk),
                "valid_days": 14,
            },
        )
        assert bad.status_code == 200 and not SignatureRequest.objects.exists()
        done = client.post(
            send_url,
            {
                "provider_name": "Lee Ledger",
                "provider_email": "lee@ledger.test",
                "our_signer": str(manager.pk),
                "order": "us",
                "valid_days": 14,
            },
        )
        assert done.status_code == 302
        assert SignatureRequest.objects.get().signers.get(position=1).email == manager.email


@pytest.mark.django_db(transaction=True)
def test_the_providers_contact_downloads_the_signed_copy_in_the_portal(
    org, owner, manager, version, provider
):
    from handoff.engagements.models import Engagement
    from tests.factories import UserFactory, portal_login

    mail.outbox.clear()
    send(org, manager, version)
    sign_as(Client(), token_in(mail.outbox[0]), "Lee Ledger")
    sign_as(Client(), token_in(mail.outbox[-1]), "Maya Manager")
    Engagement.objects.filter(pk=version.engagement_id).update(status="active")
    contact = provider.contacts.get()
    user = UserFactory(email=contact.email)
    portal_login(contact, user)
    client = client_for(user)
    page = client.get(reverse("portal:engagement", args=[org.slug, version.engagement_id]))
    html = page.content.decode()
    assert "Download the signed copy" in html
    signed = SignedAgreement.objects.get()
    url = reverse("portal:signed_agreement", args=[org.slug, version.engagement_id, signed.pk])
    assert url in html
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == signed.file.open("rb").read()
    other = ProviderFactory(organization=org, name="Other")
    stranger = ContactFactory(organization=org, provider=other, email="x@other.test")
    stranger_user = UserFactory(email="x@other.test")
    portal_login(stranger, stranger_user)
    assert client_for(stranger_user).get(url).status_code == 404
