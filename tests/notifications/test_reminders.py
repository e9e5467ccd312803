"""Engage and Vet reminders: a month and a week ahead of each date, once each, to the
owners, the admins and the engagement's point person, with the clock under control."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core import mail

from handoff.decisions.models import BusinessFunction
from handoff.engagements import jobs as engagement_jobs
from handoff.engagements import services as engagements
from handoff.notifications import reminders
from handoff.notifications.events import Event
from handoff.notifications.jobs import run_due_sweeps
from handoff.notifications.models import Notification
from handoff.providers import jobs as provider_jobs
from handoff.providers.models import DueDiligenceItem
from tests.factories import ContactFactory, ProviderFactory, principal_for

pytestmark = pytest.mark.django_db


def noon(day: str) -> datetime:
    """Noon UTC: morning in Chicago, where Acme is."""
    return datetime.fromisoformat(f"{day}T12:00").replace(tzinfo=UTC)


@pytest.fixture
def provider(org):
    return ProviderFactory(organization=org, name="Ledgerline")


@pytest.fixture
def engagement(org, owner, manager, provider):
    """Active, a term to Dec 31, 2026 that renews by 12 months; 60 days' notice: the last day
    to give it is Nov 1, 2026."""
    engagement = engagements.create_engagement(
        principal_for(owner, org),
        provider_id=provider.pk,
        function_ids=[BusinessFunction.objects.filter(organization=org).get(name="Bookkeeping").pk],
        data={
            "title": "Monthly books",
            "pricing_model": "flat",
            "amount": "1250.00",
            "start_date": date(2026, 1, 1),
            "end_date": date(2026, 12, 31),
            "auto_renew": True,
            "renewal_months": 12,
            "notice_days": 60,
        },
    )
    engagements.update_plan(
        principal_for(owner, engagement.organization),
        engagement,
        our_point_person_id=manager.pk,
        their_point_person_id=ContactFactory(provider=provider).pk,
        issue_contact_id=ContactFactory(provider=provider).pk,
        preferred_channel="email",
        meeting_cadence="monthly",
    )
    return engagements.move_status(
        principal_for(owner, engagement.organization), engagement, to_status="active"
    )


def keys(event):
    return sorted(set(Notification.objects.filter(event=event).values_list("key", flat=True)))


class TestStages:
    @pytest.mark.parametrize(
        ("days", "stage"),
        [(31, None), (30, "first"), (8, "first"), (7, "last"), (0, "last"), (-1, None)],
    )
    def test_a_month_then_a_week_ahead(self, days, stage):
        assert reminders.stage(days) == stage

    def test_keys_name_the_date_and_the_stage(self):
        day = date(2027, 1, 31)
        assert (
            reminders.key("engagement:7:notice", day, "first") == "engagement:7:notice:2027-01-31"
        )
        assert reminders.key("engagement:7:notice", day, "last") == (
            "engagement:7:notice:2027-01-31:last"
        )


class TestEngagementReminders:
    def test_the_notice_deadline_is_reminded_a_month_and_a_week_ahead_once_each(
        self, org, owner, admin, manager, member, engagement, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            assert engagement_jobs.renewal_reminders(noon("2026-09-30")) == 0
            # Oct 2: 30 days before Nov 1.
            assert engagement_jobs.renewal_reminders(noon("2026-10-02")) == 3
            assert engagement_jobs.renewal_reminders(noon("2026-10-02")) == 0
            assert engagement_jobs.renewal_reminders(noon("2026-10-20")) == 0
            assert engagement_jobs.renewal_reminders(noon("2026-10-25")) == 3
            assert engagement_jobs.renewal_reminders(noon("2026-10-26")) == 0
        prefix = f"engagement:{engagement.pk}:notice:2026-11-01"
        assert keys(Event.NOTICE_DEADLINE) == [prefix, f"{prefix}:last"]
        first = Notification.objects.filter(key=prefix)
        assert {n.user for n in first} == {owner, admin, manager}
        notice = first.get(user=owner)
        assert notice.subject == (
            "Last day to give notice for Monthly books (Ledgerline): Nov. 1, 2026 (in 30 days)"
        )
        assert notice.body == (
            "Without notice it renews for 12 months on Dec. 31, 2026. The notice period is 60 days."
        )
        assert notice.url == f"/o/acme/engagements/{engagement.pk}/"
        assert len(mail.outbox) == 6

    def test_the_term_end_is_reminded_and_rolls_to_the_next_term(self, org, owner, engagement):
        engagement_jobs.renewal_reminders(noon("2026-12-01"))
        engagement_jobs.renewal_reminders(noon("2026-12-28"))
        # After it renewed, the next term's dates bring their own reminders.
        engagement_jobs.renewal_reminders(noon("2027-10-05"))
        assert keys(Event.RENEWAL_DUE) == [
            f"engagement:{engagement.pk}:term:2026-12-31",
            f"engagement:{engagement.pk}:term:2026-12-31:last",
        ]
        assert f"engagement:{engagement.pk}:notice:2027-11-01" in keys(Event.NOTICE_DEADLINE)
        renewal = Notification.objects.filter(event=Event.RENEWAL_DUE, user=owner).first()
        assert renewal.subject.startswith("Monthly books (Ledgerline) renews on Dec. 31, 2026")

    def test_a_date_first_seen_a_few_days_ahead_gets_only_the_last_reminder(
        self, org, owner, engagement
    ):
        engagement_jobs.renewal_reminders(noon("2026-10-29"))
        assert keys(Event.NOTICE_DEADLINE) == [f"engagement:{engagement.pk}:notice:2026-11-01:last"]

    def test_drafts_and_ended_engagements_are_not_reminded(self, org, owner, engagement):
        engagements.move_status(
            principal_for(owner, engagement.organization),
            engagement,
            to_status="paused",
            reason="Audit",
        )
        engagement_jobs.renewal_reminders(noon("2026-10-02"))
        assert Notification.objects.count() > 0  # paused still has a contract
        Notification.objects.all().delete()
        type(engagement).objects.filter(pk=engagement.pk).update(status="draft")
        assert engagement_jobs.renewal_reminders(noon("2026-10-25")) == 0

    def test_a_point_person_who_left_is_not_told(self, org, owner, manager, engagement):
        manager.memberships.all().delete()
        engagement_jobs.renewal_reminders(noon("2026-10-02"))
        assert not Notification.objects.filter(user=manager).exists()

    def test_the_worker_schedule_sends_once_across_two_runs(
        self, org, owner, engagement, django_capture_on_commit_callbacks
    ):
        with (
            time_machine.travel(noon("2026-10-02"), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            run_due_sweeps()
            run_due_sweeps()
        with (
            time_machine.travel(noon("2026-10-02").replace(hour=14), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            run_due_sweeps()
        assert Notification.objects.filter(user=owner, event=Event.NOTICE_DEADLINE).count() == 1
        assert len([m for m in mail.outbox if m.to == [owner.email]]) == 1


class TestDocumentReminders:
    @pytest.fixture
    def insurance(self, org, provider):
        return DueDiligenceItem.objects.create(
            organization=org,
            provider=provider,
            title="Professional liability insurance",
            has_expiry=True,
            status="verified",
            expires_on=date(2026, 7, 31),
        )

    def test_expiry_is_reminded_ahead_and_once_expired(self, org, owner, admin, manager, insurance):
        for day in ("2026-06-30", "2026-07-01", "2026-07-01", "2026-07-25", "2026-07-31"):
            provider_jobs.document_reminders(noon(day))
        provider_jobs.document_reminders(noon("2026-08-01"))
        provider_jobs.document_reminders(noon("2026-08-03"))
        prefix = f"due_diligence:{insurance.pk}:expiry:2026-07-31"
        assert keys(Event.DOCUMENT_EXPIRING) == [prefix, f"{prefix}:expired", f"{prefix}:last"]
        assert {n.user for n in Notification.objects.filter(key=prefix)} == {owner, admin}
        expired = Notification.objects.get(key=f"{prefix}:expired", user=owner)
        assert expired.subject == (
            "Ledgerline: Professional liability insurance expired on July 31, 2026"
        )
        assert expired.url == f"/o/acme/providers/{insurance.provider_id}/"

    def test_a_renewed_document_starts_over_with_its_new_date(self, org, owner, insurance):
        provider_jobs.document_reminders(noon("2026-07-25"))
        DueDiligenceItem.objects.filter(pk=insurance.pk).update(expires_on=date(2027, 7, 31))
        provider_jobs.document_reminders(noon("2026-07-26"))
        assert provider_jobs.document_reminders(noon("2027-07-05")) == 1
        assert f"due_diligence:{insurance.pk}:expiry:2027-07-31" in keys(Event.DOCUMENT_EXPIRING)

    def test_long_expired_and_not_applicable_items_stay_quiet(self, org, owner, insurance):
        assert provider_jobs.document_reminders(noon("2026-09-01")) == 0
        DueDiligenceItem.objects.filter(pk=insurance.pk).update(status="not_applicable")
        assert provider_jobs.document_reminders(noon("2026-07-25")) == 0

    def test_archived_providers_stay_quiet(self, org, owner, insurance, provider):
        type(provider).objects.filter(pk=provider.pk).update(archived_at=noon("2026-01-01"))
        assert provider_jobs.document_reminders(noon("2026-07-25")) == 0

    def test_each_organization_hears_only_about_its_own(
        self, org, owner, insurance, other_org, outsider
    ):
        provider_jobs.document_reminders(noon("2026-07-25"))
        assert not Notification.objects.filter(organization=other_org).exists()
        assert not Notification.objects.filter(user=outsider).exists()
