"""The portal's rule lives in the rows: a provider's contact reads, through ``visible_to``, a
task's history, thread and files, an issue's thread and an engagement's terms only where they
belong to their own provider's engagements — never another provider's, and never an internal
note or its files. Holidays they see; another person's notification choices they do not."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from handoff.engagements.models import EscalationLevel, Holiday, ResponseTarget
from handoff.notifications import services as notifications
from handoff.notifications.models import NotificationSettings
from handoff.work import issues, services
from handoff.work.models import IssueEvent, TaskAttachment, TaskComment, TaskMove
from tests.factories import principal_for
from tests.work.test_issues import grant_portal
from tests.work.test_portal import make_task

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% a tiny but real PDF header\n"


def test_a_contact_reads_their_providers_rows_and_no_internal_note(
    org, manager, member, engagement, rival_engagement, point_contact, portal_user
):
    grant_portal(org, point_contact, portal_user)
    priya = principal_for(portal_user, org)
    ours, rival = make_task(engagement, manager), make_task(rival_engagement, manager)
    shared = services.add_comment(principal_for(manager, org), ours, body="Please use the new feed")
    internal = services.add_comment(
        principal_for(manager, org),
        ours,
        body="They were late twice",
        internal=True,
        files=[SimpleUploadedFile("notes.pdf", PDF, content_type="application/pdf")],
    )
    services.add_comment(principal_for(manager, org), rival, body="Northwind only")
    issue = issues.raise_issue(principal_for(member, org), engagement, data={"title": "Feed"})
    issues.raise_issue(principal_for(member, org), rival_engagement, data={"title": "Other"})

    assert set(TaskMove.objects.visible_to(priya).values_list("task", flat=True)) == {ours.pk}
    assert list(TaskComment.objects.visible_to(priya)) == [shared]
    assert TaskAttachment.objects.filter(comment=internal).exists()
    assert not TaskAttachment.objects.visible_to(priya).exists()
    assert set(IssueEvent.objects.visible_to(priya).values_list("issue", flat=True)) == {issue.pk}
    for terms in (ResponseTarget, EscalationLevel):
        seen = set(terms.objects.visible_to(priya).values_list("engagement", flat=True))
        assert seen == {engagement.pk}
    holidays = Holiday.objects.filter(organization=org)
    assert holidays.exists() and Holiday.objects.visible_to(priya).count() == holidays.count()
    # A member of the organization sees all of it.
    everyone = principal_for(manager, org)
    assert TaskComment.objects.visible_to(everyone).count() == 3
    assert TaskAttachment.objects.visible_to(everyone).count() == 1


def test_a_contact_reads_only_their_own_notification_choices(
    org, member, point_contact, portal_user
):
    grant_portal(org, point_contact, portal_user)
    notifications.update_preferences(principal_for(member, org), due_soon_hours=48)
    notifications.update_preferences(principal_for(portal_user, org), due_soon_hours=12)
    priya = principal_for(portal_user, org)
    assert [row.user for row in NotificationSettings.objects.visible_to(priya)] == [portal_user]
    assert notifications.preferences(priya)["due_soon_hours"] == 12
    assert notifications.preferences(principal_for(member, org))["due_soon_hours"] == 48
