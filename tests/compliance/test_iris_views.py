"""Filing through IRIS: the payer details in the settings (encrypted, audited, rotated), the
page, the file and its audit line, the template upload, corrected returns, the API — roles,
another organization's 404, a bad year's 422."""

import csv
import io
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
import time_machine
from cryptography.fernet import Fernet
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from handoff.compliance import iris_returns, selectors, services, tins
from handoff.compliance.models import ComplianceSettings
from handoff.core.models import AuditEvent
from tests.compliance.conftest import FAKE_EIN, pay, record_w9
from tests.conftest import api_client_for, client_for
from tests.factories import ProviderFactory, principal_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime(2026, 3, 4, 18, tzinfo=UTC)):
        yield


PAYER = {
    "payer_tin_type": "ein",
    "payer_tin": FAKE_EIN,
    "payer_address": "1 Main St",
    "payer_city": "Chicago",
    "payer_state": "il",
    "payer_postal_code": "60601",
    "payer_phone": "(312) 555-0100",
}


def set_payer(org, user, **over):
    return services.update_settings(principal_for(user, org), data={**PAYER, **over})


@pytest.fixture
def ready(org, owner, jordan):
    set_payer(org, owner)
    record_w9(jordan, owner)
    pay(org, owner, jordan, D("2500.50"), date(2025, 6, 1))


def rows_of(content: bytes):
    return list(csv.DictReader(io.StringIO(content.decode())))


# --- Payer details ----------------------------------------------------------------------------
def test_the_payer_tin_is_kept_encrypted_and_audited_masked(org, owner):
    current = set_payer(org, owner)
    assert current.payer_tin_encrypted and "1234567" not in current.payer_tin_encrypted
    assert tins.decrypt(current.payer_tin_encrypted) == "001234567"
    assert current.payer_tin_last4 == "4567" and current.payer_state == "IL"
    event = AuditEvent.objects.get(organization=org, action="compliance_settings.updated")
    assert event.changes["payer_tin"] == ["", current.masked_payer_tin]
    assert "001234567" not in str(event.changes)


def test_leaving_the_tin_empty_keeps_it(org, owner):
    set_payer(org, owner)
    current = services.update_settings(
        principal_for(owner, org), data={"payer_tin": "", "payer_city": "Evanston"}
    )
    assert current.payer_tin_last4 == "4567" and current.payer_city == "Evanston"


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"payer_tin": "12"}, "payer_tin"),
        ({"payer_tin_type": "", "payer_tin": "00-1234567"}, "payer_tin_type"),
        ({"payer_state": "ZZ"}, "payer_state"),
        ({"payer_phone": "12"}, "payer_phone"),
    ],
)
def test_bad_payer_details_name_the_field_and_save_nothing(org, owner, over, field):
    with pytest.raises(Exception) as raised:
        set_payer(org, owner, **over)
    assert field in raised.value.message_dict
    assert not ComplianceSettings.objects.filter(organization=org, payer_city="Chicago").exists()


def test_the_settings_page_edits_payer_details(org, owner):
    client = client_for(owner)
    url = reverse("compliance:settings", args=[org.slug])
    assert "Payer&#x27;s TIN" in client.get(url).content.decode()
    response = client.post(url, {**PAYER, "payer_country": "US", "payer_name": "Acme Dental LLC"})
    assert response.status_code == 302
    current = selectors.settings_for(principal_for(owner, org))
    assert current.payer_name == "Acme Dental LLC" and current.payer_tin_last4 == "4567"


def test_rotating_keys_re_encrypts_the_payer_tin(org, owner, settings):
    set_payer(org, owner)
    before = ComplianceSettings.objects.get(organization=org).payer_tin_encrypted
    new_key = Fernet.generate_key().decode()
    settings.TIN_KEYS = [new_key, *settings.TIN_KEYS]
    call_command("rotate_tin_keys", verbosity=0)
    after = ComplianceSettings.objects.get(organization=org).payer_tin_encrypted
    assert after != before
    settings.TIN_KEYS = [new_key]
    assert tins.decrypt(after) == "001234567"


# --- The page --------------------------------------------------------------------------------
def test_the_nec_page_links_to_the_iris_page(org, owner, ready):
    page = client_for(owner).get(reverse("compliance:nec", args=[org.slug, 2025]))
    assert reverse("compliance:iris", args=[org.slug, 2025]) in page.content.decode()


def test_the_page_lists_blockers_with_fix_links_and_state_notes(org, owner, ready):
    lee = ProviderFactory(organization=org, name="Lee Without W9", kind="individual")
    pay(org, owner, lee, D("3000"), date(2025, 7, 1))
    page = client_for(owner).get(reverse("compliance:iris", args=[org.slug, 2025]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "1 return ready" in text and "1 blocked" in text and "not in the file" in text
    assert "No W-9 on file" in text
    assert reverse("compliance:w9", args=[org.slug, lee.pk]) in text
    assert "<strong>IL</strong>" in text and "check with the state" in text
    assert reverse("compliance:iris_file", args=[org.slug, 2025]) in text


def test_missing_payer_details_link_to_settings_and_block_the_file(org, owner, jordan):
    record_w9(jordan, owner)
    pay(org, owner, jordan, D("2500"), date(2025, 6, 1))
    client = client_for(owner)
    text = client.get(reverse("compliance:iris", args=[org.slug, 2025])).content.decode()
    assert "Enter the payer" in text and reverse("compliance:settings", args=[org.slug]) in text
    response = client.get(reverse("compliance:iris_file", args=[org.slug, 2025]))
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="nec.iris_exported").exists()


@pytest.mark.parametrize("role", ["manager", "viewer"])
def test_below_admin_is_refused(org, role, request, ready):
    user = request.getfixturevalue(role)
    for name in ("iris", "iris_file"):
        assert (
            client_for(user).get(reverse(f"compliance:{name}", args=[org.slug, 2025])).status_code
            == 403
        )


def test_another_organization_sees_nothing(org, ready, outsider, other_org):
    client = client_for(outsider)
    for name in ("iris", "iris_file"):
        assert client.get(reverse(f"compliance:{name}", args=[org.slug, 2025])).status_code == 404


def test_a_year_without_a_layout_goes_back_to_the_1099_page(org, owner):
    response = client_for(owner).get(reverse("compliance:iris", args=[org.slug, 2021]))
    assert response.status_code == 302


# --- The file --------------------------------------------------------------------------------
def test_the_file_is_the_layout_and_recorded(org, owner, admin, ready):
    response = client_for(admin).get(reverse("compliance:iris_file", args=[org.slug, 2025]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="iris-1099-nec-2025.csv"' in response["Content-Disposition"]
    (row,) = rows_of(response.content)
    assert row["Recipient TIN"] == "900001234" and row["Payer TIN"] == "001234567"
    assert row["Payer Name Line 1"] == "Acme Dental"
    assert row["Box 1 - Nonemployee Compensation"] == "2500.50"
    assert row["Corrected"] == ""
    event = AuditEvent.objects.get(organization=org, action="nec.iris_exported")
    assert event.actor == admin and "1 TIN" in event.summary


def test_over_the_limit_is_a_zip(org, owner, ready, monkeypatch):
    other = ProviderFactory(organization=org, name="Sam Two", kind="individual")
    record_w9(other, owner, tin="987-00-5678", legal_name="Sam Two")
    pay(org, owner, other, D("3000"), date(2025, 8, 1))
    layout = iris_returns.layout_of(2025)
    monkeypatch.setattr(
        iris_returns, "layout_of", lambda year: type(layout)(**{**layout.__dict__, "row_limit": 1})
    )
    response = client_for(owner).get(reverse("compliance:iris_file", args=[org.slug, 2025]))
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert len(archive.namelist()) == 2
    assert sum(len(rows_of(archive.read(n))) for n in archive.namelist()) == 2


def test_a_blocked_return_is_left_out(org, owner, ready):
    lee = ProviderFactory(organization=org, name="Lee Without W9", kind="individual")
    pay(org, owner, lee, D("3000"), date(2025, 7, 1))
    response = client_for(owner).get(reverse("compliance:iris_file", args=[org.slug, 2025]))
    assert [r["Recipient Name Line 1"] for r in rows_of(response.content)] == ["Jordan Lee"]


# --- Template ---------------------------------------------------------------------------------
def test_the_template_upload_reports_and_fills_its_columns(org, owner, ready):
    client = client_for(owner)
    url = reverse("compliance:iris_template", args=[org.slug, 2025])
    upload = SimpleUploadedFile(
        "t.csv", b"Payer TIN,Recipient TIN,FATCA Filing Requirement,Box 1\n"
    )
    page = client.post(url, {"template": upload})
    text = page.content.decode()
    assert page.status_code == 200 and "FATCA Filing Requirement" in text
    assert "Recipient Name Line 1" in text  # required, no column for it
    response = client.post(
        url, {"headers": "Payer TIN,Recipient TIN,FATCA Filing Requirement,Box 1"}
    )
    assert response.status_code == 200
    assert list(csv.reader(io.StringIO(response.content.decode()))) == [
        ["Payer TIN", "Recipient TIN", "FATCA Filing Requirement", "Box 1"],
        ["001234567", "900001234", "", "2500.50"],
    ]
    assert "uploaded template" in AuditEvent.objects.get(action="nec.iris_exported").summary


def test_a_bad_template_is_refused_with_the_reason(org, owner, ready):
    url = reverse("compliance:iris_template", args=[org.slug, 2025])
    response = client_for(owner).post(
        url, {"template": SimpleUploadedFile("t.csv", b"\x00\x01binary")}, follow=True
    )
    assert "Template: The template is not a CSV text file" in response.content.decode()


# --- Corrected returns -------------------------------------------------------------------------
def test_corrected_returns_need_a_filed_year_and_are_marked(org, owner, jordan, ready):
    client = client_for(owner)
    url = reverse("compliance:iris_corrected", args=[org.slug, 2025])
    response = client.post(url, {"provider": [jordan.pk]}, follow=True)
    assert "not marked filed" in response.content.decode()
    services.record_filing(
        principal_for(owner, org),
        tax_year=2025,
        data={"filed_on": date(2026, 1, 20), "method": "iris", "confirmation": "1099-R-42"},
    )
    assert (
        "Corrected returns"
        in client.get(reverse("compliance:iris", args=[org.slug, 2025])).content.decode()
    )
    response = client.post(url, {"provider": [jordan.pk]})
    assert response.status_code == 200
    assert 'filename="iris-1099-nec-2025-corrected.csv"' in response["Content-Disposition"]
    (row,) = rows_of(response.content)
    assert row["Corrected"] == "X"
    assert AuditEvent.objects.filter(organization=org, action="nec.iris_corrected").count() == 1


def test_correcting_another_organizations_payee_is_a_404(org, owner, ready, other_org):
    stranger = ProviderFactory(organization=other_org, name="Stranger")
    response = client_for(owner).post(
        reverse("compliance:iris_corrected", args=[org.slug, 2025]), {"provider": [stranger.pk]}
    )
    assert response.status_code == 404


# --- API ------------------------------------------------------------------------------------------
def test_the_api_gives_the_validation_and_the_file(org, owner, ready):
    api = api_client_for(owner, org)
    body = api.get("/api/v1/compliance/1099/2025/iris").json()
    assert body["ready"] == 1 and body["blocked"] == 0 and body["payer_problems"] == []
    assert body["layout"]["row_limit"] == 100 and body["layout"]["verified"] is False
    assert body["states"][0]["state"] == "IL"
    response = api.get("/api/v1/compliance/1099/2025/iris/file")
    assert (
        response.status_code == 200 and rows_of(response.content)[0]["Recipient TIN"] == "900001234"
    )
    assert AuditEvent.objects.filter(action="nec.iris_exported").count() == 1


def test_the_api_lists_blockers_with_fix_urls(org, owner, ready):
    lee = ProviderFactory(organization=org, name="Lee Without W9", kind="individual")
    pay(org, owner, lee, D("3000"), date(2025, 7, 1))
    body = api_client_for(owner, org).get("/api/v1/compliance/1099/2025/iris").json()
    blocked = [r for r in body["returns"] if not r["ready"]]
    assert blocked[0]["problems"][0]["code"] == "no_w9"
    assert blocked[0]["problems"][0]["fix_url"] == reverse("compliance:w9", args=[org.slug, lee.pk])


@pytest.mark.parametrize(
    "path", ["/api/v1/compliance/1099/1999/iris", "/api/v1/compliance/1099/2021/iris/file"]
)
def test_the_api_refuses_a_bad_year_with_422(org, owner, ready, path):
    response = api_client_for(owner, org).get(path)
    assert response.status_code == 422 and "year" in str(response.json())


def test_the_api_is_admin_only(org, manager, ready):
    assert api_client_for(manager, org).get("/api/v1/compliance/1099/2025/iris").status_code == 403


def test_the_api_404s_another_organizations_payee(org, owner, ready, other_org):
    stranger = ProviderFactory(organization=other_org, name="Stranger")
    response = api_client_for(owner, org).get(
        "/api/v1/compliance/1099/2025/iris/file", corrected_provider=stranger.pk
    )
    assert response.status_code == 404
