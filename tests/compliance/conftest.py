"""Shared pieces of Comply's tests: the rules as the data migration loads them, a provider
that is an individual, a W-9 with a TIN from the ranges the IRS never issues."""

import importlib
import io
from datetime import date

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter

from handoff.compliance import services
from handoff.decisions.models import BusinessFunction
from handoff.engagements import services as engagements
from handoff.payables import services as payables
from tests.decisions.conftest import reload_dated_figures
from tests.factories import ProviderFactory, principal_for

# SSNs with area 900-999 or group 00, and EINs with prefix 00, are never issued (domain notes).
FAKE_SSN = "900-00-1234"
FAKE_SSN_2 = "987-00-5678"
FAKE_EIN = "00-1234567"


def reload_rules() -> None:
    """Load Comply's dated rules (and decisions' payroll figures) as the data migrations do;
    a transactional test needs this after an earlier one's flush emptied the tables."""
    reload_dated_figures()
    for name in ("0002_rules", "0006_backup_withholding_rate", "0008_state_contractor_rules"):
        migration = importlib.import_module(f"handoff.compliance.migrations.{name}")
        migration.load(apps, schema_editor=None)


def pdf_upload(name="w9.pdf") -> SimpleUploadedFile:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), "application/pdf")


W9_DATA = {
    "legal_name": "Jordan Lee",
    "business_name": "Jordan Lee IT",
    "tax_classification": "individual",
    "llc_classification": "",
    "exempt_payee_code": "",
    "is_attorney": False,
    "tin_type": "ssn",
    "street": "12 Elm St",
    "city": "Springfield",
    "state": "IL",
    "postal_code": "62701",
    "signed_on": date(2025, 1, 10),
}


def record_w9(provider, actor, tin=FAKE_SSN, **overrides):
    return services.record_w9(
        principal_for(actor, provider.organization),
        provider,
        data={**W9_DATA, **overrides},
        tin=tin,
        upload=pdf_upload(),
    )


@pytest.fixture
def jordan(org):
    return ProviderFactory(
        organization=org, name="Jordan Lee IT", kind="individual", entity_type="sole_proprietor"
    )


@pytest.fixture
def jordan_engagement(org, owner, jordan):
    return engagements.create_engagement(
        principal_for(owner, org),
        provider_id=jordan.pk,
        function_ids=[BusinessFunction.objects.filter(organization=org).get(name="IT support").pk],
        data={
            "title": "Front-desk IT support",
            "pricing_model": "hourly",
            "amount": "85.00",
            "monthly_quantity": "6",
            "start_date": date(2025, 1, 1),
            "end_date": date(2025, 12, 31),
        },
    )


def pay(org, actor, provider, amount, paid_on, method="ach", **extra):
    payment, _ = payables.record_payment(
        principal_for(actor, org),
        provider_id=provider.pk,
        data={"paid_on": paid_on, "amount": amount, "method": method, "reference": ""},
        **extra,
    )
    return payment
