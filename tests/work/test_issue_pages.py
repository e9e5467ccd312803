"""Issue pages: who may do what, the list's filters and query count, and the detail timeline."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from handoff.work import issues
from handoff.work.choices import IssueStatus, Side
from handoff.work.models import Issue
from tests.conftest import client_for
from tests.factories import principal_for
from tests.work.test_issues import MONDAY_9AM, grant_portal, raise_at


@pytest.fixture
def issue(engagement, member):
    return raise_at(MONDAY_9AM, engagement, member, severity="high")


def test_viewers_read_the_list_and_the_detail(org, issue, viewer):
    client = client_for(viewer)
    listing = client.get("/o/acme/issues/")
    assert listing.status_code == 200 and b"Bank feed broken" in listing.content
    detail = client.get(f"/o/acme/issues/{issue.pk}/")
    assert detail.status_code == 200 and b"Nothing since Friday." in detail.content
    assert b"Resolve the issue" not in detail.content and b"Send</button>" not in detail.content


def test_outsiders_get_404_everywhere(org, engagement, issue, outsider, other_org):
    client = client_for(outsider)
    for path in (
        "/o/acme/issues/",
        f"/o/acme/issues/{issue.pk}/",
        f"/o/acme/engagements/{engagement.pk}/issues/new/",
    ):
        assert client.get(path).status_code == 404, path
    # Another organization's issue under one's own organization is a 404 too.
    assert client.get(f"/o/elsewhere/issues/{issue.pk}/").status_code == 404
    assert client.post(f"/o/elsewhere/issues/{issue.pk}/resolve/", {"note": "x"}).status_code == 404


def test_roles_for_raising_responding_and_resolving(org, engagement, issue, viewer, member):
    raise_path = f"/o/acme/engagements/{engagement.pk}/issues/new/"
    assert client_for(viewer).get(raise_path).status_code == 403
    assert (
        client_for(viewer).post(f"/o/acme/issues/{issue.pk}/respond/", {"body": "x"}).status_code
        == 403
    )
    assert (
        client_for(member).post(f"/o/acme/issues/{issue.pk}/resolve/", {"note": "x"}).status_code
        == 403
    )
    assert (
        client_for(member).post(f"/o/acme/issues/{issue.pk}/reopen/", {"reason": "x"}).status_code
        == 403
    )
    issue.refresh_from_db()
    assert issue.status == IssueStatus.OPEN


def test_a_member_raises_an_issue_from_a_task(org, engagement, member, manager):
    from handoff.work import services

    task = services.create_task(
        principal_for(manager, engagement.organization),
        engagement,
        data={"title": "March close", "kind": "Invoice batch"},
    )
    client = client_for(member)
    page = client.get(f"/o/acme/engagements/{engagement.pk}/issues/new/?task={task.pk}")
    assert page.status_code == 200
    assert f'<option value="{task.pk}" selected>'.encode() in page.content
    response = client.post(
        f"/o/acme/engagements/{engagement.pk}/issues/new/",
        {
            "title": "Wrong totals",
            "severity": "high",
            "task_id": task.pk,
            "description": "See row 4",
        },
    )
    created = Issue.objects.filter(organization=org).get()
    assert response.status_code == 302 and response.url == f"/o/acme/issues/{created.pk}/"
    assert created.task == task and created.raised_side == Side.US
    # The task and engagement pages link here.
    assert b"Raise an issue about this task" in client.get(f"/o/acme/tasks/{task.pk}/").content
    assert b"Raise an issue" in client.get(f"/o/acme/engagements/{engagement.pk}/").content


def test_bad_input_shows_the_reason_and_changes_nothing(org, engagement, member):
    response = client_for(member).post(
        f"/o/acme/engagements/{engagement.pk}/issues/new/",
        {"title": "", "severity": "galactic", "description": ""},
    )
    assert response.status_code == 200 and b"This field is required" in response.content
    assert not Issue.objects.filter(organization=org).exists()


def test_a_manager_resolves_and_reopens_with_a_note(org, issue, manager):
    client = client_for(manager)
    refused = client.post(f"/o/acme/issues/{issue.pk}/resolve/", {"note": ""}, follow=True)
    assert b"nothing was changed" in refused.content
    client.post(f"/o/acme/issues/{issue.pk}/resolve/", {"note": "Fixed the feed"})
    issue.refresh_from_db()
    assert issue.status == IssueStatus.RESOLVED and issue.resolution == "Fixed the feed"
    page = client.get(f"/o/acme/issues/{issue.pk}/").content
    assert b"Fixed the feed" in page and b"Reopen" in page
    client.post(f"/o/acme/issues/{issue.pk}/reopen/", {"reason": "Broke again"})
    issue.refresh_from_db()
    assert issue.status == IssueStatus.OPEN


def test_the_detail_shows_the_timeline(org, engagement, issue, member, issue_contact):
    issues.escalate_overdue(MONDAY_9AM + timedelta(hours=5))
    tom = grant_portal(org, issue_contact)
    with time_machine.travel(MONDAY_9AM + timedelta(hours=6), tick=False):
        issues.respond(principal_for(tom, issue.organization), issue, body="On it")
    page = client_for(member).get(f"/o/acme/issues/{issue.pk}/").content.decode()
    assert "Escalated to level 1" in page
    assert "First response after 6\xa0hours" in page


def test_an_issue_at_the_top_of_the_ladder_says_so(org, issue, member):
    issues.escalate_overdue(MONDAY_9AM + timedelta(hours=5))
    issues.escalate_overdue(MONDAY_9AM + timedelta(hours=8))
    with time_machine.travel(MONDAY_9AM + timedelta(days=2), tick=False):
        page = client_for(member).get(f"/o/acme/issues/{issue.pk}/").content.decode()
        listing = client_for(member).get("/o/acme/issues/?view=overdue").content.decode()
    assert "top of the escalation ladder" in page
    assert "Bank feed broken" in listing


def test_without_a_target_the_page_says_it_does_not_climb(org, engagement, member):
    low = raise_at(MONDAY_9AM, engagement, member, severity="low")
    page = client_for(member).get(f"/o/acme/issues/{low.pk}/").content
    assert b"No response target is set" in page


def test_the_list_filters(org, engagement, rival_engagement, member, manager):
    raise_at(MONDAY_9AM, engagement, member, title="Ours high", severity="high")
    raise_at(MONDAY_9AM, rival_engagement, member, title="Rival normal", severity="normal")
    done = raise_at(MONDAY_9AM, engagement, member, title="Old one", severity="low")
    issues.resolve(principal_for(manager, done.organization), done, note="ok")
    client = client_for(member)
    page = client.get(f"/o/acme/issues/?provider={engagement.provider_id}").content
    assert b"Ours high" in page and b"Rival normal" not in page and b"Old one" not in page
    page = client.get("/o/acme/issues/?severity=normal").content
    assert b"Rival normal" in page and b"Ours high" not in page
    page = client.get("/o/acme/issues/?view=resolved").content
    assert b"Old one" in page and b"Ours high" not in page
    page = client.get(f"/o/acme/issues/?view=all&engagement={rival_engagement.pk}").content
    assert b"Rival normal" in page and b"Old one" not in page


def test_the_list_costs_the_same_queries_for_few_and_many(org, engagement, member):
    client = client_for(member)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/o/acme/issues/?view=all").status_code == 200
        return len(queries)

    raise_at(MONDAY_9AM, engagement, member)
    count()  # the first visit also remembers the organization in the session
    few = count()
    for n in range(6):
        raise_at(MONDAY_9AM, engagement, member, title=f"Issue {n}")
    assert count() == few


def test_the_nav_has_an_issues_link(org, member):
    page = client_for(member).get("/o/acme/issues/").content
    assert b'href="/o/acme/issues/" aria-current="page"' in page
