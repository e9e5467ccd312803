"""Relationship check-ins: the summary figures, who a round asks, answering once, and the
sweep that starts each period's rounds.

The fixtures here (an active engagement with Ledgerline and the people on it) are imported by
the pages and API tests of check-ins too."""

import secrets
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from handoff.accounts.models import Membership, PortalAccess
from handoff.core.principal import Principal
from handoff.insights import checkins, scorecards
from handoff.insights.jobs import checkin_rounds
from handoff.insights.models import CheckIn, CheckInRound, InsightsSettings
from handoff.notifications.events import Event
from handoff.notifications.models import Notification
from handoff.work.models import Task
from tests.factories import ContactFactory, ProviderFactory, UserFactory, principal_for
from tests.work.conftest import active_engagement

CHICAGO = ZoneInfo("America/Chicago")
Q2 = (date(2026, 4, 1), date(2026, 6, 30))


# --- Fixtures shared with test_checkin_pages.py and test_checkin_api.py ----------------------
@pytest.fixture
def provider(org):
    return ProviderFactory(organization=org, name="Ledgerline Bookkeeping")


@pytest.fixture
def point_contact(provider):
    return ContactFactory(provider=provider, name="Priya Shah", email="priya@ledgerline.example")


@pytest.fixture
def boss_contact(provider):
    return ContactFactory(provider=provider, name="Dana Lee", email="dana@ledgerline.example")


@pytest.fixture
def engagement(org, owner, manager, admin, provider, point_contact, boss_contact):
    """Manager is our point person; the admin is on the escalation ladder."""
    return active_engagement(
        org,
        owner,
        provider,
        point_person=manager,
        their_point=point_contact,
        issue_contact=point_contact,
        ladder=[(admin, boss_contact, 2)],
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
def priya(org, point_contact, owner):
    """Priya's portal login, linked to her contact."""
    user = UserFactory(name="Priya Shah", email="priya@ledgerline.example")
    grant_portal(org, point_contact, user, owner)
    return user


def grant_portal(org, contact, user, inviter):
    PortalAccess.objects.create(
        organization=org,
        contact=contact,
        user=user,
        token_hash=PortalAccess.hash(secrets.token_urlsafe(8)),
        invited_by=inviter,
        invited_at=datetime(2026, 1, 1, tzinfo=UTC),
        accepted_at=datetime(2026, 1, 2, tzinfo=UTC),
        expires_at=datetime(2026, 1, 9, tzinfo=UTC),
    )


def make_round(provider, period=Q2) -> CheckInRound:
    return CheckInRound.objects.create(
        organization=provider.organization,
        provider=provider,
        period_start=period[0],
        period_end=period[1],
    )


def make_checkin(round_, *, respondent=None, contact=None, answers=None, answered_at=None,
                 sent_at=None, token=None) -> CheckIn:  # fmt: skip
    """A check-in row written directly: ``answers`` is (comfortable, clear, responsive,
    recommend)."""
    sent_at = sent_at or datetime.now(UTC)
    row = CheckIn.objects.create(
        organization_id=round_.organization_id,
        round=round_,
        provider_id=round_.provider_id,
        respondent=respondent,
        contact=contact,
        token_hash=CheckIn.hash(token or secrets.token_urlsafe(16)),
        sent_at=sent_at,
        expires_at=sent_at + timedelta(days=30),
        answered_at=answered_at if answers else None,
        **dict(zip(CheckIn.QUESTIONS, answers or (None,) * 4, strict=True)),
    )
    return row


def task(engagement, title, due_at, our_assignee):
    return Task.objects.create(
        organization=engagement.organization,
        engagement=engagement,
        title=title,
        due_at=due_at,
        our_assignee=our_assignee,
    )


GOOD = {"comfortable": 5, "clear": 4, "responsive": "4", "recommend": 5, "note": " Solid. "}


# --- summary ----------------------------------------------------------------------------------
def test_summary_averages_each_question_and_keeps_the_providers_view_apart(
    org, owner, manager, admin, provider, point_contact, rival_provider
):
    july = datetime(2026, 7, 3, 15, tzinfo=UTC)
    round_ = make_round(provider)
    make_checkin(round_, respondent=owner, answers=(5, 4, 3, 5), answered_at=july)
    make_checkin(round_, respondent=manager, answers=(4, 4, 2, 3), answered_at=july)
    make_checkin(round_, respondent=admin)  # not answered: not counted
    make_checkin(round_, contact=point_contact, answers=(2, 3, 4, 4), answered_at=july)
    rival = make_round(rival_provider)
    make_checkin(rival, respondent=owner, answers=(1, 1, 1, 2), answered_at=july)

    found = checkins.summary(Principal.system(org), date(2026, 7, 1), date(2026, 7, 31))

    ledgerline = found[provider.pk]
    assert ledgerline.ours == checkins.Averages(
        comfortable=4.5, clear=4.0, responsive=2.5, recommend=4.0, overall=3.75, count=2
    )
    assert ledgerline.theirs == checkins.Averages(
        comfortable=2.0, clear=3.0, responsive=4.0, recommend=4.0, overall=3.25, count=1
    )
    assert ledgerline.count == 3
    assert found[rival_provider.pk].ours.overall == 1.25
    assert found[rival_provider.pk].theirs == checkins.NO_ANSWERS


def test_summary_counts_answers_by_the_organizations_calendar_day(org, owner, manager, provider):
    round_ = make_round(provider)
    # 23:30 on June 30 in Chicago is already July 1 in UTC: it belongs to June.
    late_june = datetime(2026, 6, 30, 23, 30, tzinfo=CHICAGO)
    make_checkin(round_, respondent=owner, answers=(5, 5, 5, 5), answered_at=late_june)
    first_of_july = datetime(2026, 7, 1, 0, 10, tzinfo=CHICAGO)
    make_checkin(round_, respondent=manager, answers=(1, 1, 1, 1), answered_at=first_of_july)

    assert (
        checkins.summary(Principal.system(org), date(2026, 7, 1), date(2026, 7, 31))[
            provider.pk
        ].ours.overall
        == 1
    )
    june = checkins.summary(Principal.system(org), date(2026, 6, 1), date(2026, 6, 30))
    assert june[provider.pk].ours.overall == 5
    assert june[provider.pk].ours.count == 1


def test_summary_lists_every_asked_provider_and_only_this_organizations(
    org, owner, provider, rival_provider, other_org, outsider
):
    july = datetime(2026, 7, 3, tzinfo=UTC)
    make_checkin(make_round(provider), respondent=owner, answers=(3, 3, 3, 3), answered_at=july)
    foreign = ProviderFactory(organization=other_org)
    make_checkin(make_round(foreign), respondent=outsider, answers=(5, 5, 5, 5), answered_at=july)

    found = checkins.summary(
        Principal.system(org),
        date(2026, 7, 1),
        date(2026, 7, 31),
        provider_ids=[provider.pk, rival_provider.pk],
    )
    assert set(found) == {provider.pk, rival_provider.pk}
    assert found[rival_provider.pk].count == 0
    assert found[rival_provider.pk].ours.overall is None
    assert set(checkins.summary(Principal.system(org), date(2026, 7, 1), date(2026, 7, 31))) == {
        provider.pk
    }
    assert foreign.pk not in checkins.summary(
        Principal.system(org), date(2026, 1, 1), date(2026, 12, 31)
    )


@pytest.mark.parametrize("providers", [2, 10])
def test_summary_is_one_query_however_many_providers(org, owner, providers):
    july = datetime(2026, 7, 3, tzinfo=UTC)
    ids = []
    for index in range(providers):
        provider = ProviderFactory(organization=org)
        round_ = make_round(provider)
        make_checkin(round_, respondent=owner, answers=(index % 5 + 1,) * 4, answered_at=july)
        ids.append(provider.pk)
    with CaptureQueriesContext(connection) as queries:
        found = checkins.summary(
            Principal.system(org), date(2026, 7, 1), date(2026, 7, 31), provider_ids=ids
        )
    assert len(queries) == 1
    assert len(found) == providers


def test_history_gives_each_period_with_asked_and_answered(org, owner, manager, provider):
    q1 = make_round(provider, (date(2026, 1, 1), date(2026, 3, 31)))
    make_checkin(
        q1, respondent=owner, answers=(4, 4, 4, 4), answered_at=datetime(2026, 4, 2, tzinfo=UTC)
    )
    make_checkin(
        q1, respondent=manager, answers=(2, 2, 2, 2), answered_at=datetime(2026, 4, 3, tzinfo=UTC)
    )
    q2 = make_round(provider)
    make_checkin(
        q2, respondent=owner, answers=(5, 5, 5, 4), answered_at=datetime(2026, 7, 2, tzinfo=UTC)
    )
    make_checkin(q2, respondent=manager)

    with CaptureQueriesContext(connection) as queries:
        rows = checkins.history(Principal.system(provider.organization), provider)
    assert len(queries) == 1
    assert [
        (row.period_start, row.ours.overall, row.ours.count, row.ours.asked) for row in rows
    ] == [
        (date(2026, 1, 1), 3.0, 2, 2),
        (date(2026, 4, 1), 4.75, 1, 2),
    ]


# --- Periods ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 4, 1), 3, (date(2026, 1, 1), date(2026, 3, 31))),
        (date(2026, 1, 5), 3, (date(2025, 10, 1), date(2025, 12, 31))),
        (date(2026, 3, 31), 3, (date(2025, 10, 1), date(2025, 12, 31))),
        (date(2026, 3, 2), 1, (date(2026, 2, 1), date(2026, 2, 28))),
        (date(2026, 7, 1), 6, (date(2026, 1, 1), date(2026, 6, 30))),
        (date(2026, 1, 1), 12, (date(2025, 1, 1), date(2025, 12, 31))),
    ],
)
def test_the_previous_period_follows_the_calendar(day, months, expected):
    assert checkins.previous_period(day, months) == expected


def test_periods_have_short_names():
    assert checkins.period_label(*Q2) == "Q2 2026"
    assert checkins.period_label(date(2026, 5, 1), date(2026, 5, 31)) == "May 2026"
    assert checkins.period_label(date(2026, 4, 1), date(2026, 5, 14)) == "Apr 1 – May 14, 2026"


# --- start_round ------------------------------------------------------------------------------
def test_a_round_asks_the_point_person_the_ladder_and_the_assignees_once_each(
    org, owner, manager, admin, member, viewer, engagement, provider
):
    for title, day, person in [("May close", 10, member), ("Own task", 12, manager)]:
        task(engagement, title, datetime(2026, 5, day, 17, tzinfo=CHICAGO), person)
    task(engagement, "March close", datetime(2026, 3, 10, 17, tzinfo=CHICAGO), viewer)
    now = datetime(2026, 7, 1, 14, tzinfo=UTC)

    round_ = checkins.start_round(
        Principal.system(provider.organization),
        provider,
        period_start=Q2[0],
        period_end=Q2[1],
        now=now,
    )

    asked = set(round_.checkins.values_list("respondent__email", flat=True))
    assert asked == {manager.email, admin.email, member.email}
    checkin = round_.checkins.get(respondent=member)
    assert checkin.expires_at == now + timedelta(days=30)
    assert not checkin.is_provider_view
    told = Notification.objects.filter(organization=org).filter(event=Event.CHECKIN_REQUESTED)
    assert told.count() == 3
    note = told.get(user=member)
    assert note.key == f"checkin:{checkin.pk}"
    assert note.url.startswith("/checkin/")
    assert CheckIn.hash(note.url.split("/")[2]) == checkin.token_hash
    assert "Ledgerline Bookkeeping" in note.subject

    again = checkins.start_round(
        Principal.system(provider.organization),
        provider,
        period_start=Q2[0],
        period_end=Q2[1],
        now=now,
    )
    assert again.pk == round_.pk
    assert CheckInRound.objects.filter(organization=org).count() == 1
    assert CheckIn.objects.filter(organization=org).count() == 3
    assert told.count() == 3


def test_a_round_leaves_out_people_who_are_no_longer_members_or_active(
    org, manager, admin, engagement, provider
):
    Membership.objects.filter(organization=org, user=admin).delete()
    manager.is_active = False
    manager.save()
    round_ = checkins.start_round(
        Principal.system(provider.organization), provider, period_start=Q2[0], period_end=Q2[1]
    )
    assert not round_.checkins.exists()


def test_the_provider_is_asked_only_when_the_organization_says_so(
    org, owner, engagement, provider, point_contact
):
    round_ = checkins.start_round(
        Principal.system(provider.organization), provider, period_start=Q2[0], period_end=Q2[1]
    )
    assert not round_.checkins.filter(contact__isnull=False).exists()

    checkins.update_settings(principal_for(owner, org), ask_provider=True)
    checkins.start_round(
        Principal.system(provider.organization), provider, period_start=Q2[0], period_end=Q2[1]
    )
    theirs = round_.checkins.get(contact=point_contact)
    assert theirs.is_provider_view
    # Without a portal login, Priya gets the link by e-mail.
    note = Notification.objects.filter(organization=org).get(key=f"checkin:{theirs.pk}")
    assert note.email == "priya@ledgerline.example"
    assert note.user is None
    assert "Acme Dental" in note.subject


def test_a_provider_with_a_portal_login_is_told_in_the_portal(
    org, owner, engagement, provider, point_contact, priya
):
    checkins.update_settings(principal_for(owner, org), ask_provider=True)
    round_ = checkins.start_round(
        Principal.system(provider.organization), provider, period_start=Q2[0], period_end=Q2[1]
    )
    theirs = round_.checkins.get(contact=point_contact)
    assert (
        Notification.objects.filter(organization=org).get(key=f"checkin:{theirs.pk}").user == priya
    )


def test_a_round_refuses_a_backwards_period(provider):
    with pytest.raises(ValidationError) as error:
        checkins.start_round(
            Principal.system(provider.organization), provider, period_start=Q2[1], period_end=Q2[0]
        )
    assert "period_end" in error.value.message_dict
    assert not CheckInRound.objects.exists()


# --- answer -----------------------------------------------------------------------------------
def test_answering_records_the_answers_once(org, owner, provider):
    checkin = make_checkin(make_round(provider), respondent=owner)
    checkins.answer(Principal.for_link(checkin), checkin, data=GOOD)
    checkin.refresh_from_db()
    assert (checkin.comfortable, checkin.clear, checkin.responsive, checkin.recommend) == (
        5, 4, 4, 5,
    )  # fmt: skip
    assert checkin.note == "Solid."
    assert checkin.answered_at is not None

    with pytest.raises(ValidationError) as error:
        checkins.answer(Principal.for_link(checkin), checkin, data={**GOOD, "comfortable": 1})
    assert "answers cannot be changed" in " ".join(error.value.messages)
    checkin.refresh_from_db()
    assert checkin.comfortable == 5


def test_only_the_person_it_was_sent_to_answers(org, owner, member, provider):
    """Through their log-in or their own link; another member, or another check-in's link,
    is refused and nothing changes."""
    checkin = make_checkin(make_round(provider), respondent=owner)
    q1 = make_round(provider, period=(date(2026, 1, 1), date(2026, 3, 31)))
    other = make_checkin(q1, respondent=member)
    for stranger in (principal_for(member, org), Principal.for_link(other)):
        with pytest.raises(PermissionDenied):
            checkins.answer(stranger, checkin, data=GOOD)
    checkin.refresh_from_db()
    assert checkin.answered_at is None
    checkins.answer(principal_for(owner, org), checkin, data=GOOD)
    checkin.refresh_from_db()
    assert checkin.answered_at is not None


def test_an_expired_checkin_cannot_be_answered(org, owner, provider):
    checkin = make_checkin(make_round(provider), respondent=owner)
    with pytest.raises(ValidationError) as error:
        checkins.answer(
            Principal.for_link(checkin),
            checkin,
            data=GOOD,
            now=checkin.expires_at + timedelta(seconds=1),
        )
    assert "closed on" in " ".join(error.value.messages)
    checkin.refresh_from_db()
    assert checkin.answered_at is None
    assert checkin.comfortable is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"comfortable": None}, "comfortable"),
        ({"clear": 0}, "clear"),
        ({"responsive": 6}, "responsive"),
        ({"recommend": "five"}, "recommend"),
        ({"recommend": True}, "recommend"),
        ({"clear": 3.5}, "clear"),
        ({"note": "x" * 2001}, "note"),
    ],
)
def test_bad_answers_are_refused_with_the_field_and_change_nothing(
    org, owner, provider, change, field
):
    checkin = make_checkin(make_round(provider), respondent=owner)
    with pytest.raises(ValidationError) as error:
        checkins.answer(Principal.for_link(checkin), checkin, data={**GOOD, **change})
    assert field in error.value.message_dict
    checkin.refresh_from_db()
    assert checkin.answered_at is None
    assert checkin.comfortable is None


def test_a_token_finds_its_checkin_and_nothing_else(org, owner, provider):
    checkin = make_checkin(make_round(provider), respondent=owner, token="the-token")
    assert checkins.find_checkin("the-token") == checkin
    assert checkins.find_checkin("another-token") is None
    assert checkins.find_checkin("") is None


# --- Settings ---------------------------------------------------------------------------------
def test_settings_change_the_cadence_and_leave_the_weights(org, owner):
    InsightsSettings.objects.create(organization=org, weights={"on_time": 2})
    row = checkins.update_settings(principal_for(owner, org), checkin_months=0, ask_provider=True)
    row.refresh_from_db()
    assert (row.checkin_months, row.ask_provider, row.weights) == (0, True, {"on_time": 2})
    with pytest.raises(ValidationError):
        checkins.update_settings(principal_for(owner, org), checkin_months=5)
    assert checkins.settings_for(Principal.system(org)).checkin_months == 0


# --- The sweep --------------------------------------------------------------------------------
def _rounds(org):
    return sorted(
        CheckInRound.objects.filter(organization=org).values_list(
            "provider__name", "period_start", "period_end"
        )
    )


def test_the_sweep_starts_last_quarters_rounds_on_the_first_days_of_a_quarter(
    org, engagement, rival_engagement
):
    # Mid-quarter: nothing to start.
    with time_machine.travel(datetime(2026, 5, 20, 12, tzinfo=CHICAGO), tick=False):
        assert checkins.due_rounds(datetime.now(UTC)) == []
    # 00:30 on April 1 in Chicago: the second quarter has begun there.
    with time_machine.travel(datetime(2026, 4, 1, 0, 30, tzinfo=CHICAGO), tick=False):
        now = datetime.now(UTC)
        assert checkin_rounds(now) == 2
        assert checkin_rounds(now) == 0  # run twice: no second round, no second message
    assert _rounds(org) == [
        ("Ledgerline Bookkeeping", date(2026, 1, 1), date(2026, 3, 31)),
        ("Northwind Billing", date(2026, 1, 1), date(2026, 3, 31)),
    ]
    told = Notification.objects.filter(organization=org).filter(event=Event.CHECKIN_REQUESTED)
    assert told.count() == CheckIn.objects.filter(organization=org).count() > 0
    # A week later the sweep is still inside its window but has nothing new to start.
    with time_machine.travel(datetime(2026, 4, 8, 9, tzinfo=CHICAGO), tick=False):
        assert checkin_rounds(datetime.now(UTC)) == 0
    # Past the window, a missed period is not started late.
    CheckInRound.objects.filter(organization=org).delete()
    with time_machine.travel(datetime(2026, 4, 20, 9, tzinfo=CHICAGO), tick=False):
        assert checkin_rounds(datetime.now(UTC)) == 0


def test_the_sweep_waits_for_the_organizations_own_new_year(org, engagement):
    # Dec 31, 23:00 in Chicago is already January 1 in UTC: not yet a new quarter there.
    with time_machine.travel(datetime(2026, 12, 31, 23, tzinfo=CHICAGO), tick=False):
        assert checkin_rounds(datetime.now(UTC)) == 0
    with time_machine.travel(datetime(2027, 1, 1, 8, tzinfo=CHICAGO), tick=False):
        assert checkin_rounds(datetime.now(UTC)) == 1
    assert _rounds(org) == [("Ledgerline Bookkeeping", date(2026, 10, 1), date(2026, 12, 31))]


def test_the_sweep_follows_a_monthly_cadence_and_skips_when_it_is_off(org, owner, engagement):
    checkins.update_settings(
        principal_for(owner, org), checkin_months=InsightsSettings.Cadence.MONTHLY
    )
    with time_machine.travel(datetime(2026, 3, 2, 9, tzinfo=CHICAGO), tick=False):
        assert checkin_rounds(datetime.now(UTC)) == 1
    assert _rounds(org) == [("Ledgerline Bookkeeping", date(2026, 2, 1), date(2026, 2, 28))]

    checkins.update_settings(principal_for(owner, org), checkin_months=InsightsSettings.Cadence.OFF)
    with time_machine.travel(datetime(2026, 4, 1, 9, tzinfo=CHICAGO), tick=False):
        assert checkins.due_rounds(datetime.now(UTC)) == []
        assert checkin_rounds(datetime.now(UTC)) == 0


def test_the_sweep_skips_engagements_that_started_after_the_period(org, owner, engagement):
    # The engagement starts on 2026-01-01: the last quarter of 2025 is not asked about.
    with time_machine.travel(datetime(2026, 1, 2, 9, tzinfo=CHICAGO), tick=False):
        assert checkin_rounds(datetime.now(UTC)) == 0


def test_the_sweep_is_registered_daily():
    from handoff.notifications import sweeps

    found = sweeps.get("insights.checkin_rounds")
    assert found is not None
    assert found.every == timedelta(days=1)


def test_a_member_sees_only_their_own_pending_checkins(org, owner, manager, provider):
    round_ = make_round(provider)
    mine = make_checkin(round_, respondent=owner, sent_at=datetime.now(UTC))
    make_checkin(round_, respondent=manager, sent_at=datetime.now(UTC))
    assert list(checkins.pending_for(principal_for(owner, org))) == [mine]


# --- The demo ---------------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_demo_has_a_trend_a_providers_view_and_a_pending_checkin_for_maria():
    from handoff import demo
    from handoff.accounts.models import Organization, User

    assert demo.load()
    org = Organization.objects.get(slug=demo.ORG_SLUG)
    maria = User.objects.get(email=demo.LOGIN_EMAIL)
    ledgerline = org_provider(org, "Ledgerline Bookkeeping")
    clearclaim = org_provider(org, "ClearClaim Billing")

    books = checkins.history(Principal.system(ledgerline.organization), ledgerline)
    assert len(books) >= 3
    assert books[0].ours.overall < books[-1].ours.overall  # improving
    assert all(row.theirs.count == 1 for row in books)  # Priya Raman's own view
    assert (
        CheckIn.objects.filter(organization=org)
        .filter(contact__name="Priya Raman")
        .answered()
        .exists()
    )

    billing = checkins.history(Principal.system(clearclaim.organization), clearclaim)
    assert len(billing) >= 2
    assert billing[-1].ours.overall < billing[-2].ours.overall  # the dip after escalations
    pending = list(checkins.pending_for(principal_for(maria, org)))
    assert [row.provider for row in pending] == [clearclaim]
    told = Notification.objects.filter(organization=org).get(
        user=maria, key=f"checkin:{pending[0].pk}"
    )
    assert told.url.startswith("/checkin/")

    rounds = CheckInRound.objects.count()
    assert demo.load() is False  # a second run adds nothing
    assert CheckInRound.objects.count() == rounds


def org_provider(org, name):
    from handoff.providers.models import Provider

    return Provider.objects.filter(organization=org).get(name=name)


def test_the_checkin_services_check_the_role_themselves(org, member, manager, provider):
    with pytest.raises(PermissionDenied, match="manager role"):
        checkins.start_round(
            principal_for(member, org), provider, period_start=Q2[0], period_end=Q2[1]
        )
    with pytest.raises(PermissionDenied, match="admin role"):
        checkins.update_settings(principal_for(manager, org), ask_provider=True)
    with pytest.raises(PermissionDenied, match="admin role"):
        scorecards.save_weights(principal_for(manager, org), weights={})
    assert not CheckInRound.objects.exists()
    assert not checkins.settings_for(Principal.system(org)).ask_provider
