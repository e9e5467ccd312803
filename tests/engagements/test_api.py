import io
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader, PdfWriter

from handoff.core.models import AuditEvent
from handoff.core.principal import Principal
from handoff.decisions.models import BusinessFunction
from handoff.engagements import agreements, services
from handoff.engagements.models import (
    AccessGrant,
    AgreementVersion,
    Engagement,
    ExitItem,
    Holiday,
    PriceTier,
)
from tests.conftest import api_client_for
from tests.factories import ContactFactory, ProviderFactory, principal_for

ACTIVATION_REFUSED = (
    "It cannot become active until the communication plan names our point person for new "
    "work; their point person for new work; their contact for issues."
)


# --- Helpers ----------------------------------------------------------------------------------
def send(api, method, path, data=None):
    """One request of any method; ``upload`` is a multipart POST."""
    if method == "get":
        return api.get(path)
    if method == "post":
        return api.post(path, data)
    if method == "upload":
        return api.client.post(path, data, **api.auth)
    if method == "delete":
        return api.client.delete(path, **api.auth)
    return getattr(api.client, method)(
        path, data or {}, content_type="application/json", **api.auth
    )


def error_fields(response) -> list[str]:
    assert response.status_code == 422, (response.status_code, response.content)
    errors = response.json()["errors"]
    assert all(error["message"] for error in errors)
    return [error["field"] for error in errors]


def function_ids(org, *names) -> list[int]:
    functions = BusinessFunction.objects.filter(organization=org)
    return [functions.get(name=name).pk for name in names]


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_text(content: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return " ".join(text.split())


def upload_form(content: bytes = b"", name: str = "signed.pdf", **fields) -> dict:
    return {
        "file": SimpleUploadedFile(name, content or pdf_bytes(), "application/pdf"),
        "signed_on": "2025-02-03",
        "signers": "Olivia Owner and Lee Ledger",
        **fields,
    }


def engagement_payload(org, provider, **overrides) -> dict:
    return {
        "provider_id": provider.pk,
        "function_ids": function_ids(org, "Bookkeeping"),
        "title": "Monthly bookkeeping and close",
        "scope": "Reconcile the accounts and close the month.",
        "pricing_model": "flat",
        "amount": "1250.00",
        "billing_period": "month",
        "start_date": "2025-01-01",
        "end_date": "2025-12-31",
        "auto_renew": True,
        "renewal_months": 12,
        "notice_days": 30,
        **overrides,
    }


def draft(org, actor, provider, **data) -> Engagement:
    return services.create_engagement(
        principal_for(actor, org),
        provider_id=provider.pk,
        function_ids=function_ids(org, "Bookkeeping"),
        data={
            "title": "Bookkeeping",
            "amount": 500,
            "start_date": date(2025, 1, 1),
            "end_date": date(2025, 12, 31),
            **data,
        },
    )


def plan_complete(engagement, actor, contact):
    services.update_plan(
        principal_for(actor, engagement.organization),
        engagement,
        our_point_person_id=actor.pk,
        their_point_person_id=contact.pk,
        issue_contact_id=contact.pk,
        preferred_channel="email",
        meeting_cadence="monthly",
    )


def activated(engagement, actor, contact) -> Engagement:
    plan_complete(engagement, actor, contact)
    return services.move_status(
        principal_for(actor, engagement.organization), engagement, to_status="active"
    )


def furnish(org, actor) -> SimpleNamespace:
    """An engagement of ``org`` with one row of every kind beneath it."""
    provider = ProviderFactory(organization=org)
    contact = ContactFactory(provider=provider)
    engagement = draft(org, actor, provider)
    level = services.add_escalation_level(
        principal_for(actor, engagement.organization),
        engagement,
        our_person_id=actor.pk,
        their_contact_id=contact.pk,
        amount=4,
        unit="hours",
    )
    service_level = services.save_service_level(
        principal_for(actor, engagement.organization),
        engagement,
        data={"task_kind": "Invoices", "rule": "business_days", "business_days": 2},
    )
    step = services.add_workflow_step(
        principal_for(actor, engagement.organization),
        engagement,
        data={"actor": "us", "action": "send the receipts"},
    )
    grant = services.grant_access(
        principal_for(actor, engagement.organization),
        engagement,
        data={"system": "QuickBooks", "account": "books@x.example", "level": "accountant"},
    )
    item = services.start_exit(principal_for(actor, engagement.organization), engagement)[0]
    version = AgreementVersion(organization=org, engagement=engagement, number=1)
    version.file.save("agreement-v1.pdf", ContentFile(pdf_bytes()), save=False)
    version.save()
    signed = agreements.upload_signed(
        principal_for(actor, engagement.organization),
        engagement,
        upload=SimpleUploadedFile("s.pdf", pdf_bytes()),
        signed_on=date(2025, 1, 2),
        signers="Both of us",
    )
    return SimpleNamespace(
        provider=provider,
        contact=contact,
        engagement=engagement,
        e=engagement.pk,
        level=level.pk,
        service_level=service_level.pk,
        step=step.pk,
        grant=grant.pk,
        item=item.pk,
        version=version.pk,
        signed=signed.pk,
        holiday=Holiday.objects.filter(organization=org).first().pk,
        clause=agreements.clauses(Principal.system(org))[0].pk,
    )


@pytest.fixture
def api(org, manager):
    return api_client_for(manager, org)


@pytest.fixture
def provider(org):
    return ProviderFactory(organization=org, name="Ledgerly Bookkeeping")


@pytest.fixture
def contact(provider):
    return ContactFactory(provider=provider, name="Lee Ledger")


# --- The happy path -----------------------------------------------------------------------------
@pytest.mark.django_db
class TestLifecycle:
    def test_create_plan_activate_and_history(self, org, api, manager, provider, contact):
        response = api.post("/api/v1/engagements", engagement_payload(org, provider))
        assert response.status_code == 201, response.json()
        body = response.json()
        eid = body["id"]
        assert body["provider_id"] == provider.pk
        assert body["provider_name"] == "Ledgerly Bookkeeping"
        assert [f["name"] for f in body["functions"]] == ["Bookkeeping"]
        assert (body["amount"], body["annual_cost"], body["currency"]) == (
            "1250.00",
            "15000.00",
            "USD",
        )
        assert (body["status"], body["agreement_state"], body["version"]) == ("draft", "none", 1)

        plan = api.get(f"/api/v1/engagements/{eid}/plan").json()
        assert plan["missing_for_activation"] == [
            "our point person for new work",
            "their point person for new work",
            "their contact for issues",
        ]

        response = api.post(f"/api/v1/engagements/{eid}/status", {"to_status": "active"})
        assert response.status_code == 422
        assert response.json()["errors"] == [{"field": "to_status", "message": ACTIVATION_REFUSED}]

        response = send(
            api,
            "put",
            f"/api/v1/engagements/{eid}/plan",
            {
                "our_point_person_id": manager.pk,
                "their_point_person_id": contact.pk,
                "issue_contact_id": contact.pk,
                "preferred_channel": "chat",
                "meeting_cadence": "weekly",
                "meeting_notes": " Mondays at 9 ",
            },
        )
        assert response.status_code == 200, response.json()
        plan = response.json()
        assert plan["missing_for_activation"] == []
        assert (plan["our_point_person_name"], plan["issue_contact_name"]) == (
            "Mona Manager",
            "Lee Ledger",
        )
        assert (plan["preferred_channel"], plan["meeting_notes"]) == ("chat", "Mondays at 9")

        response = api.post(f"/api/v1/engagements/{eid}/status", {"to_status": "active"})
        assert response.status_code == 200, response.json()
        assert (response.json()["status"], response.json()["version"]) == ("active", 2)

        response = api.post(
            f"/api/v1/engagements/{eid}/status", {"to_status": "paused", "reason": "Busy season"}
        )
        assert response.json()["status"] == "paused"
        history = api.get(f"/api/v1/engagements/{eid}/status-changes").json()
        assert [(h["from_status"], h["to_status"], h["reason"]) for h in history] == [
            ("active", "paused", "Busy season"),
            ("draft", "active", ""),
        ]
        assert history[0]["changed_by_name"] == "Mona Manager"

    def test_the_engagement_shows_its_terms(self, org, api, provider):
        with time_machine.travel(datetime(2026, 3, 1, 12, tzinfo=ZoneInfo("UTC")), tick=False):
            response = api.post(
                "/api/v1/engagements",
                engagement_payload(
                    org,
                    provider,
                    pricing_model="per_unit",
                    unit_name="claim",
                    amount="4.00",
                    monthly_quantity="150",
                    tiers=[{"above": "100", "unit_price": "3.00"}],
                    function_ids=function_ids(org, "Billing", "Bookkeeping"),
                ),
            )
            body = response.json()
        assert response.status_code == 201, body
        assert [t for t in body["tiers"]] == [{"above": "100.00", "unit_price": "3.00"}]
        # 100 claims at 4.00 and 50 at 3.00, twelve months
        assert Decimal(body["annual_cost"]) == Decimal("6600")
        assert [f["name"] for f in body["functions"]] == ["Billing", "Bookkeeping"]
        # Renewing yearly: the term that ended on 2025-12-31 rolled over to 2026-12-31.
        assert (body["term_end"], body["notice_deadline"]) == ("2026-12-31", "2026-12-01")

    def test_an_edit_changes_only_what_was_sent(self, org, api, manager, provider):
        engagement = draft(org, manager, provider, pricing_model="per_unit", unit_name="call")
        services.update_engagement(
            principal_for(manager, engagement.organization), engagement, data={}, tiers=[(10, 2)]
        )
        path = f"/api/v1/engagements/{engagement.pk}"
        response = api.patch(path, {"title": "Renamed", "end_date": None, "version": 2})
        assert response.status_code == 200, response.json()
        body = response.json()
        assert (body["title"], body["end_date"], body["term_end"], body["version"]) == (
            "Renamed",
            None,
            None,
            3,
        )
        assert body["unit_name"] == "call" and body["amount"] == "500.00"
        assert [f["name"] for f in body["functions"]] == ["Bookkeeping"]
        assert body["tiers"] == [{"above": "10.00", "unit_price": "2.00"}]

        response = api.patch(
            path, {"function_ids": function_ids(org, "Payroll"), "tiers": [], "version": 3}
        )
        body = response.json()
        assert [f["name"] for f in body["functions"]] == ["Payroll"]
        assert (body["tiers"], body["version"]) == ([], 4)
        assert (
            AuditEvent.objects.filter(organization=org).filter(action="engagement.updated").count()
            == 3
        )

    def test_the_annual_cost_is_an_amount_of_money(self, org, api, provider):
        payload = engagement_payload(
            org, provider, pricing_model="hourly", amount="85.50", monthly_quantity="10.25"
        )
        body = api.post("/api/v1/engagements", payload).json()
        # 85.50 an hour for 10.25 hours a month is 876.375 a month, 10,516.50 a year.
        assert body["annual_cost"] == "10516.50"

    def test_sending_the_same_tiers_again_changes_nothing(self, org, api, manager, provider):
        engagement = draft(org, manager, provider, pricing_model="per_unit", unit_name="call")
        path = f"/api/v1/engagements/{engagement.pk}"
        api.patch(path, {"tiers": [{"above": 10, "unit_price": 2}]})
        assert api.get(path).json()["version"] == 2
        response = api.patch(path, {"tiers": [{"above": 10, "unit_price": 2}]})
        assert response.json()["version"] == 2, "an unchanged tier list counted as a change"

    def test_an_engagement_whose_creator_left_can_still_be_edited(
        self, org, api, manager, provider
    ):
        engagement = draft(org, manager, provider)
        Engagement.objects.filter(pk=engagement.pk).update(created_by=None)
        response = api.patch(f"/api/v1/engagements/{engagement.pk}", {"title": "Still editable"})
        assert response.status_code == 200, response.json()

    def test_an_edit_over_a_newer_version_is_409(self, org, api, manager, provider):
        engagement = draft(org, manager, provider)
        services.update_engagement(
            principal_for(manager, engagement.organization), engagement, data={"title": "Newer"}
        )
        response = api.patch(
            f"/api/v1/engagements/{engagement.pk}", {"title": "Late", "version": 1}
        )
        assert response.status_code == 409
        assert response.json()["errors"][0]["field"] == "version"
        engagement.refresh_from_db()
        assert (engagement.title, engagement.version) == ("Newer", 2)

    def test_the_list_filters_and_pages(self, org, api, manager, provider, contact):
        other = ProviderFactory(organization=org, name="Clearclaim")
        books = draft(org, manager, provider, title="Books")
        activated(books, manager, contact)
        billing = services.create_engagement(
            principal_for(manager, org),
            provider_id=other.pk,
            function_ids=function_ids(org, "Billing"),
            data={"title": "Claims", "amount": 900, "start_date": date(2025, 3, 1)},
        )

        def titles(**params):
            return [e["title"] for e in api.get("/api/v1/engagements", **params).json()["results"]]

        assert titles() == ["Claims", "Books"]  # the latest start first
        assert titles(status="active") == ["Books"]
        assert titles(provider=other.pk) == ["Claims"]
        assert titles(function=function_ids(org, "Billing")[0]) == ["Claims"]
        page = api.get("/api/v1/engagements", per_page=1, page=2).json()
        assert (page["count"], [e["id"] for e in page["results"]]) == (2, [books.pk])
        assert billing.pk != books.pk
        assert error_fields(api.get("/api/v1/engagements", per_page=500)) == ["per_page"]
        assert error_fields(api.get("/api/v1/engagements", status="gone")) == ["status"]

    def test_the_list_costs_the_same_queries_for_3_as_for_12(self, org, api, manager):
        def seed(count):
            for index in range(count):
                provider = ProviderFactory(organization=org)
                engagement = draft(
                    org,
                    manager,
                    provider,
                    pricing_model="per_unit",
                    unit_name="claim",
                    monthly_quantity=200,
                )
                services.update_engagement(
                    principal_for(manager, engagement.organization),
                    engagement,
                    data={},
                    tiers=[(100, 3), (150, 2)],
                    function_ids=function_ids(org, "Billing", "Payroll"),
                )
                if index % 2:
                    version = AgreementVersion.objects.create(
                        organization=org, engagement=engagement, number=1, file="x.pdf"
                    )
                    agreements.mark_sent(principal_for(manager, version.organization), version)

        def count():
            with CaptureQueriesContext(connection) as queries:
                response = api.get("/api/v1/engagements")
            assert response.status_code == 200
            return len(queries), response.json()

        seed(3)
        count()  # warm: the token's first use writes once
        few, body = count()
        assert body["count"] == 3
        assert {e["agreement_state"] for e in body["results"]} == {"none", "sent"}
        seed(9)
        many, body = count()
        assert (body["count"], len(body["results"])) == (12, 12)
        assert many == few
        assert all(Decimal(e["annual_cost"]) == 603000 for e in body["results"])


# --- Invalid input --------------------------------------------------------------------------
@pytest.mark.django_db
class TestInvalidInput:
    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"start_date": "2025-06-01", "end_date": "2025-05-31"}, "end_date"),
            ({"amount": "-1"}, "amount"),
            ({"pricing_model": "per_unit", "unit_name": ""}, "unit_name"),
            ({"function_ids": [999999]}, "function_ids"),
            ({"function_ids": []}, "function_ids"),
            ({"title": ""}, "title"),
            ({"pricing_model": "barter"}, "pricing_model"),
            ({"start_date": "someday"}, "start_date"),
            ({"tiers": [{"above": "-5", "unit_price": "1"}]}, "above"),
        ],
    )
    def test_a_bad_engagement_is_422_and_saves_nothing(self, org, api, provider, overrides, field):
        response = api.post("/api/v1/engagements", engagement_payload(org, provider, **overrides))
        assert field in error_fields(response)
        assert not Engagement.objects.exists() and not PriceTier.objects.exists()

    def test_another_organizations_function_or_provider_is_422(self, org, other_org, api, provider):
        foreign_function = BusinessFunction.objects.filter(organization=other_org).first()
        payload = engagement_payload(org, provider, function_ids=[foreign_function.pk])
        assert error_fields(api.post("/api/v1/engagements", payload)) == ["function_ids"]
        foreign_provider = ProviderFactory(organization=other_org)
        payload = engagement_payload(org, foreign_provider)
        assert error_fields(api.post("/api/v1/engagements", payload)) == ["provider_id"]
        assert not Engagement.objects.exists()

    def test_a_bad_edit_is_422_and_changes_nothing(self, org, other_org, api, manager, provider):
        engagement = draft(org, manager, provider)
        path = f"/api/v1/engagements/{engagement.pk}"
        assert error_fields(api.patch(path, {"end_date": "2024-12-31"})) == ["end_date"]
        assert error_fields(api.patch(path, {"amount": None})) == ["amount"]
        foreign = BusinessFunction.objects.filter(organization=other_org).first()
        assert error_fields(api.patch(path, {"function_ids": [foreign.pk]})) == ["function_ids"]
        engagement.refresh_from_db()
        assert (engagement.end_date, engagement.version) == (date(2025, 12, 31), 1)

    @pytest.mark.parametrize(
        ("who", "field"),
        [
            ("contact_of_another_provider", "their_point_person_id"),
            ("contact_of_another_organization", "issue_contact_id"),
            ("outsider_as_point_person", "our_point_person_id"),
        ],
    )
    def test_a_plan_naming_the_wrong_people_is_422(
        self, org, other_org, outsider, api, manager, provider, contact, who, field
    ):
        engagement = draft(org, manager, provider)
        ids = {
            "our_point_person_id": manager.pk,
            "their_point_person_id": contact.pk,
            "issue_contact_id": contact.pk,
        }
        if who == "contact_of_another_provider":
            elsewhere = ContactFactory(provider=ProviderFactory(organization=org))
            ids["their_point_person_id"] = elsewhere.pk
        elif who == "contact_of_another_organization":
            elsewhere = ContactFactory(provider=ProviderFactory(organization=other_org))
            ids["issue_contact_id"] = elsewhere.pk
        else:
            ids["our_point_person_id"] = outsider.pk
        response = send(api, "put", f"/api/v1/engagements/{engagement.pk}/plan", ids)
        assert error_fields(response) == [field]
        assert engagement.communication_plan.missing_for_activation() == [
            "our point person for new work",
            "their point person for new work",
            "their contact for issues",
        ]

    def test_a_move_the_status_does_not_allow_is_422(self, org, api, manager, provider, contact):
        engagement = draft(org, manager, provider)
        path = f"/api/v1/engagements/{engagement.pk}/status"
        response = api.post(path, {"to_status": "paused", "reason": "Why not"})
        assert response.json()["errors"] == [
            {
                "field": "to_status",
                "message": "A draft engagement cannot become paused; it can become: active, ended.",
            }
        ]
        assert error_fields(api.post(path, {"to_status": "archived"})) == ["to_status"]
        activated(engagement, manager, contact)
        assert error_fields(api.post(path, {"to_status": "paused"})) == ["reason"]
        assert error_fields(api.post(path, {"to_status": "paused", "reason": "  "})) == ["reason"]
        engagement.refresh_from_db()
        assert engagement.status == "active"
        assert engagement.status_changes.count() == 1

    def test_an_escalation_level_naming_the_wrong_people_is_422(
        self, org, other_org, outsider, api, manager, provider, contact
    ):
        engagement = draft(org, manager, provider)
        path = f"/api/v1/engagements/{engagement.pk}/escalation-levels"
        good = {"our_person_id": manager.pk, "their_contact_id": contact.pk, "amount": 4}
        assert error_fields(api.post(path, {**good, "our_person_id": outsider.pk})) == [
            "our_person_id"
        ]
        foreign = ContactFactory(provider=ProviderFactory(organization=other_org))
        assert error_fields(api.post(path, {**good, "their_contact_id": foreign.pk})) == [
            "their_contact_id"
        ]
        assert error_fields(api.post(path, {**good, "amount": 0})) == ["amount"]
        assert not engagement.escalation_levels.exists()


# --- Setting an engagement up ---------------------------------------------------------------
@pytest.mark.django_db
class TestSetup:
    def test_the_escalation_ladder(self, org, api, manager, admin, provider, contact):
        engagement = draft(org, manager, provider)
        path = f"/api/v1/engagements/{engagement.pk}/escalation-levels"
        first = api.post(
            path,
            {
                "our_person_id": manager.pk,
                "their_contact_id": contact.pk,
                "amount": 4,
                "unit": "hours",
            },
        )
        assert first.status_code == 201, first.json()
        assert (first.json()["level"], first.json()["target_display"]) == (1, "4 hours")
        second = api.post(
            path,
            {
                "our_person_id": admin.pk,
                "their_contact_id": contact.pk,
                "amount": 1,
                "unit": "business_days",
            },
        )
        assert (second.json()["level"], second.json()["target_display"]) == (2, "1 business day")
        assert send(api, "delete", f"{path}/{first.json()['id']}").status_code == 204
        ladder = api.get(path).json()
        assert [(rung["level"], rung["our_person_name"]) for rung in ladder] == [(1, "Adam Admin")]

    def test_service_levels(self, org, api, manager, provider):
        engagement = draft(org, manager, provider)
        path = f"/api/v1/engagements/{engagement.pk}/service-levels"
        response = api.post(path, {"task_kind": "Invoice  batch", "business_days": 2})
        assert response.status_code == 201, response.json()
        level = response.json()
        assert (level["task_kind"], level["turnaround_display"]) == (
            "Invoice batch",
            "2 business days",
        )
        assert error_fields(api.post(path, {"task_kind": "invoice batch", "business_days": 1})) == [
            "task_kind"
        ]
        assert error_fields(api.post(path, {"task_kind": "Close", "rule": "day_of_month"})) == [
            "day_of_month"
        ]
        response = api.patch(f"{path}/{level['id']}", {"rule": "day_of_month", "day_of_month": 31})
        assert response.status_code == 200, response.json()
        assert response.json()["task_kind"] == "Invoice batch"  # kept: not sent
        assert response.json()["turnaround_display"] == "by the last day of the month"
        assert send(api, "delete", f"{path}/{level['id']}").status_code == 204
        assert api.get(path).json() == []

    def test_response_targets(self, org, api, manager, provider):
        engagement = draft(org, manager, provider)
        path = f"/api/v1/engagements/{engagement.pk}/response-targets"
        rows = api.get(path).json()
        assert [row["severity"] for row in rows] == ["critical", "high", "normal", "low"]
        assert all(row["amount"] is None for row in rows)
        response = send(api, "put", f"{path}/critical", {"amount": 2, "unit": "hours"})
        assert response.json() == {
            "severity": "critical",
            "amount": 2,
            "unit": "hours",
            "target_display": "2 hours",
        }
        assert api.get(path).json()[0]["amount"] == 2
        response = send(api, "put", f"{path}/critical", {"amount": None})
        assert response.status_code == 200 and response.json()["amount"] is None
        assert not engagement.response_targets.exists()
        assert error_fields(send(api, "put", f"{path}/urgent", {"amount": 1})) == ["severity"]
        assert error_fields(send(api, "put", f"{path}/low", {"amount": 0})) == ["amount"]

    def test_the_workflow(self, org, api, manager, provider):
        engagement = draft(org, manager, provider)
        path = f"/api/v1/engagements/{engagement.pk}/workflow-steps"
        first = api.post(
            path,
            {
                "actor": "us",
                "action": "send the receipts",
                "recipient": "provider",
                "due": "every Friday",
            },
        ).json()
        assert first["sentence"] == "We send the receipts to them every Friday"
        second = api.post(path, {"actor": "provider", "action": "post the entries"}).json()
        assert (second["position"], second["recipient"]) == (2, None)
        response = api.patch(f"{path}/{second['id']}", {"due": "by Monday"})
        assert response.json()["sentence"] == "They post the entries by Monday"
        response = api.post(f"{path}/{second['id']}/move", {"direction": -1})
        assert [step["id"] for step in response.json()] == [second["id"], first["id"]]
        assert error_fields(api.post(f"{path}/{second['id']}/move", {"direction": 2})) == [
            "direction"
        ]
        assert error_fields(api.post(path, {"actor": "nobody", "action": "x"})) == ["actor"]
        assert send(api, "delete", f"{path}/{second['id']}").status_code == 204
        assert [(s["id"], s["position"]) for s in api.get(path).json()] == [(first["id"], 1)]

    def test_holidays(self, org, api):
        year = timezone.now().year  # the year the organization's holidays were seeded in
        listed = api.get("/api/v1/holidays", year=year).json()
        assert "Independence Day" in [holiday["name"] for holiday in listed]
        assert all(holiday["date"].startswith(str(year)) for holiday in listed)
        response = api.post("/api/v1/holidays", {"date": f"{year}-12-24", "name": "Christmas Eve"})
        assert response.status_code == 201
        again = api.post("/api/v1/holidays", {"date": f"{year}-12-24", "name": "Twice"})
        assert error_fields(again) == ["date"]
        assert send(api, "delete", f"/api/v1/holidays/{response.json()['id']}").status_code == 204
        added = api.post("/api/v1/holidays/federal", {"year": 2030}).json()["added"]
        assert added >= 10
        assert len(api.get("/api/v1/holidays", year=2030).json()) == added
        assert api.post("/api/v1/holidays/federal", {"year": 2030}).json() == {"added": 0}
        assert error_fields(api.post("/api/v1/holidays/federal", {"year": 20300})) == ["year"]

    def test_business_functions(self, org, api):
        names = [function["name"] for function in api.get("/api/v1/functions").json()]
        assert "Bookkeeping" in names and "Billing" in names
        response = api.post("/api/v1/functions", {"name": " Front  desk ", "description": "Calls"})
        assert response.status_code == 201
        assert (response.json()["name"], response.json()["description"]) == ("Front desk", "Calls")
        assert error_fields(api.post("/api/v1/functions", {"name": "front desk"})) == ["name"]
        assert error_fields(api.post("/api/v1/functions", {"name": ""})) == ["name"]

    def test_dates_are_the_organizations(self, org, api, manager, provider):
        """At 03:00 UTC it is still the evening before in Chicago."""
        engagement = draft(org, manager, provider)
        with time_machine.travel(datetime(2025, 3, 11, 3, tzinfo=ZoneInfo("UTC")), tick=False):
            response = api.post(
                f"/api/v1/engagements/{engagement.pk}/access",
                {"system": "Bank", "account": "view@x.example", "level": "read-only"},
            )
        assert response.json()["granted_on"] == "2025-03-10"


# --- Agreement ------------------------------------------------------------------------------
@pytest.mark.django_db
class TestAgreement:
    def test_generating_a_version_gives_a_pdf_of_the_terms(self, org, api, manager):
        individual = ProviderFactory(organization=org, name="Pat Quill", kind="individual")
        engagement = draft(org, manager, individual, amount=1250)
        path = f"/api/v1/engagements/{engagement.pk}/agreement/versions"
        response = api.post(path)
        assert response.status_code == 201, response.content[:2000]
        version = response.json()
        assert version["number"] == 1 and version["sent_at"] is None
        download = api.get(version["download_url"])
        assert download.status_code == 200
        assert download["Content-Type"] == "application/pdf"
        text = pdf_text(b"".join(download.streaming_content))
        assert "Acme Dental" in text and "Pat Quill" in text
        assert re.search(r"1,?250", text), text
        assert "independent contractor" in text.lower()
        assert api.get(f"/api/v1/engagements/{engagement.pk}").json()["agreement_state"] == (
            "generated"
        )

    def test_sending_and_signing(self, org, api, manager, provider):
        engagement = draft(org, manager, provider)
        version = AgreementVersion(organization=org, engagement=engagement, number=1)
        version.file.save("agreement-v1.pdf", ContentFile(pdf_bytes()), save=False)
        version.save()
        base = f"/api/v1/engagements/{engagement.pk}"
        assert api.get(f"{base}/agreement").json()["state"] == "generated"

        response = api.post(f"{base}/agreement/versions/{version.pk}/sent")
        assert response.status_code == 200 and response.json()["sent_at"]
        assert api.get(base).json()["agreement_state"] == "sent"

        signed_pdf = pdf_bytes()
        response = send(
            api,
            "upload",
            f"{base}/agreement/signed",
            upload_form(signed_pdf, version_id=version.pk),
        )
        assert response.status_code == 201, response.json()
        signed = response.json()
        assert (signed["content_type"], signed["version_id"]) == ("application/pdf", version.pk)
        agreement = api.get(f"{base}/agreement").json()
        assert agreement["state"] == "signed"
        assert [v["id"] for v in agreement["versions"]] == [version.pk]
        assert [s["id"] for s in agreement["signed"]] == [signed["id"]]
        assert api.get(base).json()["agreement_state"] == "signed"
        assert api.get("/api/v1/engagements").json()["results"][0]["agreement_state"] == "signed"
        download = api.get(signed["download_url"])
        assert download.status_code == 200
        assert b"".join(download.streaming_content) == signed_pdf

    def test_a_signed_copy_that_is_not_a_pdf_is_refused(self, org, api, manager, provider):
        engagement = draft(org, manager, provider)
        path = f"/api/v1/engagements/{engagement.pk}/agreement/signed"
        response = send(api, "upload", path, upload_form(b"Signed by both, honest.\n"))
        assert error_fields(response) == ["file"]
        future = (date.today() + timedelta(days=30)).isoformat()
        response = send(api, "upload", path, upload_form(signed_on=future))
        assert error_fields(response) == ["signed_on"]
        assert not engagement.signed_agreements.exists()
        assert api.get(f"/api/v1/engagements/{engagement.pk}/agreement").json()["state"] == "none"

    @pytest.mark.parametrize("missing", ["file", "signers", "signed_on"])
    def test_a_missing_upload_field_is_named(self, org, api, manager, provider, missing):
        engagement = draft(org, manager, provider)
        form = upload_form()
        del form[missing]
        path = f"/api/v1/engagements/{engagement.pk}/agreement/signed"
        assert error_fields(send(api, "upload", path, form)) == [missing]

    def test_only_an_admin_edits_the_clauses(self, org, api, admin):
        clauses = api.get("/api/v1/agreement-clauses").json()
        assert [c["key"] for c in clauses][:2] == ["confidentiality", "work_product"]
        path = f"/api/v1/agreement-clauses/{clauses[0]['id']}"
        assert api.patch(path, {"title": "Secrecy"}).status_code == 403
        response = api_client_for(admin, org).patch(path, {"title": "Secrecy"})
        assert response.status_code == 200
        assert (response.json()["title"], response.json()["body"]) == (
            "Secrecy",
            clauses[0]["body"],
        )
        assert error_fields(api_client_for(admin, org).patch(path, {"body": ""})) == ["body"]


# --- Access and exit ------------------------------------------------------------------------
@pytest.mark.django_db
class TestExit:
    def test_ending_goes_through_the_exit_checklist(self, org, api, manager, provider, contact):
        engagement = activated(draft(org, manager, provider), manager, contact)
        base = f"/api/v1/engagements/{engagement.pk}"
        books = api.post(
            f"{base}/access",
            {"system": "QuickBooks", "account": "lee@x.example", "level": "accountant"},
        ).json()
        bank = api.post(
            f"{base}/access", {"system": "Bank", "account": "lee", "level": "read-only"}
        ).json()
        assert api.post(f"{base}/access/{bank['id']}/revoke").json()["revoked_on"]

        end = {"to_status": "ended", "reason": "Brought in-house"}
        response = api.post(f"{base}/status", end)
        assert error_fields(response) == ["to_status"]
        assert "exit checklist" in response.json()["errors"][0]["message"]

        items = api.post(f"{base}/exit").json()
        access_items = [item for item in items if item["kind"] == "revoke_access"]
        assert [item["access_grant_id"] for item in access_items] == [books["id"]]
        assert len(items) == 4 and not any(item["done"] for item in items)
        extra = api.post(f"{base}/exit-items", {"text": "Return the office key"})
        assert extra.status_code == 201
        assert error_fields(api.post(f"{base}/status", end)) == ["to_status"]

        for item in api.get(f"{base}/exit-items").json():
            response = api.post(f"{base}/exit-items/{item['id']}/done", {"done": True})
            assert response.json()["done"] is True
        assert AccessGrant.objects.get(pk=books["id"]).revoked_on is not None

        response = api.post(f"{base}/status", end)
        assert response.status_code == 200, response.json()
        assert response.json()["status"] == "ended"
        assert error_fields(api.patch(base, {"title": "After the end"})) == ["body"]

    def test_open_access_and_open_exit_items_are_listed_first(self, org, api, manager, provider):
        engagement = draft(org, manager, provider)
        base = f"/api/v1/engagements/{engagement.pk}"
        for system in ("Bank", "Payroll", "QuickBooks"):
            api.post(f"{base}/access", {"system": system, "account": "a", "level": "user"})
        bank = AccessGrant.objects.get(system="Bank")
        api.post(f"{base}/access/{bank.pk}/revoke")
        assert [grant["system"] for grant in api.get(f"{base}/access").json()] == [
            "Payroll",
            "QuickBooks",
            "Bank",
        ]
        items = api.post(f"{base}/exit").json()
        api.post(f"{base}/exit-items/{items[0]['id']}/done", {"done": True})
        listed = api.get(f"{base}/exit-items").json()
        assert [item["done"] for item in listed] == [False] * (len(listed) - 1) + [True]

    def test_exit_items_need_a_started_exit(self, org, api, manager, provider):
        engagement = draft(org, manager, provider)
        response = api.post(f"/api/v1/engagements/{engagement.pk}/exit-items", {"text": "Key"})
        assert error_fields(response) == ["body"]
        assert not ExitItem.objects.exists()


# --- Renewals -------------------------------------------------------------------------------
@pytest.mark.django_db
class TestRenewals:
    def test_engagements_with_a_date_in_the_window(self, org, api, manager, provider, contact):
        def engagement(title, end, **data):
            return draft(
                org,
                manager,
                provider,
                title=title,
                start_date=date(2024, 1, 1),
                end_date=end,
                **data,
            )

        # Chicago's today is 2025-05-31 at 03:00 UTC on 2025-06-01: the last day of notice.
        last_call = engagement("Last call", date(2025, 6, 30), notice_days=30)  # 05-31
        notice_only = engagement("Notice soon", date(2025, 8, 14), notice_days=60)  # 06-15
        term_and_notice = engagement("Ends soon", date(2025, 6, 30), notice_days=10)
        rolled = engagement("Rolled over", date(2024, 7, 15), auto_renew=True, notice_days=0)
        engagement("Far off", date(2026, 1, 31))
        engagement("Open-ended", None)
        engagement("Lapsed", date(2025, 5, 1))
        ended = engagement("Ended", date(2025, 6, 10))
        services.move_status(
            principal_for(manager, ended.organization), ended, to_status="ended", reason="Done"
        )

        with time_machine.travel(datetime(2025, 6, 1, 3, tzinfo=ZoneInfo("UTC")), tick=False):
            response = api.get("/api/v1/renewals", days=60)
        assert response.status_code == 200
        rows = {row["title"]: row for row in response.json()}
        assert list(rows) == ["Last call", "Notice soon", "Ends soon", "Rolled over"]
        assert rows["Last call"]["events"] == ["notice_deadline", "term_end"]
        assert rows["Last call"]["engagement_id"] == last_call.pk
        assert rows["Notice soon"]["events"] == ["notice_deadline"]
        assert (rows["Notice soon"]["notice_deadline"], rows["Notice soon"]["term_end"]) == (
            "2025-06-15",
            "2025-08-14",
        )
        assert rows["Ends soon"]["events"] == ["notice_deadline", "term_end"]
        assert rows["Rolled over"]["term_end"] == "2025-07-15"
        assert rows["Rolled over"]["auto_renew"] is True
        assert rows["Rolled over"]["engagement_id"] == rolled.pk
        assert {notice_only.pk, term_and_notice.pk} < {
            row["engagement_id"] for row in rows.values()
        }

    @pytest.mark.parametrize("days", [0, 731, "soon"])
    def test_a_window_out_of_range_is_422(self, api, days):
        assert error_fields(api.get("/api/v1/renewals", days=days)) == ["days"]


# --- The audit trail ------------------------------------------------------------------------
@pytest.mark.django_db
class TestAuditTrail:
    """The services promise that each of them writes the audit trail."""

    @pytest.mark.parametrize(
        ("method", "path", "body"),
        [
            ("put", "/api/v1/engagements/{e}/response-targets/critical", {"amount": None}),
            ("delete", "/api/v1/engagements/{e}/workflow-steps/{step}", None),
            ("post", "/api/v1/engagements/{e}/workflow-steps/{step}/move", {"direction": 1}),
            ("post", "/api/v1/engagements/{e}/exit-items", {"text": "Return the office key"}),
            ("post", "/api/v1/engagements/{e}/exit-items/{standard_item}/done", {"done": True}),
        ],
    )
    def test_each_change_is_recorded(self, org, api, manager, method, path, body):
        rows = furnish(org, manager)
        engagement = rows.engagement
        services.set_response_target(
            principal_for(manager, engagement.organization),
            engagement,
            severity="critical",
            amount=2,
            unit="hours",
        )
        step = {"actor": "provider", "action": "post the entries"}
        services.add_workflow_step(
            principal_for(manager, engagement.organization), engagement, data=step
        )
        items = ExitItem.objects.filter(organization=org).filter(engagement=engagement)
        standard = items.filter(access_grant__isnull=True).first()
        path = path.format(**vars(rows), standard_item=standard.pk)
        events = AuditEvent.objects.filter(organization=org).count()
        assert send(api, method, path, body).status_code in (200, 201, 204)
        assert AuditEvent.objects.filter(organization=org).count() == events + 1


# --- Roles and other organizations ----------------------------------------------------------
WRITES = [
    ("post", "/api/v1/engagements"),
    ("patch", "/api/v1/engagements/{e}"),
    ("post", "/api/v1/engagements/{e}/status"),
    ("put", "/api/v1/engagements/{e}/plan"),
    ("post", "/api/v1/engagements/{e}/escalation-levels"),
    ("delete", "/api/v1/engagements/{e}/escalation-levels/{level}"),
    ("post", "/api/v1/engagements/{e}/service-levels"),
    ("patch", "/api/v1/engagements/{e}/service-levels/{service_level}"),
    ("delete", "/api/v1/engagements/{e}/service-levels/{service_level}"),
    ("put", "/api/v1/engagements/{e}/response-targets/high"),
    ("post", "/api/v1/engagements/{e}/workflow-steps"),
    ("patch", "/api/v1/engagements/{e}/workflow-steps/{step}"),
    ("delete", "/api/v1/engagements/{e}/workflow-steps/{step}"),
    ("post", "/api/v1/engagements/{e}/workflow-steps/{step}/move"),
    ("post", "/api/v1/holidays"),
    ("delete", "/api/v1/holidays/{holiday}"),
    ("post", "/api/v1/holidays/federal"),
    ("post", "/api/v1/engagements/{e}/access"),
    ("post", "/api/v1/engagements/{e}/access/{grant}/revoke"),
    ("post", "/api/v1/engagements/{e}/exit"),
    ("post", "/api/v1/engagements/{e}/exit-items"),
    ("post", "/api/v1/engagements/{e}/exit-items/{item}/done"),
    ("post", "/api/v1/engagements/{e}/agreement/versions"),
    ("post", "/api/v1/engagements/{e}/agreement/versions/{version}/sent"),
    ("upload", "/api/v1/engagements/{e}/agreement/signed"),
    ("patch", "/api/v1/agreement-clauses/{clause}"),
    ("post", "/api/v1/functions"),
]

READS = [
    "/api/v1/engagements",
    "/api/v1/engagements/{e}",
    "/api/v1/engagements/{e}/status-changes",
    "/api/v1/engagements/{e}/plan",
    "/api/v1/engagements/{e}/escalation-levels",
    "/api/v1/engagements/{e}/service-levels",
    "/api/v1/engagements/{e}/response-targets",
    "/api/v1/engagements/{e}/workflow-steps",
    "/api/v1/holidays",
    "/api/v1/engagements/{e}/access",
    "/api/v1/engagements/{e}/exit-items",
    "/api/v1/engagements/{e}/agreement",
    "/api/v1/engagements/{e}/agreement/versions/{version}/file",
    "/api/v1/engagements/{e}/agreement/signed/{signed}/file",
    "/api/v1/agreement-clauses",
    "/api/v1/renewals",
    "/api/v1/functions",
]

# Endpoints under one engagement: another organization's is a 404 on each of them.
ENGAGEMENT_ENDPOINTS = [(method, path) for method, path in WRITES if "{e}" in path] + [
    ("get", path) for path in READS if "{e}" in path
]


def valid_body(method, path, rows) -> dict | None:
    """A body the schema accepts, so that what answers is the lookup, not the validation."""
    if method == "upload":
        return upload_form()
    if method in ("get", "delete"):
        return None
    bodies = {
        "/api/v1/engagements": engagement_payload(rows.engagement.organization, rows.provider),
        "/status": {"to_status": "ended", "reason": "Hijack"},
        "/escalation-levels": {
            "our_person_id": 1,
            "their_contact_id": rows.contact.pk,
            "amount": 1,
        },
        "/service-levels": {"task_kind": "Hijack", "business_days": 1},
        "/response-targets/high": {"amount": 1},
        "/workflow-steps": {"actor": "us", "action": "hijack"},
        "/move": {"direction": 1},
        "/holidays": {"date": "2031-01-02", "name": "Hijack"},
        "/federal": {"year": 2031},
        "/access": {"system": "Hijack", "account": "h", "level": "all"},
        "/exit-items": {"text": "Hijack"},
        "/done": {"done": True},
        "/functions": {"name": "Hijack"},
    }
    for ending, body in bodies.items():
        if path.endswith(ending):
            return body
    return {"title": "Hijack"} if method == "patch" else {}


@pytest.mark.django_db
class TestRoles:
    @pytest.fixture
    def rows(self, org, manager):
        return furnish(org, manager)

    @pytest.mark.parametrize(("method", "path"), WRITES)
    def test_a_member_cannot_write(self, org, member, rows, method, path):
        api = api_client_for(member, org)
        events = AuditEvent.objects.filter(organization=org).count()
        path = path.format(**vars(rows))
        response = send(api, method, path, valid_body(method, path, rows))
        assert response.status_code == 403, response.content
        assert AuditEvent.objects.filter(organization=org).count() == events

    @pytest.mark.parametrize("path", READS)
    def test_a_viewer_reads_everything(self, org, viewer, rows, path):
        response = api_client_for(viewer, org).get(path.format(**vars(rows)))
        assert response.status_code == 200, response.content


@pytest.mark.django_db
class TestOtherOrganizations:
    """Another organization's rows, and another engagement's, answer 404 and stay untouched."""

    @pytest.fixture
    def foreign(self, other_org, outsider):
        return furnish(other_org, outsider)

    @pytest.mark.parametrize(
        ("method", "path"),
        [
            *ENGAGEMENT_ENDPOINTS,
            ("delete", "/api/v1/holidays/{holiday}"),
            ("patch", "/api/v1/agreement-clauses/{clause}"),
        ],
    )
    def test_it_is_404(self, org, owner, other_org, foreign, method, path):
        api = api_client_for(owner, org)
        events = AuditEvent.objects.filter(organization=other_org).count()
        path = path.format(**vars(foreign))
        response = send(api, method, path, valid_body(method, path, foreign))
        assert response.status_code == 404, response.content
        assert response.json()["detail"] == "Not found."
        assert AuditEvent.objects.filter(organization=other_org).count() == events
        foreign.engagement.refresh_from_db()
        assert (foreign.engagement.status, foreign.engagement.title) == ("draft", "Bookkeeping")

    @pytest.mark.parametrize(
        ("method", "path"),
        [(method, path) for method, path in ENGAGEMENT_ENDPOINTS if path.count("{") > 1],
    )
    def test_another_engagements_rows_are_404(self, org, owner, manager, method, path):
        api = api_client_for(owner, org)
        mine, theirs = furnish(org, manager), furnish(org, manager)
        path = path.format(**{**vars(theirs), "e": mine.e})
        response = send(api, method, path, valid_body(method, path, mine))
        assert response.status_code == 404, response.content

    def test_lists_never_show_them(self, org, owner, other_org, foreign):
        api = api_client_for(owner, org)
        assert api.get("/api/v1/engagements").json()["count"] == 0
        assert api.get("/api/v1/engagements", provider=foreign.provider.pk).json()["count"] == 0
        assert api.get("/api/v1/renewals", days=730).json() == []
        own = {h["id"] for h in api.get("/api/v1/holidays").json()}
        assert foreign.holiday not in own
        assert foreign.clause not in {c["id"] for c in api.get("/api/v1/agreement-clauses").json()}
        theirs = set(
            BusinessFunction.objects.filter(organization=other_org).values_list("pk", flat=True)
        )
        assert not theirs & {f["id"] for f in api.get("/api/v1/functions").json()}
