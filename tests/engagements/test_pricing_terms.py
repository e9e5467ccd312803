"""The engagement form's price terms follow the chosen pricing model: each model's terms are in
their own group (all in the page, so the form works without JavaScript or CSS :has()), and the
server keeps only the chosen model's terms — on the page, in the services and in the API."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from handoff.core.models import AuditEvent
from handoff.decisions.models import BusinessFunction
from handoff.engagements import services, terms
from handoff.engagements.models import Engagement, PriceTier
from tests.conftest import api_client_for, client_for
from tests.factories import ProviderFactory, principal_for

pytestmark = pytest.mark.django_db


def form_data(provider, org, **overrides):
    data = {
        "provider": provider.pk,
        "functions": [BusinessFunction.objects.filter(organization=org).get(name="Billing").pk],
        "title": "Claims",
        "scope": "",
        "pricing_model": "flat",
        "amount": "900.00",
        "billing_period": "quarter",
        "unit_name": "claim",
        "monthly_quantity": "640",
        "payment_terms_days": 30,
        "start_date": "2026-01-01",
        "end_date": "",
        "renewal_months": 12,
        "notice_days": 30,
        "tiers": "500, 3.80",
    }
    data.update(overrides)
    return data


@pytest.fixture
def provider(org):
    return ProviderFactory(organization=org, name="ClearClaim")


def test_unused_terms_name_what_each_model_does_not_read():
    assert terms.unused_terms("flat") == {"unit_name": "", "monthly_quantity": None, "tiers": []}
    assert terms.unused_terms("hourly") == {"billing_period": "month", "unit_name": "", "tiers": []}
    assert terms.unused_terms("per_unit") == {"billing_period": "month"}
    assert terms.unused_terms("barter") == {}


class TestTheForm:
    def test_each_models_terms_are_a_group_of_their_own_all_in_the_page(self, org, manager):
        page = client_for(manager).get(reverse("engagements:create", args=[org.slug]))
        html = page.content.decode()
        groups = re.findall(r'<fieldset class="pricing-terms" data-pricing="([^"]+)">', html)
        assert groups == ["flat", "hourly per_unit", "per_unit"]
        flat, quantity, per_unit = html.split('class="pricing-terms"')[1:4]
        assert 'name="billing_period"' in flat and 'name="tiers"' not in flat
        assert 'name="monthly_quantity"' in quantity
        assert 'name="unit_name"' in per_unit and 'name="tiers"' in per_unit

    def test_required_fields_are_marked_and_help_is_its_own_described_sentence(self, org, manager):
        html = client_for(manager).get(reverse("engagements:create", args=[org.slug])).content
        html = html.decode()
        assert re.search(
            r'for="id_title">Title<span class="req" aria-hidden="true"> \*</span>'
            r'<span class="sr-only"> \(required\)</span></label>',
            html,
        )
        assert re.search(r'for="id_end_date">End date</label>', html)  # optional: no mark
        assert (
            '<div class="help" id="id_end_date_helptext">Leave empty if open-ended.</div>' in html
        )
        assert re.search(
            r'<input type="date" name="end_date"[^>]*aria-describedby="id_end_date_helptext"', html
        )
        # A group of choices is described on its fieldset.
        assert re.search(r'<fieldset class="choices"[^>]*><legend>Business functions<span', html)

    def test_a_flat_fee_keeps_no_volume_unit_or_tiers(self, org, manager, provider):
        response = client_for(manager).post(
            reverse("engagements:create", args=[org.slug]), form_data(provider, org)
        )
        engagement = Engagement.objects.filter(organization=org).get()
        assert response["Location"] == engagement.get_absolute_url()
        assert (engagement.billing_period, engagement.unit_name) == ("quarter", "")
        assert engagement.monthly_quantity is None
        assert not PriceTier.objects.filter(organization=org).exists()
        assert engagement.annual_cost == 3600

    def test_a_mistake_in_another_models_terms_is_no_error(self, org, manager, provider):
        response = client_for(manager).post(
            reverse("engagements:create", args=[org.slug]),
            form_data(provider, org, tiers="lots, cheap", monthly_quantity="many"),
        )
        assert response.status_code == 302
        assert Engagement.objects.filter(organization=org).get().monthly_quantity is None

    def test_per_unit_keeps_its_unit_volume_and_tiers_and_no_billing_period(
        self, org, manager, provider
    ):
        client_for(manager).post(
            reverse("engagements:create", args=[org.slug]),
            form_data(provider, org, pricing_model="per_unit", amount="4.25"),
        )
        engagement = Engagement.objects.filter(organization=org).get()
        assert (engagement.unit_name, engagement.monthly_quantity) == ("claim", 640)
        assert engagement.billing_period == "month"
        assert [(t.above, t.unit_price) for t in engagement.price_tiers.all()] == [
            (500, Decimal("3.80"))
        ]

    def test_per_unit_tiers_that_do_not_parse_are_refused_with_the_line(
        self, org, manager, provider
    ):
        response = client_for(manager).post(
            reverse("engagements:create", args=[org.slug]),
            form_data(provider, org, pricing_model="per_unit", tiers="500 at 3"),
        )
        assert response.status_code == 200
        assert "Line 1 should read" in response.content.decode()
        assert not Engagement.objects.filter(organization=org).exists()

    def test_moving_to_hourly_drops_the_unit_and_tiers_and_says_so_in_the_audit(
        self, org, manager, provider
    ):
        client_for(manager).post(
            reverse("engagements:create", args=[org.slug]),
            form_data(provider, org, pricing_model="per_unit", amount="4.25"),
        )
        engagement = Engagement.objects.filter(organization=org).get()
        client_for(manager).post(
            reverse("engagements:edit", args=[org.slug, engagement.pk]),
            form_data(
                provider, org, pricing_model="hourly", amount="85", monthly_quantity="6", version=1
            ),
        )
        engagement.refresh_from_db()
        assert (engagement.pricing_model, engagement.unit_name) == ("hourly", "")
        assert engagement.monthly_quantity == 6
        assert not engagement.price_tiers.exists()
        event = AuditEvent.objects.filter(action="engagement.updated").latest("pk")
        assert {"pricing_model", "unit_name", "tiers"} <= set(event.changes)


class TestServicesAndApi:
    def test_the_service_empties_what_the_model_does_not_read(self, org, manager, provider):
        engagement = services.create_engagement(
            principal_for(manager, org),
            provider_id=provider.pk,
            function_ids=[BusinessFunction.objects.filter(organization=org).get(name="Billing").pk],
            data={
                "title": "Claims",
                "pricing_model": "hourly",
                "amount": "85",
                "billing_period": "year",
                "unit_name": "claim",
                "monthly_quantity": 6,
                "start_date": date(2026, 1, 1),
            },
            tiers=[(100, 3)],
        )
        assert (engagement.billing_period, engagement.unit_name) == ("month", "")
        assert not engagement.price_tiers.exists()

    def test_an_api_patch_to_a_flat_fee_clears_the_tiers(self, org, manager, provider):
        engagement = services.create_engagement(
            principal_for(manager, org),
            provider_id=provider.pk,
            function_ids=[BusinessFunction.objects.filter(organization=org).get(name="Billing").pk],
            data={
                "title": "Claims",
                "pricing_model": "per_unit",
                "amount": "4.25",
                "unit_name": "claim",
                "monthly_quantity": 640,
                "start_date": date(2026, 1, 1),
            },
            tiers=[(500, "3.80")],
        )
        api = api_client_for(manager, org)
        response = api.patch(
            f"/api/v1/engagements/{engagement.pk}", {"pricing_model": "flat", "amount": "2500"}
        )
        assert response.status_code == 200, response.content
        body = response.json()
        assert (body["pricing_model"], body["unit_name"], body["tiers"]) == ("flat", "", [])
        assert body["monthly_quantity"] is None

    def test_a_negative_tier_is_refused_even_for_a_flat_fee(self, org, manager, provider):
        api = api_client_for(manager, org)
        response = api.post(
            "/api/v1/engagements",
            {
                "provider_id": provider.pk,
                "function_ids": [
                    BusinessFunction.objects.filter(organization=org).get(name="Billing").pk
                ],
                "title": "Claims",
                "amount": "900",
                "start_date": "2026-01-01",
                "tiers": [{"above": "-5", "unit_price": "1"}],
            },
        )
        assert response.status_code == 422
        assert not Engagement.objects.filter(organization=org).exists()
