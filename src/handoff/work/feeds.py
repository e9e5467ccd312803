"""The iCalendar feed of a person's open tasks: one VEVENT at each due time.

The address carries a secret token (stored hashed, revocable); whoever has it reads the feed,
so it lists only titles, due times and links, never the details or the files.
"""

from django.utils import timezone
from icalendar import Calendar, Event

from handoff.accounts.principal import principal_of
from handoff.core.links import absolute_url
from handoff.work.models import CalendarFeed, Task

PRODID = "-//Handoff//Task due dates//EN"


def feed_for_token(token: str) -> CalendarFeed | None:
    if not token:
        return None
    return (
        CalendarFeed.objects.select_related("organization", "user")
        .filter(token_hash=CalendarFeed.hash(token), revoked_at__isnull=True)
        .first()
    )


def tasks_for(principal):
    """Tasks still with the provider (their due times are what a calendar holds) that
    ``principal`` sees and that are assigned to them: our side's for a member, their contact's
    for a provider's contact."""
    tasks = Task.objects.visible_to(principal).with_provider()
    tasks = tasks.select_related("engagement__provider")
    if principal.is_provider:
        return tasks.filter(their_assignee=principal.contact)
    return tasks.filter(our_assignee=principal.user)


def _task_url(task, portal_user: bool) -> str:
    return absolute_url(task.get_portal_url() if portal_user else task.get_absolute_url())


def render_feed(token: str, now=None) -> bytes | None:
    """The calendar for ``token``; None for an unknown or revoked token, or one whose person is
    no longer a member nor a portal contact there (the page is a 404). The address resolves to
    its person's principal, and the feed shows what that principal sees."""
    feed = feed_for_token(token)
    principal = principal_of(feed.user, feed.organization) if feed is not None else None
    if principal is None:
        return None
    tasks, portal_user = tasks_for(principal), principal.is_provider
    now = now or timezone.now()
    CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
    org = feed.organization
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"Tasks due · {org.name}")
    calendar.add("x-wr-timezone", org.time_zone)
    for task in tasks.order_by("due_at", "id")[:1000]:
        event = Event()
        event.add("uid", f"task-{task.pk}@{org.slug}.handoff")
        event.add("dtstamp", now)
        event.add("dtstart", task.due_at)
        event.add("dtend", task.due_at)
        event.add("summary", f"Due: {task.title} ({task.engagement.provider.name})")
        event.add("status", "CONFIRMED")
        url = _task_url(task, portal_user)
        if url:
            event.add("url", url)
            event.add("description", url)
        calendar.add_component(event)
    return calendar.to_ical()
