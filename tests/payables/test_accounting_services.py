"""Accounting systems with the database: bills out, payments and vendors in (dry run, all or
nothing, matches by TIN then name), an organization's own mapping, pages and API."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from handoff.payables import accounting_services as services
from handoff.payables import hooks
from handoff.payables.models import ColumnMapping, Invoice, InvoiceLine, Payment
from handoff.providers.models import Provider
from tests.compliance.conftest import FAKE_SSN, record_w9
from tests.conftest import api_client_for, client_for
from tests.factories import ProviderFactory, principal_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def sam(org):
    return ProviderFactory(organization=org, name="Sam Rivera Design", kind="individual")


@pytest.fixture
def day(org):
    return org.today() - timedelta(days=20)


def invoice(org, provider, number, issued_on, status="approved", lines=(("Design", 10, "85"),)):
    total = sum(Decimal(q) * Decimal(p) for _, q, p in lines)
    row = Invoice.objects.create(
        organization=org,
        provider=provider,
        number=number,
        issued_on=issued_on,
        amount=total,
        description="Work",
        status=status,
    )
    for position, (text, quantity, price) in enumerate(lines):
        InvoiceLine.objects.create(
            organization=org,
            invoice=row,
            position=position,
            kind="hours",
            description=text,
            quantity=Decimal(quantity),
            unit_price=Decimal(price),
            amount=Decimal(quantity) * Decimal(price),
        )
    return row


def bank_csv(*rows) -> str:
    lines = ["Date,Description,Amount,Reference"]
    lines += [",".join(row) for row in rows]
    return "\n".join(lines) + "\n"


def run(user, org, content, key="bank_statement", commit=False):
    principal = principal_for(user, org)
    mapping = services.get_mapping(principal, key)
    return services.import_file(
        principal, format_key=key, rows=services.read_rows(mapping, content), commit=commit
    )


# --- Export -----------------------------------------------------------------------------------


def test_only_approved_invoices_go_out_one_row_per_line(org, owner, sam, day):
    invoice(org, sam, "A-1", day, lines=(("Design", 10, "85"), ("Photos", 1, "49.99")))
    invoice(org, sam, "S-1", day, status="submitted")
    name, text, count = services.export_bills(principal_for(owner, org), format_key="xero")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert count == 1 and name.startswith("bills-xero-")
    assert [r["*InvoiceNumber"] for r in rows] == ["A-1", "A-1"]
    assert [r["*UnitAmount"] for r in rows] == ["85.00", "49.99"]


def test_the_export_filters_by_date_and_provider(org, owner, sam, day):
    other = ProviderFactory(organization=org, name="Other Co")
    invoice(org, sam, "OLD", day - timedelta(days=60))
    invoice(org, sam, "NEW", day)
    invoice(org, other, "OTHER", day)
    _, text, count = services.export_bills(
        principal_for(owner, org), format_key="quickbooks", date_from=day, provider_id=sam.pk
    )
    assert count == 1 and "NEW" in text and "OLD" not in text and "OTHER" not in text


def test_export_page_downloads_and_other_organizations_invoices_stay_out(
    org, owner, sam, day, other_org, outsider
):
    invoice(org, sam, "A-1", day)
    theirs = ProviderFactory(organization=other_org, name="Theirs")
    invoice(other_org, theirs, "THEIRS", day)
    url = reverse("payables:accounting_export", args=[org.slug])
    response = client_for(owner).get(url, {"format": "quickbooks", "download": "1"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode()
    assert "A-1" in body and "THEIRS" not in body
    assert client_for(outsider).get(url).status_code == 404


def test_the_payments_and_invoices_pages_link_to_the_accounting_pages(org, owner):
    for name in ("payables:payments", "payables:invoices"):
        page = client_for(owner).get(reverse(name, args=[org.slug])).content.decode()
        assert reverse("payables:accounting_export", args=[org.slug]) in page
        assert reverse("payables:accounting_import", args=[org.slug]) in page


# --- Import -----------------------------------------------------------------------------------


def test_a_dry_run_shows_every_match_and_saves_nothing(org, owner, sam, day):
    content = bank_csv(
        (day.isoformat(), "SAM RIVERA DESIGN", "-850.00", "CHK 101"),
        (day.isoformat(), "Client deposit", "1200.00", ""),
        (day.isoformat(), "Coffee Shop", "-4.50", ""),
    )
    report = run(owner, org, content)
    assert [e["status"] for e in report] == ["ready", "skipped", "skipped"]
    assert report[0]["match"] == "Sam Rivera Design (by name)"
    assert "deposit" in report[1]["skipped"] and "Coffee Shop" in report[2]["skipped"]
    assert not Payment.objects.exists()


def test_commit_records_the_payments_and_leaves_out_the_skipped(org, owner, sam, day):
    content = bank_csv(
        (day.isoformat(), "Sam Rivera Design", "-850.00", "CHK 101"),
        (day.isoformat(), "Client deposit", "1200.00", ""),
    )
    run(owner, org, content, commit=True)
    payment = Payment.objects.get()
    assert (payment.provider, payment.amount, payment.reference) == (
        sam,
        Decimal("850.00"),
        "CHK 101",
    )
    again = run(owner, org, content)
    assert again[0]["status"] == "skipped" and "Already recorded" in again[0]["skipped"]


def test_a_broken_row_saves_nothing_and_names_row_column_reason(org, owner, sam, day):
    content = bank_csv(
        (day.isoformat(), "Sam Rivera Design", "-850.00", ""),
        ("not-a-day", "Sam Rivera Design", "-10.00", ""),
    )
    report = run(owner, org, content, commit=True)
    assert report[1]["line"] == 3
    assert report[1]["errors"] == ["Date: “not-a-day” is not a date such as 2025-03-31."]
    assert not Payment.objects.exists()


def test_an_ambiguous_name_is_a_problem(org, owner, day):
    ProviderFactory(organization=org, name="Acme")
    ProviderFactory(organization=org, name="ACME.")
    report = run(owner, org, bank_csv((day.isoformat(), "acme", "-5.00", "")))
    assert report[0]["status"] == "refused"
    assert report[0]["errors"][0].startswith("Description: “acme” could be any of")


def test_an_unknown_payee_in_an_accounting_export_is_refused(org, owner, day):
    content = "Date,Transaction Type,Num,Name,Amount\n" + (
        f"{day:%m/%d/%Y},Bill Payment (Check),1001,Nobody Inc,-300.00\n"
    )
    report = run(owner, org, content, key="quickbooks_payments")
    assert report[0]["errors"] == ["Name: No provider is named “Nobody Inc”."]


def test_the_payee_is_matched_by_the_tin_on_their_w9(org, owner, sam, day):
    record_w9(sam, owner)
    content = "Date,Source,Contact,Description,Reference,Debit,Credit,TaxNumber\n" + (
        f"{day:%d %b %Y},Spend Money,S. Rivera,March,INV-7,,850.00,{FAKE_SSN}\n"
    )
    # Xero's own mapping has no TIN column: an organization's mapping adds it.
    principal = principal_for(owner, org)
    mine = services.save_mapping(
        principal,
        base="xero_payments",
        name="Xero with tax numbers",
        roles={
            "date": "Date",
            "payee": "Contact",
            "amount": "Credit",
            "reference": "Reference",
            "type": "Source",
            "tin": "TaxNumber",
        },
        date_format="%d %b %Y",
    )
    report = run(owner, org, content, key=mine.key, commit=True)
    assert report[0]["match"] == "Sam Rivera Design (by TIN)"
    assert Payment.objects.get().provider == sam


def test_comply_registers_the_tin_finder_with_payables(org, owner, sam):
    from handoff.compliance.selectors import providers_with_tin

    assert providers_with_tin in hooks._payee_finders
    record_w9(sam, owner)
    assert hooks.payee_by_tin(principal_for(owner, org), FAKE_SSN.replace("-", "")) == {sam.pk}
    assert hooks.payee_by_tin(principal_for(owner, org), "900009999") == set()


def test_another_organizations_w9_does_not_match(org, owner, other_org, outsider):
    theirs = ProviderFactory(organization=other_org, name="Theirs")
    record_w9(theirs, outsider)
    assert hooks.payee_by_tin(principal_for(owner, org), FAKE_SSN.replace("-", "")) == set()


def test_vendors_import_creates_only_the_missing_providers(org, owner, sam):
    content = "Vendor,Company Name,Email,Tax ID\nSam Rivera Design,,,\nNew Co,New Co LLC,a@b.c,\n"
    report = run(owner, org, content, key="quickbooks_vendors")
    assert [e["status"] for e in report] == ["exists", "new"]
    assert not Provider.objects.filter(name="New Co").exists()  # a dry run
    run(owner, org, content, key="quickbooks_vendors", commit=True)
    assert Provider.objects.get(name="New Co").legal_name == "New Co LLC"


def test_a_header_without_a_required_column_is_refused(org, owner):
    mapping = services.get_mapping(principal_for(owner, org), "bank_statement")
    with pytest.raises(Exception, match="missing: Amount"):
        services.read_rows(mapping, "Date,Description\n2025-01-01,x\n")


def test_a_viewer_may_not_import(org, viewer):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        run(viewer, org, bank_csv())


# --- Pages --------------------------------------------------------------------------------------


def test_the_import_page_checks_then_imports(org, owner, sam, day):
    url = reverse("payables:accounting_import", args=[org.slug])
    content = bank_csv((day.isoformat(), "Sam Rivera Design", "-850.00", "CHK 101"))
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("bank.csv", content.encode(), "text/csv")
    client = client_for(owner)
    page = client.post(url, {"format": "bank_statement", "file": upload, "action": "check"})
    assert "Sam Rivera Design (by name)" in page.content.decode()
    assert not Payment.objects.exists()
    done = client.post(
        url, {"format": "bank_statement", "content": content, "action": "import"}, follow=True
    )
    assert "1 payments recorded" in done.content.decode()
    assert Payment.objects.count() == 1


def test_an_admin_copies_and_adapts_a_mapping_used_by_the_import(org, owner, sam, day):
    client = client_for(owner)
    response = client.post(
        reverse("payables:accounting_mappings", args=[org.slug]),
        {"base": "bank_statement", "name": "Our bank"},
    )
    mine = ColumnMapping.objects.get()
    assert response.url == reverse("payables:accounting_mapping", args=[org.slug, mine.pk])
    client.post(
        response.url,
        {
            "action": "save",
            "name": "Our bank",
            "date_format": "%m/%d/%Y",
            "date": "Posted",
            "payee": "Payee",
            "amount": "Value",
            "reference": "",
        },
    )
    mine.refresh_from_db()
    assert mine.roles["date"] == "Posted" and mine.date_format == "%m/%d/%Y"
    content = f"Posted,Payee,Value\n{day:%m/%d/%Y},Sam Rivera Design,-20.00\n"
    report = run(owner, org, content, key=mine.key, commit=True)
    assert report[0]["status"] == "ready" and Payment.objects.count() == 1


def test_a_mapping_of_another_organization_is_a_404(org, owner, other_org, outsider):
    theirs = services.save_mapping(
        principal_for(outsider, other_org),
        base="bank_statement",
        name="Theirs",
        roles={"date": "D", "payee": "P", "amount": "A"},
        date_format="%Y-%m-%d",
    )
    url = reverse("payables:accounting_mapping", args=[org.slug, theirs.pk])
    assert client_for(owner).get(url).status_code == 404
    api = api_client_for(owner, org)
    assert (
        api.client.delete(
            f"/api/v1/payables/accounting/mappings/{theirs.pk}", **api.auth
        ).status_code
        == 404
    )
    with pytest.raises(Exception, match="format"):
        services.get_mapping(principal_for(owner, org), theirs.key)


# --- API ----------------------------------------------------------------------------------------


def test_api_export_gives_the_csv(org, owner, sam, day):
    invoice(org, sam, "A-1", day)
    api = api_client_for(owner, org)
    response = api.get("/api/v1/payables/accounting/bills", format="quickbooks")
    assert response.status_code == 200
    assert response.content.decode().splitlines()[0].startswith("Bill No,Vendor,Bill Date")
    assert api.get("/api/v1/payables/accounting/bills", format="sage").status_code == 422


def test_api_import_dry_run_then_commit_and_422_naming_row_and_column(org, owner, sam, day):
    api = api_client_for(owner, org)
    good = bank_csv((day.isoformat(), "Sam Rivera Design", "-850.00", ""))
    dry = api.post("/api/v1/payables/accounting/import", {"format": "bank_statement", "csv": good})
    assert dry.status_code == 200 and dry.json()["committed"] is False
    assert dry.json()["rows"][0]["match"] == "Sam Rivera Design (by name)"
    assert not Payment.objects.exists()
    bad = bank_csv((day.isoformat(), "Sam Rivera Design", "lots", ""))
    refused = api.post(
        "/api/v1/payables/accounting/import",
        {"format": "bank_statement", "csv": bad, "commit": True},
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0] == {
        "field": "line 2",
        "message": "Amount: “lots” is not an amount such as 1250.00.",
    }
    done = api.post(
        "/api/v1/payables/accounting/import",
        {"format": "bank_statement", "csv": good, "commit": True},
    )
    assert done.json()["counts"]["ready"] == 1 and Payment.objects.count() == 1


def test_api_formats_list_the_sources(org, viewer):
    formats = api_client_for(viewer, org).get("/api/v1/payables/accounting/formats").json()
    keys = {f["key"] for f in formats}
    assert {"quickbooks", "xero", "bank_statement", "quickbooks_payments"} <= keys
    assert all(f["source"]["url"] for f in formats)
