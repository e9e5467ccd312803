"""Foreign payees: a W-8BEN signed through the onboarding link, a W-8BEN-E uploaded through it,
either recorded by a manager; what they change (no 1099-NEC, and why; no "missing W-9"), the
encryption at rest, the portal and the API, and other organizations kept out."""

import io
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from pypdf import PdfReader

from handoff.compliance import foreign, onboarding, selectors, tin_matching, tins
from handoff.compliance.choices import ReportableReason
from handoff.compliance.models import W8, OnboardingLink, w8_valid_through
from handoff.core.principal import Principal
from handoff.payables import services as payables
from handoff.providers.models import Contact
from tests.compliance.conftest import pay, pdf_upload, record_w9
from tests.compliance.test_state_reports import due_of, in_states
from tests.conftest import api_client_for, client_for
from tests.factories import ProviderFactory, UserFactory, portal_login, principal_for

W8BEN = {
    "form": "w8ben",
    "name": "Ana Souza",
    "country": "Brazil",
    "street": "Rua das Flores 12, apto 3",
    "city": "Porto Alegre, RS 90010-000",
    "address_country": "Brazil",
    "us_tin_type": "",
    "us_tin": "",
    "foreign_tin": "123.456.789-09",
    "date_of_birth": "1990-05-17",
    "treaty_country": "",
    "certified": "on",
    "signer_name": "Ana Souza",
}


@pytest.fixture
def ana(org):
    return ProviderFactory(organization=org, name="Ana Souza Design", kind="individual")


def consented(org, manager, provider, email="ana@example.br"):
    link, raw = onboarding.send_link(principal_for(manager, org), provider, email=email)
    browser = Client(HTTP_USER_AGENT="Test browser 1.0")
    path = reverse("compliance:onboarding_start", args=[raw])
    browser.post(path, {"agree": "on"})
    return link, path, browser


def record_w8(provider, actor, **data):
    return foreign.record_w8(
        principal_for(actor, provider.organization),
        provider,
        data={
            "form": "w8ben",
            "name": "Ana Souza",
            "country": "Brazil",
            "signed_on": provider.organization.today(),
            **data,
        },
        upload=pdf_upload("w8.pdf"),
    )


class TestValidity:
    @pytest.mark.parametrize(
        ("signed", "through"),
        [
            (date(2026, 3, 1), date(2029, 12, 31)),
            (date(2026, 1, 1), date(2029, 12, 31)),
            (date(2026, 12, 31), date(2029, 12, 31)),
            (date(2027, 1, 1), date(2030, 12, 31)),
        ],
    )
    def test_in_force_through_the_third_year_after(self, signed, through):
        assert w8_valid_through(signed) == through

    @pytest.mark.parametrize(
        ("country", "foreign_country"),
        [("United States", False), ("U.S.A.", False), ("usa", False), ("Brazil", True)],
    )
    def test_a_us_country_is_not_foreign(self, country, foreign_country):
        assert foreign.is_us(country) is not foreign_country


class TestTheW8benByLink:
    def test_the_contractor_chooses_the_w8ben_signs_and_it_is_on_file(
        self, org, manager, admin, ana
    ):
        link, path, browser = consented(org, manager, ana)
        page = browser.get(path).content.decode()
        assert "A foreign individual: Form W-8BEN" in page and "Sign the W-9" in page
        page = browser.get(path + "?form=w8ben").content.decode()
        assert "Sign the W-8BEN" in page and "is not a U.S. person" in page
        assert browser.post(path, W8BEN).status_code == 302
        link.refresh_from_db()
        assert link.status == "signed" and link.w9 is None
        w8 = link.w8
        assert (w8.form, w8.name, w8.country, w8.signer_name) == (
            "w8ben",
            "Ana Souza",
            "Brazil",
            "Ana Souza",
        )
        assert w8.date_of_birth == date(1990, 5, 17)
        # The foreign TIN and the signed form are kept only encrypted.
        assert "123.456.789-09" not in w8.foreign_tin_encrypted
        assert tins.decrypt(w8.foreign_tin_encrypted) == "123.456.789-09"
        with w8.document.open("rb") as stored:
            assert not stored.read().startswith(b"%PDF")
        pdf = foreign.open_w8_document(principal_for(admin, org), w8).read()
        text = " ".join(
            " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages
        )
        assert "Form W-8BEN (substitute)" in text and "123.456.789-09" in text
        assert "is not a U.S. person" in text and "/s/ Ana Souza" in text
        # The contractor's end page says why no 1099 comes, and gives the copy.
        done = browser.get(path).content.decode()
        assert "your W-8BEN is signed" in done and "no Form 1099-NEC" in done
        copy = browser.get(reverse("compliance:onboarding_pdf", args=[path.split("/")[2]]))
        assert b"".join(copy.streaming_content).startswith(b"%PDF")

    @pytest.mark.parametrize(
        ("changes", "field", "says"),
        [
            ({"country": "United States"}, "country", "give a Form W-9 instead"),
            ({"street": "P.O. Box 77"}, "street", "not a P.O. box"),
            ({"address_country": "USA"}, "address_country", "Form W-9 instead"),
            ({"foreign_tin": ""}, "foreign_tin", "tick that your country does not"),
            ({"date_of_birth": ""}, "date_of_birth", "date of birth"),
            ({"us_tin": "900-00-1234"}, "us_tin_type", "SSN or an ITIN"),
            ({"us_tin_type": "ssn", "us_tin": "000-12-3456"}, "us_tin", ""),
            ({"treaty_article": "14"}, "treaty_country", "treaty country"),
            ({"certified": ""}, "certified", "Tick the box to certify"),
            ({"signer_name": ""}, "signer_name", "Type your full name"),
        ],
    )
    def test_bad_input_says_why_and_keeps_nothing_signed(
        self, org, manager, ana, changes, field, says
    ):
        link, path, browser = consented(org, manager, ana)
        response = browser.post(path, {**W8BEN, **changes})
        assert response.status_code == 200
        assert field in response.context["form"].errors, response.context["form"].errors
        assert says in " ".join(response.context["form"].errors[field])
        assert not W8.objects.filter(organization=org).exists()
        link.refresh_from_db()
        assert link.status == "consented"
        assert link.draft["form"] == "w8ben" and link.draft["name"] == "Ana Souza"
        assert "123.456.789-09" not in str(link.draft)  # the foreign TIN is not kept

    def test_leaving_and_coming_back_reopens_the_w8ben(self, org, manager, ana):
        link, path, browser = consented(org, manager, ana)
        browser.post(path, {**W8BEN, "save": "1", "name": "Ana S."})
        page = browser.get(path).content.decode()
        assert "Sign the W-8BEN" in page and 'value="Ana S."' in page

    def test_a_foreign_entity_uploads_its_w8bene(self, org, manager, ana):
        link, path, browser = consented(org, manager, ana)
        page = browser.get(path + "?form=w8bene").content.decode()
        assert "Upload the W-8BEN-E" in page
        data = {"form": "w8bene", "name": "Souza Ltda", "country": "Brazil", "signer_name": "Ana"}
        data["signed_on"] = org.today().isoformat()
        fake = SimpleUploadedFile("w8bene.pdf", b"<html><script>x</script></html>", "text/html")
        refused = browser.post(path, {**data, "document": fake})
        assert "document" in refused.context["form"].errors
        assert not W8.objects.filter(organization=org).exists()
        assert browser.post(path, {**data, "document": pdf_upload("w8bene.pdf")}).status_code == 302
        link.refresh_from_db()
        assert link.w8.form == "w8bene" and link.w8.name == "Souza Ltda"
        assert "your W-8BEN-E is received" in browser.get(path).content.decode()

    def test_a_link_gives_only_its_own_payees_form(self, org, manager, ana):
        link, _, _ = consented(org, manager, ana)
        other = ProviderFactory(organization=org)
        with pytest.raises(Exception, match="another payee"):
            foreign.record_w8(
                Principal.for_link(link),
                other,
                data={"form": "w8ben", "name": "X", "country": "Brazil"},
                upload=pdf_upload(),
            )


class TestWhatAW8Changes:
    def test_no_1099_nec_and_the_list_says_why(self, org, manager, owner, ana):
        record_w8(ana, manager, signed_on=date(2025, 2, 1))
        pay(org, manager, ana, D("5000"), date(2025, 4, 1))
        report = selectors.nec_report(principal_for(owner, org), 2025)
        (row,) = report.rows
        assert row.reason == ReportableReason.FOREIGN_PERSON and not row.needs_form
        assert "Form 1042-S" in row.foreign_note and report.missing_w9 == []
        page = client_for(owner).get(reverse("compliance:nec", args=[org.slug, 2025]))
        assert "Foreign person (Form W-8 on file): no 1099-NEC" in page.content.decode()
        api = api_client_for(owner, org).get("/api/v1/compliance/1099/2025")
        assert api.status_code == 200, api.content
        (out,) = api.json()["rows"]
        assert out["reason"] == "foreign_person" and out["foreign_form"] == "W-8BEN"

    def test_a_newer_w9_makes_them_a_us_payee_again(self, org, manager, owner, ana):
        record_w8(ana, manager, signed_on=date(2025, 1, 5))
        record_w9(ana, manager)  # signed 2025-01-10 in the shared data
        pay(org, manager, ana, D("5000"), date(2025, 4, 1))
        (row,) = selectors.nec_report(principal_for(owner, org), 2025).rows
        assert row.needs_form and row.w8 is None

    def test_a_payee_with_a_w8_in_force_is_not_missing_a_w9(self, org, manager, owner, ana):
        pay(org, manager, ana, D("100"), org.today())
        assert list(selectors.payees_without_w9(principal_for(owner, org))) == [ana]
        record_w8(ana, manager)
        assert list(selectors.payees_without_w9(principal_for(owner, org))) == []

    def test_a_lapsed_w8_is_missing_again(self, org, manager, owner, ana):
        w8 = record_w8(ana, manager)
        W8.objects.filter(pk=w8.pk).update(signed_on=date(org.today().year - 4, 6, 1))
        pay(org, manager, ana, D("100"), org.today())
        assert list(selectors.payees_without_w9(principal_for(owner, org))) == [ana]

    def test_a_lapsed_form_cannot_be_recorded(self, org, manager, ana):
        long_ago = date(org.today().year - 4, 6, 1)
        with pytest.raises(Exception, match="has lapsed"):
            record_w8(ana, manager, signed_on=long_ago)

    def test_the_refuse_without_w9_rule_accepts_a_w8(self, org, manager, owner, ana):
        settings_row = selectors.settings_for(principal_for(owner, org))
        settings_row.refuse_payments_without_w9 = True
        settings_row.save()
        record_w8(ana, manager)
        payment, warnings = payables.record_payment(
            principal_for(manager, org),
            provider_id=ana.pk,
            data={"paid_on": org.today(), "amount": D("300"), "method": "wire"},
        )
        assert payment.pk and not any("W-9" in warning for warning in warnings)


class TestTheMembersPages:
    def test_a_manager_records_a_paper_w8_and_an_admin_opens_it(
        self, org, manager, admin, viewer, ana
    ):
        page = client_for(manager).get(reverse("compliance:w9", args=[org.slug, ana.pk]))
        assert "Record a W-8BEN or W-8BEN-E" in page.content.decode()
        url = reverse("compliance:w8_create", args=[org.slug, ana.pk])
        data = {
            "form": "w8bene",
            "name": "Souza Ltda",
            "country": "Brazil",
            "signed_on": (org.today() - timedelta(days=3)).isoformat(),
            "signer_name": "Ana Souza",
        }
        bad = client_for(manager).post(
            url, {**data, "country": "United States", "document": pdf_upload()}
        )
        assert "give a Form W-9 instead" in bad.content.decode()
        assert not W8.objects.exists()
        done = client_for(manager).post(url, {**data, "document": pdf_upload()})
        assert done.status_code == 302
        w8 = W8.objects.get(organization=org)
        page = client_for(viewer).get(done.url).content.decode()
        assert "W-8BEN-E: signed" in page and "not reported on Form 1099-NEC" in page
        assert client_for(viewer).post(url, data).status_code == 403
        document = reverse("compliance:w8_document", args=[org.slug, w8.pk])
        assert client_for(viewer).get(document).status_code == 403
        opened = client_for(admin).get(document)
        assert b"".join(opened.streaming_content).startswith(b"%PDF")

    def test_another_organizations_w8_is_not_found(self, org, manager, ana, other_org, outsider):
        w8 = record_w8(ana, manager)
        document = reverse("compliance:w8_document", args=[other_org.slug, w8.pk])
        assert client_for(outsider).get(document).status_code == 404
        api = api_client_for(outsider, other_org)
        assert api.get(f"/api/v1/compliance/w8s/{w8.pk}").status_code == 404
        assert api.get("/api/v1/compliance/w8s").json()["count"] == 0


class TestTheApi:
    def test_record_list_read_and_download(self, org, manager, admin, ana):
        api = api_client_for(manager, org)
        response = api.client.post(
            "/api/v1/compliance/w8s",
            {
                "provider_id": ana.pk,
                "form": "w8ben",
                "name": "Ana Souza",
                "country": "Brazil",
                "signed_on": org.today().isoformat(),
                "file": pdf_upload(),
            },
            **api.auth,
        )
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["in_force"] and body["form"] == "w8ben"
        assert api.get("/api/v1/compliance/w8s").json()["count"] == 1
        assert api.get(f"/api/v1/compliance/w8s/{body['id']}/file").status_code == 403
        download = api_client_for(admin, org).get(f"/api/v1/compliance/w8s/{body['id']}/file")
        assert download.status_code == 200

    def test_bad_input_names_the_field(self, org, manager, ana):
        api = api_client_for(manager, org)
        response = api.client.post(
            "/api/v1/compliance/w8s",
            {
                "provider_id": ana.pk,
                "form": "w8ben",
                "name": "Ana",
                "country": "USA",
                "signed_on": org.today().isoformat(),
                "file": pdf_upload(),
            },
            **api.auth,
        )
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["country"]
        assert not W8.objects.exists()


class TestThePortal:
    def test_a_contact_sees_and_downloads_their_w8_only(self, org, manager, ana):
        contact = Contact.objects.create(
            organization=org, provider=ana, name="Ana", email="ana@example.br"
        )
        user = UserFactory(name="Ana Souza", email="ana@example.br")
        portal_login(contact, user)
        mine = record_w8(ana, manager)
        theirs = record_w8(ProviderFactory(organization=org), manager)
        client = client_for(user)
        page = client.get(reverse("compliance:portal_w9", args=[org.slug])).content.decode()
        assert "Forms W-8" in page and "W-8BEN" in page
        own = client.get(reverse("compliance:portal_w8_document", args=[org.slug, mine.pk]))
        assert b"".join(own.streaming_content).startswith(b"%PDF")
        other = reverse("compliance:portal_w8_document", args=[org.slug, theirs.pk])
        assert client.get(other).status_code == 404


def test_key_rotation_re_encrypts_the_w8(org, manager, ana):
    link, path, browser = consented(org, manager, ana)
    browser.post(path, W8BEN)
    w8 = OnboardingLink.objects.get(pk=link.pk).w8
    new_key = Fernet.generate_key().decode()
    with override_settings(TIN_KEYS=[new_key, *settings.TIN_KEYS]):
        call_command("rotate_tin_keys", verbosity=0)
    with override_settings(TIN_KEYS=[new_key]):
        w8 = W8.objects.get(pk=w8.pk)
        assert tins.decrypt(w8.foreign_tin_encrypted) == "123.456.789-09"
        assert foreign.decrypted_document(w8).read().startswith(b"%PDF")


def test_a_payee_who_gave_a_w8_since_is_not_sent_to_tin_matching(org, manager, admin, ana):
    record_w9(ana, manager)  # signed 2025-01-10
    assert [w9.provider for w9 in tin_matching.to_check(principal_for(admin, org))] == [ana]
    record_w8(ana, manager)  # signed today
    assert tin_matching.to_check(principal_for(admin, org)) == []


def test_a_foreign_payee_is_not_due_for_a_state_new_hire_report(org, manager, ana):
    in_states(org, "CA")
    pay(org, manager, ana, D("5000"), date(2026, 3, 1))
    assert ("Ana Souza Design", "CA") in due_of(org)
    record_w8(ana, manager, signed_on=date(2026, 1, 5))
    assert ("Ana Souza Design", "CA") not in due_of(org)
