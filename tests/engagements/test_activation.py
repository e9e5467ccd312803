"""Activating an engagement before its start date is refused unless confirmed, with the date
and the reason — in the service, on the page and in the API."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from handoff.engagements import services
from handoff.engagements.models import StatusChange
from tests.conftest import api_client_for, client_for
from tests.engagements.test_pages import complete_plan, function_id
from tests.factories import ContactFactory, ProviderFactory, principal_for

# Dec 4, 2026, mid-morning in Chicago (the organization's zone)
NOW = datetime(2026, 12, 4, 15, 0, tzinfo=ZoneInfo("UTC"))
REFUSED = (
    "The engagement starts on Jan 4, 2027, after today (Dec 4, 2026): once active, its service "
    "levels, reminders and work run from today, before the provider has started. Activate it "
    "on the start date, or confirm that it starts early."
)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def later(org, owner, manager):
    provider = ProviderFactory(organization=org, name="Ledgerline")
    contacts = (
        ContactFactory(provider=provider, name="Priya"),
        ContactFactory(provider=provider, name="Tom"),
    )
    engagement = services.create_engagement(
        principal_for(owner, org),
        provider_id=provider.pk,
        function_ids=[function_id(org)],
        data={
            "title": "Monthly books",
            "pricing_model": "flat",
            "amount": "1250.00",
            "start_date": date(2027, 1, 4),
        },
    )
    complete_plan(engagement, manager, contacts)
    return engagement


@pytest.mark.django_db
class TestTheRule:
    def test_it_refuses_with_the_date_and_the_reason_and_changes_nothing(self, later, manager):
        with pytest.raises(ValidationError) as caught:
            services.move_status(
                principal_for(manager, later.organization), later, to_status="active"
            )
        assert caught.value.message_dict == {"confirm_before_start": [REFUSED]}
        later.refresh_from_db()
        assert later.status == "draft" and later.version == 1
        assert not StatusChange.objects.filter(organization=later.organization).exists()

    def test_confirmed_it_activates_and_the_history_says_so(self, later, manager):
        services.move_status(
            principal_for(manager, later.organization),
            later,
            to_status="active",
            reason="Onboarding",
            confirm_before_start=True,
        )
        later.refresh_from_db()
        assert later.status == "active"
        change = StatusChange.objects.filter(organization=later.organization).get()
        assert change.reason == (
            "Onboarding — Activated before the start date (Jan 4, 2027), as confirmed."
        )

    def test_on_or_after_the_start_date_no_confirmation_is_asked(self, later, manager):
        # Jan 4, 2027 00:30 in Chicago is still Jan 3 there: refused; on Jan 4 itself: allowed.
        with (
            time_machine.travel(datetime(2027, 1, 4, 5, 30, tzinfo=ZoneInfo("UTC"))),
            pytest.raises(ValidationError),
        ):
            services.move_status(
                principal_for(manager, later.organization), later, to_status="active"
            )
        with time_machine.travel(datetime(2027, 1, 4, 6, 30, tzinfo=ZoneInfo("UTC"))):
            services.move_status(
                principal_for(manager, later.organization), later, to_status="active"
            )
        later.refresh_from_db()
        assert later.status == "active"

    def test_pausing_and_ending_are_not_asked_about_the_start_date(self, later, manager):
        services.move_status(
            principal_for(manager, later.organization),
            later,
            to_status="ended",
            reason="Never started",
        )
        later.refresh_from_db()
        assert later.status == "ended"


@pytest.mark.django_db
class TestThePage:
    def status_url(self, engagement):
        return reverse("engagements:status", args=[engagement.organization.slug, engagement.pk])

    def test_the_page_offers_the_confirmation_naming_the_date(self, later, manager):
        page = client_for(manager).get(later.get_absolute_url()).content.decode()
        assert 'name="confirm_before_start"' in page
        assert "Activate before the start date" in page and "It starts on Jan 4, 2027" in page

    def test_without_the_box_it_is_refused_with_the_reason(self, later, manager):
        response = client_for(manager).post(
            self.status_url(later), {"to_status": "active", "reason": ""}, follow=True
        )
        assert REFUSED in response.content.decode()
        later.refresh_from_db()
        assert later.status == "draft"

    def test_with_the_box_it_activates(self, later, manager):
        client_for(manager).post(
            self.status_url(later), {"to_status": "active", "confirm_before_start": "on"}
        )
        later.refresh_from_db()
        assert later.status == "active"

    def test_no_box_once_the_start_date_has_come(self, org, later, manager):
        later.start_date = date(2026, 12, 1)
        later.save(update_fields=["start_date"])
        page = client_for(manager).get(later.get_absolute_url()).content.decode()
        assert 'name="confirm_before_start"' not in page


@pytest.mark.django_db
class TestTheApi:
    def test_422_on_the_field_then_confirmed(self, org, later, manager):
        api = api_client_for(manager, org)
        path = f"/api/v1/engagements/{later.pk}/status"
        response = api.post(path, {"to_status": "active"})
        assert response.status_code == 422
        assert response.json()["errors"] == [{"field": "confirm_before_start", "message": REFUSED}]
        later.refresh_from_db()
        assert later.status == "draft"
        response = api.post(path, {"to_status": "active", "confirm_before_start": True})
        assert response.status_code == 200, response.json()
        assert response.json()["status"] == "active"
