"""Compliance inputs: the provider's attorney flag (model, page, API, CSV in and out) and its
effect on the 1099 list; payment dates that make no sense refused or confirmed (service, page,
CSV import, API); the reclassification estimate for a chosen tax year."""

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from handoff.compliance import selectors
from handoff.core.principal import Principal
from handoff.decisions.models import PayrollTaxRates
from handoff.payables import services as payables
from handoff.payables.models import Payment
from handoff.providers import services as providers
from handoff.providers.models import Provider
from tests.compliance.conftest import pay
from tests.compliance.test_assessments import assess
from tests.conftest import api_client_for, client_for
from tests.factories import ProviderFactory, principal_for


# The dates below are written for Friday 2026-12-04, noon in Chicago: the clock stands there.
@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime(2026, 12, 4, 18, tzinfo=UTC)):
        yield


pytestmark = pytest.mark.django_db


def reason(org, year, provider):
    return {row.provider.pk: row for row in selectors.nec_report(Principal.system(org), year).rows}[
        provider.pk
    ]


# --- The attorney flag on the provider ----------------------------------------------------------
class TestAttorney:
    def test_a_law_firm_without_a_w9_stays_on_the_1099_list(self, org, owner):
        firm = ProviderFactory(
            organization=org, name="Hale & Ward LLP", entity_type="c_corporation"
        )
        pay(org, owner, firm, D("2500"), date(2025, 5, 1))
        assert reason(org, 2025, firm).reason == "corporation"  # not flagged: left out
        firm.is_attorney = True
        firm.save()
        row = reason(org, 2025, firm)
        assert row.needs_form and row.attorney and row.w9 is None

    def test_the_flag_on_the_provider_form(self, org, manager):
        client = client_for(manager)
        response = client.post(
            reverse("providers:create", args=[org.slug]),
            {"name": "Hale & Ward LLP", "kind": "firm", "status": "prospect", "is_attorney": "on"},
        )
        assert response.status_code == 302, response.content
        assert Provider.objects.filter(organization=org).get(name="Hale & Ward LLP").is_attorney

    def test_the_flag_in_the_api(self, org, manager):
        api = api_client_for(manager, org)
        created = api.post("/api/v1/providers", {"name": "Hale & Ward LLP", "is_attorney": True})
        assert created.status_code == 201, created.content
        assert created.json()["is_attorney"] is True
        pk = created.json()["id"]
        patched = api.patch(f"/api/v1/providers/{pk}", {"is_attorney": False})
        assert patched.json()["is_attorney"] is False

    def test_the_flag_in_the_csv_import_and_export(self, org, owner):
        rows = [
            {"name": "Hale & Ward LLP", "is_attorney": "yes"},
            {"name": "Plain Co", "is_attorney": ""},
        ]
        report = providers.import_providers(principal_for(owner, org), rows=rows, commit=True)
        assert all(not entry["errors"] for entry in report)
        assert Provider.objects.filter(organization=org).get(name="Hale & Ward LLP").is_attorney
        assert not Provider.objects.filter(organization=org).get(name="Plain Co").is_attorney
        bad = providers.import_providers(
            principal_for(owner, org), rows=[{"name": "X", "is_attorney": "maybe"}], commit=True
        )
        assert bad[0]["errors"] == ["is_attorney: write yes or no (or leave it empty for no)."]
        export = client_for(owner).get(reverse("providers:export", args=[org.slug]))
        lines = list(csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode())))
        assert {row["name"]: row["is_attorney"] for row in lines}["Hale & Ward LLP"] == "yes"


# --- Payment dates ------------------------------------------------------------------------------
def record(org, user, provider, paid_on, **extra):
    return payables.record_payment(
        principal_for(user, org),
        provider_id=provider.pk,
        data={"paid_on": paid_on, "amount": D("100"), "method": "ach", "reference": ""},
        **extra,
    )


class TestPaymentDates:
    """Today is 2026-12-04 (the machine's clock) in the organization's zone."""

    def test_a_future_date_is_refused_naming_the_date_and_the_reason(self, org, owner, jordan):
        with pytest.raises(ValidationError) as raised:
            record(org, owner, jordan, date(2026, 12, 20))
        message = raised.value.message_dict["paid_on"][0]
        assert "Dec 20, 2026 is after today (Dec 4, 2026" in message
        assert not Payment.objects.filter(organization=org).exists()

    def test_a_payment_scheduled_ahead_is_recorded_when_confirmed(self, org, owner, jordan):
        payment, _ = record(org, owner, jordan, date(2026, 12, 20), confirm_date=True)
        assert payment.paid_on == date(2026, 12, 20)

    def test_more_than_a_year_ahead_is_refused_even_confirmed(self, org, owner, jordan):
        with pytest.raises(ValidationError) as raised:
            record(org, owner, jordan, date(2028, 1, 5), confirm_date=True)
        assert "more than a year after today" in raised.value.message_dict["paid_on"][0]

    def test_more_than_two_tax_years_back_needs_confirming(self, org, owner, jordan):
        record(org, owner, jordan, date(2024, 1, 1))  # the floor: January 1 two years back
        with pytest.raises(ValidationError) as raised:
            record(org, owner, jordan, date(2023, 12, 31))
        assert "Dec 31, 2023 is before Jan 1, 2024" in raised.value.message_dict["paid_on"][0]
        record(org, owner, jordan, date(2023, 12, 31), confirm_date=True)
        with pytest.raises(ValidationError):
            record(org, owner, jordan, date(1999, 12, 31), confirm_date=True)

    def test_before_the_engagement_it_pays_for(self, org, owner, jordan, jordan_engagement):
        with pytest.raises(ValidationError) as raised:
            record(org, owner, jordan, date(2024, 12, 1), engagement_id=jordan_engagement.pk)
        assert (
            "before “Front-desk IT support” starts (Jan 1, 2025)"
            in (raised.value.message_dict["paid_on"][0])
        )
        # Ad hoc work paid before any engagement names no engagement: no question.
        record(org, owner, jordan, date(2024, 12, 1))

    def test_the_page_refuses_then_records_with_the_checkbox(self, org, manager, jordan):
        client = client_for(manager)
        url = reverse("payables:payment_create", args=[org.slug])
        data = {"provider": jordan.pk, "paid_on": "2026-12-20", "amount": "100", "method": "ach"}
        page = client.post(url, data).content.decode()
        assert "Dec 20, 2026 is after today" in page and "The date is right" in page
        assert not Payment.objects.filter(organization=org).exists()
        assert client.post(url, {**data, "confirm_date": "on"}).status_code == 302
        assert Payment.objects.filter(organization=org).get().paid_on == date(2026, 12, 20)

    def test_the_csv_import_names_the_row_and_the_column(self, org, manager, jordan):
        rows = [
            {"provider": "Jordan Lee IT", "paid_on": "2026-11-02", "amount": "50", "method": "ach"},
            {"provider": "Jordan Lee IT", "paid_on": "2026-12-24", "amount": "50", "method": "ach"},
        ]
        report = payables.import_payments(principal_for(manager, org), rows=rows, commit=True)
        assert report[0]["errors"] == []
        assert report[1]["line"] == 3
        assert report[1]["errors"][0].startswith("paid_on: Dec 24, 2026 is after today")
        assert not Payment.objects.filter(organization=org).exists()
        rows[1]["confirm_date"] = "yes"
        report = payables.import_payments(principal_for(manager, org), rows=rows, commit=True)
        assert all(not entry["errors"] for entry in report)
        assert Payment.objects.filter(organization=org).count() == 2

    def test_the_api_answers_422_with_the_field(self, org, manager, jordan):
        api = api_client_for(manager, org)
        body = {"provider_id": jordan.pk, "paid_on": "2026-12-20", "amount": "10", "method": "ach"}
        refused = api.post("/api/v1/payables/payments", body)
        assert refused.status_code == 422
        (error,) = refused.json()["errors"]
        assert error["field"] == "paid_on" and "Dec 20, 2026" in error["message"]
        confirmed = api.post("/api/v1/payables/payments", {**body, "confirm_date": True})
        assert confirmed.status_code == 201
        imported = api.post(
            "/api/v1/payables/payments/import",
            {
                "csv": "provider,paid_on,amount,method\nJordan Lee IT,2027-01-09,5,ach\n",
                "commit": True,
            },
        )
        assert imported.status_code == 422
        (error,) = imported.json()["errors"]
        assert error["field"] == "line 2" and error["message"].startswith("paid_on: Jan 9, 2027")


# --- The estimate for a chosen tax year -------------------------------------------------------
class TestExposureYear:
    def test_a_year_with_figures_has_no_note(self, org, manager, jordan):
        assessment = assess(jordan, manager)
        view = selectors.view_of(
            Principal.system(assessment.organization), assessment, tax_year=2025
        )
        assert view.tax_year == 2025 and view.figures_year == 2025 and view.figures_note == ""
        assert view.exposure_filed.lines

    def test_a_year_without_figures_says_which_year_stands_in(self, org, manager, jordan):
        assessment = assess(jordan, manager)
        # As before the 2027 figures are entered (Decide's table may have them by now).
        PayrollTaxRates.objects.filter(effective_from__year=2027).delete()
        view = selectors.view_of(
            Principal.system(assessment.organization), assessment, tax_year=2027
        )
        assert view.figures_year == 2026
        assert "No payroll-tax row" in view.figures_note and "for 2027" in view.figures_note
        page = client_for(manager).get(
            reverse("compliance:assessment", args=[org.slug, assessment.pk]), {"tax_year": 2027}
        )
        text = page.content.decode()
        assert "for 2027 is entered yet" in text and "at the 2026 rates" in text

    def test_the_api_takes_a_tax_year_and_refuses_a_bad_one(self, org, manager, jordan):
        assessment = assess(jordan, manager)
        api = api_client_for(manager, org)
        url = f"/api/v1/compliance/assessments/{assessment.pk}"
        body = api.get(url, tax_year=2025).json()
        assert body["tax_year"] == 2025 and body["figures_year"] == 2025
        for bad in ("1990", "2040", "soon"):
            response = api.get(url, tax_year=bad)
            assert response.status_code == 422
            assert response.json()["errors"][0]["field"] == "tax_year"

    def test_the_page_shows_a_bad_year_on_its_field(self, org, manager, jordan):
        assessment = assess(jordan, manager)
        page = client_for(manager).get(
            reverse("compliance:assessment", args=[org.slug, assessment.pk]), {"tax_year": "1990"}
        )
        assert page.status_code == 200
        assert "Choose a tax year from" in page.content.decode()
