"""W-9s: the TIN is encrypted at rest, masked everywhere, revealed only to owners and admins
by an explicit POST that the audit trail records, and never found in URLs, logs, errors or a
dump of the database."""

import json
import logging
import shutil
import subprocess

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import override_settings
from django.urls import reverse

from handoff.compliance import selectors, services, tins
from handoff.compliance.models import W9
from handoff.core.models import AuditEvent
from handoff.core.principal import Principal
from tests.compliance.conftest import FAKE_EIN, FAKE_SSN, FAKE_SSN_2, W9_DATA, pdf_upload, record_w9
from tests.conftest import client_for
from tests.factories import ProviderFactory, principal_for

DIGITS = FAKE_SSN.replace("-", "")
PLAINTEXTS = [FAKE_SSN, DIGITS]


def form_data(**overrides):
    data = {**W9_DATA, "signed_on": "2025-01-10", "tin": FAKE_SSN, "document": pdf_upload()}
    data.update(overrides)
    return data


@pytest.mark.django_db
class TestAtRest:
    def test_the_raw_row_holds_no_plaintext_tin(self, org, manager, jordan):
        w9 = record_w9(jordan, manager)
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM compliance_w9 WHERE id = %s", [w9.pk])
            raw = " ".join(str(value) for value in cursor.fetchone())
        for plain in PLAINTEXTS:
            assert plain not in raw
        assert w9.tin_last4 == "1234" and w9.tin_hash != tins.fingerprint("000000000")
        assert tins.decrypt(w9.tin_encrypted) == DIGITS

    def test_djangos_data_dump_holds_no_plaintext_tin(self, org, manager, jordan, tmp_path):
        record_w9(jordan, manager)
        out = tmp_path / "dump.json"
        call_command("dumpdata", "compliance", output=str(out), verbosity=0)
        dump = out.read_text()
        assert "tin_encrypted" in dump
        for plain in PLAINTEXTS:
            assert plain not in dump

    def test_another_key_cannot_read_it_and_a_rotation_keeps_it_readable(
        self, org, manager, jordan
    ):
        w9 = record_w9(jordan, manager)
        new_key = Fernet.generate_key().decode()
        with override_settings(TIN_KEYS=[new_key]), pytest.raises(Exception) as error:
            tins.decrypt(w9.tin_encrypted)
        assert DIGITS not in str(error.value)
        with override_settings(TIN_KEYS=[new_key, *settings.TIN_KEYS]):
            call_command("rotate_tin_keys", verbosity=0)
            w9.refresh_from_db()
            assert tins.decrypt(w9.tin_encrypted) == DIGITS
        with override_settings(TIN_KEYS=[new_key]):
            assert tins.decrypt(W9.objects.get(pk=w9.pk).tin_encrypted) == DIGITS

    def test_a_duplicate_tin_is_found_by_its_keyed_hash(self, org, manager, jordan):
        twin = ProviderFactory(organization=org, name="Jordan Lee (personal)")
        other = ProviderFactory(organization=org, name="Someone else")
        first = record_w9(jordan, manager)
        record_w9(twin, manager, tin=DIGITS)  # the same TIN typed without dashes
        record_w9(other, manager, tin=FAKE_SSN_2)
        duplicates = selectors.duplicate_tins(Principal.system(org), [first])
        assert duplicates[first.pk] == ["Jordan Lee (personal)"]


SCAN = b"%PDF-1.4\n% a scanned W-9 showing the TIN " + FAKE_SSN.encode() + b"\n%%EOF\n"


def scanned_w9(provider, actor):
    return services.record_w9(
        principal_for(actor, provider.organization),
        provider,
        data=W9_DATA,
        tin=FAKE_SSN,
        upload=SimpleUploadedFile("scan.pdf", SCAN, "application/pdf"),
    )


def stored_bytes(w9) -> bytes:
    with w9.document.storage.open(w9.document.name, "rb") as handle:
        return handle.read()


def downloaded(org, admin, w9) -> bytes:
    response = client_for(admin).get(reverse("compliance:w9_document", args=[org.slug, w9.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'filename="w9-{w9.provider_id}.pdf"')
    return b"".join(response.streaming_content)


@pytest.mark.django_db
class TestScanAtRest:
    """The signed form shows the full TIN: its file is encrypted with the TIN's key ring."""

    def test_the_stored_file_holds_neither_the_tin_nor_the_scan(self, org, admin, manager, jordan):
        w9 = scanned_w9(jordan, manager)
        stored = stored_bytes(w9)
        assert FAKE_SSN.encode() not in stored and not stored.startswith(b"%PDF")
        assert w9.document.name.endswith(".pdf.enc")
        assert downloaded(org, admin, w9) == SCAN

    def test_a_rotation_reencrypts_the_file_and_removes_the_old_one(
        self, org, admin, manager, jordan, django_capture_on_commit_callbacks
    ):
        w9 = scanned_w9(jordan, manager)
        old_name, old_bytes = w9.document.name, stored_bytes(w9)
        new_key = Fernet.generate_key().decode()
        with (
            override_settings(TIN_KEYS=[new_key, *settings.TIN_KEYS]),
            django_capture_on_commit_callbacks(execute=True),
        ):
            call_command("rotate_tin_keys", verbosity=0)
        w9.refresh_from_db()
        assert w9.document.name != old_name and stored_bytes(w9) != old_bytes
        assert not w9.document.storage.exists(old_name)
        with override_settings(TIN_KEYS=[new_key]):
            assert downloaded(org, admin, w9) == SCAN

    def test_a_file_stored_before_encryption_is_served_and_then_encrypted(
        self, org, admin, manager, jordan, django_capture_on_commit_callbacks
    ):
        w9 = scanned_w9(jordan, manager)
        plain_name = w9.document.storage.save("org-legacy/w9/scan.pdf", ContentFile(SCAN))
        W9.objects.filter(pk=w9.pk).update(document=plain_name)
        w9.refresh_from_db()
        assert downloaded(org, admin, w9) == SCAN
        with django_capture_on_commit_callbacks(execute=True):
            call_command("rotate_tin_keys", verbosity=0)
        w9.refresh_from_db()
        assert tins.is_encrypted_file(stored_bytes(w9))
        assert FAKE_SSN.encode() not in stored_bytes(w9)
        assert downloaded(org, admin, w9) == SCAN

    def test_an_altered_file_is_refused_without_showing_it(self, org, admin, manager, jordan):
        w9 = scanned_w9(jordan, manager)
        stored = bytearray(stored_bytes(w9))
        stored[-5] ^= 1
        w9.document.storage.delete(w9.document.name)
        w9.document.storage.save(w9.document.name, ContentFile(bytes(stored)))
        with pytest.raises(ImproperlyConfigured, match="cannot be decrypted"):
            services.open_w9_document(principal_for(admin, org), w9)


@pytest.mark.django_db(transaction=True)
def test_an_sql_dump_of_the_database_holds_no_plaintext_tin(org, manager, jordan, tmp_path):
    """The dump a backup makes: pg_dump on PostgreSQL, the SQLite dump otherwise."""
    record_w9(jordan, manager)
    if connection.vendor == "postgresql":
        if not shutil.which("pg_dump"):
            pytest.skip("pg_dump is not installed")
        params = connection.get_connection_params()
        command = [
            "pg_dump",
            "--data-only",
            "-h",
            params.get("host") or "127.0.0.1",
            "-U",
            params.get("user") or "postgres",
            connection.settings_dict["NAME"],
        ]
        if params.get("port"):
            command[1:1] = ["-p", str(params["port"])]
        dump = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        assert "compliance_w9" in dump
    else:
        dump = "\n".join(connection.connection.iterdump())
        assert "compliance_w9" in dump
    for plain in PLAINTEXTS:
        assert plain not in dump


@pytest.mark.django_db
class TestMaskingAndReveal:
    def test_pages_show_the_last_four_digits_only(self, org, viewer, manager, jordan):
        record_w9(jordan, manager)
        for name, args in [("w9", [jordan.pk]), ("overview", []), ("nec", [2025])]:
            page = client_for(viewer).get(reverse(f"compliance:{name}", args=[org.slug, *args]))
            for plain in PLAINTEXTS:
                assert plain not in page.content.decode()
        page = client_for(viewer).get(reverse("compliance:w9", args=[org.slug, jordan.pk]))
        assert "•••-••-1234" in page.content.decode()
        assert "Reveal the TIN" not in page.content.decode()

    @pytest.mark.parametrize("role", ["owner", "admin"])
    def test_an_owner_or_admin_reveals_by_post_and_it_is_recorded(
        self, org, request, manager, jordan, role
    ):
        user = request.getfixturevalue(role)
        w9 = record_w9(jordan, manager)
        client = client_for(user)
        page = client.get(reverse("compliance:w9", args=[org.slug, jordan.pk])).content.decode()
        assert "Reveal the TIN" in page
        reveal_url = reverse("compliance:w9_reveal", args=[org.slug, w9.pk])
        assert client.get(reveal_url).status_code == 405  # never a link
        response = client.post(reveal_url)
        assert FAKE_SSN in response.content.decode()
        assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
        event = AuditEvent.objects.get(action="w9.tin_revealed")
        assert event.actor == user and event.object_id == str(w9.pk)
        recorded = json.dumps([event.summary, event.changes])
        for plain in PLAINTEXTS + ["1234"]:
            assert plain not in recorded

    @pytest.mark.parametrize("role", ["manager", "member", "viewer"])
    def test_below_admin_the_reveal_is_403_and_not_recorded(
        self, org, request, manager, jordan, role
    ):
        w9 = record_w9(jordan, manager)
        user = request.getfixturevalue(role)
        response = client_for(user).post(reverse("compliance:w9_reveal", args=[org.slug, w9.pk]))
        assert response.status_code == 403
        assert FAKE_SSN not in response.content.decode()
        assert not AuditEvent.objects.filter(action="w9.tin_revealed").exists()

    def test_the_signed_form_is_for_admins_and_recorded(self, org, admin, manager, jordan):
        w9 = record_w9(jordan, manager)
        url = reverse("compliance:w9_document", args=[org.slug, w9.pk])
        assert client_for(manager).get(url).status_code == 403
        response = client_for(admin).get(url)
        assert response.status_code == 200 and b"".join(response.streaming_content).startswith(
            b"%PDF"
        )
        assert AuditEvent.objects.filter(action="w9.document_opened").count() == 1


@pytest.mark.django_db
class TestEntry:
    def test_a_manager_enters_a_w9(self, org, manager, jordan):
        response = client_for(manager).post(
            reverse("compliance:w9_create", args=[org.slug, jordan.pk]), form_data()
        )
        assert response["Location"] == reverse("compliance:w9", args=[org.slug, jordan.pk])
        assert FAKE_SSN not in response["Location"]
        w9 = W9.objects.filter(organization=org).get()
        assert (w9.legal_name, w9.tin_last4, w9.tin_type) == ("Jordan Lee", "1234", "ssn")
        event = AuditEvent.objects.get(action="w9.received")
        for plain in PLAINTEXTS + ["1234"]:
            assert plain not in json.dumps([event.summary, event.changes])

    @pytest.mark.parametrize(
        ("overrides", "field", "message"),
        [
            ({"tin": "90000123"}, "tin", "Enter the nine digits of the TIN"),
            ({"tin": "900-00-123X"}, "tin", "Enter the nine digits of the TIN"),
            ({"tin_type": "itin", "tin": "123-45-6789"}, "tin", "An ITIN starts with 9"),
            ({"tax_classification": "llc"}, "llc_classification", "For an LLC"),
            ({"tax_classification": "c_corporation"}, "tin_type", "gives an EIN"),
            ({"state": "ZZ"}, "state", "two-letter code"),
            ({"postal_code": "6270"}, "postal_code", "ZIP code"),
            ({"document": None}, "document", "This field is required"),
        ],
    )
    def test_bad_input_is_refused_with_the_reason_without_echoing_the_tin(
        self, org, manager, jordan, overrides, field, message, caplog
    ):
        data = form_data(**overrides)
        if data["document"] is None:
            del data["document"]
        with caplog.at_level(logging.DEBUG):
            response = client_for(manager).post(
                reverse("compliance:w9_create", args=[org.slug, jordan.pk]), data
            )
        page = response.content.decode()
        assert response.status_code == 200 and message in page
        assert not W9.objects.exists()
        typed = data["tin"]
        assert typed not in page and typed.replace("-", "") not in page
        assert typed not in caplog.text and typed.replace("-", "") not in caplog.text

    def test_a_document_that_is_not_a_pdf_or_image_is_refused(self, org, manager, jordan):
        from django.core.files.uploadedfile import SimpleUploadedFile

        bad = SimpleUploadedFile("w9.pdf", b"MZ not a pdf", "application/pdf")
        response = client_for(manager).post(
            reverse("compliance:w9_create", args=[org.slug, jordan.pk]), form_data(document=bad)
        )
        assert "Upload a PDF, PNG or JPEG" in response.content.decode()
        assert not W9.objects.exists()

    def test_an_ein_of_a_corporation_is_masked_as_an_ein(self, org, manager, jordan):
        w9 = record_w9(
            jordan, manager, tin=FAKE_EIN, tin_type="ein", tax_classification="c_corporation"
        )
        assert w9.masked_tin == "••-•••4567" and w9.is_corporation

    def test_the_list_of_payees_without_a_w9(self, org, owner, manager, viewer, jordan):
        from datetime import date

        from handoff.engagements.models import Engagement
        from tests.compliance.conftest import pay

        paid = ProviderFactory(organization=org, name="Paid Without Papers")
        ProviderFactory(organization=org, name="Never Paid")
        pay(org, manager, paid, 300, date(2025, 3, 1))
        pay(org, manager, paid, 150, date(2025, 5, 2))
        pay(org, manager, jordan, 300, date(2025, 3, 1))
        record_w9(jordan, manager)
        page = client_for(viewer).get(reverse("compliance:missing_w9", args=[org.slug]))
        text = page.content.decode()
        assert "Paid Without Papers" in text and "Never Paid" not in text
        assert "Jordan Lee IT" not in text
        assert "May 2, 2025" in text
        # Each payee's own payments to date, and nobody else's.
        assert [
            (p.name, p.paid, p.last_paid)
            for p in selectors.payees_without_w9(Principal.system(org))
        ] == [("Paid Without Papers", 450, date(2025, 5, 2))]
        # Without the totals (the dashboard), whether each was paid at all.
        unpaid = ProviderFactory(organization=org, name="Engaged Unpaid")
        Engagement.objects.create(
            organization=org,
            provider=unpaid,
            title="Work",
            amount=100,
            start_date=date(2026, 1, 1),
            status="active",
        )
        payees = selectors.payees_without_w9(Principal.system(org), totals=False)
        assert [(p.name, p.paid) for p in payees] == [
            ("Engaged Unpaid", False),
            ("Paid Without Papers", True),
        ]
