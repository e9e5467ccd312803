"""Assessments through the service and the pages: the answers with their evidence, the result
with the reasons each way, versions, staleness, the exposure and the agreement link."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from handoff.compliance import selectors, services
from handoff.compliance.models import ClassificationAssessment
from handoff.core.models import AuditEvent
from handoff.core.principal import Principal
from handoff.decisions.models import BusinessFunction
from handoff.engagements import agreements
from handoff.engagements import services as engagements
from tests.compliance.conftest import pay, record_w9
from tests.conftest import client_for
from tests.factories import ProviderFactory, principal_for

CONTRACTOR = {
    "paid_for_time": {"answer": "no", "evidence": "Fixed fee per project"},
    "profit_or_loss": {"answer": "yes", "evidence": "Eats overruns on fixed quotes"},
    "serves_market": {"answer": "yes", "evidence": "Website lists six other clients"},
    "own_investment": {"answer": "yes", "evidence": "Own laptop, tools and van"},
    "sets_when_where": {"answer": "no", "evidence": "Comes when it suits them"},
}
EMPLOYEE = {
    "sets_when_where": {"answer": "yes", "evidence": "Front desk, 9 to 5, every weekday"},
    "directs_how": {"answer": "yes", "evidence": "Follows our checklist step by step"},
    "benefits": {"answer": "yes", "evidence": "On our health plan"},
    "exclusive_full_time": {"answer": "yes", "evidence": "Contract forbids other clients"},
    "paid_for_time": {"answer": "yes", "evidence": "Paid by the hour, biweekly"},
}


# The test organization operates in Illinois, whose ABC test is asked too.
ILLINOIS_SHOWN = {
    "IL": {
        "prongs": {
            key: {"answer": "yes", "evidence": "Shown by their contract and practice"}
            for key in "abc"
        }
    }
}


def assess(provider, actor, answers=CONTRACTOR, **kwargs):
    kwargs.setdefault("state_answers", ILLINOIS_SHOWN)
    return services.create_assessment(
        principal_for(actor, provider.organization), provider, answers=answers, **kwargs
    )


@pytest.mark.django_db
class TestService:
    def test_it_stores_the_result_and_numbers_versions(self, org, manager, jordan):
        first = assess(jordan, manager)
        second = assess(jordan, manager, answers=EMPLOYEE)
        assert (first.number, first.outcome) == (1, "contractor")
        assert (second.number, second.outcome) == (2, "employee")
        assert first.answers["serves_market"]["evidence"] == "Website lists six other clients"
        assert first.answers["benefits"] == {"answer": "unsure", "evidence": ""}
        assert AuditEvent.objects.filter(action="assessment.created").count() == 2

    def test_an_answer_without_evidence_is_refused_and_nothing_is_saved(self, org, manager, jordan):
        with pytest.raises(Exception) as error:
            assess(jordan, manager, answers={**CONTRACTOR, "benefits": {"answer": "no"}})
        assert error.value.message_dict["factor_benefits"][0].startswith("Say what shows this")
        assert not ClassificationAssessment.objects.exists()

    def test_an_engagement_of_another_provider_is_refused(
        self, org, owner, manager, jordan, jordan_engagement
    ):
        from tests.factories import ProviderFactory

        other = ProviderFactory(organization=org)
        with pytest.raises(Exception) as error:
            assess(other, manager, engagement_ids=[jordan_engagement.pk])
        assert "engagements" in error.value.message_dict

    def test_the_organizations_abc_state_is_asked(self, org, manager, jordan):
        # The org operates in Illinois (tests/conftest.py): its ABC test is part of the rules.
        assessment = assess(
            jordan,
            manager,
            state_answers={"IL": {"prongs": {"b": {"answer": "no", "evidence": "IT is our core"}}}},
        )
        view = selectors.view_of(Principal.system(assessment.organization), assessment)
        assert [s.test.state for s in view.result.states] == ["IL"]
        assert assessment.outcome == "employee" and assessment.federal_outcome == "contractor"

    def test_the_year_of_payments_comes_from_recorded_payments(self, org, manager, jordan):
        record_w9(jordan, manager)
        today = timezone.localdate()
        pay(org, manager, jordan, Decimal("1000"), today - timedelta(days=10))
        pay(org, manager, jordan, Decimal("500"), today - timedelta(days=400))
        assessment = assess(jordan, manager)
        assert assessment.annual_payments == Decimal("1000.00")
        assert "365 days" in assessment.payments_basis

    def test_it_falls_back_on_the_engagements_yearly_cost(
        self, org, manager, jordan, jordan_engagement
    ):
        assessment = assess(jordan, manager, engagement_ids=[jordan_engagement.pk])
        assert assessment.annual_payments == Decimal("6120.00")  # 85 × 6 hours × 12


@pytest.mark.django_db
class TestStaleness:
    def test_it_goes_stale_after_twelve_months(self, org, manager, jordan):
        with time_machine.travel(timezone.now() - timedelta(days=370)):
            assessment = assess(jordan, manager)
        reasons = selectors.staleness(
            selectors.assessments(Principal.system(org)).get(pk=assessment.pk)
        )
        assert reasons and "more than 12 months ago" in reasons[0]

    def test_a_fresh_one_is_current(self, org, manager, jordan, jordan_engagement):
        assessment = assess(jordan, manager, engagement_ids=[jordan_engagement.pk])
        assert (
            selectors.staleness(selectors.assessments(Principal.system(org)).get(pk=assessment.pk))
            == []
        )

    @pytest.mark.parametrize(
        ("change", "label"),
        [
            ({"monthly_quantity": Decimal("40")}, "hours"),
            ({"pricing_model": "flat", "billing_period": "month"}, "pay basis"),
            ({"end_date": None}, "length"),
            ({"scope": "Only us, full time, no other clients"}, "scope"),
        ],
    )
    def test_it_goes_stale_when_terms_bearing_on_the_factors_change(
        self, org, owner, manager, jordan, jordan_engagement, change, label
    ):
        assessment = assess(jordan, manager, engagement_ids=[jordan_engagement.pk])
        engagements.update_engagement(
            principal_for(owner, jordan_engagement.organization), jordan_engagement, data=change
        )
        reasons = selectors.staleness(
            selectors.assessments(Principal.system(org)).get(pk=assessment.pk)
        )
        assert len(reasons) == 1 and label in reasons[0]

    def test_a_change_that_does_not_bear_on_the_factors_keeps_it_current(
        self, org, owner, manager, jordan, jordan_engagement
    ):
        assessment = assess(jordan, manager, engagement_ids=[jordan_engagement.pk])
        engagements.update_engagement(
            principal_for(owner, jordan_engagement.organization),
            jordan_engagement,
            data={"title": "Renamed", "notice_days": 10},
        )
        assert (
            selectors.staleness(selectors.assessments(Principal.system(org)).get(pk=assessment.pk))
            == []
        )


@pytest.mark.django_db
class TestPages:
    def test_a_manager_assesses_factor_by_factor_and_reads_the_result(
        self, org, manager, jordan, jordan_engagement
    ):
        client = client_for(manager)
        form = client.get(reverse("compliance:assessment_create", args=[org.slug, jordan.pk]))
        page = form.content.decode()
        assert "Behavioral control" in page and "Illinois ABC test" in page
        assert "Guidance, not legal advice." in page
        data = {"engagements": [jordan_engagement.pk], "annual_payments": "30000"}
        for key, answer in EMPLOYEE.items():
            data[f"factor_{key}"] = answer["answer"]
            data[f"evidence_{key}"] = answer["evidence"]
        response = client.post(
            reverse("compliance:assessment_create", args=[org.slug, jordan.pk]), data
        )
        assessment = ClassificationAssessment.objects.filter(organization=org).get()
        assert response["Location"] == assessment.get_absolute_url()
        result = client.get(assessment.get_absolute_url()).content.decode()
        assert "Likely employee" in result
        assert "Pointing toward employee" in result and "On our health plan" in result
        assert "Form SS-8" in result and "Put the status in the written agreement" in result
        assert "Guidance, not legal advice." in result
        # 30,000 below the wage base: 10.68% + FUTA 42 = 3,246.00; without 1099s 13.71% + 42.
        assert "$3,246.00" in result and "$4,155.00" in result
        assert "IRC 3509" in result and "IRS Topic 751" in result
        assert "written agreement" in result

    def test_a_missing_evidence_is_shown_on_the_factor_and_nothing_saved(
        self, org, manager, jordan
    ):
        response = client_for(manager).post(
            reverse("compliance:assessment_create", args=[org.slug, jordan.pk]),
            {"factor_benefits": "yes", "evidence_benefits": ""},
        )
        assert response.status_code == 200
        assert "Say what shows this" in response.content.decode()
        assert not ClassificationAssessment.objects.exists()

    def test_the_engagements_agreement_section_links_the_latest_assessment(
        self, org, owner, viewer, jordan, jordan_engagement
    ):
        version = agreements.generate(
            principal_for(owner, jordan_engagement.organization), jordan_engagement
        )
        assessment = assess(jordan, owner, engagement_ids=[jordan_engagement.pk])
        detail = client_for(viewer).get(jordan_engagement.get_absolute_url()).content.decode()
        fragment_url = reverse(
            "compliance:engagement_status", args=[org.slug, jordan_engagement.pk]
        )
        assert fragment_url in detail
        fragment = client_for(viewer).get(fragment_url).content.decode()
        assert assessment.get_absolute_url() in fragment
        assert f"against agreement version {version.number}" in fragment
        result = client_for(viewer).get(assessment.get_absolute_url()).content.decode()
        assert f"written agreement version {version.number}" in result
        engagements.update_engagement(
            principal_for(owner, jordan_engagement.organization),
            jordan_engagement,
            data={"monthly_quantity": 80},
        )
        assert "stale" in client_for(viewer).get(fragment_url).content.decode()

    def test_an_individuals_agreement_states_the_assessment_it_is_signed_on(
        self, org, owner, jordan, jordan_engagement
    ):
        principal = principal_for(owner, org)
        before = agreements.render_html(principal, jordan_engagement)
        assert "Contractor-status assessment" in before
        assert "has recorded no assessment of Jordan Lee IT" in before
        assessment = assess(jordan, owner, engagement_ids=[jordan_engagement.pk])
        after = " ".join(agreements.render_html(principal, jordan_engagement).split())
        assert f"(assessment {assessment.number}): likely independent contractor" in after
        assert f"employee weighed {assessment.employee_weight}" in after

    def test_a_business_agreement_has_no_assessment_section(self, org, owner):
        business = ProviderFactory(organization=org, name="Ledgerline LLC", kind="business")
        engagement = engagements.create_engagement(
            principal_for(owner, org),
            provider_id=business.pk,
            function_ids=[
                BusinessFunction.objects.filter(organization=org).get(name="IT support").pk
            ],
            data={
                "title": "IT",
                "pricing_model": "flat",
                "amount": "100.00",
                "start_date": date(2025, 1, 1),
            },
        )
        html = agreements.render_html(principal_for(owner, org), engagement)
        assert "Contractor-status assessment" not in html

    def test_the_provider_page_shows_the_comply_card(self, org, viewer, manager, jordan):
        detail = client_for(viewer).get(jordan.get_absolute_url()).content.decode()
        card_url = reverse("compliance:provider_card", args=[org.slug, jordan.pk])
        assert card_url in detail
        card = client_for(viewer).get(card_url).content.decode()
        assert "not assessed" in card and "none on file" in card
        record_w9(jordan, manager)
        assess(jordan, manager)
        card = client_for(viewer).get(card_url).content.decode()
        assert "Likely independent contractor" in card and "•••-••-1234" in card

    def test_the_assessment_list_does_not_grow_in_queries(
        self, org, manager, django_assert_max_num_queries
    ):
        from tests.factories import ProviderFactory

        client = client_for(manager)

        def page():
            return client.get(reverse("compliance:assessments", args=[org.slug]))

        assess(ProviderFactory(organization=org), manager)
        with django_assert_max_num_queries(12) as few:
            page()
        for _ in range(8):
            assess(ProviderFactory(organization=org), manager)
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert page().content.decode().count("Version 1") == 9


@pytest.mark.django_db
def test_a_california_organization_is_asked_the_abc_prongs_and_its_exemptions(org, manager, jordan):
    org.states = ["CA"]
    org.save()
    url = reverse("compliance:assessment_create", args=[org.slug, jordan.pk])
    page = client_for(manager).get(url).content.decode()
    assert "California ABC test" in page and "Business-to-business exemption" in page
    data = {
        "state_CA_b": "no",
        "state_CA_b_evidence": "IT support is not our business? It is.",
        "state_CA_exemption": "business_to_business",
        "state_CA_exemption_evidence": "",
    }
    refused = client_for(manager).post(url, data)
    assert "Say how each condition of the exemption is met" in refused.content.decode()
    data["state_CA_exemption_evidence"] = "Written contract, licence, own office, other clients"
    client_for(manager).post(url, data)
    assessment = ClassificationAssessment.objects.filter(organization=org).get()
    result = client_for(manager).get(assessment.get_absolute_url()).content.decode()
    assert "business-to-business exemption" in result and "Labor Code 2776" in result
