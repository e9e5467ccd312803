"""A payee's tax statements through their contact's portal token: the sample's code, consent,
withdrawal, a paper copy request and the posted copies; members' tokens answer 401 here, and
another payee's or organization's copy is 404."""

import io
import re
from datetime import date
from decimal import Decimal as D

import pytest
from django.core import mail
from pypdf import PdfReader

from handoff.compliance import statements
from handoff.compliance.models import PaperCopyRequest, StatementConsent
from handoff.providers.models import Contact
from tests.compliance.conftest import FAKE_SSN_2, pay, record_w9
from tests.compliance.test_statements import YEAR, consent, jordan_user, payee, payer  # noqa: F401
from tests.conftest import api_client_for
from tests.factories import ProviderFactory, UserFactory, portal_login, principal_for

# ruff: noqa: F811
pytestmark = pytest.mark.django_db
URL = "/api/v1/portal/tax-statements"


def pdf_text(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_contact_reads_the_code_consents_and_withdraws(
    org, payee, jordan_user, django_capture_on_commit_callbacks
):
    api = api_client_for(jordan_user, org)
    assert api.get(URL).json() == {
        "consent": None,
        "disclosure_version": statements.DISCLOSURE_VERSION,
        "copies": [],
    }
    sample = api.get(URL + "/sample")
    assert sample.status_code == 200 and sample["Content-Type"] == "application/pdf"
    code = re.search(r"CODE ([A-Z0-9]{6})", pdf_text(sample)).group(1)

    wrong = api.post(URL + "/consent", {"agree": True, "code": "XXXXXX"})
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "code"
    assert not StatementConsent.objects.exists()

    given = api.post(URL + "/consent", {"agree": True, "code": code})
    assert given.status_code == 201, given.content
    assert given.json()["in_force"] and given.json()["provider_id"] == payee.pk
    assert api.get(URL).json()["consent"]["id"] == given.json()["id"]

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        withdrawn = api.post(URL + "/withdraw")
    assert withdrawn.json() == {"withdrawn": 1}
    assert mail.outbox[0].to == ["jordan@lee.example"]
    assert api.get(URL).json()["consent"] is None
    assert api.post(URL + "/withdraw").status_code == 422  # nothing left to withdraw


def test_a_paper_copy_request_and_a_bad_year(org, payee, jordan_user):
    api = api_client_for(jordan_user, org)
    response = api.post(URL + "/paper", {"tax_year": YEAR})
    assert response.status_code == 201 and response.json()["tax_year"] == YEAR
    bad = api.post(URL + "/paper", {"tax_year": org.today().year + 1})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "tax_year"
    assert PaperCopyRequest.objects.count() == 1


def test_the_posted_copy_downloads_and_others_are_404(
    org, admin, manager, payer, payee, jordan_user
):
    consent(org, jordan_user)
    mine = statements.post_to_portal(principal_for(admin, org), YEAR, payee.pk)
    other = ProviderFactory(organization=org, name="Quinn Books", kind="individual")
    record_w9(other, manager, tin=FAKE_SSN_2)
    pay(org, manager, other, D("900.00"), date(YEAR, 3, 1))
    quinn = UserFactory(name="Quinn", email="quinn@books.example")
    portal_login(Contact.objects.create(organization=org, provider=other, name="Quinn"), quinn)
    consent(org, quinn)
    theirs = statements.post_to_portal(principal_for(admin, org), YEAR, other.pk)

    api = api_client_for(jordan_user, org)
    [listed] = api.get(URL).json()["copies"]
    assert listed["id"] == mine.pk and listed["tax_year"] == YEAR
    response = api.get(f"{URL}/{mine.pk}/file")
    assert response.status_code == 200
    assert "Copy B" in pdf_text(response)
    assert api.get(f"{URL}/{theirs.pk}/file").status_code == 404


def test_members_tokens_are_not_credentials_here(org, admin, owner, payee):
    for user in (admin, owner):
        api = api_client_for(user, org)
        assert api.get(URL).status_code == 401
        assert api.post(URL + "/consent", {"agree": True, "code": "X"}).status_code == 401
    assert not StatementConsent.objects.exists()


def test_another_organizations_contact_sees_nothing_of_ours(
    org, admin, other_org, payer, payee, jordan_user
):
    consent(org, jordan_user)
    mine = statements.post_to_portal(principal_for(admin, org), YEAR, payee.pk)
    elsewhere = ProviderFactory(organization=other_org, name="Elsewhere Books")
    stranger = UserFactory(name="Sam", email="sam@elsewhere.example")
    portal_login(
        Contact.objects.create(organization=other_org, provider=elsewhere, name="Sam"), stranger
    )
    api = api_client_for(stranger, other_org)
    assert api.get(URL).json()["copies"] == []
    assert api.get(f"{URL}/{mine.pk}/file").status_code == 404
