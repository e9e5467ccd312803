"""Files added to an invoice after it was submitted: its provider's contact or a manager adds
them while it waits for approval, on the page or through the API; a decided invoice keeps its
files as they were; a bad file or one too many changes nothing; other providers' and
organizations' invoices and files are 404."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from handoff.core.models import AuditEvent
from handoff.payables import services
from handoff.payables.models import InvoiceAttachment
from handoff.payables.services import MAX_ATTACHMENTS
from tests.conftest import api_client_for, client_for
from tests.factories import principal_for

# ruff: noqa: F811
from tests.payables.test_invoices import (  # noqa: F401 (fixtures)
    foreign_engagement,
    hourly,
    priya,
    provider,
    rita,
    rival,
    rival_engagement,
    submit,
)

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def timesheet(name="timesheet.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def invoice(org, priya, hourly):
    return submit(priya, org, hourly)


def test_the_contact_adds_a_timesheet_while_it_waits(org, priya, invoice):
    rows = services.add_attachments(principal_for(priya, org), invoice.pk, [timesheet()])
    assert [row.name for row in rows] == ["timesheet.pdf"]
    assert invoice.attachments.count() == 1
    assert AuditEvent.objects.filter(action="invoice.files_added").count() == 1


def test_a_manager_adds_one_a_viewer_may_not(org, manager, viewer, invoice):
    services.add_attachments(principal_for(manager, org), invoice.pk, [timesheet()])
    with pytest.raises(PermissionDenied):
        services.add_attachments(principal_for(viewer, org), invoice.pk, [timesheet()])
    assert invoice.attachments.count() == 1


def test_a_decided_invoice_keeps_its_files(org, manager, priya, invoice):
    services.reject_invoice(principal_for(manager, org), invoice.pk, "Wrong month")
    with pytest.raises(ValidationError) as error:
        services.add_attachments(principal_for(priya, org), invoice.pk, [timesheet()])
    assert "only while it waits for approval" in str(error.value)
    assert not invoice.attachments.exists()


def test_a_bad_file_or_one_too_many_changes_nothing(org, priya, invoice):
    principal = principal_for(priya, org)
    disguised = timesheet("invoice.pdf", b"<html><script>alert(1)</script></html>")
    with pytest.raises(ValidationError) as error:
        services.add_attachments(principal, invoice.pk, [timesheet(), disguised])
    assert "attachments" in error.value.message_dict
    assert not InvoiceAttachment.objects.all_organizations().exists()  # not the good one either

    services.add_attachments(principal, invoice.pk, [timesheet(f"{n}.pdf") for n in range(9)])
    with pytest.raises(ValidationError) as error:
        services.add_attachments(principal, invoice.pk, [timesheet("a.pdf"), timesheet("b.pdf")])
    assert f"at most {MAX_ATTACHMENTS} files" in str(error.value)
    assert "room for 1 more" in str(error.value)
    assert invoice.attachments.count() == 9


def test_another_providers_contact_cannot_see_or_add(org, rita, invoice):
    with pytest.raises(services.Invoice.DoesNotExist):
        services.add_attachments(principal_for(rita, org), invoice.pk, [timesheet()])


def test_the_page_adds_files_and_names_a_bad_one(org, priya, invoice):
    client = client_for(priya)
    page = client.get(f"/portal/acme/invoices/{invoice.pk}/").content.decode()
    assert "Add files" in page
    response = client.post(
        f"/portal/acme/invoices/{invoice.pk}/files/", {"files": [timesheet()]}, follow=True
    )
    assert "1 file(s) added" in response.content.decode()
    assert invoice.attachments.count() == 1
    response = client.post(
        f"/portal/acme/invoices/{invoice.pk}/files/",
        {"files": [timesheet("x.pdf", b"MZ\x90\x00 not a pdf")]},
    )
    assert response.status_code == 422
    assert "x.pdf" in response.content.decode()
    assert invoice.attachments.count() == 1


def test_no_add_form_once_approved(org, manager, priya, invoice):
    services.approve_invoice(principal_for(manager, org), invoice.pk)
    page = client_for(priya).get(f"/portal/acme/invoices/{invoice.pk}/").content.decode()
    assert "Add files" not in page


def test_the_api_adds_and_downloads_a_file(org, priya, manager, invoice):
    api = api_client_for(priya, org)
    url = f"/api/v1/payables/invoices/{invoice.pk}/attachments"
    response = api.client.post(url, {"files": [timesheet()]}, **api.auth)
    assert response.status_code == 201, response.content
    (added,) = response.json()
    assert added["name"] == "timesheet.pdf" and added["size"] == len(PDF)
    detail = api.get(f"/api/v1/payables/invoices/{invoice.pk}").json()
    assert [row["id"] for row in detail["attachments"]] == [added["id"]]
    for who in (priya, manager):
        client = api_client_for(who, org)
        response = client.get(f"/api/v1/payables/invoice-files/{added['id']}")
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF


def test_the_api_names_the_field_of_a_bad_file(org, priya, invoice):
    api = api_client_for(priya, org)
    response = api.client.post(
        f"/api/v1/payables/invoices/{invoice.pk}/attachments",
        {"files": [timesheet("run.hta", b"<script>x</script>")]},
        **api.auth,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "files"
    assert not invoice.attachments.exists()


def test_other_providers_and_organizations_get_404(org, priya, rita, outsider, other_org, invoice):
    services.add_attachments(principal_for(priya, org), invoice.pk, [timesheet()])
    stored = invoice.attachments.get()
    for api in (api_client_for(rita, org), api_client_for(outsider, other_org)):
        response = api.client.post(
            f"/api/v1/payables/invoices/{invoice.pk}/attachments",
            {"files": [timesheet()]},
            **api.auth,
        )
        assert response.status_code == 404
        assert api.get(f"/api/v1/payables/invoice-files/{stored.pk}").status_code == 404
    assert invoice.attachments.count() == 1
