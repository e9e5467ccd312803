"""The invoice pages, one code path for both sides: the list (members filter; a contact sees
their provider's only), the detail, submitting with line rows, other organizations and
providers as 404, and a list whose query count does not grow."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from handoff.payables.models import Invoice
from tests.conftest import client_for

# The fixtures are shared with test_invoices (imported, then named as arguments).
# ruff: noqa: F811
from tests.payables.test_invoices import (  # noqa: F401 (fixtures)
    foreign_engagement,
    hourly,
    line,
    priya,
    provider,
    rita,
    rival,
    rival_engagement,
    submit,
)

pytestmark = pytest.mark.django_db


def form_data(engagement, rows, *, total, number="P-1", **extra):
    data = {
        "engagement": engagement.pk,
        "number": number,
        "issued_on": "2026-02-02",
        "period_start": "2026-01-01",
        "period_end": "2026-01-31",
        "amount": total,
        "note": "",
        "lines-TOTAL_FORMS": "5",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "100",
        **extra,
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"lines-{index}-{key}"] = value
    return data


def test_a_contact_submits_from_the_portal_and_sees_the_flag(org, priya, hourly):
    client = client_for(priya)
    page = client.get("/portal/acme/invoices/new/")
    assert page.status_code == 200 and b"Submit an invoice" in page.content
    rows = [
        {
            "kind": "hours",
            "description": "January books",
            "quantity": "10",
            "unit_price": "95",
            "amount": "950.00",
        },
    ]
    pdf = SimpleUploadedFile("hours.pdf", b"%PDF-1.4 hours", content_type="application/pdf")
    response = client.post(
        "/portal/acme/invoices/new/",
        {**form_data(hourly, rows, total="950.00"), "attachments": [pdf]},
    )
    invoice = Invoice.objects.filter(organization=org).get()
    assert response.status_code == 302 and response.url == f"/portal/acme/invoices/{invoice.pk}/"
    detail = client.get(response.url).content.decode()
    assert "rate is $90.00 (+$50.00)" in detail and "Difference: $50.00" in detail
    assert "hours.pdf" in detail
    file_url = f"/portal/acme/invoice-files/{invoice.attachments.get().pk}/"
    assert client.get(file_url).status_code == 200
    listing = client.get("/portal/acme/invoices/").content.decode()
    assert "P-1" in listing and "1 flagged" in listing


def test_a_refused_line_shows_on_its_row_and_nothing_is_saved(org, priya, hourly):
    rows = [{}, {"kind": "hours", "quantity": "10", "unit_price": "90", "amount": "901.00"}]
    response = client_for(priya).post(
        "/portal/acme/invoices/new/", form_data(hourly, rows, total="901.00")
    )
    assert response.status_code == 422
    assert "10 × $90.00 is $900.00, not $901.00" in response.content.decode()
    assert not Invoice.objects.filter(organization=org).exists()


def test_add_rows_keeps_what_was_typed(org, priya, hourly):
    rows = [
        {
            "kind": "hours",
            "description": "Kept",
            "quantity": "1",
            "unit_price": "90",
            "amount": "90",
        }
    ]
    response = client_for(priya).post(
        "/portal/acme/invoices/new/", {**form_data(hourly, rows, total="90"), "add_rows": "1"}
    )
    content = response.content.decode()
    assert response.status_code == 200 and 'value="Kept"' in content
    assert 'name="lines-TOTAL_FORMS" value="6"' in content
    assert not Invoice.objects.filter(organization=org).exists()


def test_a_manager_enters_one_for_a_provider(org, manager, hourly):
    client = client_for(manager)
    assert b"Enter an invoice for a provider" in client.get("/o/acme/pay/invoices/new/").content
    rows = [{"kind": "hours", "quantity": "2", "unit_price": "90", "amount": "180"}]
    response = client.post("/o/acme/pay/invoices/new/", form_data(hourly, rows, total="180"))
    invoice = Invoice.objects.filter(organization=org).get()
    assert response.status_code == 302 and invoice.entered_by_member
    assert "entered on the provider's behalf" in client.get(response.url).content.decode()


def test_a_member_below_manager_cannot_enter_one(org, member, hourly):
    assert client_for(member).get("/o/acme/pay/invoices/new/").status_code == 403


def test_members_filter_the_list_by_status_and_provider(
    org, viewer, priya, rita, hourly, rival_engagement, rival
):
    submit(priya, org, hourly, number="L-1")
    submit(rita, org, rival_engagement, number="N-1")
    Invoice.objects.filter(number="N-1").update(status="approved")
    client = client_for(viewer)
    every = client.get("/o/acme/pay/invoices/").content.decode()
    assert "L-1" in every and "N-1" in every and "Enter an invoice" not in every
    approved = client.get("/o/acme/pay/invoices/?status=approved").content.decode()
    assert "N-1" in approved and "L-1" not in approved
    theirs = client.get(f"/o/acme/pay/invoices/?provider={rival.pk}").content.decode()
    assert "N-1" in theirs and "L-1" not in theirs


def test_a_contact_sees_only_their_providers_invoices(org, priya, rita, hourly, rival_engagement):
    mine = submit(priya, org, hourly, number="L-1")
    theirs = submit(rita, org, rival_engagement, number="N-1")
    client = client_for(priya)
    listing = client.get("/portal/acme/invoices/").content.decode()
    assert "L-1" in listing and "N-1" not in listing
    assert client.get(f"/portal/acme/invoices/{mine.pk}/").status_code == 200
    assert client.get(f"/portal/acme/invoices/{theirs.pk}/").status_code == 404
    # The same view at the members' address shows a contact the same rows, no more.
    assert "N-1" not in client.get("/o/acme/pay/invoices/").content.decode()
    pdf = SimpleUploadedFile("n.pdf", b"%PDF-1.4", content_type="application/pdf")
    theirs_file = submit(
        rita,
        org,
        rival_engagement,
        number="N-2",
        attachments=[pdf],
        period_start=date(2026, 3, 1),
        period_end=date(2026, 3, 31),
    )
    file_pk = theirs_file.attachments.get().pk
    assert client.get(f"/portal/acme/invoice-files/{file_pk}/").status_code == 404
    # Posting another provider's engagement is refused, and nothing is saved.
    rows = [{"kind": "hours", "quantity": "1", "unit_price": "90", "amount": "90"}]
    response = client.post(
        "/portal/acme/invoices/new/", form_data(rival_engagement, rows, total="90", number="Z")
    )
    assert response.status_code == 422 and not Invoice.objects.filter(number="Z").exists()


def test_another_organization_sees_none_of_it(org, outsider, other_org, priya, hourly):
    invoice = submit(priya, org, hourly, number="L-1")
    client = client_for(outsider)
    for url in (
        "/o/acme/pay/invoices/",
        f"/o/acme/pay/invoices/{invoice.pk}/",
        "/o/acme/pay/invoices/new/",
        f"/o/elsewhere/pay/invoices/{invoice.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    assert "L-1" not in client.get("/o/elsewhere/pay/invoices/").content.decode()


def test_the_list_does_not_grow_in_queries(
    org, owner, viewer, priya, hourly, django_assert_max_num_queries
):
    client = client_for(viewer)
    for index in range(3):
        submit(priya, org, hourly, number=f"A-{index}")
    with django_assert_max_num_queries(30) as few:
        client.get("/o/acme/pay/invoices/")
    for index in range(30):
        submit(priya, org, hourly, number=f"B-{index}", amount=D("900.00"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/o/acme/pay/invoices/").content.decode().count("flagged") >= 30
