"""Issues: routing by the communication plan, the response clock, and the escalation ladder
climbed by the sweep on a controlled clock."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from handoff.accounts import portal
from handoff.core.principal import Principal
from handoff.engagements import services as engagements
from handoff.engagements.choices import Severity
from handoff.notifications import sweeps
from handoff.notifications.events import Event
from handoff.notifications.models import Notification
from handoff.work import issues
from handoff.work.choices import IssueStatus, Side
from handoff.work.models import Issue, IssueEvent, Task
from tests.factories import UserFactory, principal_for

CHICAGO = ZoneInfo("America/Chicago")
# A Monday morning in the organization's zone.
MONDAY_9AM = datetime(2026, 3, 2, 9, 0, tzinfo=CHICAGO)


def grant_portal(org, contact, user=None):
    """Give ``contact`` a live portal login through the real invitation flow."""
    access, _ = portal.invite(Principal.system(org), contact)
    user = user or UserFactory(name=contact.name, email=contact.email)
    portal.accept(access, user=user)
    return user


def raise_at(moment, engagement, actor, **data):
    """Raise an issue at ``moment`` as ``actor`` (a member for us, a portal login for the
    provider)."""
    data = {"title": "Bank feed broken", "description": "Nothing since Friday.", **data}
    with time_machine.travel(moment, tick=False):
        return issues.raise_issue(
            principal_for(actor, engagement.organization), engagement, data=data
        )


def notified(org, key):
    """(users, e-mail addresses) a notification with ``key`` went to."""
    rows = Notification.objects.filter(organization=org).filter(key=key)
    return {row.user for row in rows if row.user}, {row.email for row in rows if not row.user}


def sweep_at(moment):
    with time_machine.travel(moment, tick=False):
        return issues.escalate_overdue(moment)


# --- Routing ----------------------------------------------------------------------------------
def test_an_issue_we_raise_goes_to_their_issue_contact_by_e_mail_with_the_severity_target(
    org, engagement, member
):
    issue = raise_at(MONDAY_9AM, engagement, member, severity=Severity.HIGH)
    assert issue.status == IssueStatus.OPEN and issue.level == 0
    assert issue.raised_side == Side.US and issue.raised_by == member
    assert issue.respond_by == MONDAY_9AM + timedelta(hours=4)
    users, emails = notified(org, f"issue:{issue.pk}:raised")
    assert users == set() and emails == {"tom@ledgerline.example"}
    assert Notification.objects.filter(organization=org).get(
        key=f"issue:{issue.pk}:raised"
    ).event == (Event.ISSUE_RAISED)
    assert [e.kind for e in IssueEvent.objects.filter(organization=org).filter(issue=issue)] == [
        "raised"
    ]


def test_an_issue_contact_with_a_portal_login_is_told_in_the_portal(
    org, engagement, member, issue_contact
):
    tom = grant_portal(org, issue_contact)
    issue = raise_at(MONDAY_9AM, engagement, member)
    users, emails = notified(org, f"issue:{issue.pk}:raised")
    assert users == {tom} and emails == set()
    row = Notification.objects.filter(organization=org).get(
        key=f"issue:{issue.pk}:raised", user=tom
    )
    assert row.url == f"/portal/acme/issues/{issue.pk}/"


def test_business_day_targets_end_at_five_in_the_afternoon(org, engagement, member):
    issue = raise_at(MONDAY_9AM, engagement, member, severity=Severity.NORMAL)
    assert issue.respond_by == datetime(2026, 3, 3, 17, 0, tzinfo=CHICAGO)


def test_an_issue_the_provider_raises_skips_our_holidays_as_ours_does(
    org, engagement, member, owner, point_contact, portal_user
):
    """A contact reads the organization's days off through their own principal: the clock on
    an issue they raise is the one a member's issue gets."""
    engagements.add_holiday(
        principal_for(owner, org), day=MONDAY_9AM.date().replace(day=3), name="Closed"
    )
    grant_portal(org, point_contact, portal_user)
    theirs = raise_at(MONDAY_9AM, engagement, portal_user, severity=Severity.NORMAL)
    ours = raise_at(MONDAY_9AM, engagement, member, severity=Severity.NORMAL)
    assert theirs.respond_by == ours.respond_by == datetime(2026, 3, 4, 17, 0, tzinfo=CHICAGO)


def test_an_issue_the_provider_raises_goes_to_our_point_person(
    org, engagement, manager, point_contact, portal_user
):
    grant_portal(org, point_contact, portal_user)
    issue = raise_at(MONDAY_9AM, engagement, portal_user, severity="high")
    assert issue.raised_side == Side.PROVIDER
    assert issue.respond_by == MONDAY_9AM + timedelta(hours=4)
    users, emails = notified(org, f"issue:{issue.pk}:raised")
    assert users == {manager} and emails == set()
    assert (
        Notification.objects.filter(organization=org).get(user=manager).url
        == f"/o/acme/issues/{issue.pk}/"
    )


def test_a_provider_can_raise_only_on_its_own_engagements(
    org, engagement, rival_engagement, point_contact, portal_user
):
    grant_portal(org, point_contact, portal_user)
    with pytest.raises(PermissionDenied):
        raise_at(MONDAY_9AM, rival_engagement, portal_user)
    assert not Issue.objects.filter(organization=org).exists()


def test_a_viewer_or_an_outsider_cannot_raise(org, other_org, engagement, viewer, outsider):
    with pytest.raises(PermissionDenied):
        raise_at(MONDAY_9AM, engagement, viewer)
    # The owner of another organization, acting there, on this organization's engagement.
    with pytest.raises(PermissionDenied):
        issues.raise_issue(principal_for(outsider, other_org), engagement, data={"title": "Hi"})
    assert not Issue.objects.filter(organization=org).exists()


def test_bad_input_changes_nothing(org, engagement, rival_engagement, member):
    rival_task = Task.objects.create(
        organization=org, engagement=rival_engagement, title="Theirs", due_at=MONDAY_9AM
    )
    for data, field in (
        ({"title": ""}, "title"),
        ({"severity": "apocalyptic"}, "severity"),
        ({"task_id": rival_task.pk}, "task_id"),
    ):
        with pytest.raises(ValidationError) as caught:
            raise_at(MONDAY_9AM, engagement, member, **data)
        assert field in caught.value.message_dict
    assert not Issue.objects.filter(organization=org).exists()
    assert not Notification.objects.filter(organization=org).exists()


def test_an_issue_can_be_raised_on_a_task_of_the_engagement(org, engagement, member):
    task = Task.objects.create(
        organization=org, engagement=engagement, title="March close", due_at=MONDAY_9AM
    )
    issue = raise_at(MONDAY_9AM, engagement, member, task_id=task.pk)
    assert issue.task == task


# --- The escalation ladder --------------------------------------------------------------------
def test_the_ladder_climbs_at_each_missed_target_and_stops_at_the_top(
    org, engagement, member, admin, owner
):
    issue = raise_at(MONDAY_9AM, engagement, member, severity=Severity.HIGH)
    target = MONDAY_9AM + timedelta(hours=4)

    assert sweep_at(target - timedelta(minutes=1)) == 0
    assert sweep_at(target) == 0  # due by 13:00: at 13:00 it is not missed yet
    issue.refresh_from_db()
    assert issue.level == 0 and issue.escalated_at is None

    first = target + timedelta(minutes=1)
    assert sweep_at(first) == 1
    issue.refresh_from_db()
    assert issue.level == 1 and issue.escalated_at == first
    assert issue.respond_by == first + timedelta(hours=2)  # level 1's allowance
    users, emails = notified(org, f"issue:{issue.pk}:escalated:1")
    assert users == {admin}
    assert emails == {"dana@ledgerline.example", "tom@ledgerline.example"}
    assert (
        Notification.objects.filter(organization=org).filter(event=Event.ISSUE_ESCALATED).count()
        == 3
    )

    assert sweep_at(first + timedelta(hours=2) - timedelta(minutes=1)) == 0
    second = first + timedelta(hours=2, minutes=1)
    assert sweep_at(second) == 1
    issue.refresh_from_db()
    assert issue.level == 2 and issue.escalated_at == second
    assert issue.respond_by == second + timedelta(hours=4)
    users, _ = notified(org, f"issue:{issue.pk}:escalated:2")
    assert users == {owner}

    # The top of the ladder: overdue, shown so, but no further climb.
    later = second + timedelta(days=3)
    assert sweep_at(later) == 0
    issue.refresh_from_db()
    assert issue.level == 2 and issues.is_overdue(issue, later)
    kinds = list(
        IssueEvent.objects.filter(organization=org).filter(issue=issue).values_list("kind", "level")
    )
    assert kinds == [("raised", 0), ("escalated", 1), ("escalated", 2)]


def test_running_the_sweep_twice_at_the_same_moment_climbs_once(org, engagement, member):
    issue = raise_at(MONDAY_9AM, engagement, member, severity=Severity.HIGH)
    moment = MONDAY_9AM + timedelta(hours=5)
    assert sweep_at(moment) == 1
    assert sweep_at(moment) == 0
    issue.refresh_from_db()
    assert issue.level == 1
    assert (
        IssueEvent.objects.filter(organization=org).filter(issue=issue, kind="escalated").count()
        == 1
    )
    assert (
        Notification.objects.filter(organization=org).filter(event=Event.ISSUE_ESCALATED).count()
        == 3
    )


def test_a_level_is_reached_once_even_if_another_worker_got_there_first(org, engagement, member):
    issue = raise_at(MONDAY_9AM, engagement, member, severity=Severity.HIGH)
    IssueEvent.objects.create(
        organization=org, issue=issue, kind="escalated", level=1, at=MONDAY_9AM
    )
    assert sweep_at(MONDAY_9AM + timedelta(hours=5)) == 0
    issue.refresh_from_db()
    assert issue.level == 0


def test_a_response_from_the_side_it_was_routed_to_stops_the_clock(
    org, engagement, member, issue_contact
):
    tom = grant_portal(org, issue_contact)
    issue = raise_at(MONDAY_9AM, engagement, member, severity=Severity.HIGH)
    # Our own follow-up is kept but does not count as a response.
    with time_machine.travel(MONDAY_9AM + timedelta(hours=1), tick=False):
        issues.respond(principal_for(member, issue.organization), issue, body="Any news?")
    issue.refresh_from_db()
    assert issue.first_response_at is None and issue.status == IssueStatus.OPEN
    answered = MONDAY_9AM + timedelta(hours=2)
    with time_machine.travel(answered, tick=False):
        issues.respond(principal_for(tom, issue.organization), issue, body="Looking at it now.")
    with time_machine.travel(answered + timedelta(hours=1), tick=False):
        issues.respond(principal_for(tom, issue.organization), issue, body="Fixed the feed.")
    issue.refresh_from_db()
    assert issue.first_response_at == answered and issue.first_response_by == tom
    assert issue.status == IssueStatus.RESPONDED
    assert sweep_at(MONDAY_9AM + timedelta(days=2)) == 0
    issue.refresh_from_db()
    assert issue.level == 0
    messages = IssueEvent.objects.filter(organization=org).filter(issue=issue, kind="message")
    assert [m.side for m in messages] == ["us", "provider", "provider"]


def test_each_message_is_told_to_the_other_side_never_to_its_author(
    org, engagement, member, manager, issue_contact
):
    tom = grant_portal(org, issue_contact)
    issue = raise_at(MONDAY_9AM, engagement, member, severity=Severity.HIGH)
    answer = issues.respond(
        principal_for(tom, issue.organization), issue, body="Looking at it now."
    )
    users, emails = notified(org, f"issue:{issue.pk}:message:{answer.pk}")
    # The member who raised it and our point person; not Tom, who wrote it.
    assert users == {member, manager} and emails == set()
    follow_up = issues.respond(
        principal_for(member, issue.organization), issue, body="Thanks, by when?"
    )
    users, emails = notified(org, f"issue:{issue.pk}:message:{follow_up.pk}")
    assert users == {tom} and emails == set()


def test_without_a_response_target_an_issue_never_climbs(org, engagement, member):
    issue = raise_at(MONDAY_9AM, engagement, member, severity=Severity.LOW)
    assert issue.respond_by is None
    assert sweep_at(MONDAY_9AM + timedelta(days=30)) == 0
    issue.refresh_from_db()
    assert issue.level == 0 and not issues.is_overdue(issue)


def test_resolving_keeps_every_time_for_the_scorecards(org, engagement, member, manager):
    issue = raise_at(MONDAY_9AM, engagement, member, severity=Severity.HIGH)
    sweep_at(MONDAY_9AM + timedelta(hours=5))
    answered = MONDAY_9AM + timedelta(hours=6)
    tom = grant_portal(org, engagement.communication_plan.issue_contact)
    with time_machine.travel(answered, tick=False):
        issues.respond(principal_for(tom, issue.organization), issue, body="Sorry, on it.")
    done = MONDAY_9AM + timedelta(hours=8)
    with time_machine.travel(done, tick=False):
        issues.resolve(principal_for(manager, issue.organization), issue, note="Feed reconnected.")
    issue.refresh_from_db()
    assert issue.status == IssueStatus.RESOLVED
    assert issue.raised_at == MONDAY_9AM
    assert issue.escalated_at == MONDAY_9AM + timedelta(hours=5)
    assert issue.first_response_at == answered
    assert issue.resolved_at == done and issue.resolved_by == manager
    assert issue.resolution == "Feed reconnected."
    users, _ = notified(
        org,
        f"issue:{issue.pk}:resolved:"
        + str(IssueEvent.objects.filter(organization=org).get(issue=issue, kind="resolved").pk),
    )
    assert tom in users and member in users


def test_resolving_needs_a_note_a_manager_and_our_side(
    org, engagement, member, manager, issue_contact
):
    tom = grant_portal(org, issue_contact)
    issue = raise_at(MONDAY_9AM, engagement, member)
    with pytest.raises(ValidationError):
        issues.resolve(principal_for(manager, issue.organization), issue, note="  ")
    with pytest.raises(PermissionDenied):
        issues.resolve(principal_for(member, issue.organization), issue, note="Done")
    with pytest.raises(PermissionDenied):
        issues.resolve(principal_for(tom, issue.organization), issue, note="Done")
    issue.refresh_from_db()
    assert issue.status == IssueStatus.OPEN and issue.resolved_at is None


def test_reopening_gives_an_unanswered_issue_a_fresh_allowance(org, engagement, member, manager):
    issue = raise_at(MONDAY_9AM, engagement, member, severity=Severity.HIGH)
    with time_machine.travel(MONDAY_9AM + timedelta(hours=1), tick=False):
        issues.resolve(principal_for(manager, issue.organization), issue, note="Never mind")
    with pytest.raises(ValidationError):
        issues.respond(principal_for(member, issue.organization), issue, body="One more thing")
    reopened = MONDAY_9AM + timedelta(days=1)
    with time_machine.travel(reopened, tick=False):
        issues.reopen(principal_for(manager, issue.organization), issue, reason="It broke again")
    issue.refresh_from_db()
    assert issue.status == IssueStatus.OPEN and issue.resolved_at is None
    assert issue.respond_by == reopened + timedelta(hours=4)
    with pytest.raises(ValidationError):
        issues.reopen(principal_for(manager, issue.organization), issue, reason="again")
    kinds = (
        IssueEvent.objects.filter(organization=org)
        .filter(issue=issue)
        .values_list("kind", flat=True)
    )
    assert list(kinds) == ["raised", "resolved", "reopened"]


def test_the_sweep_is_registered_every_five_minutes():
    item = sweeps.get("work.escalate_overdue_issues")
    assert item is not None and item.every == timedelta(minutes=5)
    assert item.func is issues.escalate_overdue
