"""Comply's API: TINs masked unless revealed by a permitted role, 422 with field and reason
that changes nothing, the import's all-or-nothing rule, list query counts."""

import json
from datetime import date
from decimal import Decimal as D

import pytest

from handoff.compliance.models import W9, ClassificationAssessment
from handoff.core.models import AuditEvent
from handoff.payables.models import Payment
from tests.compliance.conftest import FAKE_SSN, pay, pdf_upload, record_w9
from tests.compliance.test_assessments import EMPLOYEE, ILLINOIS_SHOWN
from tests.conftest import api_client_for
from tests.factories import ProviderFactory


@pytest.fixture
def api(org, manager):
    return api_client_for(manager, org)


def fields(response) -> list[str]:
    assert response.status_code == 422, response.content
    return [error["field"] for error in response.json()["errors"]]


@pytest.mark.django_db
class TestAssessments:
    def test_create_and_read_with_reasons_steps_and_exposure(
        self, org, api, jordan, jordan_engagement
    ):
        body = {
            "provider_id": jordan.pk,
            "answers": EMPLOYEE,
            "state_answers": ILLINOIS_SHOWN,
            "engagement_ids": [jordan_engagement.pk],
            "annual_payments": "50000",
        }
        response = api.post("/api/v1/compliance/assessments", body)
        assert response.status_code == 201, response.content
        data = response.json()
        assert data["outcome"] == "employee" and data["number"] == 1
        assert {f["key"] for f in data["toward_employee"]} == set(EMPLOYEE)
        assert data["toward_employee"][0]["evidence"]
        assert any("SS-8" in step for step in data["next_steps"])
        filed, not_filed = data["exposure"]
        assert D(filed["total"]) == D("5382.00") and D(not_filed["total"]) == D("6897.00")
        assert data["engagements"] == [
            {
                "engagement_id": jordan_engagement.pk,
                "title": jordan_engagement.title,
                "agreement_version": None,  # no agreement generated yet
            }
        ]
        assert data["toward_employee"][0]["question"]
        assert data["disclaimer"] == "Guidance, not legal advice."
        listed = api.get("/api/v1/compliance/assessments", provider=jordan.pk).json()
        assert listed["count"] == 1 and listed["results"][0]["stale"] is False

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"answers": {"benefits": {"answer": "yes"}}}, "factor_benefits"),
            ({"answers": {"no_such": {"answer": "yes", "evidence": "x"}}}, "answers"),
            (
                {"answers": {"benefits": {"answer": "maybe", "evidence": "x"}}},
                "answers.benefits.answer",
            ),
            ({"engagement_ids": [999999]}, "engagement_ids"),
            (
                {"state_answers": {"IL": {"exemption": "nope", "exemption_evidence": "x"}}},
                "state_IL_exemption",
            ),
        ],
    )
    def test_bad_input_is_422_and_saves_nothing(self, org, api, jordan, body, field):
        response = api.post(
            "/api/v1/compliance/assessments", {"provider_id": jordan.pk, "answers": {}, **body}
        )
        assert field in fields(response)
        assert not ClassificationAssessment.objects.exists()

    def test_another_organizations_provider_is_422(self, org, other_org, api):
        foreign = ProviderFactory(organization=other_org)
        response = api.post(
            "/api/v1/compliance/assessments", {"provider_id": foreign.pk, "answers": {}}
        )
        assert fields(response) == ["provider_id"]


@pytest.mark.django_db
class TestW9:
    def _upload(self, api, provider, **overrides):
        body = {
            "provider_id": provider.pk,
            "legal_name": "Jordan Lee",
            "tax_classification": "individual",
            "tin_type": "ssn",
            "tin": FAKE_SSN,
            "street": "12 Elm St",
            "city": "Springfield",
            "state": "IL",
            "postal_code": "62701",
            "signed_on": "2025-01-10",
            "file": pdf_upload(),
        }
        body.update(overrides)
        return api.client.post("/api/v1/compliance/w9s", body, **api.auth)

    def test_the_tin_is_masked_in_every_response(self, org, api, jordan):
        created = self._upload(api, jordan)
        assert created.status_code == 201, created.content
        assert created.json()["tin_masked"] == "•••-••-1234"
        for path in [
            "/api/v1/compliance/w9s",
            f"/api/v1/compliance/w9s/{created.json()['id']}",
            "/api/v1/compliance/1099/2025",
        ]:
            text = api.get(path).content.decode()
            assert FAKE_SSN not in text and "900001234" not in text
            assert "tin_encrypted" not in text and "tin_hash" not in text

    def test_a_bad_tin_is_422_without_echoing_it(self, org, api, jordan):
        response = self._upload(api, jordan, tin="900-00-12")
        assert fields(response) == ["tin"]
        assert "900-00-12" not in response.content.decode()
        assert not W9.objects.exists()

    def test_a_missing_file_is_named(self, org, api, jordan):
        body = {"provider_id": jordan.pk}
        response = api.client.post("/api/v1/compliance/w9s", body, **api.auth)
        assert "file" in fields(response)

    def test_an_admin_reveals_and_it_is_recorded_without_the_tin(self, org, admin, manager, jordan):
        w9 = record_w9(jordan, manager)
        response = api_client_for(admin, org).post(f"/api/v1/compliance/w9s/{w9.pk}/reveal")
        assert response.json() == {"id": w9.pk, "tin_type": "ssn", "tin": FAKE_SSN}
        event = AuditEvent.objects.get(action="w9.tin_revealed")
        assert event.actor == admin
        assert FAKE_SSN not in json.dumps([event.summary, event.changes])


@pytest.mark.django_db
class TestPaymentsAndImport:
    def test_a_payment_without_a_w9_warns_and_by_card_is_the_processors(self, org, api, jordan):
        response = api.post(
            "/api/v1/payables/payments",
            {
                "provider_id": jordan.pk,
                "paid_on": "2025-03-01",
                "amount": "250.00",
                "method": "card",
            },
        )
        data = response.json()
        assert response.status_code == 201 and data["processor_reported"] and data["without_w9"]
        assert len(data["warnings"]) == 2

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"amount": "0"}, "amount"),
            ({"method": "gold"}, "method"),
            ({"paid_on": "2025-13-01"}, "paid_on"),
            ({"engagement_id": 999999}, "engagement_id"),
        ],
    )
    def test_a_bad_payment_is_422_and_saves_nothing(self, org, api, jordan, overrides, field):
        body = {"provider_id": jordan.pk, "paid_on": "2025-03-01", "amount": "5", "method": "ach"}
        assert field in fields(api.post("/api/v1/payables/payments", {**body, **overrides}))
        assert not Payment.objects.exists()

    def test_the_import_is_a_dry_run_unless_committed_and_all_or_nothing(self, org, api, jordan):
        good = "provider,paid_on,amount,method\nJordan Lee IT,2025-01-01,5,ach\n"
        dry = api.post("/api/v1/payables/payments/import", {"csv": good}).json()
        assert dry["imported"] == 0 and dry["rows"][0]["errors"] == []
        assert not Payment.objects.exists()
        bad = good + "Jordan Lee IT,2025-01-02,x,ach\n"
        response = api.post("/api/v1/payables/payments/import", {"csv": bad, "commit": True})
        assert fields(response) == ["line 3"]
        assert not Payment.objects.exists()
        done = api.post("/api/v1/payables/payments/import", {"csv": good, "commit": True})
        assert done.json()["imported"] == 1 and Payment.objects.count() == 1

    def test_the_payment_list_costs_the_same_queries_for_3_or_30(
        self, org, api, manager, django_assert_max_num_queries
    ):
        def add(count):
            for _ in range(count):
                pay(org, manager, ProviderFactory(organization=org), D("10"), date(2025, 1, 1))

        add(3)
        with django_assert_max_num_queries(12) as few:
            api.get("/api/v1/payables/payments")
        add(27)
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert api.get("/api/v1/payables/payments", per_page=100).json()["count"] == 30

    def test_the_assessment_list_costs_the_same_queries_for_2_or_12(
        self, org, api, manager, django_assert_max_num_queries
    ):
        from tests.compliance.test_assessments import assess

        def add(count):
            for _ in range(count):
                assess(ProviderFactory(organization=org), manager)

        add(2)
        with django_assert_max_num_queries(12) as few:
            api.get("/api/v1/compliance/assessments")
        add(10)
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert api.get("/api/v1/compliance/assessments").json()["count"] == 12


@pytest.mark.django_db
def test_the_1099_endpoint_by_year(org, api, manager, jordan):
    record_w9(jordan, manager)
    pay(org, manager, jordan, D("1999.99"), date(2026, 3, 1))
    data = api.get("/api/v1/compliance/1099/2026").json()
    assert data["threshold"] == "2000.00" and data["deadline"] == "2027-02-01"
    assert data["rows"][0]["reason"] == "below_threshold" and data["needing_forms"] == 0
    assert api.get("/api/v1/compliance/1099/1999").status_code == 422
