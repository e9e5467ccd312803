"""The calendar feed: a secret address listing the due dates of a person's open tasks."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse
from icalendar import Calendar

from handoff.work import services
from handoff.work.choices import TaskStatus
from handoff.work.models import CalendarFeed
from tests.conftest import api_client_for, client_for
from tests.factories import principal_for

DUE = datetime(2026, 12, 10, 23, 0, tzinfo=UTC)


def feed_path(raw):
    return reverse("work:feed", args=[raw])


@pytest.fixture
def tasks(engagement, member, manager, admin):
    mine = services.create_task(
        principal_for(member, engagement.organization),
        engagement,
        data={"title": "Close <Nov>", "due_at": DUE},
    )
    services.create_task(
        principal_for(member, engagement.organization),
        engagement,
        data={"title": "Someone else's", "due_at": DUE, "our_assignee_id": admin.pk},
    )
    done = services.create_task(
        principal_for(member, engagement.organization),
        engagement,
        data={"title": "Cancelled", "due_at": DUE},
    )
    services.move_task(
        principal_for(manager, done.organization), done, to_status=TaskStatus.CANCELLED
    )
    return mine


@pytest.mark.django_db
def test_the_feed_lists_my_open_tasks(client, org, manager, tasks):
    _, raw = services.create_feed(principal_for(manager, org))
    response = client.get(feed_path(raw))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert [str(e["summary"]) for e in events] == ["Due: Close <Nov> (Ledgerline Bookkeeping)"]
    event = events[0]
    assert str(event["uid"]) == f"task-{tasks.pk}@acme.handoff"
    assert event["dtstart"].dt == DUE and "dtstamp" in event
    assert str(event["url"]).endswith(f"/o/acme/tasks/{tasks.pk}/")
    assert CalendarFeed.objects.get().last_used_at is not None
    assert CalendarFeed.objects.get().token_hash != raw  # only the hash is kept


@pytest.mark.django_db
def test_a_revoked_or_unknown_token_is_a_404(client, org, manager, tasks):
    feed, raw = services.create_feed(principal_for(manager, org))
    services.revoke_feed(principal_for(manager, org), feed)
    assert client.get(feed_path(raw)).status_code == 404
    assert client.get(feed_path("cal_nope")).status_code == 404


@pytest.mark.django_db
def test_a_former_member_gets_a_404(client, org, manager, tasks):
    _, raw = services.create_feed(principal_for(manager, org))
    manager.memberships.all().delete()
    assert client.get(feed_path(raw)).status_code == 404


@pytest.mark.django_db
def test_the_page_shows_the_address_once_and_revokes(org, manager, outsider):
    client = client_for(manager)
    url = reverse("work:calendar_feeds", args=[org.slug])
    response = client.post(url)
    assert b"/calendar/cal_" in response.content
    assert b"/calendar/cal_" not in client.get(url).content
    feed = CalendarFeed.objects.get()
    revoke = reverse("work:calendar_feed_revoke", args=[org.slug, feed.pk])
    assert client_for(outsider).post(revoke).status_code == 404
    client.post(revoke)
    feed.refresh_from_db()
    assert feed.revoked_at is not None


@pytest.mark.django_db
def test_someone_else_cannot_revoke_my_feed(org, manager, member):
    feed, _ = services.create_feed(principal_for(manager, org))
    revoke = reverse("work:calendar_feed_revoke", args=[org.slug, feed.pk])
    assert client_for(member).post(revoke).status_code == 404
    feed.refresh_from_db()
    assert feed.revoked_at is None


@pytest.mark.django_db
def test_the_api_creates_and_revokes(client, org, manager, tasks):
    api = api_client_for(manager, org)
    created = api.post("/api/v1/calendar-feeds")
    assert created.status_code == 201
    url = created.json()["url"]
    assert client.get(url).status_code == 200
    revoked = api.post(f"/api/v1/calendar-feeds/{created.json()['id']}/revoke")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_a_portal_login_sees_its_contacts_tasks(
    client, org, engagement, member, point_contact, portal_user, tasks
):
    from tests.work.test_tasks import give_portal_access

    give_portal_access(org, point_contact, portal_user)
    _, raw = services.create_feed(principal_for(portal_user, org))
    events = Calendar.from_ical(client.get(feed_path(raw)).content).walk("VEVENT")
    assert sorted(str(e["summary"]).split(" (")[0] for e in events) == [
        "Due: Close <Nov>",
        "Due: Someone else's",
    ]


@pytest.mark.django_db
def test_a_portal_login_makes_and_revokes_its_address_in_the_portal(
    org, engagement, point_contact, rival_contact, portal_user, tasks
):
    from tests.work.test_tasks import give_portal_access

    give_portal_access(org, point_contact, portal_user)
    browser = client_for(portal_user)
    page = reverse("portal:calendar_feeds", args=[org.slug])
    response = browser.post(page)
    assert response.status_code == 200
    raw = response.context["new_url"].rsplit("/", 1)[1].removesuffix(".ics")
    assert browser.get(feed_path(raw)).status_code == 200
    feed = CalendarFeed.objects.filter(organization=org).get(user=portal_user)
    revoke = reverse("portal:calendar_feed_revoke", args=[org.slug, feed.pk])
    assert browser.post(revoke).status_code == 302
    assert browser.get(feed_path(raw)).status_code == 404
    # One page at both addresses: in the portal's frame, their own addresses only.
    theirs = browser.get(reverse("work:calendar_feeds", args=[org.slug]))
    assert theirs.status_code == 200 and list(theirs.context["feeds"]) == [feed]
    assert b'aria-label="Portal"' in theirs.content


@pytest.mark.django_db
def test_a_portal_login_cannot_revoke_a_members_address(org, manager, point_contact, portal_user):
    from tests.work.test_tasks import give_portal_access

    give_portal_access(org, point_contact, portal_user)
    feed, _ = services.create_feed(principal_for(manager, org))
    revoke = reverse("portal:calendar_feed_revoke", args=[org.slug, feed.pk])
    assert client_for(portal_user).post(revoke).status_code == 404
    feed.refresh_from_db()
    assert feed.revoked_at is None
