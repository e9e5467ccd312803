"""State new-hire reporting of contractors: each state's rule from the dated table applied to
the year's payments (the amount reached or exceeded, the entity types covered, the deadline),
the report recorded once, yearly states asking again, reminders, pages and the API."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from handoff.accounts.models import Organization
from handoff.compliance import jobs, state_reports
from handoff.compliance.models import StateContractorReport, StateContractorRule
from handoff.core.principal import Principal
from handoff.notifications.models import Notification
from tests.compliance.conftest import pay, record_w9
from tests.conftest import api_client_for, client_for
from tests.factories import ProviderFactory, principal_for


def in_states(org, *states):
    Organization.objects.filter(pk=org.pk).update(states=list(states))
    org.states = list(states)
    return org


def due_of(org, year=2026):
    return {
        (row.provider.name, row.rule.state): row
        for row in state_reports.dues(Principal.system(org), year)
    }


@pytest.fixture
def corporation(org):
    return ProviderFactory(
        organization=org, name="BrightVoice Corp", kind="firm", entity_type="c_corporation"
    )


def test_every_rule_has_its_source_and_covers_someone(db):
    rules = StateContractorRule.objects.all()
    assert {rule.state for rule in rules} == {"CA", "CT", "MA", "ME", "NH", "NJ", "OH"}
    for rule in rules:
        assert rule.source and rule.who and rule.how and rule.asks and rule.entity_types


@pytest.mark.parametrize(
    ("state", "payments", "reportable_on", "due_on"),
    [
        # California: $600 or more in the year, within 20 days
        ("CA", [("2026-01-10", "300"), ("2026-02-10", "300")], date(2026, 2, 10), date(2026, 3, 2)),
        ("CA", [("2026-01-10", "599.99")], None, None),
        # New Hampshire: more than $2,500, within 20 days
        ("NH", [("2026-03-02", "2500")], None, None),
        (
            "NH",
            [("2026-03-02", "2500"), ("2026-04-01", "0.01")],
            date(2026, 4, 1),
            date(2026, 4, 21),
        ),
        # New Jersey: any amount, within 20 days
        ("NJ", [("2026-01-10", "50")], date(2026, 1, 10), date(2026, 1, 30)),
        # Massachusetts: $600 or more a year, within 14 days
        ("MA", [("2026-05-01", "600")], date(2026, 5, 1), date(2026, 5, 15)),
        # Maine: $2,500 or more, no deadline named
        ("ME", [("2026-05-01", "2500")], date(2026, 5, 1), None),
    ],
)
def test_a_state_rule_applied_to_the_years_payments(
    org, manager, jordan, state, payments, reportable_on, due_on
):
    in_states(org, state)
    for paid_on, amount in payments:
        pay(org, manager, jordan, amount, date.fromisoformat(paid_on))
    row = due_of(org).get(("Jordan Lee IT", state))
    if reportable_on is None:
        assert row is None
        return
    assert (row.reportable_on, row.due_on) == (reportable_on, due_on)
    assert row.paid == sum(Decimal(amount) for _, amount in payments)
    assert row.first_paid_on == date.fromisoformat(payments[0][0])


def test_each_state_covers_its_own_kinds_of_contractor(org, manager, jordan, corporation):
    in_states(org, "CA", "MA", "IL")
    pay(org, manager, jordan, "700", date(2026, 2, 2))
    pay(org, manager, corporation, "5000", date(2026, 2, 2))
    assert set(due_of(org)) == {
        ("Jordan Lee IT", "CA"),
        ("Jordan Lee IT", "MA"),
        ("BrightVoice Corp", "MA"),  # Massachusetts: an individual or an entity
    }


def test_a_report_is_recorded_once_and_a_yearly_state_asks_again(org, manager, jordan):
    in_states(org, "CA", "CT")
    pay(org, manager, jordan, "5000", date(2025, 6, 2))
    pay(org, manager, jordan, "5000", date(2026, 2, 2))
    principal = principal_for(manager, org)
    for state in ("CA", "CT"):
        state_reports.mark_reported(
            principal,
            provider=jordan,
            state=state,
            year=2025,
            filed_on=date(2025, 6, 10),
            reference="DE542-1",
        )
    with pytest.raises(ValidationError, match="already recorded"):
        state_reports.mark_reported(
            principal, provider=jordan, state="CA", year=2025, filed_on=date(2025, 6, 11)
        )
    assert set(due_of(org, 2025)) == {("Jordan Lee IT", "CA"), ("Jordan Lee IT", "CT")}
    assert all(row.filed for row in due_of(org, 2025).values())
    # California asks in each calendar year; Connecticut once.
    assert set(due_of(org, 2026)) == {("Jordan Lee IT", "CA")}


def test_a_report_is_refused_with_the_field_and_the_reason(org, manager, jordan):
    in_states(org, "CA")
    pay(org, manager, jordan, "100", date(2026, 2, 2))
    principal = principal_for(manager, org)
    with pytest.raises(ValidationError) as error:
        state_reports.mark_reported(
            principal, provider=jordan, state="CA", year=2026, filed_on=date(2100, 1, 1)
        )
    assert set(error.value.message_dict) == {"state", "filed_on"}  # under $600; in the future
    assert not StateContractorReport.objects.exists()


def test_owners_and_admins_are_reminded_once_and_again_when_past_due(org, owner, manager, jordan):
    in_states(org, "NJ")
    pay(org, manager, jordan, "100", date(2026, 3, 2))
    assert jobs.remind_state_reports(org, date(2026, 3, 5)) == 1
    assert jobs.remind_state_reports(org, date(2026, 3, 6)) == 0
    assert jobs.remind_state_reports(org, date(2026, 3, 23)) == 1  # past March 22
    told = Notification.objects.filter(organization=org, event="state_report_due")
    assert {n.user for n in told} == {owner}
    assert "past due" in told.order_by("-pk").first().subject
    state_reports.mark_reported(
        principal_for(manager, org),
        provider=jordan,
        state="NJ",
        year=2026,
        filed_on=date(2026, 3, 23),
    )
    assert jobs.remind_state_reports(org, date(2026, 3, 24)) == 0


class TestPagesAndApi:
    def test_a_viewer_reads_the_list_and_a_manager_marks_it_reported(
        self, org, viewer, manager, jordan
    ):
        in_states(org, "CA", "TX")
        record_w9(jordan, manager)
        pay(org, manager, jordan, "700", date(2026, 2, 2))
        url = reverse("compliance:state_reports", args=[org.slug])
        page = client_for(viewer).get(url, {"year": "2026"}).content.decode()
        assert "Jordan Lee IT" in page and "due Feb 22, 2026" in page
        assert "•••-••-1234" in page and "No contractor reporting rule is known for TX" in page
        assert "Mark reported" not in page
        form = {"provider": jordan.pk, "state": "CA", "year": 2026, "filed_on": "2026-02-10"}
        post = reverse("compliance:state_report_file", args=[org.slug])
        assert client_for(viewer).post(post, form).status_code == 403
        done = client_for(manager).post(post, form, follow=True).content.decode()
        assert "Recorded Jordan Lee IT as reported to CA for 2026." in done
        assert "reported Feb 10, 2026" in done

    def test_another_organizations_contractor_is_not_found(
        self, org, manager, jordan, other_org, outsider
    ):
        in_states(org, "NJ")
        pay(org, manager, jordan, "100", date(2026, 2, 2))
        form = {"provider": jordan.pk, "state": "NJ", "year": 2026, "filed_on": "2026-02-10"}
        post = reverse("compliance:state_report_file", args=[other_org.slug])
        assert client_for(outsider).post(post, form).status_code == 404
        api = api_client_for(outsider, other_org)
        response = api.post("/api/v1/compliance/state-reports", {**form, "provider_id": jordan.pk})
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "provider_id"
        assert api.get("/api/v1/compliance/state-reports?year=2026").json()["reports"] == []
        assert not StateContractorReport.objects.all_organizations().exists()

    def test_the_api_lists_the_rules_and_records_a_report(self, org, manager, jordan):
        in_states(org, "NJ")
        pay(org, manager, jordan, "100", date(2026, 2, 2))
        api = api_client_for(manager, org)
        listed = api.get("/api/v1/compliance/state-reports?year=2026").json()
        assert [rule["state"] for rule in listed["rules"]] == ["NJ"]
        (row,) = listed["reports"]
        assert (row["due_on"], row["filed"]) == ("2026-02-22", False)
        created = api.post(
            "/api/v1/compliance/state-reports",
            {"provider_id": jordan.pk, "state": "NJ", "year": 2026, "filed_on": "2026-02-03"},
        )
        assert created.status_code == 201, created.content
        assert created.json()["filed_on"] == "2026-02-03"
        again = api.post(
            "/api/v1/compliance/state-reports",
            {"provider_id": jordan.pk, "state": "NJ", "year": 2026, "filed_on": "2026-02-03"},
        )
        assert again.status_code == 422 and again.json()["errors"][0]["field"] == "state"
