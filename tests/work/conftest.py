"""An active engagement with its routing filled in: point people on both sides, an issue contact,
response targets, a two-level escalation ladder and one service level; and a second provider
(with its own active engagement) to prove the portal never shows one provider another's work."""

from datetime import date

import pytest

from handoff.decisions.models import BusinessFunction
from handoff.engagements import services as engagement_services
from handoff.engagements.choices import Severity, TargetUnit
from handoff.work import services as work_services
from tests.factories import ContactFactory, ProviderFactory, UserFactory, principal_for


def active_engagement(org, owner, provider, *, point_person, their_point, issue_contact, ladder):
    engagement = engagement_services.create_engagement(
        principal_for(owner, org),
        provider_id=provider.pk,
        function_ids=[BusinessFunction.objects.filter(organization=org).get(name="Bookkeeping").pk],
        data={
            "title": f"Monthly books with {provider.name}",
            "pricing_model": "flat",
            "amount": "1250.00",
            "start_date": date(2026, 1, 1),
            "end_date": date(2027, 12, 31),
        },
    )
    engagement_services.update_plan(
        principal_for(owner, engagement.organization),
        engagement,
        our_point_person_id=point_person.pk,
        their_point_person_id=their_point.pk,
        issue_contact_id=issue_contact.pk,
        preferred_channel="email",
        meeting_cadence="monthly",
    )
    engagement_services.save_service_level(
        principal_for(owner, engagement.organization),
        engagement,
        data={"task_kind": "Invoice batch", "rule": "business_days", "business_days": 2},
    )
    engagement_services.set_response_target(
        principal_for(owner, engagement.organization),
        engagement,
        severity=Severity.HIGH,
        amount=4,
        unit=TargetUnit.HOURS,
    )
    engagement_services.set_response_target(
        principal_for(owner, engagement.organization),
        engagement,
        severity=Severity.NORMAL,
        amount=1,
        unit=TargetUnit.BUSINESS_DAYS,
    )
    for ours, theirs, hours in ladder:
        engagement_services.add_escalation_level(
            principal_for(owner, engagement.organization),
            engagement,
            our_person_id=ours.pk,
            their_contact_id=theirs.pk,
            amount=hours,
            unit=TargetUnit.HOURS,
        )
    engagement_services.move_status(
        principal_for(owner, engagement.organization), engagement, to_status="active"
    )
    engagement.refresh_from_db()
    return engagement


@pytest.fixture
def provider(org):
    return ProviderFactory(organization=org, name="Ledgerline Bookkeeping")


@pytest.fixture
def point_contact(provider):
    return ContactFactory(provider=provider, name="Priya Shah", email="priya@ledgerline.example")


@pytest.fixture
def issue_contact(provider):
    return ContactFactory(provider=provider, name="Tom Ortiz", email="tom@ledgerline.example")


@pytest.fixture
def boss_contact(provider):
    return ContactFactory(provider=provider, name="Dana Lee", email="dana@ledgerline.example")


@pytest.fixture
def engagement(org, owner, manager, admin, provider, point_contact, issue_contact, boss_contact):
    """Manager is our point person; level 1 of the ladder is the admin and Dana (2 hours),
    level 2 the owner and Dana (4 hours)."""
    return active_engagement(
        org,
        owner,
        provider,
        point_person=manager,
        their_point=point_contact,
        issue_contact=issue_contact,
        ladder=[(admin, boss_contact, 2), (owner, boss_contact, 4)],
    )


@pytest.fixture
def task(engagement, member):
    """A task sent by a member on that engagement."""
    return work_services.create_task(
        principal_for(member, engagement.organization),
        engagement,
        data={"title": "March invoices", "kind": "Invoice batch"},
    )


@pytest.fixture
def rival_provider(org):
    return ProviderFactory(organization=org, name="Northwind Billing")


@pytest.fixture
def rival_contact(rival_provider):
    return ContactFactory(
        provider=rival_provider, name="Rita Rival", email="rita@northwind.example"
    )


@pytest.fixture
def rival_engagement(org, owner, manager, rival_provider, rival_contact):
    return active_engagement(
        org,
        owner,
        rival_provider,
        point_person=manager,
        their_point=rival_contact,
        issue_contact=rival_contact,
        ladder=[],
    )


@pytest.fixture
def portal_user(db):
    """A login for Priya, linked to her contact by the portal tests' own invitation flow."""
    return UserFactory(name="Priya Shah", email="priya@ledgerline.example")
